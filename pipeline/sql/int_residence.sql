-- int_residence: where the departments say each person the rules may match (int_matched_people)
-- lives and is registered on the month's last day. One row per person and source_feed:
--   residence  the person's current 居住证: of those valid on the month's last day (签发日期 on or
--              before it, 有效期至 on or after it; a permit without 有效期至 counts
--              $undated_valid_months months from issue, 居住证暂行条例 第十三条), the latest issued
--   hukou      the person's 户籍 in force on the month's last day (not 注销, no 迁出日期 on or before
--              it, no 迁入日期 after it), the latest moved in
-- division is the record's code (6, 9 or 12 digits), county its first six digits, province its first
-- two. An expired permit, one issued after the month, a cancelled or moved-out 户籍 are not here.
-- Read by residence-not-marked (a member elsewhere while the roster does not say 人户分离) and by
-- int_assist (who is asked about in another province or league): one definition of "current" for both.
-- Empty when neither feed has a snapshot (their snap_ views are then empty).
with permits as (
  select
    person_id,
    residence_division,
    residence_county,
    issued_on,
    valid_until,
    coalesce(valid_until, (issued_on + to_months($undated_valid_months::integer))::date - 1) as valid_through
  from snap_residence
  where person_id in (select person_id from int_matched_people)
),

-- one struct: arg_max skips a NULL argument, and a permit without 有效期至 must stay whole
current_permits as (
  select
    person_id,
    arg_max(
      {'division': residence_division, 'county': residence_county, 'issued_on': issued_on, 'valid_until': valid_until, 'valid_through': valid_through},
      (issued_on, valid_through, residence_division)
    ) as p
  from permits
  where issued_on <= $period_end::date and valid_through >= $period_end::date
  group by person_id
),

current_hukou as (
  select
    person_id,
    arg_max(
      {'division': division_code, 'county': county_code, 'moved_in_on': moved_in_on},
      (coalesce(moved_in_on, date '0001-01-01'), division_code)
    ) as h
  from snap_hukou
  where person_id in (select person_id from int_matched_people)
    and not cancelled
    and (moved_out_on is null or moved_out_on > $period_end::date)
    and (moved_in_on is null or moved_in_on <= $period_end::date)
  group by person_id
)

select
  'residence' as source_feed,
  person_id,
  p.division,
  p.county,
  left(p.county, 2) as province,
  p.issued_on,
  p.valid_until,
  p.valid_through,
  -- the months a permit without 有效期至 was counted valid (its evidence says so)
  case when p.valid_until is null then $undated_valid_months::integer end as undated_months,
  null::date as moved_in_on
from current_permits
union all
select
  'hukou',
  person_id,
  h.division,
  h.county,
  left(h.county, 2),
  null,
  null,
  null,
  null,
  h.moved_in_on
from current_hukou
