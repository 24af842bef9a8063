-- benefit-not-stopped
-- What: a household a county answered "benefit stopped" ($stopped_results, 属实-已停保) for in an
--   earlier period is still on this month's roster (整改未落实).
-- Why: the county reported the benefit stopped; if the household is still enrolled, the stop did
--   not happen and public money is still paid on a confirmed lead.
-- Reads int_answers (the current answer of every flag, from returned county workbooks).
-- Grain: one row per household × answered period, on the household's head when matched
--   (else its first matched member).
with stopped as (
  select
    household_id,
    period as answered_period,
    min(verified_on) as verified_on,
    min(result) as result
  from int_answers
  where list_contains($stopped_results, result)
    and period < $period
  group by household_id, period
),

final as (
  select
    arg_min(m.person_id, (not m.is_head, m.person_id)) as person_id,
    m.household_id,
    min(m.county_code) as county_code,
    'high' as severity,
    s.answered_period as record_key,
    'stopped:' || s.answered_period as evidence_key,
    '整改未落实：' || s.answered_period || ' 下发的疑点经核实为「' || s.result || '」（核实日期 '
      || strftime(s.verified_on, '%Y-%m-%d') || '），但该户仍在本月在保名册中' as evidence,
    s.answered_period || '|' || strftime(s.verified_on, '%Y-%m-%d') as fingerprint_source
  from int_matched_people m
  join stopped s using (household_id)
  group by m.household_id, s.answered_period, s.verified_on, s.result
)

select * from final
