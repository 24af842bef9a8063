-- vehicle-owned
-- What: a matched member owns a motor vehicle still registered to them.
-- Why: a vehicle is property the household must declare; its value and use are for the county
--   to verify (民发〔2022〕83号: no decision on ownership alone).
-- Held: the status has none of $not_held_statuses (E 注销, M 强制注销, P 报废). B 转出 is still
--   held: the vehicle moved to another registry, it did not leave its owner (reference.md).
-- Exempt (no row): plate types $exempt_plate_types (07/08 two- and three-wheel motorcycles),
--   vehicle types starting with $exempt_vehicle_type_prefixes (M 摩托车), uses $exempt_use_natures
--   and plates $exempt_plates (残疾人专用车, where the region's code table or list marks them).
-- Production necessities in farming and herding areas (民发〔2021〕57号 第14条): plate types
--   $production_plate_types (13 低速车, 14 拖拉机, 25 原农机) or vehicle types starting with
--   $production_vehicle_type_prefixes (T 拖拉机) get $production_severity: 'low' (shipped) is a
--   line worded as a production vehicle for the record, 'exempt' no row, 'medium' an ordinary lead.
-- Only person documents $person_id_types carry a resident ID that can match.
-- Codes are shown with their names (domain/code-tables.ts): 小型汽车（02）.
-- Grain: one row per held, non-exempt vehicle of a matched member.
with held as (
  select
    *,
    list_contains($production_plate_types, plate_type)
      or len(list_filter($production_vehicle_type_prefixes, prefix -> starts_with(vehicle_type, prefix))) > 0 as is_production
  from snap_vehicles
  where list_contains($person_id_types, owner_id_type)
    and not list_contains($exempt_plate_types, plate_type)
    and len(list_filter($exempt_vehicle_type_prefixes, prefix -> starts_with(vehicle_type, prefix))) = 0
    and not list_contains($exempt_use_natures, coalesce(use_nature, ''))
    and not list_contains($exempt_plates, plate_no)
    and len(list_filter($not_held_statuses, letter -> contains(status, letter))) = 0
),

graded as (
  select *, case when is_production then $production_severity else 'medium' end as severity
  from held
  where not (is_production and $production_severity = 'exempt')
),

final as (
  select distinct
    m.person_id,
    m.household_id,
    m.county_code,
    v.severity,
    v.plate_no as record_key,
    v.plate_type || ':' || v.plate_no as evidence_key,
    case when v.is_production then '农牧业生产用车（生产必需，列示备查）：' else '机动车：' end
      || '号牌 ' || v.plate_no || '（号牌种类 ' || hedui_coded('plate_type', v.plate_type) || '），车辆类型 '
      || hedui_coded('vehicle_type', v.vehicle_type)
      || coalesce('，使用性质 ' || hedui_coded('use_nature', v.use_nature), '')
      || '，机动车状态 ' || hedui_coded_letters('vehicle_status', v.status)
      || '，初次登记 ' || strftime(v.first_registered_on, '%Y-%m-%d') as evidence,
    concat_ws('|', v.plate_type, v.plate_no, v.vehicle_type, v.status) as fingerprint_source
  from int_matched_people m
  join graded v on v.owner_id = m.person_id
)

select * from final
