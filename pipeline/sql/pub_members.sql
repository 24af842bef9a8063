-- pub_members: the roster rows of the households that appear in a workbook (flagged or pending).
select r.*
from snap_roster r
where r.household_id in (
  select household_id from flags where period = $period and status = 'issued'
  union
  select household_id from pending_authorization where period = $period
)
