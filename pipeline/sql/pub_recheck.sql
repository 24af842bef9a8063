-- pub_recheck: 定期核查到期, one row per roster household whose regular re-check is overdue, due in
-- the month or due in the month after, or whose authorization runs out within auth_warn_days
-- (int_recheck.sql): a list for the county to plan its visits and renewals, not leads.
select
  county_code,
  household_id,
  head_name,
  program,
  cycle_months,
  cycle_basis,
  last_check_on,
  last_check_basis,
  next_due_on,
  due_state,
  auth_valid_until,
  auth_expiring
from int_recheck
where due_state is not null or auth_expiring
