-- stg_roster: one row per household member of a roster snapshot.
-- Reads typed_roster (identity, dates, amounts and yes/no already checked by the generic checks)
-- and checks the roster's own codes: 保障类别 must be one of the five programs, 区划代码 must be
-- 6–12 digits inside Inner Mongolia; the county is its first six digits. Systems that keep urban
-- and rural 低保边缘 apart write 城市低保边缘 / 农村低保边缘: staged as 低保边缘, the 城市/农村 the
-- name carries kept as program_urban_rural (as for 城市低保 … 农村特困).
-- Blank 人户分离 / 单人保 mean 否. 城乡属性 (optional) is 城市 or 农村 (城镇 → 城市; 农村牧区,
-- 牧区, 乡村 → 农村); blank is unknown (the household's urban/rural is then taken from its program
-- or county: pipeline/sql/int_households.sql), any other value is an unknown code.
with coded as (
  select
    *,
    replace(program, ' ', '') as program_text,
    replace(division_code, ' ', '') as division_digits,
    nullif(replace(urban_rural, ' ', ''), '') as urban_rural_code
  from typed_roster
),

programs as (
  select
    *,
    case when program_text in ('城市低保边缘', '农村低保边缘') then '低保边缘' else program_text end as program_code,
    case when starts_with(program_text, '城市') then '城市' when starts_with(program_text, '农村') then '农村' end as program_urban_rural
  from coded
),

final as (
  select
    line,
    row_hash,
    household_id,
    head_id,
    person_id,
    name,
    relation,
    is_covered,
    program_code as program,
    program_urban_rural,
    division_digits as division_code,
    substr(division_digits, 1, 6) as county_code,
    household_size,
    monthly_amount,
    enrolled_on,
    authorization_signed_on,
    authorization_valid_until,
    coalesce(registered_elsewhere, false) as registered_elsewhere,
    coalesce(single_member_cover, false) as single_member_cover,
    case
      when urban_rural_code in ('城市', '城镇') then '城市'
      when urban_rural_code in ('农村', '农村牧区', '牧区', '乡村') then '农村'
    end as urban_rural,
    coalesce(
      generic_problem,
      case
        when program_code not in ('城市低保', '农村低保', '城市特困', '农村特困', '低保边缘') then 'unknown_code|program'
        when not regexp_full_match(division_digits, '[0-9]{6,12}')
          or substr(division_digits, 1, 6) not in (select county_code from divisions) then 'unknown_code|division_code'
        when urban_rural_code not in ('城市', '城镇', '农村', '农村牧区', '牧区', '乡村') then 'unknown_code|urban_rural'
      end
    ) as problem
  from programs
)

select * from final
