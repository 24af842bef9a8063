-- stg_provident_fund: one row per provident-fund account.
-- Reads typed_provident_fund and checks 个人账户状态 against the states the centres report.
-- The contribution base (个人缴存基数) is the evidence of wage income the rule uses. Some centres
-- send 月缴存额 without it (the rule then derives the base from the deposit): a row needs one of
-- the two, a row with neither is quarantined as missing_value (field contribution_base).
with final as (
  select
    line,
    row_hash,
    id_type,
    person_id,
    name,
    employer,
    contribution_base,
    monthly_deposit,
    replace(account_status, ' ', '') as account_status,
    last_deposit_month,
    balance,
    coalesce(
      generic_problem,
      case
        when contribution_base is null and monthly_deposit is null then 'missing_value|contribution_base'
        when replace(account_status, ' ', '') not in ('正常', '封存', '销户', '冻结', '转出', '暂停')
          then 'unknown_code|account_status'
      end
    ) as problem
  from typed_provident_fund
)

select * from final
