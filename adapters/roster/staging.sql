-- stg_roster: one row per household member of a roster snapshot.
-- Reads typed_roster (identity, dates, amounts and yes/no already checked by the generic checks)
-- and checks the roster's own codes: 保障类别 must be one of the five programs, 区划代码 must be
-- 6–12 digits inside Inner Mongolia; the county is its first six digits.
-- Blank 人户分离 / 单人保 mean 否.
with coded as (
  select
    *,
    replace(program, ' ', '') as program_code,
    replace(division_code, ' ', '') as division_digits
  from typed_roster
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
    division_digits as division_code,
    substr(division_digits, 1, 6) as county_code,
    household_size,
    monthly_amount,
    enrolled_on,
    authorization_signed_on,
    authorization_valid_until,
    coalesce(registered_elsewhere, false) as registered_elsewhere,
    coalesce(single_member_cover, false) as single_member_cover,
    coalesce(
      generic_problem,
      case
        when program_code not in ('城市低保', '农村低保', '城市特困', '农村特困', '低保边缘') then 'unknown_code|program'
        when not regexp_full_match(division_digits, '[0-9]{6,12}')
          or substr(division_digits, 1, 6) not in (select county_code from divisions) then 'unknown_code|division_code'
      end
    ) as problem
  from coded
)

select * from final
