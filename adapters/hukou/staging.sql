-- stg_hukou: one row per 户籍 registration of the 公安 常住人口 snapshot (docs/residence.md, feed
-- hukou). Reads typed_hukou and checks:
--   户籍地址区划 → division_code, spaces dropped: 6, 9 or 12 digits whose first two are a province
--     of the mainland (table provinces: any province, people are registered all over the country),
--     staged whole, its first six as county_code; else unknown_code|division_code.
--   注销标识 → cancelled, spaces dropped: 是, 1, 已注销, 注销 → true; 否, 0, 正常, 未注销 or empty
--     (not stated) → false; anything else unknown_code|cancelled.
--   迁入日期, 迁出日期 (optional): dates (generic checks). 迁往地 is kept as written.
-- Checks run in column order: the first problem of a row is its reason.
with coded as (
  -- values arrive trimmed (pipeline/load/stage.ts)
  select
    *,
    replace(division_code, ' ', '') as division_digits,
    upper(replace(cancelled, ' ', '')) as cancelled_text
  from typed_hukou
),

final as (
  select
    line,
    row_hash,
    person_id,
    household_no,
    relation,
    division_digits as division_code,
    substr(division_digits, 1, 6) as county_code,
    moved_in_on,
    moved_out_on,
    moved_to,
    coalesce(cancelled_text in ('是', '1', '已注销', '注销'), false) as cancelled,
    coalesce(
      generic_problem,
      case
        when not regexp_full_match(division_digits, '[0-9]{6}([0-9]{3}){0,2}')
          or substr(division_digits, 1, 2) not in (select province_code from provinces) then 'unknown_code|division_code'
        when cancelled_text not in ('是', '1', '已注销', '注销', '否', '0', '正常', '未注销') then 'unknown_code|cancelled'
      end
    ) as problem
  from coded
)

select * from final
