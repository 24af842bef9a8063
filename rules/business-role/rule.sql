-- business-role
-- What: a matched member is legal representative, operator or investor ($roles) of a market
--   entity that still exists: live ($live_statuses, 存续) or 吊销未注销 ($lower_severity_statuses).
-- Why: running or owning a business is income or property the household must declare. The
--   capital that counts is the person's own 认缴出资 (subscribed_capital), summed over such
--   entities and over the family (every matched member of the household), and only above
--   $capital_threshold_wan 万元: "10万元(含)以下" is not a lead (reference.md, Household law).
--   Registered capital is the entity's, not the person's: it is shown, never counted.
-- Grading, per member × entity × role:
--   a stake (认缴出资 > 0) while the family's sum exceeds the threshold: high when live, medium
--     when 吊销未注销,
--   otherwise, a live 个体工商户 ($individual_business_types; the type code comes from the credit
--     code when the feed writes it as text, adapters/business): low, worded as a business run,
--   otherwise, a live entity where the member holds a position ($position_roles, 法定代表人 /
--     经营者) without a stake: low, worded as a position held, not as capital,
--   anything else (a stake within the threshold, a revoked entity without a sum over it): nothing.
-- Grain: one row per matched member × entity × role.
with roles as (
  select
    m.person_id,
    m.household_id,
    m.county_code,
    b.* exclude (person_id),
    coalesce(b.subscribed_capital, 0) > 0 as has_stake,
    list_contains($live_statuses, b.registration_status) as is_live
  from int_matched_people m
  join snap_business b on b.person_id = m.person_id
  where list_contains($roles, b.role)
    and (list_contains($live_statuses, b.registration_status) or list_contains($lower_severity_statuses, b.registration_status))
),

-- a stake counts once per person and entity, whatever the number of role rows that repeat it
stakes as (
  select household_id, person_id, credit_code, max(subscribed_capital) as stake
  from roles
  where has_stake
  group by all
),

family as (
  select household_id, sum(stake) as family_capital
  from stakes
  group by household_id
),

graded as (
  select
    r.*,
    coalesce(f.family_capital, 0) as family_capital,
    case
      when r.has_stake and f.family_capital > $capital_threshold_wan then case when r.is_live then 'high' else 'medium' end
      when r.is_live and list_contains($individual_business_types, r.entity_type) then 'low'
      when r.is_live and not r.has_stake and list_contains($position_roles, r.role) then 'low'
    end as severity,
    case
      when r.has_stake and f.family_capital > $capital_threshold_wan then 'capital'
      when r.is_live and list_contains($individual_business_types, r.entity_type) then 'individual'
      else 'position'
    end as ground
  from roles r
  left join family f using (household_id)
),

final as (
  select distinct
    person_id,
    household_id,
    county_code,
    severity,
    credit_code as record_key,
    credit_code || ':' || role as evidence_key,
    case ground
      when 'capital' then '持有市场主体出资：'
      when 'individual' then '经营个体工商户：'
      else '担任市场主体职务（无出资）：'
    end
      || '「' || entity_name || '」（统一社会信用代码 ' || credit_code || '，' || hedui_coded('entity_type', entity_type)
      || '），登记状态 ' || registration_status || '，担任 ' || role
      || case when has_stake then '，本人认缴出资 ' || hedui_wan(subscribed_capital) || ' 万元' else '，本人无认缴出资' end
      || case when ground = 'capital'
        then '；家庭成员认缴出资合计 ' || hedui_wan(family_capital) || ' 万元，超过 ' || hedui_wan($capital_threshold_wan) || ' 万元'
        else '' end
      || coalesce('；注册资本 ' || hedui_wan(registered_capital) || ' 万元（市场主体的，不计入本人出资）', '') as evidence,
    concat_ws('|', credit_code, role, registration_status, entity_type, coalesce(registered_capital::varchar, ''),
      coalesce(subscribed_capital::varchar, '')) as fingerprint_source
  from graded
  where severity is not null
)

select * from final
