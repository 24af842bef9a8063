-- kpi: the flags the 15-day record of one issuing period counts, with their earliest closing answer.
-- Counts the flags first issued in $period (carried-over ones belong to their first period).
-- A flag's answer is the earliest closing result (not in $open_results) from a current import
-- (imported, not superseded): answered_on is the day it reached the region, result its 核实结果
-- (ties on the day broken by the result text, so the same warehouse gives the same row). No as-of
-- day here: pipeline/kpi.ts (kpiOfFlags) judges answered / on time / overdue on a given day, the
-- same way for `hedui kpi`, summary.xlsx and the portal's index (pipeline/publish/period-index.ts).
-- Grain: one row per issued flag of $period first issued in it.
with issued as (
  select flag_id, county_code, due_on
  from flags
  where period = $period and first_issued_period = $period and status = 'issued'
),

answers as (
  select d.flag_id, min(d.received_on) as answered_on, first(d.result order by d.received_on, d.result) as result
  from dispositions d
  join feedback_imports i using (import_id)
  where i.status = 'imported' and i.superseded_by is null
    and not list_contains($open_results, d.result)
    and d.flag_id in (select flag_id from issued)
  group by d.flag_id
)

select
  i.flag_id,
  i.county_code,
  strftime(i.due_on, '%Y-%m-%d') as due_on,
  strftime(a.answered_on, '%Y-%m-%d') as answered_on,
  a.result
from issued i
left join answers a using (flag_id)
order by i.county_code, i.flag_id
