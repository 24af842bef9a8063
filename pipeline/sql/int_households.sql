-- int_households: one row per household of the month's roster snapshot, with its authorization
-- verdict on the period's last day. Authorization is judged strictly: every row of the household
-- must show a signature on or before the period end and a validity reaching it (law 1: no
-- verification without authorization). Household attributes come from the lowest line (the
-- roster repeats them per member), so the choice is deterministic.
--
-- The household law (../shared/domain/reference.md, "Household law"; DESIGN.md law 5):
--   family_size          共同生活家庭成员: the household's members on the roster (distinct IDs of its
--                        staged rows). Income per head divides by it, never by 保障人数
--                        (household_size) — 民发〔2021〕57号 第7、13条.
--   single_member_cover  单人保 on any row: the family of a person enrolled alone (57号 第10条) must
--                        stay 低保边缘, so every member is matched and the family is tested at the
--                        低保边缘 line.
--   urban_rural          城市 or 农村, for the 低保边缘 line: the roster's 城乡属性 when a row gives it,
--                        else the 城市/农村 the program's name carries (城市低保, 城市低保边缘 …), else
--                        the county's type (a 区 is urban); urban_rural_basis says which, for the evidence.
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
    arg_min(enrolled_on, line) as enrolled_on,
    -- the distinct values of a list, not count(distinct): DuckDB's distinct aggregates cost ~3× per
    -- group here (docs/measured-choices.md)
    length(list_distinct(list(person_id))) as family_size,
    bool_or(single_member_cover) as single_member_cover,
    arg_min(urban_rural, line) filter (where urban_rural is not null) as stated_urban_rural,
    arg_min(program_urban_rural, line) as program_urban_rural,
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
  enrolled_on,
  family_size::integer as family_size,
  single_member_cover,
  coalesce(stated_urban_rural, program_urban_rural, case when is_urban then '城市' else '农村' end) as urban_rural,
  case
    when stated_urban_rural is not null then '城乡属性'
    when program_urban_rural is not null then '保障类别'
    when is_urban then '所在区划为市辖区'
    else '所在区划为旗县市'
  end as urban_rural_basis,
  case
    when unsigned then 'missing'
    when signed_on > $period_end::date then 'signed_after_period'
    when no_validity or valid_until < $period_end::date then 'expired'
  end as authorization_problem
from households
