-- spouse-not-member
-- What: a member of an authorized household is married, by the latest registration on or before the
--   month's last day, to someone who is not a member of the same household; or was divorced while
--   the household was enrolled.
-- Why: spouses always count as 共同生活家庭成员 (民发〔2021〕57号 第七条; reference.md, Household
--   law): a spouse left out of the household leaves their income and property out of the check. A
--   divorce during enrolment changes who the family is: information for the county, not a lead.
-- Registrations: both sides of every marriage registration delivered up to the month's end (an event
--   feed) with 登记日期 on or before its last day. The latest per person decides (on one day a 离婚
--   counts after a 结婚): 结婚 with a spouse not among the household's members on the roster
--   (int_matched_people holds every member of an authorized household): medium, 离婚 on or after the
--   household's 保障起始日期 (int_households.enrolled_on): low. Anything else, nothing.
-- The spouse's ID is shown masked: the county verifies with the family's marriage certificate.
-- Grain: one row per member.
with sides as (
  select male_id as person_id, female_id as spouse_id, female_name as spouse_name, registration, registered_on, registry
  from snap_marriages
  where registered_on <= $period_end::date
  union all
  select female_id, male_id, male_name, registration, registered_on, registry
  from snap_marriages
  where registered_on <= $period_end::date
),

-- one struct: arg_max skips a NULL argument, and a registration without 登记机关 must stay whole
latest as (
  select
    person_id,
    arg_max(
      {'spouse_id': spouse_id, 'spouse_name': spouse_name, 'registration': registration, 'registered_on': registered_on, 'registry': registry},
      (registered_on, registration = '离婚', spouse_id)
    ) as r
  from sides
  where person_id in (select person_id from int_matched_people)
  group by person_id
),

judged as (
  select
    m.person_id,
    m.household_id,
    m.county_code,
    m.name,
    l.r.spouse_id,
    l.r.spouse_name,
    l.r.registration,
    l.r.registered_on,
    l.r.registry,
    h.enrolled_on,
    case
      when l.r.registration = '结婚' and s.person_id is null then 'married'
      when l.r.registration = '离婚' and l.r.registered_on >= h.enrolled_on then 'divorced'
    end as kind
  from int_matched_people m
  join latest l using (person_id)
  join int_households h using (household_id)
  left join int_matched_people s on s.household_id = m.household_id and s.person_id = l.r.spouse_id
),

final as (
  select
    person_id,
    household_id,
    county_code,
    case kind when 'married' then 'medium' else 'low' end as severity,
    spouse_id as record_key,
    case kind
      when 'married' then 'spouse:' || spouse_id
      else 'divorce:' || spouse_id || ':' || strftime(registered_on, '%Y-%m-%d')
    end as evidence_key,
    '婚姻登记：' || strftime(registered_on, '%Y-%m-%d') || ' 与 ' || spouse_name
      || '（身份证号 ' || hedui_id_masked(spouse_id) || '）登记' || registration
      || coalesce('（' || registry || '）', '')
      || case kind
        when 'married' then '；配偶未纳入家庭成员，请核实并将配偶的收入和财产纳入核对'
        else '；信息：在保期间（保障起始日期 ' || strftime(enrolled_on, '%Y-%m-%d') || '）登记离婚，请核实家庭成员与收入是否变化'
      end as evidence,
    concat_ws('|', spouse_id, registration, strftime(registered_on, '%Y-%m-%d')) as fingerprint_source
  from judged
  where kind is not null
)

select * from final
