-- pub_details: one row per issued flag, with the member's name and relation.
select
  f.county_code,
  f.flag_id,
  f.household_id,
  f.person_id,
  coalesce(m.name, '') as person_name,
  coalesce(m.relation, '') as relation,
  coalesce(m.is_covered, false) as is_covered,
  f.rule_id,
  f.severity,
  f.source_feed,
  f.source_period,
  f.evidence,
  f.first_issued_period,
  strftime(f.issued_on, '%Y-%m-%d') as issued_on,
  strftime(f.due_on, '%Y-%m-%d') as due_on
from flags f
left join (
  select household_id, person_id, arg_min(name, line) as name, arg_min(relation, line) as relation, bool_or(is_covered) as is_covered
  from pub_members
  group by household_id, person_id
) m using (household_id, person_id)
where f.period = $period and f.status = 'issued'
