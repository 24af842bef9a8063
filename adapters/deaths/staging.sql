-- stg_deaths: one row per death record, from either of two deliveries of the month's deaths:
--   公安 户籍注销 (registration cancelled: 注销日期, 注销类别, 户籍地区划) and
--   民政 殡葬 (a cremation: 火化日期, 殡仪馆名称, 殡仪馆区划).
-- The same death may come from both; each record is kept, with its `source`: 'cremation' when the
-- row has 火化日期 or 殡仪馆名称 (as written, before the date check), else 'police'. Judged per row,
-- not per file, so a combined export reads the same.
-- 注销类别 is 死亡 or 宣告死亡 (declared dead by a court); a leading 因/被 and a trailing 注销/销户
-- are dropped first (死亡注销, 因死亡注销, 被宣告死亡 …). Any other value is an unknown code; a
-- police row without one is missing_value (a cancellation is not a death unless it says so).
-- 区划代码 (户籍地 or 殡仪馆) is a six-digit county-level code, else an unknown code; it is optional.
with coded as (
  -- values arrive trimmed (pipeline/load/stage.ts)
  select
    *,
    case when cremated_on__raw is not null or funeral_home is not null then 'cremation' else 'police' end as record_source,
    regexp_replace(replace(deregistration_kind, ' ', ''), '^(因|被)|(注销|销户)$', '', 'g') as kind_text,
    replace(division_code, ' ', '') as division_digits
  from typed_deaths
),

final as (
  select
    line,
    row_hash,
    person_id,
    name,
    died_on,
    deregistered_on,
    case when kind_text in ('死亡', '宣告死亡') then kind_text end as deregistration_kind,
    cremated_on,
    funeral_home,
    division_digits as division_code,
    record_source as source,
    coalesce(
      generic_problem,
      case
        when record_source = 'police' and deregistration_kind is null then 'missing_value|deregistration_kind'
        when kind_text not in ('死亡', '宣告死亡') then 'unknown_code|deregistration_kind'
        when not regexp_full_match(division_digits, '[0-9]{6}') then 'unknown_code|division_code'
      end
    ) as problem
  from coded
)

select * from final
