-- req_members: the members of every open check request (pipeline/requests/answer.ts), from the
-- file that brought the request; household_id 'REQ-<county>/<委托编号>' is the family's id in
-- the match, which no roster household id can take (rosters' 户编号 are digits).
select
  r.request_key,
  'REQ-' || r.request_key as household_id,
  r.county_code,
  r.program,
  r.program_urban_rural,
  m.line,
  m.person_id,
  m.name,
  m.relation,
  m.is_applicant,
  m.authorization_signed_on,
  $report_date::date as report_date
from check_requests r
join check_request_rows m on m.file = r.file and m.request_key = r.request_key
where r.status = 'open'
