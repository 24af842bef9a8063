-- recheck-overdue
-- What: a household of the month's roster, authorized, whose regular re-check is due more than
--   $overdue_months month(s) before the month's last day (int_recheck.sql: next_due_on, from the
--   last check hedui knows of — 保障起始日期, the first roster hedui holds with it, a county's answer
--   on one of its flags, the report of a 复核 check request — and its cycle: 6 months with a member of
--   working age or 人户分离, else 12, config.recheck).
-- Why: 民发〔2021〕57号 第三十一条: yearly re-checks, every six months for households with members able
--   to work or unstable income; the notice asks for regular checks of key groups (人户分离 too). The
--   county's answer (its 核实日期) is the check: it closes this cycle's lead and starts the next cycle.
-- Grain: one row per household and due date, about its head (evidence_key recheck:<due date>).
select
  m.person_id,
  r.household_id,
  r.county_code,
  'medium' as severity,
  'recheck' as record_key,
  'recheck:' || strftime(r.next_due_on, '%Y-%m-%d') as evidence_key,
  '定期核查逾期：' || r.cycle_basis || '，每' || r.cycle_months || '个月核查一次；上次核查 ' || strftime(r.last_check_on, '%Y-%m-%d')
    || '（' || r.last_check_basis || '），应于 ' || strftime(r.next_due_on, '%Y-%m-%d')
    || ' 前核查。请入户核查家庭人口、收入和财产变化，反馈核实结果' as evidence,
  r.household_id || '|' || strftime(r.next_due_on, '%Y-%m-%d') || '|' || r.cycle_months as fingerprint_source
from int_recheck r
join int_matched_people m on m.household_id = r.household_id and m.is_head
where r.authorization_problem is null
  and r.next_due_on + to_months($overdue_months) <= $period_end::date
