-- int_paid: the 一卡通 payments that were paid, up to the month: 发放状态 成功 (failed and
-- returned ones were not paid), 所属期 in the 24 months up to the month (the longest lookback a
-- payments rule accepts). The same payment delivered twice (in two files, or again in a later
-- month's file) is one row: same batch, payee, item, 所属期, amount and day.
--   benefit_period  the 所属期 as 'YYYY-MM'
--   described       the payment in words, for evidence: 城市低保金 800.00 元（发放日期 …，批次 …，
--                   bank，账号尾号 1234）
-- Where a lead about the payment goes (int_roster_people):
--   lead_household, lead_county  the payee's household on the month's roster; for a payee on no
--                   roster row, a household of their own in the paying county, PAY-<county>-<hash
--                   of 户主身份证号, else the payee's> — never the ID itself (household ids reach
--                   indexes and logs that hold no ID numbers)
--   off_roster_note for a payee on no roster row this month, a line for the evidence that says so
--                   with the payee's name (疑点家庭 has none for such a household); '' otherwise
--   placeable       false when a household of the payee's waits for its authorization: no rule
--                   judges such a payee (law 1, as no rule matches an unauthorized household)
-- Grain: one row per payment.
with paid as (
  select distinct
    batch_no, payee_id, payee_name, head_id, program, item_name, benefit_month, paid_on, amount, bank, account_last4, county_code
  from snap_payments
  where status = '成功'
    and benefit_month <= $period_month::date
    and benefit_month > $period_month::date - to_months(24)
)

select
  p.*,
  strftime(p.benefit_month, '%Y-%m') as benefit_period,
  coalesce(p.item_name, p.program) || ' ' || p.amount::varchar || ' 元（发放日期 ' || strftime(p.paid_on, '%Y-%m-%d') || '，批次 ' || p.batch_no
    || coalesce('，' || p.bank, '') || coalesce('，账号尾号 ' || p.account_last4, '') || '）' as described,
  coalesce(r.household_id, 'PAY-' || p.county_code || '-' || upper(left(sha256(coalesce(p.head_id, p.payee_id)), 10))) as lead_household,
  coalesce(r.county_code, p.county_code) as lead_county,
  case when r.person_id is null then '（领取人 ' || p.payee_name || '，不在本月名册）' else '' end as off_roster_note,
  r.person_id is null or r.household_id is not null as placeable
from paid p
left join int_roster_people r on r.person_id = p.payee_id
