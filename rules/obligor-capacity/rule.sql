-- obligor-capacity
-- What: an obligor (赡养、抚养、扶养义务人) of a member of a 特困 or 低保 household shows capacity to
--   support: provident-fund income above their family's standard, a role in a live market entity, or
--   a held vehicle (the kinds in $capacity_kinds). docs/obligors-and-marriages.md says why each choice.
-- Why: 特困 requires no obligor able to support (特困人员认定办法 第四条、第八条); a 低保 family's
--   income counts the support its obligors owe (民发〔2022〕83号 §1(一)). A lead to verify: the
--   obligor's means are the county's to assess.
-- Judged: int_obligors rows with a valid authorization of their own (第十条: none is checked without)
--   of an authorized household of $support_programs or $minimum_programs. Exempt (no row): an
--   obligor on the month's roster (themselves in a recipient family), aged $exempt_age or more on the
--   month's last day (the ID's birth date), or dead on or before it (deaths feed).
-- Capacity:
--   provident-fund  Σ bases of active accounts (status in $fund_active_statuses, a deposit in the
--                   last $fund_activity_months months; base 个人缴存基数, else 月缴存额 ÷
--                   $combined_deposit_rate) > the standard × 义务人家庭人口数
--   business        a role in $business_roles of an entity in $business_live_statuses
--   vehicles        held (no letter of $vehicle_not_held_statuses), owner ID type A, plate type not in
--                   $vehicle_exempt_plate_types, vehicle type starting with none of
--                   $vehicle_exempt_type_prefixes (motorcycles and farm machines are not capacity)
-- The standard: the household's league's (int_standards), urban for 城市 programs, rural otherwise.
-- 低保 (medium): imputed support = max(0, (fund income − standard × family size) × $support_ratio),
--   per head = (Σ the household's own active fund bases + imputed support) ÷ family_size.
-- Another county's obligor: masked ID, their county named; no base, plate or entity of theirs (their
--   own data stays in their county's scope), the imputed support only.
-- Grain: one row per household × obligor; person_id the lowest 被赡养人 of that obligor there.
with judged as (
  select
    o.household_id,
    o.county_code,
    min(o.supported_id) as person_id,
    o.obligor_id,
    arg_min(o.obligor_name, o.supported_id) as obligor_name,
    arg_min(o.relation, o.supported_id) as relation,
    arg_min(o.obligor_family_size, o.supported_id) as obligor_family_size,
    arg_min(o.obligor_county_name, o.supported_id) as obligor_county_name,
    arg_min(o.obligor_county, o.supported_id) as obligor_county,
    bool_or(o.other_county) as other_county,
    arg_min(o.shown_id, o.supported_id) as shown_id,
    h.program,
    h.family_size,
    case when h.program like '城市%' then s.urban else s.rural end as standard,
    list_contains($support_programs, h.program) as is_support
  from int_obligors o
  join int_households h using (household_id)
  join int_standards s using (league_code)
  where o.auth_problem is null
    and o.household_authorized
    and (list_contains($support_programs, h.program) or list_contains($minimum_programs, h.program))
    and not o.on_roster
    and strptime(substr(o.obligor_id, 7, 8), '%Y%m%d')::date + to_years($exempt_age) > $period_end::date
    and o.obligor_id not in (select person_id from snap_deaths where died_on <= $period_end::date)
  group by o.household_id, o.county_code, o.obligor_id, h.program, h.family_size, s.urban, s.rural
),

active_accounts as (
  select person_id, coalesce(contribution_base, round(monthly_deposit / $combined_deposit_rate, 2)::decimal(18, 2)) as base
  from snap_provident_fund
  where list_contains($fund_active_statuses, account_status)
    and last_deposit_month > $period_month::date - to_months($fund_activity_months)
    and last_deposit_month <= $period_month::date
    and coalesce(contribution_base, monthly_deposit) is not null
),

obligor_fund as (
  select person_id as obligor_id, sum(base) as income, count(*) as accounts
  from active_accounts
  where list_contains($capacity_kinds, 'provident-fund')
    and person_id in (select obligor_id from judged)
  group by person_id
),

obligor_business as (
  select person_id as obligor_id, count(distinct credit_code) as entities, list(distinct entity_name order by entity_name) as names
  from snap_business
  where list_contains($capacity_kinds, 'business')
    and list_contains($business_roles, role)
    and list_contains($business_live_statuses, registration_status)
    and person_id in (select obligor_id from judged)
  group by person_id
),

obligor_vehicles as (
  select owner_id as obligor_id, count(distinct plate_type || ':' || plate_no) as vehicles, list(distinct plate_no order by plate_no) as plates
  from snap_vehicles
  where list_contains($capacity_kinds, 'vehicles')
    and owner_id_type = 'A'
    and not list_contains($vehicle_exempt_plate_types, plate_type)
    and len(list_filter($vehicle_exempt_type_prefixes, prefix -> starts_with(vehicle_type, prefix))) = 0
    and len(list_filter($vehicle_not_held_statuses, letter -> contains(status, letter))) = 0
    and owner_id in (select obligor_id from judged)
  group by owner_id
),

household_income as (
  select m.household_id, sum(a.base) as income
  from int_matched_people m
  join active_accounts a using (person_id)
  where m.household_id in (select household_id from judged)
  group by m.household_id
),

capacity as (
  select
    j.*,
    case when f.income > j.standard * j.obligor_family_size then f.income end as fund_income,
    b.entities,
    b.names as entity_names,
    v.vehicles,
    v.plates,
    coalesce(hi.income, 0) as household_income
  from judged j
  left join obligor_fund f using (obligor_id)
  left join obligor_business b using (obligor_id)
  left join obligor_vehicles v using (obligor_id)
  left join household_income hi using (household_id)
),

found as (
  select
    *,
    greatest(0, (coalesce(fund_income, 0) - standard * obligor_family_size) * $support_ratio)::decimal(18, 2) as imputed
  from capacity
  where fund_income is not null or entities is not null or vehicles is not null
),

final as (
  select
    person_id,
    household_id,
    county_code,
    case when is_support then 'high' else 'medium' end as severity,
    obligor_id as record_key,
    'obligor:' || obligor_id as evidence_key,
    '义务人 ' || obligor_name || '（' || relation || '，身份证号 ' || shown_id
      || case when other_county then '，户籍 ' || coalesce(obligor_county_name, '外地或未知') else '' end
      || '，家庭 ' || obligor_family_size::varchar || ' 人）有赡养能力：'
      || array_to_string(list_filter([
        case when fund_income is not null then
          case when other_county then '公积金缴存正常，收入高于其家庭低保标准'
          else '公积金缴存正常，缴存基数合计 ' || fund_income::varchar || ' 元/月，高于 ' || obligor_family_size::varchar || ' 人 × 标准 ' || standard::varchar || ' 元' end
        end,
        case when entities is not null then
          case when other_county then '为 ' || entities::varchar || ' 个存续市场主体的' || array_to_string($business_roles, '/')
          else '为存续市场主体「' || array_to_string(entity_names, '」「') || '」的' || array_to_string($business_roles, '/') end
        end,
        case when vehicles is not null then
          case when other_county then '名下有 ' || vehicles::varchar || ' 辆机动车'
          else '名下有机动车 ' || array_to_string(plates, '、') end
        end
      ], x -> x is not null), '；')
      || case
        when is_support then '。特困人员应无有赡养能力的义务人，请核实'
        else '。按比例 ' || $support_ratio::varchar || ' 折算赡养费 ' || imputed::varchar || ' 元/月；计入后本户人均收入 '
          || round((household_income + imputed) / family_size, 2)::decimal(18, 2)::varchar || ' 元（家庭成员 ' || family_size::varchar || ' 人），'
          || case when (household_income + imputed) / family_size >= standard then '不低于' else '低于' end
          || '标准 ' || standard::varchar || ' 元'
      end as evidence,
    concat_ws('|', obligor_id, coalesce(fund_income::varchar, ''), coalesce(entities::varchar, ''), coalesce(vehicles::varchar, ''), obligor_family_size::varchar) as fingerprint_source
  from found
)

select * from final
