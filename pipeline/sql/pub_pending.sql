-- pub_pending: one row per household waiting for its authorization.
select p.county_code, p.household_id, h.head_name, h.head_id, h.program, h.household_size, p.reason
from pending_authorization p
join pub_heads h using (household_id)
where p.period = $period
