-- stg_payments: one row per payment of a subsidy item to a person (a line of the 一卡通 ledger).
-- Reads typed_payments and:
--   补贴项目 → program (城市低保, 农村低保, 城市特困, 农村特困, 价格临时补贴) by the item's name,
--     hedui_payment_program (domain/code-tables.ts, PAYMENT_ITEM_PROGRAMS; spaces ignored). There
--     is no national code table for these items: a 补贴项目代码 is each platform's own, so a row
--     with a code and no name is read only when the code is itself one of the names. A name outside
--     the table is unknown_code|item_name, such a code unknown_code|item_code, neither missing_value.
--   账号 → account_last4: the last four digits only (spaces, dashes, masking stars and Excel's
--     apostrophe dropped; full-width digits read). A value that is not digits (an account Excel
--     turned into 6.2E+18) stages NULL: the payment is kept, its account is evidence only. The full
--     number is selected nowhere below, so it reaches no staged file (the staged Parquet holds the
--     columns of `final` only, pipeline/load/stage.ts).
--   发放状态: 成功 (发放成功, 已发放), 失败 (发放失败), 退回 (已退回); anything else an unknown code.
--   区划代码: 6, 9 or 12 digits whose first six are an Inner Mongolia county; county_code is those
--     six (as the roster's).
with coded as (
  -- values arrive trimmed (pipeline/load/stage.ts)
  select
    *,
    hedui_payment_program(item_name) as name_program,
    hedui_payment_program(item_code) as code_program,
    regexp_replace(translate(account_last4, '０１２３４５６７８９', '0123456789'), '[^0-9A-Za-z]', '', 'g') as account_chars,
    replace(status, ' ', '') as status_text,
    replace(division_code, ' ', '') as division_digits
  from typed_payments
),

final as (
  select
    line,
    row_hash,
    item_name,
    item_code,
    case when item_name is not null then name_program else code_program end as program,
    batch_no,
    benefit_month,
    paid_on,
    payee_name,
    payee_id,
    head_id,
    bank,
    case when regexp_full_match(account_chars, '[0-9]{4,}') then right(account_chars, 4) end as account_last4,
    amount,
    case
      when status_text in ('成功', '发放成功', '已发放') then '成功'
      when status_text in ('失败', '发放失败') then '失败'
      when status_text in ('退回', '已退回') then '退回'
    end as status,
    division_digits as division_code,
    substr(division_digits, 1, 6) as county_code,
    coalesce(
      generic_problem,
      case
        when item_name is null and item_code is null then 'missing_value|item_name'
        when item_name is not null and name_program is null then 'unknown_code|item_name'
        when item_name is null and code_program is null then 'unknown_code|item_code'
        when status_text not in ('成功', '发放成功', '已发放', '失败', '发放失败', '退回', '已退回') then 'unknown_code|status'
        when not regexp_full_match(division_digits, '[0-9]{6}([0-9]{3}){0,2}')
          or substr(division_digits, 1, 6) not in (select county_code from divisions) then 'unknown_code|division_code'
      end
    ) as problem
  from coded
)

select * from final
