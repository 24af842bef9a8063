-- stg_business: one row per person × market entity × role.
-- Reads typed_business and cleans market-regulation codes:
--   统一社会信用代码: GB 32100 check character.
--   登记状态: codes 1–6, 9 or free text, punctuation normalised first ("吊销，未注销" = "吊销,未注销"),
--     mapped to 存续 / 吊销未注销 / 吊销已注销 / 注销 / 撤销 / 迁出 / 清算中 / 停业 / 其他.
--   人员角色: aliases folded (法人 → 法定代表人, 股东/投资人/合伙人 → 出资人); other roles kept as written.
--   市场主体类型: the four-digit code; written as text, a name of domain/code-tables.ts (个体工商户 →
--     9600 …), else from the credit code's kind (92 个体工商户 → 9600, 93 农民专业合作社 → 9100,
--     GB 32100); any other text is an unknown code.
with coded as (
  select
    *,
    upper(credit_code) as credit_code_clean,
    case when regexp_matches(registration_status, '[ ,，、()（）]') then regexp_replace(registration_status, '[ ,，、()（）]', '', 'g') else registration_status end as status_text,
    replace(role, ' ', '') as role_text,
    hedui_entity_type_code(entity_type, upper(credit_code)) as entity_type_code
  -- values arrive trimmed (pipeline/load/stage.ts)
  from typed_business
),

final as (
  select
    line,
    row_hash,
    credit_code_clean as credit_code,
    entity_name,
    entity_type_code as entity_type,
    case
      when status_text in ('1', '存续', '在业', '开业', '在营', '正常', '在册') then '存续'
      when status_text in ('2', '吊销未注销', '吊销') then '吊销未注销'
      when status_text in ('3', '吊销已注销') then '吊销已注销'
      when status_text in ('4', '注销') then '注销'
      when status_text in ('5', '撤销') then '撤销'
      when status_text in ('6', '迁出') then '迁出'
      when status_text in ('清算中', '清算') then '清算中'
      when status_text in ('停业', '歇业') then '停业'
      when status_text in ('9', '其他') then '其他'
    end as registration_status,
    registered_capital,
    established_on,
    person_id,
    person_name,
    case
      when role_text in ('法定代表人', '法人', '法人代表') then '法定代表人'
      when role_text in ('出资人', '股东', '投资人', '合伙人') then '出资人'
      else role_text
    end as role,
    subscribed_capital,
    coalesce(
      generic_problem,
      case
        when not hedui_credit_code_ok(credit_code_clean) then 'bad_credit_code|credit_code'
        when entity_type_code is null then 'unknown_code|entity_type'
        when status_text not in (
          '1', '存续', '在业', '开业', '在营', '正常', '在册', '2', '吊销未注销', '吊销', '3', '吊销已注销',
          '4', '注销', '5', '撤销', '6', '迁出', '清算中', '清算', '停业', '歇业', '9', '其他'
        ) then 'unknown_code|registration_status'
      end
    ) as problem
  from coded
)

select * from final
