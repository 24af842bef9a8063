-- assert_row_count_drift: the month's snapshots whose row count moved by more than
--   $max_row_count_change (a share; gates.max_row_count_change, 0.3 shipped) from the feed's
--   previous staged snapshot.
-- Why: a feed that suddenly holds far more or fewer rows was most likely cut short, sent twice or
--   exported by the wrong query; matching it would raise or silence leads across the region.
-- Accepted: a drift_acceptances row for the feed, period and row count (`run --accept-drift FEED`)
--   does not clear the row: it comes back with accepted = true, so the operator's word is shown.
-- Input: $feeds and $snapshot_periods, the snapshots the month uses, pairwise.
-- Grain: one row per snapshot past the threshold.
with used as (
  select unnest($feeds) as feed, unnest($snapshot_periods) as period
),

staged as (
  select feed, period, sum(rows_staged)::integer as rows
  from loads
  where status = 'staged'
  group by feed, period
),

with_previous as (
  select
    feed,
    period,
    rows,
    lag(period) over by_period as previous_period,
    lag(rows) over by_period as previous_rows
  from staged
  window by_period as (partition by feed order by period)
),

final as (
  select
    s.feed,
    s.period,
    s.rows,
    s.previous_period,
    s.previous_rows,
    exists (select 1 from drift_acceptances a where a.feed = s.feed and a.period = s.period and a.rows = s.rows) as accepted
  from with_previous s
  join used using (feed, period)
  where s.previous_rows > 0
    and abs(s.rows - s.previous_rows) / s.previous_rows > $max_row_count_change
)

select * from final
