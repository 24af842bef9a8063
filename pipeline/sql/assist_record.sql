-- assist_record: the month's new cross-province and cross-league requests (int_assist), run in the
-- month's commit after its unsent requests were cleared. A person is not asked about the same place
-- again within $recheck_months months of a request of any other period (answered or not: a request
-- left unanswered that long is asked again, the old one superseded by assist_supersede.sql); a
-- request of this period already sent stays as it was.
-- request_id: KS (跨省) or XC (协查), the period and 10 hex digits of a hash of kind, place, person
-- and period: stable across re-runs, and unique (assist_requests' primary key refuses a repeat,
-- which fails the month's commit whole).
insert into assist_requests (request_id, kind, target_code, period, household_id, person_id, county_code, name, residence_division, items, auth_signed_on)
select
  case a.kind when 'province' then 'KS' else 'XC' end || replace($period, '-', '') || '-'
    || upper(left(sha256(a.kind || '|' || a.target_code || '|' || a.person_id || '|' || $period), 10)),
  a.kind,
  a.target_code,
  $period,
  a.household_id,
  a.person_id,
  a.county_code,
  a.name,
  a.residence_division,
  $items,
  a.auth_signed_on
from int_assist a
where not exists (
  select 1 from assist_requests q
  where q.person_id = a.person_id and q.kind = a.kind and q.target_code = a.target_code
    and (q.period = $period or abs(datediff('month', (q.period || '-01')::date, ($period || '-01')::date)) < $recheck_months)
)
