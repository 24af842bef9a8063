-- stg_provident_fund: one row per provident-fund account.
-- Reads typed_provident_fund and checks 个人账户状态 against the states the centres report.
-- The contribution base (个人缴存基数) is the evidence of wage income the rule uses.
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
        when replace(account_status, ' ', '') not in ('正常', '封存', '销户', '冻结', '转出', '暂停')
          then 'unknown_code|account_status'
      end
    ) as problem
  from typed_provident_fund
)

select * from final
