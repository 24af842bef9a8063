-- flags for one period, from the rule hits of the run (int_rule_hits) and the open flags of the
-- previous period.
-- flag_id: stable across months, from rule, household, person and evidence key.
-- fingerprint: the material evidence, so a whitelist entry or an answer pinned to it lapses when
--   the evidence changes.
-- status:
--   suppressed  a whitelist entry for the person, scoped to the rule or its source feed, optionally
--               to the record and the fingerprint, valid on the period's last day, not revoked
--               (a data-error answer puts one there, so such flags count as suppressed);
--   closed      the county answered it (a result not in $open_results) for this same evidence:
--               kept and counted, not shown again;
--   issued      otherwise: in the county's workbook.
-- Dates: a flag that has reached its county (flag_issues: the first publication that contained
--   it, recorded by publish) keeps its first period, issue and due dates — in a re-run of the month
--   and in every later month. Any other flag is dated by this run: $issued_on (today, China Standard
--   Time) and $due_on (+ deadline_days, next working day), which publish records once it is out.
-- Carry-over: an open flag of the previous period that the rules no longer find is carried over as
--   it was (carried_over), while its household is still matched, so the county still owes its answer.
--   A payee on no roster (a PAY- household, int_paid.sql) has no household to be matched: such a flag
--   is carried over until it is answered (its payment leaves the rules' lookback, the debt does not).
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

answers as (
  select
    d.flag_id,
    arg_max(d.result, (d.received_on, i.imported_at)) as result,
    arg_max(f.fingerprint, (d.received_on, i.imported_at)) as answered_fingerprint
  from dispositions d
  join feedback_imports i using (import_id)
  join flags f on f.period = d.period and f.flag_id = d.flag_id
  where i.status = 'imported' and i.superseded_by is null and d.period < $period
  group by d.flag_id
),

previous_open as (
  select f.* exclude (period, status, whitelist_entry, carried_over)
  from flags f
  left join answers a using (flag_id)
  where f.period = (select max(period) from flags where period < $period)
    and f.status = 'issued'
    and (a.result is null or list_contains($open_results, a.result) or a.answered_fingerprint <> f.fingerprint)
    and f.flag_id not in (select flag_id from keyed)
    and (
      f.household_id in (select household_id from int_households where authorization_problem is null)
      or starts_with(f.household_id, 'PAY-')
    )
),

candidates as (
  select
    k.flag_id, k.rule_id, k.person_id, k.household_id, k.county_code, k.severity, k.record_key, k.evidence_key,
    k.evidence, k.fingerprint, k.source_feed, k.source_period,
    coalesce(e.first_issued_period, $period) as first_issued_period,
    coalesce(e.issued_on, $issued_on::date) as issued_on,
    coalesce(e.due_on, $due_on::date) as due_on,
    false as carried_over,
    k.amount_yuan
  from keyed k
  left join flag_issues e using (flag_id)
  union all
  select
    p.flag_id, p.rule_id, p.person_id, p.household_id, p.county_code, p.severity, p.record_key, p.evidence_key,
    p.evidence, p.fingerprint, p.source_feed, p.source_period,
    coalesce(e.first_issued_period, p.first_issued_period) as first_issued_period,
    coalesce(e.issued_on, p.issued_on) as issued_on,
    coalesce(e.due_on, p.due_on) as due_on,
    true as carried_over,
    p.amount_yuan
  from previous_open p
  left join flag_issues e using (flag_id)
),

suppressing as (
  select c.flag_id, min(e.entry_id) as entry_id
  from candidates c
  join whitelist e
    on e.person_id = c.person_id
    and (e.scope = c.rule_id or e.scope = c.source_feed)
    and (e.record_key is null or e.record_key = c.record_key)
    and (e.fingerprint is null or e.fingerprint = c.fingerprint)
    and e.valid_from <= $period_end::date
    and e.valid_until >= $period_end::date
    and e.revoked_at is null
  group by c.flag_id
)

select
  $period as period,
  c.flag_id,
  c.rule_id,
  c.person_id,
  c.household_id,
  c.county_code,
  c.severity,
  c.record_key,
  c.evidence_key,
  c.evidence,
  c.fingerprint,
  c.source_feed,
  c.source_period,
  case
    when s.entry_id is not null then 'suppressed'
    when a.result is not null and not list_contains($open_results, a.result) and a.answered_fingerprint = c.fingerprint then 'closed'
    else 'issued'
  end as status,
  s.entry_id as whitelist_entry,
  c.first_issued_period,
  c.issued_on,
  c.due_on,
  c.carried_over,
  c.amount_yuan
from candidates c
left join suppressing s using (flag_id)
left join answers a using (flag_id)
