-- int_household_amounts: the 月保障金 of every household on the month's roster snapshot, as
-- 疑点家庭 shows it (the household's lowest line: the roster repeats it per member). The month's
-- commit keeps it for the households it issues flags to (issued_households), so a later month can
-- tell whether an answer 属实-已调整保障金 changed the amount (rules/benefit-not-stopped).
-- Grain: one row per household_id.
select
  household_id,
  arg_min(monthly_amount, line) as monthly_amount
from snap_roster
group by household_id
