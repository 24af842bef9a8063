-- int_households: one row per household of the month's roster snapshot, with its authorization
-- verdict on the period's last day. Authorization is judged strictly: every row of the household
-- must show a signature on or before the period end and a validity reaching it (law 1: no
-- verification without authorization). Household attributes come from the lowest line (the
-- roster repeats them per member), so the choice is deterministic.
with rows as (
  select r.*, d.league_code, d.is_urban
  from snap_roster r
  join divisions d using (county_code)
),

households as (
  select
    household_id,
    arg_min(county_code, line) as county_code,
    arg_min(league_code, line) as league_code,
    arg_min(is_urban, line) as is_urban,
    arg_min(program, line) as program,
    arg_min(household_size, line) as household_size,
    bool_or(authorization_signed_on is null) as unsigned,
    max(authorization_signed_on) as signed_on,
    min(authorization_valid_until) as valid_until,
    bool_or(authorization_valid_until is null) as no_validity
  from rows
  group by household_id
)

select
  household_id,
  county_code,
  league_code,
  is_urban,
  program,
  household_size,
  case
    when unsigned then 'missing'
    when signed_on > $period_end::date then 'signed_after_period'
    when no_validity or valid_until < $period_end::date then 'expired'
  end as authorization_problem
from households
