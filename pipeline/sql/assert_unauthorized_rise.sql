-- assert_unauthorized_rise: the share of the month's households waiting for authorization rose by
--   more than $max_unauthorized_rise points (gates.max_unauthorized_rise, 10 shipped) from the
--   previous month's.
-- Why: a jump means the roster's authorization columns came wrong, and publishing would silently
--   check far fewer households.
-- Input: $households and $pending, the month's counts as the match made them (int_households,
--   int_pending_authorization); the previous month ($previous_period) as period_households
--   recorded it when it was published. No previous month, or no households: nothing to compare.
-- Grain: one row when the rise offends, none otherwise.
with this_month as (
  select $households::integer as households, $pending::integer as pending
),

previous_month as (
  select households, pending_authorization as pending
  from period_households
  where period = $previous_period
),

shares as (
  select
    t.households,
    t.pending,
    p.households as previous_households,
    p.pending as previous_pending,
    100 * t.pending / t.households as share,
    100 * p.pending / p.households as previous_share
  from this_month t, previous_month p
  where t.households > 0 and p.households > 0
),

final as (
  select *, share - previous_share as rise
  from shares
  where share - previous_share > $max_unauthorized_rise
)

select * from final
