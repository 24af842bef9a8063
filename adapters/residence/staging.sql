-- stg_residence: one row per 居住证 (residence permit) of the 居住证 / 流动人口登记 snapshot
-- (docs/residence.md, feed residence). Reads typed_residence and checks:
--   居住地址区划 → residence_division, spaces dropped: 6, 9 or 12 digits whose first two are a
--     province of the mainland (table provinces), staged whole, its first six as residence_county,
--     else unknown_code|residence_division.
--   签发日期 (required), 有效期至 (optional: empty means no end stated; the rule
--     residence-not-marked counts such a permit valid for a configured number of months from
--     issue): dates (generic checks).
--   户籍地区划 (optional) → hukou_division, checked as 居住地址区划; else unknown_code|hukou_division.
-- Checks run in column order: the first problem of a row is its reason.
with coded as (
  -- values arrive trimmed (pipeline/load/stage.ts)
  select
    *,
    replace(residence_division, ' ', '') as residence_digits,
    replace(hukou_division, ' ', '') as hukou_digits
  from typed_residence
),

final as (
  select
    line,
    row_hash,
    person_id,
    residence_digits as residence_division,
    substr(residence_digits, 1, 6) as residence_county,
    issued_on,
    valid_until,
    hukou_digits as hukou_division,
    coalesce(
      generic_problem,
      case
        when not regexp_full_match(residence_digits, '[0-9]{6}([0-9]{3}){0,2}')
          or substr(residence_digits, 1, 2) not in (select province_code from provinces) then 'unknown_code|residence_division'
        when not regexp_full_match(hukou_digits, '[0-9]{6}([0-9]{3}){0,2}')
          or substr(hukou_digits, 1, 2) not in (select province_code from provinces) then 'unknown_code|hukou_division'
      end
    ) as problem
  from coded
)

select * from final
