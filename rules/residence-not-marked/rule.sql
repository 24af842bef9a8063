-- residence-not-marked
-- What: a member of an authorized household (int_matched_people) whose own roster row says 人户分离
--   否 (or leaves it blank) while a department says the person lives or is registered in another
--   county than the household's (int_residence: the current 居住证 or the 户籍 in force on the
--   month's last day; an expired permit, one issued after the month, a cancelled or moved-out 户籍
--   are no evidence).
-- Why: 人户分离 households are to be marked and re-verified regularly (内民政发〔2022〕17号); a
--   household that lives or is registered elsewhere without the mark is checked against the wrong
--   place. A lead to mark or explain, not a finding: medium.
-- Counties compare on the first six digits (county): a move within the county is no lead.
-- Runs when either feed has a snapshot (needs: any); the other's snap_ view is then empty. Each row
-- names its source_feed, so the flag carries that feed's snapshot.
-- Grain: one row per member and kind of evidence (record_key the other county, evidence_key the kind).
with evidence as (
  select
    r.source_feed,
    r.person_id,
    r.county as other_county,
    case r.source_feed
      when 'residence' then concat_ws('|', r.division, strftime(r.issued_on, '%Y-%m-%d'), coalesce(strftime(r.valid_until, '%Y-%m-%d'), ''))
      else concat_ws('|', r.division, coalesce(strftime(r.moved_in_on, '%Y-%m-%d'), ''))
    end as fingerprint_source,
    case r.source_feed
      when 'residence' then
        '居住证：居住地 ' || coalesce(pl.place_name, '区划' || r.county) || '（' || r.division || '），签发日期 '
          || strftime(r.issued_on, '%Y-%m-%d') || '，'
          || case
            when r.valid_until is null then '未注明有效期（按签发后 ' || r.undated_months::varchar || ' 个月计，至 ' || strftime(r.valid_through, '%Y-%m-%d') || '）'
            else '有效期至 ' || strftime(r.valid_until, '%Y-%m-%d')
          end
      else
        '户籍：户籍地 ' || coalesce(pl.place_name, '区划' || r.county) || '（' || r.division || '）'
          || coalesce('，迁入日期 ' || strftime(r.moved_in_on, '%Y-%m-%d'), '')
    end as found
  from int_residence r
  left join places pl on pl.county_code = r.county
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
