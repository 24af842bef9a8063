-- pub_heads: one row per household: its head (the member whose ID is the head's ID, else the
-- first line) and the household attributes as the roster's first line gives them.
select
  household_id,
  arg_min(name, (person_id <> head_id, line)) as head_name,
  arg_min(head_id, line) as head_id,
  arg_min(program, line) as program,
  arg_min(household_size, line) as household_size,
  arg_min(monthly_amount, line)::varchar as monthly_amount,
  bool_or(registered_elsewhere) as registered_elsewhere
from pub_members
group by household_id
