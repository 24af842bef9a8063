-- provident-fund-income
-- What: members of a household with an active provident-fund account, where the household's
--   contribution bases summed and divided by its size (保障人数) reach the 低保 standard.
-- Why: the contribution base (缴存基数) is close to the monthly wage; income at or above the
--   standard is evidence the household may no longer qualify. A lead to verify, not a verdict.
-- Active: status in $active_statuses and a deposit in the last $activity_months months
--   (the period's month included). Threshold: the league's urban standard for 城市 programs,
--   rural for 农村, and $low_income_multiplier × (urban in a 区, else rural) for 低保边缘.
-- Grain: one row per active account of a matched member of a household that reaches the threshold.
with active_accounts as (
  select person_id, employer, contribution_base, account_status, last_deposit_month
  from snap_provident_fund
  where list_contains($active_statuses, account_status)
    and last_deposit_month > $period_month::date - to_months($activity_months)
    and last_deposit_month <= $period_month::date
),

member_accounts as (
  select m.person_id, m.household_id, m.county_code, a.employer, a.contribution_base, a.last_deposit_month
  from int_matched_people m
  join active_accounts a using (person_id)
),

household_income as (
  select household_id, sum(contribution_base) as income
  from member_accounts
  group by household_id
),

thresholds as (
  select
    h.household_id,
    h.household_size,
    i.income,
    case
      when h.program in ('城市低保', '城市特困') then s.urban
      when h.program in ('农村低保', '农村特困') then s.rural
      else $low_income_multiplier * (case when h.is_urban then s.urban else s.rural end)
    end as threshold,
    case
      when h.program in ('城市低保', '城市特困') then '城市'
      when h.program in ('农村低保', '农村特困') then '农村'
      else '低保边缘 ' || $low_income_multiplier || ' 倍'
    end as threshold_kind
  from household_income i
  join int_households h using (household_id)
  join int_standards s using (league_code)
  where h.household_size > 0
),

final as (
  select
    a.person_id,
    a.household_id,
    a.county_code,
    'high' as severity,
    a.employer as record_key,
    a.employer as evidence_key,
    '住房公积金：单位「' || a.employer || '」正常缴存，个人缴存基数 ' || a.contribution_base::varchar
      || ' 元，最近缴存 ' || strftime(a.last_deposit_month, '%Y-%m')
      || '；家庭缴存基数合计 ' || t.income::varchar || ' 元 ÷ 保障人数 ' || t.household_size
      || ' = 人均 ' || round(t.income / t.household_size, 2)::decimal(18, 2)::varchar
      || ' 元，达到标准 ' || round(t.threshold, 2)::decimal(18, 2)::varchar || ' 元（' || t.threshold_kind || '）' as evidence,
    concat_ws('|', a.employer, a.contribution_base::varchar, strftime(a.last_deposit_month, '%Y-%m')) as fingerprint_source
  from member_accounts a
  join thresholds t using (household_id)
  where t.income / t.household_size >= t.threshold
)

select * from final
