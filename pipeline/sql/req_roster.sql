-- snap_roster for a check request run: every open request's family as a roster household, so the
-- match context (int_households, int_matched_people …) and the rules judge it as if it were
-- enrolled under the program it applies for (逢救必核, docs/check-requests.md).
--   head_id         the applicant (与申请人关系 本人)
--   is_covered      every member: the family is what is judged
--   household_size  its members; monthly_amount 0, enrolled_on none (not enrolled)
--   authorization   each member's signature (intake refused a request without one, or signed after
--                   委托日期); valid on the report's day (req_members.report_date), the match's period end
-- The staged roster's shape comes first, so the columns and types are the roster's.
select * from shape_stg_roster
union all by name
select
  m.line,
  m.household_id,
  a.person_id as head_id,
  m.person_id,
  m.name,
  m.relation,
  true as is_covered,
  m.program,
  m.county_code as division_code,
  m.county_code,
  (count(*) over (partition by m.household_id))::integer as household_size,
  0::decimal(18, 2) as monthly_amount,
  m.authorization_signed_on,
  m.report_date as authorization_valid_until,
  false as single_member_cover,
  m.program_urban_rural
from req_members m
join req_members a on a.household_id = m.household_id and a.is_applicant
