-- provident-fund-income
-- What: members with an active provident-fund account, where the family's contribution bases summed
--   and divided by the number of family members reach the line the household is judged by; and any
--   active account of a 特困 person.
-- Why: the contribution base (缴存基数) is close to the monthly wage (wage income shows in the
--   provident fund: 民发〔2021〕57号 第17条). A lead to verify, not a verdict (民发〔2022〕83号).
-- The household law (../shared/domain/reference.md, "Household law"; int_households.sql):
--   income per head = Σ bases of the family's active accounts ÷ family_size, the members on the
--   roster — never ÷ 保障人数 (57号 第7、13条). The line: the league's standard in force on the
--   month's last day (int_standards), urban for 城市 programs, rural for 农村 ones; for 低保边缘
--   households and 单人保 families (57号 第10条: the family must stay 低保边缘) $low_income_multiplier ×
--   the urban or rural standard, urban_rural taken from 城乡属性, else the program's name, else the
--   county (the evidence names which). 特困: no income from work (特困人员认定办法 第4–10条), so any
--   active account of a covered member of a 特困 household is a lead, whatever its size.
-- Active: status in $active_statuses and a deposit in the last $activity_months months (the period's
--   month included). Base: 个人缴存基数; when a centre sends only 月缴存额, 月缴存额 ÷
--   $combined_deposit_rate (单位 + 个人 比例), rounded to the fen, and the evidence says it was derived.
-- Grain: one row per active account of a matched member of a household that reaches its line, or of
--   a 特困 person.
with active_accounts as (
  select
    person_id,
    employer,
    account_status,
    last_deposit_month,
    monthly_deposit,
    coalesce(contribution_base, round(monthly_deposit / $combined_deposit_rate, 2)::decimal(18, 2)) as base,
    contribution_base is null as base_derived
  from snap_provident_fund
  where list_contains($active_statuses, account_status)
    and last_deposit_month > $period_month::date - to_months($activity_months)
    and last_deposit_month <= $period_month::date
    and coalesce(contribution_base, monthly_deposit) is not null
),

member_accounts as (
  select m.person_id, m.household_id, m.county_code, m.is_covered, a.employer, a.base, a.base_derived, a.monthly_deposit, a.last_deposit_month
  from int_matched_people m
  join active_accounts a using (person_id)
),

household_income as (
  select household_id, sum(base) as income
  from member_accounts
  group by household_id
),

lines as (
  select
    h.household_id,
    h.program,
    h.family_size,
    i.income,
    h.single_member_cover or h.program = '低保边缘' as low_income_line,
    case
      when h.single_member_cover or h.program = '低保边缘' then h.urban_rural
      when h.program in ('城市低保', '城市特困') then '城市'
      else '农村'
    end as urban_rural,
    h.urban_rural_basis,
    h.single_member_cover,
    s.urban,
    s.rural,
    s.urban_document,
    s.rural_document
  from household_income i
  join int_households h using (household_id)
  join int_standards s using (league_code)
  where h.family_size > 0
),

thresholds as (
  select
    *,
    (case when urban_rural = '城市' then urban else rural end)
      * (case when low_income_line then $low_income_multiplier else 1 end) as threshold,
    case when urban_rural = '城市' then urban_document else rural_document end as document,
    case
      when single_member_cover then '单人保家庭：按低保边缘标准 ' || $low_income_multiplier::varchar || ' 倍核对，'
        || urban_rural || '标准（依据' || urban_rural_basis || '）'
      when low_income_line then '低保边缘家庭：按低保边缘标准 ' || $low_income_multiplier::varchar || ' 倍核对，'
        || urban_rural || '标准（依据' || urban_rural_basis || '）'
      else urban_rural || '低保标准'
    end as line_kind
  from lines
),

final as (
  select
    a.person_id,
    a.household_id,
    a.county_code,
    'high' as severity,
    a.employer as record_key,
    a.employer as evidence_key,
    '住房公积金：单位「' || a.employer || '」正常缴存，个人缴存基数 ' || a.base::varchar || ' 元'
      || case when a.base_derived
           then '（未报送缴存基数，由月缴存额 ' || a.monthly_deposit::varchar || ' 元 ÷ 缴存比例 ' || $combined_deposit_rate::varchar || ' 推算）'
           else '' end
      || '，最近缴存 ' || strftime(a.last_deposit_month, '%Y-%m') || '；'
      || case when a.is_covered and t.program in ('城市特困', '农村特困')
           then '特困人员应无劳动收入，有正常缴存即为疑点（不论金额）'
           else '家庭缴存基数合计 ' || t.income::varchar || ' 元 ÷ 家庭成员 ' || t.family_size || ' 人 = 人均 '
             || round(t.income / t.family_size, 2)::decimal(18, 2)::varchar || ' 元，达到标准 '
             || round(t.threshold, 2)::decimal(18, 2)::varchar || ' 元（' || t.line_kind || '；' || t.document || '）'
         end as evidence,
    concat_ws('|', a.employer, a.base::varchar, strftime(a.last_deposit_month, '%Y-%m')) as fingerprint_source
  from member_accounts a
  join thresholds t using (household_id)
  where t.income >= t.threshold * t.family_size
    or (a.is_covered and t.program in ('城市特困', '农村特困'))
)

select * from final
