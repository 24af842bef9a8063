-- pub_households: one row per flagged household.
select
  d.county_code,
  d.household_id,
  h.head_name,
  h.head_id,
  h.program,
  h.household_size,
  h.monthly_amount,
  h.registered_elsewhere,
  -- ','-joined text rather than lists: each value crossing into JS costs, lists the most
  string_agg(distinct d.rule_id, ',') as rule_ids,
  min(case d.severity when 'high' then 1 when 'medium' then 2 else 3 end) as severity_rank,
  min(d.first_issued_period) as first_issued_period,
  min(d.issued_on) as issued_on,
  min(d.due_on) as due_on,
  string_agg(d.flag_id, ',' order by d.flag_id) as flag_ids
from pub_details d
join pub_heads h using (household_id)
group by all
