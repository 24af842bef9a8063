-- benefit-not-stopped
-- What: a county's answer that was not carried out (整改未落实), one of
--   stopped      the household was answered "benefit stopped" ($stopped_results, 属实-已停保) for an
--                earlier period and is still on this month's roster, or
--   not adjusted it was answered "benefit adjusted" ($adjusted_results, 属实-已调整保障金) and this
--                month's roster shows the same 月保障金 as the answered period's workbook
--                (issued_households) — 保障金未调整.
--   Either only once this month is later than the month of the answer's 核实日期 plus
--   $grace_months: a stop or an adjustment takes effect from the next month, so the roster of the
--   month it was verified in (and, with grace 1, the next) may still show the old state.
-- Why: the county reported the benefit stopped or changed; if the roster says otherwise, public money
--   is still paid on a confirmed lead.
-- Reads int_answers (the current answer of every flag, from returned county workbooks), the
--   month's 月保障金 (int_household_amounts) and the one the answered workbook showed
--   (issued_households; an answer for a month published before that table existed cannot be
--   judged and is left alone).
-- The 核实日期 of a household's answers of one period is their latest one (a grace that starts
--   late never flags too early).
-- Grain: one row per household × answered period × kind (stopped, not adjusted), on the
--   household's head when matched (else its first matched member).
with answered as (
  select
    household_id,
    period as answered_period,
    case when list_contains($stopped_results, result) then 'stopped' else 'not-adjusted' end as kind,
    max(verified_on) as verified_on,
    min(result) as result
  from int_answers
  where (list_contains($stopped_results, result) or list_contains($adjusted_results, result))
    and period < $period
  group by all
  having date_trunc('month', max(verified_on)) + to_months($grace_months) < $period_month::date
),

not_carried_out as (
  select a.*, t.monthly_amount
  from answered a
  left join issued_households t on t.period = a.answered_period and t.household_id = a.household_id
  left join int_household_amounts n on n.household_id = a.household_id
  where a.kind = 'stopped'
    or (a.kind = 'not-adjusted' and t.monthly_amount is not null and n.monthly_amount = t.monthly_amount)
),

final as (
  select
    arg_min(m.person_id, (not m.is_head, m.person_id)) as person_id,
    m.household_id,
    min(m.county_code) as county_code,
    'high' as severity,
    s.answered_period as record_key,
    case s.kind when 'stopped' then 'stopped:' else 'not-adjusted:' end || s.answered_period as evidence_key,
    case s.kind
      when 'stopped' then
        '整改未落实：' || s.answered_period || ' 下发的疑点经核实为「' || s.result || '」（核实日期 '
          || strftime(s.verified_on, '%Y-%m-%d') || '），但该户仍在本月在保名册中'
      else
        '保障金未调整：' || s.answered_period || ' 下发的疑点经核实为「' || s.result || '」（核实日期 '
          || strftime(s.verified_on, '%Y-%m-%d') || '），但本月在保名册的月保障金仍为 ' || s.monthly_amount::varchar
          || ' 元，与核实时相同'
    end as evidence,
    s.answered_period || '|' || strftime(s.verified_on, '%Y-%m-%d')
      || case s.kind when 'stopped' then '' else '|' || s.monthly_amount::varchar end as fingerprint_source
  from int_matched_people m
  join not_carried_out s using (household_id)
  group by m.household_id, s.answered_period, s.kind, s.verified_on, s.result, s.monthly_amount
)

select * from final
