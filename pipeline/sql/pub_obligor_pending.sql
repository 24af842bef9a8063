-- pub_obligor_pending: 待补义务人授权, one row per obligor (赡养、抚养、扶养义务人) of a roster
-- household whose own authorization is missing, signed after the month or expired on the month's
-- last day (int_obligors.auth_problem): these obligors are not matched. In the workbook of the
-- household's county, whatever the obligor's. Empty in a month without an obligors snapshot (its
-- workbooks say so: publish.ts reads whether the month has one).
--   obligor_id   kept for the answer key and inspection; the workbook shows shown_id (masked when
--                the obligor is of another or an unknown county), never obligor_id
--   reason       = auth_problem: missing | signed_after_period | expired
select
  county_code,
  household_id,
  supported_id,
  supported_name,
  obligor_id,
  shown_id,
  obligor_name,
  obligor_county_name,
  other_county,
  relation,
  auth_signed_on,
  auth_valid_until,
  auth_problem as reason
from int_obligors
where auth_problem is not null
