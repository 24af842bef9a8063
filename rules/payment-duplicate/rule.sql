-- payment-duplicate
-- What: the same 所属期 paid twice to one person: the same item twice, or two items that exclude
--   each other ($conflicts, 'A×B': 城市低保×农村低保, 城市特困×农村特困, 低保×特困 in every pairing).
-- Why: 城乡低保, 城乡特困, 低保特困 and 城乡价格临时补贴 must never be paid twice (the notice, part 4,
--   DESIGN.md law 6).
-- Payments: those paid (int_paid: 成功; the same payment delivered twice is one, not a
--   duplicate), for a 所属期 in the $lookback_months months up to this one.
-- To recover: the month's payments but the largest.
-- Where the flag goes: int_paid's lead_household; a payee on a household waiting for its
--   authorization is not judged.
-- Grain: one row per payee × 所属期.
with paid as (
  select *
  from int_paid
  where placeable
    and benefit_month > $period_month::date - to_months($lookback_months)
),

-- only a payee paid more than once in a month can be paid twice: the rest is not read again
repeated as (
  select payee_id, benefit_period
  from paid
  group by all
  having count(*) > 1
),

months as (
  select
    payee_id,
    benefit_period,
    list(distinct program order by program) as programs,
    count(*) as payments,
    sum(amount) as total,
    max(amount) as largest,
    string_agg(described, '；' order by paid_on, batch_no, program) as detail,
    string_agg(batch_no || ':' || program || ':' || amount::varchar, ',' order by batch_no, program, amount) as batches,
    arg_min(lead_household, (paid_on, batch_no)) as lead_household,
    arg_min(lead_county, (paid_on, batch_no)) as lead_county,
    arg_min(off_roster_note, (paid_on, batch_no)) as off_roster_note
  from paid
  semi join repeated using (payee_id, benefit_period)
  group by payee_id, benefit_period
),

duplicated as (
  select *
  from months
  where payments > len(programs)
    or len(list_filter($conflicts, c -> list_contains(programs, split_part(c, '×', 1)) and list_contains(programs, split_part(c, '×', 2)))) > 0
),

final as (
  select
    payee_id as person_id,
    lead_household as household_id,
    lead_county as county_code,
    'high' as severity,
    benefit_period as record_key,
    benefit_period || ':' || array_to_string(programs, '+') as evidence_key,
    '重复发放：所属期 ' || benefit_period || ' 共发放 ' || payments::varchar || ' 笔：' || detail
      || off_roster_note
      || '；应追回 ' || (total - largest)::varchar || ' 元' as evidence,
    benefit_period || '|' || batches as fingerprint_source,
    total - largest as amount_yuan
  from duplicated
)

select * from final
