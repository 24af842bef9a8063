-- payment-after-death
-- What: money paid to a person for a month (所属期) after the month of their death.
-- Why: benefits stop or change after a death (特困 from the next month, 特困人员认定办法 第24–26条,
--   低保 adjusted, 民发〔2022〕83号); money paid to the dead is to be recovered.
-- Payments: those paid (int_paid: 成功, each once), any item, for a 所属期 in the $lookback_months
--   months up to this one. The month of the death itself is paid as usual.
-- Deaths: every record up to the month's end; the 公安 death date first, else the 殡葬 one.
-- Where the flag goes: int_paid's lead_household; a payee on a household waiting for its
--   authorization is not judged.
-- Grain: one row per payment.
with deaths as (
  select
    person_id,
    coalesce(min(died_on) filter (where source = 'police'), min(died_on)) as died_on,
    bool_or(source = 'police') as deregistered,
    bool_or(source = 'cremation') as cremated
  from snap_deaths
  where died_on <= $period_end::date
  group by person_id
),

paid as (
  select *
  from int_paid
  where placeable
    and benefit_month > $period_month::date - to_months($lookback_months)
),

after_death as (
  select p.*, d.died_on, d.deregistered, d.cremated
  from paid p
  join deaths d on d.person_id = p.payee_id
  where p.benefit_month > date_trunc('month', d.died_on)
),

final as (
  select
    payee_id as person_id,
    lead_household as household_id,
    lead_county as county_code,
    'high' as severity,
    batch_no as record_key,
    benefit_period || ':' || program || ':' || batch_no as evidence_key,
    '死亡后仍发放：领取人死亡日期 ' || strftime(died_on, '%Y-%m-%d') || '（'
      || concat_ws('、', case when deregistered then '公安户籍注销' end, case when cremated then '殡葬火化记录' end)
      || '）；所属期 ' || benefit_period || ' ' || described
      || off_roster_note
      || '；应追回 ' || amount::varchar || ' 元' as evidence,
    concat_ws('|', batch_no, benefit_period, program, amount::varchar, strftime(died_on, '%Y-%m-%d')) as fingerprint_source,
    amount as amount_yuan
  from after_death
)

select * from final
