-- int_obligors: the month's 赡养、抚养、扶养义务人 of roster households (docs/obligors-and-marriages.md).
-- One row per obligor row of the obligors snapshot whose household is on the month's roster and
-- whose 被赡养人 is a member row of it; other rows name no one this month's roster knows.
--   county_code          the household's: the obligor goes to its county's workbook, whatever theirs
--   other_county         the obligor's 户籍 county is unknown or another: their ID is shown masked
--                        (shown_id) and their own records stay out of this county's evidence
--   auth_problem         the obligor's own authorization on the month's last day, judged as the
--                        roster's is (int_households.sql): missing (not signed), signed_after_period,
--                        expired (no validity date, or one before the month's last day); NULL: valid.
--                        An obligor with a problem is never matched: 待补义务人授权 lists them.
--   household_authorized the household's own authorization is valid (no rule judges it otherwise)
--   on_roster            the obligor is on the month's roster themselves (a recipient family: exempt)
-- Grain: one row per (household, 被赡养人, obligor).
with members as (
  select household_id, person_id, arg_min(name, line) as name
  from snap_roster
  group by household_id, person_id
),

-- the first line of a pair delivered twice, whole (one struct: arg_min skips a NULL argument)
pairs as (
  select
    household_id,
    supported_id,
    obligor_id,
    arg_min({'name': obligor_name, 'relation': relation, 'family_size': obligor_family_size, 'county': obligor_county,
             'signed_on': auth_signed_on, 'valid_until': auth_valid_until}, line) as o
  from snap_obligors
  group by household_id, supported_id, obligor_id
)

select
  p.household_id,
  h.county_code,
  p.supported_id,
  m.name as supported_name,
  p.obligor_id,
  p.o.name as obligor_name,
  p.o.relation,
  p.o.family_size as obligor_family_size,
  p.o.county as obligor_county,
  d.county_name as obligor_county_name,
  coalesce(p.o.county <> h.county_code, true) as other_county,
  case
    when coalesce(p.o.county <> h.county_code, true) then hedui_id_masked(p.obligor_id)
    else p.obligor_id
  end as shown_id,
  p.o.signed_on as auth_signed_on,
  p.o.valid_until as auth_valid_until,
  case
    when p.o.signed_on is null then 'missing'
    when p.o.signed_on > $period_end::date then 'signed_after_period'
    when p.o.valid_until is null or p.o.valid_until < $period_end::date then 'expired'
  end as auth_problem,
  h.authorization_problem is null as household_authorized,
  p.obligor_id in (select person_id from snap_roster) as on_roster
from pairs p
join int_households h using (household_id)
join members m on m.household_id = p.household_id and m.person_id = p.supported_id
left join divisions d on d.county_code = p.o.county
