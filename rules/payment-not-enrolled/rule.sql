-- payment-not-enrolled
-- What: money paid for a month and program in which the person or household was not enrolled.
-- Why: the notice asks that the assistance system, the accounts and the 一卡通 payments agree; a
--   payment outside the roster is public money paid without a decision.
-- Payments: those paid (int_paid: 成功, each once) of the $judged_programs items (低保金, 特困供养金:
--   价格临时补贴 also goes to people no roster of ours holds, so it is judged for duplicates only),
--   for a 所属期 in the $lookback_months months up to this one.
-- Enrolled: the roster of the 所属期 (hist_roster: every staged roster up to the month) has the
--   payee as a covered member of a household of that program, or the household paid to (户主身份证号,
--   the payee when blank) is of that program. A 所属期 with no roster in the warehouse is not judged.
-- Where the flag goes: int_paid's lead_household (the payee's household on this month's roster, or
--   one of their own in the paying county); a payee on a household waiting for its authorization
--   is not judged.
-- Grain: one row per payment.
with paid as (
  select *
  from int_paid
  where placeable
    and list_contains($judged_programs, program)
    and benefit_month > $period_month::date - to_months($lookback_months)
),

rosters as (
  select snapshot_period, person_id, head_id, program, is_covered
  from hist_roster
  where snapshot_period in (select distinct benefit_period from paid)
),

-- enrolled in a program in a month: as a covered member, or as the household's head (keys of
-- equality joins: an OR of the two in one join made DuckDB compare every pair)
covered as (
  select distinct snapshot_period, person_id, program
  from rosters
  where is_covered and person_id in (select payee_id from paid)
),

heads as (
  select distinct snapshot_period, head_id, program
  from rosters
  where head_id in (select coalesce(head_id, payee_id) from paid)
),

programs_of as (
  -- string_agg(distinct … order by …) costs ~2× as much per group (docs/measured-choices.md)
  select snapshot_period, person_id, array_to_string(list_sort(list_distinct(list(program))), '、') as enrolled_as
  from rosters
  where person_id in (select payee_id from paid)
  group by all
),

not_enrolled as (
  select j.*, e.enrolled_as
  from paid j
  anti join covered c on c.snapshot_period = j.benefit_period and c.person_id = j.payee_id and c.program = j.program
  anti join heads h on h.snapshot_period = j.benefit_period and h.head_id = coalesce(j.head_id, j.payee_id) and h.program = j.program
  left join programs_of e on e.snapshot_period = j.benefit_period and e.person_id = j.payee_id
  -- a 所属期 without a roster in the warehouse is not judged
  where j.benefit_period in (select distinct snapshot_period from rosters)
),

final as (
  select
    payee_id as person_id,
    lead_household as household_id,
    lead_county as county_code,
    'high' as severity,
    batch_no as record_key,
    benefit_period || ':' || program || ':' || batch_no as evidence_key,
    '发放记录：所属期 ' || benefit_period || ' ' || described || '；' || benefit_period || ' 在保名册中'
      || case when enrolled_as is null then '无此人（户）' else '此人以「' || enrolled_as || '」在保，未以「' || program || '」在保' end
      || off_roster_note
      || '；应追回 ' || amount::varchar || ' 元' as evidence,
    concat_ws('|', batch_no, benefit_period, program, amount::varchar, coalesce(enrolled_as, '')) as fingerprint_source,
    amount as amount_yuan
  from not_enrolled
)

select * from final
