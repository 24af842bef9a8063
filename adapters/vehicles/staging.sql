-- stg_vehicles: one row per registered vehicle.
-- Reads typed_vehicles and applies the GA 24 code tables:
--   身份证明名称: letters, or the document's name (居民身份证 → A …). Only person documents
--     (A 居民身份证, H 居民户口簿, M 临时居民身份证) carry a resident ID, so only their numbers are
--     normalised and checked (owner_id__id, owner_id__status from the generic checks);
--     organisation codes (B, N…) are kept as written and never match.
--   号牌种类: two digits; vendors send "2" for "02".
--   车辆类型: a letter and up to two digits/letters (K33, M21…).
--   机动车状态: one or more letters A–Q (e.g. "GQ").
with named as (
  -- values arrive trimmed (pipeline/load/stage.ts)
  select *, upper(owner_id_type) as owner_id_type_upper from typed_vehicles
),

coded as (
  select
    *,
    case owner_id_type_upper
      when '居民身份证' then 'A'
      when '组织机构代码证书' then 'B'
      when '居民户口簿' then 'H'
      when '临时居民身份证' then 'M'
      when '统一社会信用代码' then 'N'
      else owner_id_type_upper
    end as owner_id_type_code,
    lpad(plate_type, 2, '0') as plate_type_code,
    upper(vehicle_type) as vehicle_type_code,
    upper(replace(status, ' ', '')) as status_code,
    -- most plates have no separator: the regular expression replaces only where one is found
    upper(case when regexp_matches(plate_no, '[ ·.]') then regexp_replace(plate_no, '[ ·.]', '', 'g') else plate_no end) as plate_no_clean
  from named
),

final as (
  select
    line,
    row_hash,
    owner_id_type_code as owner_id_type,
    case when owner_id_type_code in ('A', 'H', 'M') then owner_id__id else upper(owner_id) end as owner_id,
    owner_name,
    plate_type_code as plate_type,
    plate_no_clean as plate_no,
    vehicle_type_code as vehicle_type,
    upper(use_nature) as use_nature,
    first_registered_on,
    status_code as status,
    coalesce(
      generic_problem,
      case
        when not regexp_full_match(owner_id_type_code, '[A-Z]') then 'unknown_code|owner_id_type'
        when owner_id_type_code in ('A', 'H', 'M') and owner_id__status not in ('ok', 'upgraded_15')
          then 'id_' || owner_id__status || '|owner_id'
        when plate_type_code not in (
          '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', '14', '15', '16',
          '17', '18', '19', '20', '21', '22', '23', '24', '25', '26', '31', '32', '51', '52', '99'
        ) then 'unknown_code|plate_type'
        when not regexp_full_match(vehicle_type_code, '[A-Z][0-9A-Z]{1,2}') then 'unknown_code|vehicle_type'
        when not regexp_full_match(status_code, '[A-Q]+') then 'unknown_code|status'
      end
    ) as problem
  from coded
)

select * from final
