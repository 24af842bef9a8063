-- flags for one period, from the rule hits of the run (int_rule_hits).
-- flag_id: stable across months, from rule, household, person and evidence key.
-- fingerprint: the material evidence, so a whitelist entry pinned to it lapses when it changes.
-- Suppression: an entry for the person, scoped to the rule or its source feed, optionally to the
--   record and the fingerprint, valid on the period's last day and not revoked. Suppressed flags
--   are kept with the entry that suppressed them.
-- Carry-over: a flag issued in an earlier period keeps its first period, issue and due dates.
-- Grain: one row per flag_id (the same hit twice in a feed yields one flag, the first by evidence).
insert into flags
with keyed as (
  select
    *,
    left(sha256(rule_id || '|' || household_id || '|' || person_id || '|' || evidence_key), 16) as flag_id,
    left(sha256(fingerprint_source), 16) as fingerprint
  from int_rule_hits
  qualify row_number() over (partition by rule_id, household_id, person_id, evidence_key order by evidence, fingerprint_source) = 1
),

suppressing as (
  select k.flag_id, min(e.entry_id) as entry_id
  from keyed k
  join whitelist e
    on e.person_id = k.person_id
    and (e.scope = k.rule_id or e.scope = k.source_feed)
    and (e.record_key is null or e.record_key = k.record_key)
    and (e.fingerprint is null or e.fingerprint = k.fingerprint)
    and e.valid_from <= $period_end::date
    and e.valid_until >= $period_end::date
    and e.revoked_at is null
  group by k.flag_id
),

earlier as (
  select
    flag_id,
    arg_max(first_issued_period, period) as first_issued_period,
    arg_max(issued_on, period) as issued_on,
    arg_max(due_on, period) as due_on
  from flags
  where period < $period and status = 'issued'
  group by flag_id
)

select
  $period as period,
  k.flag_id,
  k.rule_id,
  k.person_id,
  k.household_id,
  k.county_code,
  k.severity,
  k.record_key,
  k.evidence_key,
  k.evidence,
  k.fingerprint,
  k.source_feed,
  k.source_period,
  case when s.entry_id is null then 'issued' else 'suppressed' end as status,
  s.entry_id as whitelist_entry,
  coalesce(e.first_issued_period, $period) as first_issued_period,
  coalesce(e.issued_on, $issued_on::date) as issued_on,
  coalesce(e.due_on, $due_on::date) as due_on
from keyed k
left join suppressing s using (flag_id)
left join earlier e using (flag_id)
