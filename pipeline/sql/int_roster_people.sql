-- int_roster_people: one row per person on the month's roster, with the household a lead about
-- them goes to: their household (the lowest id when they are on two), or NULL when any household
-- of theirs waits for its authorization: the payments rules judge no such person at all (law 1,
-- held strictly: a payment can name the pending household's program and amount, so even a person
-- also on an authorized household is left until every household of theirs is authorized).
-- What payment rules read to place a payment: a payee on no roster row is not here, and a lead
-- about them goes to a household of their own (pipeline/sql/int_paid.sql, lead_household).
with people as (
  select distinct person_id, household_id
  from snap_roster
)

select
  p.person_id,
  case when bool_and(h.authorization_problem is null) then min(p.household_id) end as household_id,
  case when bool_and(h.authorization_problem is null) then arg_min(h.county_code, p.household_id) end as county_code
from people p
join int_households h using (household_id)
group by p.person_id
