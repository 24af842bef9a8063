-- duplicate-enrolment
-- What: the same person enrolled twice in the month's roster: in two households, or in two
--   programs (城乡低保重复, 城乡特困重复, 低保特困重复), in one county or two.
-- Why: duplicate payments must not happen (law 6).
-- Both sides are told; each side's evidence names only the other side's county and program,
--   never the other household.
-- Grain: one row per enrolment row × distinct (other county, other program).
with enrolments as (
  select person_id, household_id, county_code, program
  from int_matched_people
),

pairs as (
  select distinct
    a.person_id,
    a.household_id,
    a.county_code,
    b.county_code as other_county,
    b.program as other_program
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
    'high' as severity,
    p.other_county || ':' || p.other_program as record_key,
    p.other_county || ':' || p.other_program as evidence_key,
    '重复在保：此人同时在' || d.league_name || d.county_name || '以「' || p.other_program || '」在保' as evidence,
    p.other_county || '|' || p.other_program as fingerprint_source
  from pairs p
  join divisions d on d.county_code = p.other_county
)

select * from final
