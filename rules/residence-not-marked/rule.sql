-- residence-not-marked
-- What: a member of an authorized household (int_matched_people) whose own roster row says 人户分离
--   否 (or leaves it blank) while a department says the person lives or is registered in another
--   county than the household's:
--   residence  the person's current 居住证 (of those valid on the month's last day: 签发日期 on or
--              before it and 有效期至 on or after it, a permit without 有效期至 counting
--              $undated_valid_months months from issue; the latest issued) is for another county, or
--   hukou      the person's 户籍 in force on the month's last day (not 注销, no 迁出日期 on or before
--              it, no 迁入日期 after it; the latest moved in) is in another county.
-- Why: 人户分离 households are to be marked and re-verified regularly (内民政发〔2022〕17号); a
--   household that lives or is registered elsewhere without the mark is checked against the wrong
--   place. A lead to mark or explain, not a finding: medium.
-- Counties compare on the first six digits (county_code): a move within the county is no lead. An
-- expired permit, one issued after the month, a cancelled or moved-out 户籍 are no evidence.
-- Runs when either feed has a snapshot (needs: any); the other's snap_ view is then empty. Each row
-- names its source_feed, so the flag carries that feed's snapshot.
-- Grain: one row per member and kind of evidence (record_key the other county, evidence_key the kind).
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
),

evidence as (
  select
    'residence' as source_feed,
    person_id,
    p.division,
    p.county as other_county,
    concat_ws('|', p.division, strftime(p.issued_on, '%Y-%m-%d'), coalesce(strftime(p.valid_until, '%Y-%m-%d'), '')) as fingerprint_source,
    '居住证：居住地 ' || coalesce(pl.place_name, '区划' || p.county) || '（' || p.division || '），签发日期 '
      || strftime(p.issued_on, '%Y-%m-%d') || '，'
      || case
        when p.valid_until is null then '未注明有效期（按签发后 ' || $undated_valid_months::varchar || ' 个月计，至 ' || strftime(p.valid_through, '%Y-%m-%d') || '）'
        else '有效期至 ' || strftime(p.valid_until, '%Y-%m-%d')
      end as found
  from current_permits
  left join places pl on pl.county_code = p.county
  union all
  select
    'hukou',
    person_id,
    h.division,
    h.county,
    concat_ws('|', h.division, coalesce(strftime(h.moved_in_on, '%Y-%m-%d'), '')),
    '户籍：户籍地 ' || coalesce(pl.place_name, '区划' || h.county) || '（' || h.division || '）'
      || coalesce('，迁入日期 ' || strftime(h.moved_in_on, '%Y-%m-%d'), '')
  from current_hukou
  left join places pl on pl.county_code = h.county
),

final as (
  select
    e.source_feed,
    m.person_id,
    m.household_id,
    m.county_code,
    'medium' as severity,
    e.other_county as record_key,
    e.source_feed as evidence_key,
    e.found || '；在保地 ' || coalesce(d.league_name || d.county_name, m.county_code)
      || '，名册未标注人户分离，请核实实际居住地和户籍地并在名册标注人户分离' as evidence,
    e.fingerprint_source
  from int_matched_people m
  join evidence e using (person_id)
  left join divisions d on d.county_code = m.county_code
  where not coalesce(m.registered_elsewhere, false)
    and e.other_county <> m.county_code
)

select * from final
