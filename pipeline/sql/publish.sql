-- The rows of the period's county workbooks, for every county at once; publish then reads them
-- county by county. Only issued flags appear; suppressed ones are counted, not listed.

-- pub_members: the roster rows of the households that appear in a workbook (flagged or pending).
create or replace temp table pub_members as
select r.*
from snap_roster r
where r.household_id in (
  select household_id from flags where period = $period and status = 'issued'
  union
  select household_id from pending_authorization where period = $period
);

-- pub_heads: one row per household: its head (the member whose ID is the head's ID, else the
-- first line) and the household attributes as the roster's first line gives them.
create or replace temp table pub_heads as
select
  household_id,
  arg_min(name, (person_id <> head_id, line)) as head_name,
  arg_min(head_id, line) as head_id,
  arg_min(program, line) as program,
  arg_min(household_size, line) as household_size,
  arg_min(monthly_amount, line)::varchar as monthly_amount,
  bool_or(registered_elsewhere) as registered_elsewhere
from pub_members
group by household_id;

-- pub_details: one row per issued flag, with the member's name and relation.
create or replace temp table pub_details as
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
where f.period = $period and f.status = 'issued';

-- pub_households: one row per flagged household.
create or replace temp table pub_households as
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
group by all;

-- pub_pending: one row per household waiting for its authorization.
create or replace temp table pub_pending as
select p.county_code, p.household_id, h.head_name, h.head_id, h.program, h.household_size, p.reason
from pending_authorization p
join pub_heads h using (household_id)
where p.period = $period;
