-- stg_marriages: one row per marriage registration (民政 婚姻登记), an event feed
-- (docs/obligors-and-marriages.md, feed marriages). Reads typed_marriages and checks:
--   登记类型 → registration, spaces dropped first: 结婚 (结婚登记, 复婚, 复婚登记) or
--     离婚 (离婚登记). Anything else (补领结婚证, 撤销婚姻 …: no change of status) is
--     unknown_code|registration.
--   A row with the same ID on both sides (after normalisation) is unknown_code|female_id.
-- Checks run in column order: the first problem of a row is its reason.
with coded as (
  -- values arrive trimmed (pipeline/load/stage.ts)
  select
    *,
    replace(registration, ' ', '') as registration_text
  from typed_marriages
),

final as (
  select
    line,
    row_hash,
    male_id,
    male_name,
    female_id,
    female_name,
    case
      when registration_text in ('结婚', '结婚登记', '复婚', '复婚登记') then '结婚'
      when registration_text in ('离婚', '离婚登记') then '离婚'
    end as registration,
    registered_on,
    registry,
    coalesce(
      generic_problem,
      case
        when male_id = female_id then 'unknown_code|female_id'
        when registration_text not in ('结婚', '结婚登记', '复婚', '复婚登记', '离婚', '离婚登记') then 'unknown_code|registration'
      end
    ) as problem
  from coded
)

select * from final
