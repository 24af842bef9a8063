-- pub_unpaid: 未发放名单, one row per roster household of a paid program (城乡低保, 城乡特困:
-- 低保边缘 is not paid) with no payment of this month on the 一卡通 ledger: no 成功 payment whose
-- 所属期 is the month to its head (as payee or as 户主身份证号) or to a covered member. Failed and
-- returned payments count as not paid. A list for the county to check, not a lead. Only where the
-- ledger has this month: a county with no payment of the month delivered, whatever its status, has
-- no list (its workbook says so: publish.ts reads the same condition).
with month_ledger as (
  select payee_id, head_id, county_code, status
  from snap_payments
  where benefit_month = ($period || '-01')::date
),

paid_month as (
  select payee_id, head_id
  from month_ledger
  where status = '成功'
),

paid_people as (
  select payee_id as person_id from paid_month
  union
  select head_id from paid_month where head_id is not null
),

paid_households as (
  select distinct r.household_id
  from snap_roster r
  join paid_people p on p.person_id = r.person_id
  where r.is_covered or r.person_id = r.head_id
),

households as (
  select
    household_id,
    arg_min(county_code, line) as county_code,
    arg_min(name, (person_id <> head_id, line)) as head_name,
    arg_min(head_id, line) as head_id,
    arg_min(program, line) as program,
    arg_min(household_size, line) as household_size,
    arg_min(monthly_amount, line)::varchar as monthly_amount
  from snap_roster
  group by household_id
)

select h.*
from households h
where h.program in ('城市低保', '农村低保', '城市特困', '农村特困')
  and h.county_code in (select county_code from month_ledger)
  and h.household_id not in (select household_id from paid_households)
