-- vehicle-owned
-- What: a matched member owns a motor vehicle still registered to them.
-- Why: a vehicle is property the household must declare; its value and use are for the county
--   to verify (民发〔2022〕83号: no decision on ownership alone).
-- Held: the status has none of $not_held_statuses (E 注销, M 强制注销, P 报废, B 转出).
-- Exempt: plate types $exempt_plate_types (07/08 motorcycles), vehicle types starting with
--   $exempt_vehicle_type_prefixes (M2*), plates in $exempt_plates (残疾人代步车 list).
-- Only person documents $person_id_types carry a resident ID that can match.
-- Grain: one row per held, non-exempt vehicle of a matched member.
with held as (
  select *
  from snap_vehicles
  where list_contains($person_id_types, owner_id_type)
    and not list_contains($exempt_plate_types, plate_type)
    and len(list_filter($exempt_vehicle_type_prefixes, prefix -> starts_with(vehicle_type, prefix))) = 0
    and not list_contains($exempt_plates, plate_no)
    and len(list_filter($not_held_statuses, letter -> contains(status, letter))) = 0
),

final as (
  select distinct
    m.person_id,
    m.household_id,
    m.county_code,
    'medium' as severity,
    v.plate_no as record_key,
    v.plate_type || ':' || v.plate_no as evidence_key,
    '机动车：号牌 ' || v.plate_no || '（号牌种类 ' || v.plate_type || '），车辆类型 ' || v.vehicle_type
      || '，机动车状态 ' || v.status || '，初次登记 ' || strftime(v.first_registered_on, '%Y-%m-%d') as evidence,
    concat_ws('|', v.plate_type, v.plate_no, v.vehicle_type, v.status) as fingerprint_source
  from int_matched_people m
  join held v on v.owner_id = m.person_id
)

select * from final
