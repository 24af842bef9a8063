-- duplicate-enrolment
-- What: the same person on two matched roster rows: in two households, or in two programs
--   (城乡低保重复, 城乡特困重复, 低保特困重复), in one county or two.
-- Why: duplicate payments must not happen (law 6). Covered (是否保障对象 = 是) on both rows is a
--   duplicate payment: high. Covered on one row and listed as an uncovered member of another
--   household (or uncovered on both) is no second payment but a household-composition conflict: a
--   person lives in one family (共同生活家庭成员, 民发〔2021〕57号 第7条), and being counted in two
--   changes both families' income per head: medium, worded as such, its evidence key marked
--   ':member' so it never merges with a duplicate of the same county and program.
-- Both sides are told; each side's evidence names only the other side's county and program,
--   never the other household.
-- Grain: one row per enrolment row × distinct (other county, other program, kind).
with enrolments as (
  select person_id, household_id, county_code, program, is_covered
  from int_matched_people
),

pairs as (
  select distinct
    a.person_id,
    a.household_id,
    a.county_code,
    a.is_covered,
    b.is_covered as other_is_covered,
    b.county_code as other_county,
    b.program as other_program,
    a.is_covered and b.is_covered as is_duplicate
  from enrolments a
  join enrolments b
    on a.person_id = b.person_id
    and (a.household_id <> b.household_id or a.program <> b.program)
),

final as (
  select
    p.person_id,
    p.household_id,
    p.county_code,
    case when p.is_duplicate then 'high' else 'medium' end as severity,
    p.other_county || ':' || p.other_program || case when p.is_duplicate then '' else ':member' end as record_key,
    p.other_county || ':' || p.other_program || case when p.is_duplicate then '' else ':member' end as evidence_key,
    case
      when p.is_duplicate then '重复在保：此人同时在' || d.league_name || d.county_name || '以「' || p.other_program || '」在保'
      else '家庭成员构成冲突：此人' || case when p.is_covered then '在本户为保障对象' else '在本户为非保障家庭成员' end
        || '，同时被列为' || d.league_name || d.county_name || '「' || p.other_program || '」一户的'
        || case when p.other_is_covered then '保障对象' else '非保障家庭成员' end
        || '（一人只能属于一个共同生活家庭，请核实家庭成员构成）'
    end as evidence,
    -- a duplicate's fingerprint is what it was before conflicts were told apart (answers stay pinned)
    p.other_county || '|' || p.other_program
      || case when p.is_duplicate then '' else '|' || p.is_covered::varchar || '|' || p.other_is_covered::varchar end as fingerprint_source
  from pairs p
  join divisions d on d.county_code = p.other_county
)

select * from final
