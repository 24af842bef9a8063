-- business-role
-- What: a matched member is legal representative, operator or investor ($roles) of a market
--   entity that is live.
-- Why: running or owning a business is income or property the household must declare.
-- Grading: a 个体工商户 ($individual_business_types) is graded on its own: a low-severity lead when
--   live ($live_statuses), whatever its capital, and nothing otherwise (a revoked one no longer
--   trades). Other entities need the larger of registered and subscribed capital to reach
--   $capital_threshold_wan 万元: high when live, medium when 吊销未注销 ($lower_severity_statuses).
--   Cancelled, revoked-and-cancelled or moved-out entities never flag.
-- Grain: one row per matched member × entity × role.
with roles as (
  select
    m.person_id,
    m.household_id,
    m.county_code,
    b.*  exclude (person_id),
    greatest(coalesce(b.registered_capital, 0), coalesce(b.subscribed_capital, 0)) as capital
  from int_matched_people m
  join snap_business b on b.person_id = m.person_id
  where list_contains($roles, b.role)
),

graded as (
  select
    *,
    case
      when list_contains($individual_business_types, entity_type) then
        case when list_contains($live_statuses, registration_status) then 'low' end
      when list_contains($live_statuses, registration_status) and capital >= $capital_threshold_wan then 'high'
      when list_contains($lower_severity_statuses, registration_status) and capital >= $capital_threshold_wan then 'medium'
    end as severity
  from roles
),

final as (
  select distinct
    person_id,
    household_id,
    county_code,
    severity,
    credit_code as record_key,
    credit_code || ':' || role as evidence_key,
    '市场主体：「' || entity_name || '」（统一社会信用代码 ' || credit_code || '，类型 ' || entity_type
      || '），登记状态 ' || registration_status || '，担任 ' || role
      || coalesce('，注册资本 ' || registered_capital::varchar || ' 万元', '')
      || coalesce('，认缴出资 ' || subscribed_capital::varchar || ' 万元', '') as evidence,
    concat_ws('|', credit_code, role, registration_status, entity_type, coalesce(registered_capital::varchar, ''),
      coalesce(subscribed_capital::varchar, '')) as fingerprint_source
  from graded
  where severity is not null
)

select * from final
