-- req_findings: what the rules found for the families of check requests (int_rule_hits of REQ-
-- households), each with the whitelist entry that marks it a known data-source error, as flags.sql
-- judges a flag suppressed: the person, the rule or its feed, the record and the fingerprint when
-- the entry pins them, valid on the report's day, not revoked. A whitelisted finding is reported as
-- such, not dropped: the county sees it was found and why it is not a lead.
with hits as (
  select *, left(sha256(fingerprint_source), 16) as fingerprint
  from int_rule_hits
  where starts_with(household_id, 'REQ-')
)

select
  substr(h.household_id, 5) as request_key,
  h.rule_id,
  h.source_feed,
  h.source_period,
  h.person_id,
  h.severity,
  h.record_key,
  h.evidence,
  min(e.entry_id) as whitelist_entry
from hits h
left join whitelist e
  on e.person_id = h.person_id
  and (e.scope = h.rule_id or e.scope = h.source_feed)
  and (e.record_key is null or e.record_key = h.record_key)
  and (e.fingerprint is null or e.fingerprint = h.fingerprint)
  and e.valid_from <= $report_date::date
  and e.valid_until >= $report_date::date
  and e.revoked_at is null
group by all
order by request_key, rule_id, person_id, record_key, evidence
