-- pub_households: one row per flagged household. A household of the roster shows its head and
-- attributes (pub_heads); a payee on no roster (a payments rule's PAY- household, int_paid.sql)
-- shows the ID the flags are about, no name (the evidence names the payee), 保障类别 非在保 and no
-- 保障人数 or 月保障金.
select
  d.county_code,
  d.household_id,
  coalesce(any_value(h.head_name), '') as head_name,
  coalesce(any_value(h.head_id), min(d.person_id)) as head_id,
  coalesce(any_value(h.program), '非在保') as program,
  coalesce(any_value(h.household_size), 0) as household_size,
  coalesce(any_value(h.monthly_amount), '') as monthly_amount,
  coalesce(any_value(h.registered_elsewhere), false) as registered_elsewhere,
  -- ','-joined text rather than lists: each value crossing into JS costs, lists the most
  string_agg(distinct d.rule_id, ',') as rule_ids,
  min(case d.severity when 'high' then 1 when 'medium' then 2 else 3 end) as severity_rank,
  min(d.first_issued_period) as first_issued_period,
  min(d.issued_on) as issued_on,
  min(d.due_on) as due_on,
  string_agg(d.flag_id, ',' order by d.flag_id) as flag_ids
from pub_details d
left join pub_heads h using (household_id)
group by d.county_code, d.household_id
