-- int_matched_people: the only set of people any rule may join to a department feed.
-- One row per roster row of an authorized household: every member, covered (是否保障对象 = 是) or
-- not — also in a 单人保 household, whose family must stay 低保边缘 (DESIGN.md law 5;
-- ../shared/domain/reference.md, "Household law": matching only the covered member is wrong).
-- IDs of unauthorized households never enter this table.
select
  r.person_id,
  r.household_id,
  r.person_id = r.head_id as is_head,
  h.county_code,
  h.league_code,
  h.is_urban,
  h.program,
  h.household_size,
  r.name,
  r.relation,
  r.is_covered,
  -- the row's 人户分离 (blank staged as 否; NULL for a check request's family: req_roster.sql)
  r.registered_elsewhere
from snap_roster r
join int_households h using (household_id)
where h.authorization_problem is null
