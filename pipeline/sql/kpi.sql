-- kpi: the 15-day record of one issuing period, per county, as of a day.
-- Counts the flags first issued in $period (carried-over ones belong to their first period).
-- A flag is answered when a closing result (not in $open_results) from a current import reached
-- the region on or before $as_of; on time when that day is on or before the flag's own due date
-- (flags.due_on: the day it first reached its county + deadline_days, next working day — flags of
-- one period can have different ones); overdue when unanswered and $as_of is past it.
-- confirmed / data_error shares are over the answered flags.
-- Grain: one row per county-level unit (all of them, zeros included).
with issued as (
  select flag_id, county_code, due_on
  from flags
  where period = $period and first_issued_period = $period and status = 'issued'
),

answers as (
  select d.flag_id, min(d.received_on) as answered_on, arg_min(d.result, d.received_on) as result
  from dispositions d
  join feedback_imports i using (import_id)
  where i.status = 'imported' and i.superseded_by is null
    and not list_contains($open_results, d.result)
    and d.received_on <= $as_of::date
  group by d.flag_id
),

per_county as (
  select
    i.county_code,
    count(*)::integer as issued,
    count(*) filter (where a.answered_on <= i.due_on)::integer as answered_on_time,
    count(*) filter (where a.answered_on > i.due_on)::integer as answered_late,
    count(*) filter (where a.answered_on is null)::integer as unanswered,
    count(*) filter (where a.answered_on is null and $as_of::date > i.due_on)::integer as overdue,
    count(*) filter (where list_contains($confirmed_results, a.result))::integer as confirmed,
    count(*) filter (where list_contains($data_error_results, a.result))::integer as data_errors
  from issued i
  left join answers a using (flag_id)
  group by i.county_code
)

select
  d.league_code,
  d.league_name,
  d.county_code,
  d.county_name,
  coalesce(p.issued, 0) as issued,
  coalesce(p.answered_on_time, 0) as answered_on_time,
  coalesce(p.answered_late, 0) as answered_late,
  coalesce(p.unanswered, 0) as unanswered,
  coalesce(p.overdue, 0) as overdue,
  coalesce(p.confirmed, 0) as confirmed,
  coalesce(p.data_errors, 0) as data_errors
from divisions d
left join per_county p using (county_code)
order by d.county_code
