-- int_assist: the members to ask another place about this month (docs/assist-requests.md): a
-- person the rules may match (int_matched_people: an authorized household, every member) whose
-- current 居住证 (int_residence) is for a place outside the household's league:
--   province  a place outside the region ($region_code): asked of that province through the
--             region's 民政厅 (跨省核对请求)
--   league    a county of the region in another league: asked of that league (协查请求)
-- A permit for another county of the same league is no request (the league's own data covers it),
-- nor one for a code of the region that is no county of it (no league to route it to).
-- Whether the person was asked already is the month's commit's to decide (assist_requests).
-- auth_signed_on: the household's latest 核对授权书签署日期, shown to the place asked.
with members as (
  select m.person_id, m.household_id, m.county_code, m.league_code, m.name, r.division, r.county as residence_county, r.province
  from int_matched_people m
  join int_residence r on r.person_id = m.person_id and r.source_feed = 'residence'
),

routed as (
  select
    m.*,
    case when m.province <> $region_code then 'province' when d.league_code <> m.league_code then 'league' end as kind,
    case when m.province <> $region_code then m.province else d.league_code end as target_code
  from members m
  left join divisions d on d.county_code = m.residence_county
),

authorizations as (
  select household_id, max(authorization_signed_on) as auth_signed_on
  from snap_roster
  where household_id in (select household_id from routed where kind is not null)
  group by household_id
)

select
  r.kind,
  r.target_code,
  r.person_id,
  r.household_id,
  r.county_code,
  r.name,
  r.division as residence_division,
  a.auth_signed_on
from routed r
join authorizations a using (household_id)
where r.kind is not null
