-- payment-amount-mismatch
-- What: what a matched household was paid for this month differs from its 月保障金 on this month's
--   roster by more than $amount_tolerance_yuan 元.
-- Why: the roster's 月保障金 is the decision; the 一卡通 ledger is what was paid (the notice:
--   the system, the accounts and the payments must agree).
-- Payments: those paid (int_paid) of $judged_programs items, 所属期 = this month, paid in it. A
--   back-payment (所属期 before the month it was paid in) is not a mismatch. Each payee's item
--   counts once, at its largest payment: a second one is payment-duplicate's.
-- The household: the payee's household on this month's roster (its head paid for the household,
--   or its covered members paid one by one), matched households only.
-- To recover: the part paid above 月保障金 (an underpayment is owed to the family, not recovered).
-- Grain: one row per household, on its head when matched (else its first matched member).
with paid as (
  select payee_id, program, max(amount) as amount, count(*) as payments
  from int_paid
  -- a payee on a household waiting for its authorization is not judged (as in every payments rule)
  where placeable
    and list_contains($judged_programs, program)
    and benefit_month = $period_month::date
    and date_trunc('month', paid_on) = benefit_month
  group by payee_id, program
),

members as (
  select distinct person_id, household_id, county_code, is_head
  from int_matched_people
),

households as (
  select
    m.household_id,
    min(m.county_code) as county_code,
    arg_min(m.person_id, (not m.is_head, m.person_id)) as person_id,
    sum(p.amount) as paid,
    sum(p.payments)::integer as payments,
    -- string_agg(distinct … order by …) costs ~2× as much per group (docs/measured-choices.md)
    array_to_string(list_sort(list_distinct(list(p.program))), '、') as programs
  from paid p
  join members m on m.person_id = p.payee_id
  group by m.household_id
),

final as (
  select
    h.person_id,
    h.household_id,
    h.county_code,
    'medium' as severity,
    $period as record_key,
    'amount:' || $period as evidence_key,
    '发放金额与名册不符：所属期 ' || $period || ' 实发 ' || h.paid::varchar || ' 元（' || h.programs || '），名册月保障金 '
      || a.monthly_amount::varchar || ' 元，相差 ' || (h.paid - a.monthly_amount)::varchar || ' 元' as evidence,
    concat_ws('|', $period, h.paid::varchar, a.monthly_amount::varchar) as fingerprint_source,
    case when h.paid > a.monthly_amount then h.paid - a.monthly_amount end as amount_yuan
  from households h
  join int_household_amounts a using (household_id)
  where abs(h.paid - a.monthly_amount) > $amount_tolerance_yuan
)

select * from final
