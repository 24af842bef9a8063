-- int_recheck: the schedule of regular re-checks (动态管理) of every household of the month's
-- roster, and when its authorization runs out (docs/recheck-schedule.md). National rules set the
-- rhythm: yearly, every six months for households with members able to work or with unstable income
-- (民发〔2021〕57号 第三十一条); the notice adds 人户分离 households.
--   cycle_months      $months_short when a member is aged $working_age_from–$working_age_to on the
--                     month's last day (no feed says who is severely disabled or whose income is
--                     unstable: every member of working age counts as able to work) or a row marks the
--                     household 人户分离; else $months_long. cycle_basis says which, in words.
--   last_check_on     the latest check hedui knows of, up to the month's last day, with its basis:
--                     保障起始日期; the first roster hedui holds with the household (its own history
--                     begins there: a household enrolled years before is not overdue on hedui's first
--                     run); a county's answer (核实日期) on a flag of the household; the report of a
--                     复核 check request naming its 户编号 (pipeline/requests)
--   next_due_on       last_check_on + cycle_months
--   due_state         overdue (next_due_on before the month's first day), due (in the month),
--                     next_month (in the month after), NULL (later)
--   auth_valid_until  the earliest 授权书有效期至 of the household's rows; auth_expiring when it falls
--                     after the month's last day and within $auth_warn_days of it (an expired or
--                     missing one is 待补授权's, not this list's)
with people as (
  select
    household_id,
    person_id = head_id as is_head,
    name,
    registered_elsewhere,
    authorization_valid_until,
    try_strptime(substr(person_id, 7, 8), '%Y%m%d')::date as born
  from snap_roster
),

households as (
  select
    household_id,
    coalesce(bool_or(born + to_years($working_age_from) <= $period_end::date and born + to_years($working_age_to + 1) > $period_end::date), false) as working_age,
    coalesce(bool_or(registered_elsewhere), false) as elsewhere,
    min(authorization_valid_until) as auth_valid_until,
    min(name) filter (where is_head) as head_name
  from people
  group by household_id
),

checks as (
  select household_id, enrolled_on as checked_on, '保障起始日期' as basis
  from int_households
  union all
  select household_id, (min(snapshot_period) || '-01')::date, '系统首次核对（' || min(snapshot_period) || '）'
  from hist_roster
  group by household_id
  union all
  select household_id, max(verified_on), '县级核实答复'
  from int_answers
  where verified_on <= $period_end::date
  group by household_id
  union all
  select household_ref, max(answered_on), '核对报告（复核）'
  from check_requests
  where status = 'answered' and kind = '复核' and household_ref is not null and answered_on <= $period_end::date
  group by household_ref
),

last_check as (
  select household_id, max(checked_on) as last_check_on, arg_max(basis, checked_on) as last_check_basis
  from checks
  where checked_on is not null
  group by household_id
),

scheduled as (
  select
    i.household_id,
    i.county_code,
    i.program,
    i.authorization_problem,
    h.head_name,
    case when h.working_age or h.elsewhere then $months_short else $months_long end as cycle_months,
    coalesce(
      nullif(concat_ws('；',
        case when h.working_age then '有' || $working_age_from || '–' || $working_age_to || '岁成员' end,
        case when h.elsewhere then '人户分离' end), ''),
      '其他家庭') as cycle_basis,
    c.last_check_on,
    c.last_check_basis,
    h.auth_valid_until
  from int_households i
  join households h using (household_id)
  left join last_check c using (household_id)
)

select
  *,
  (last_check_on + to_months(cycle_months))::date as next_due_on,
  case
    when last_check_on + to_months(cycle_months) < date_trunc('month', $period_end::date) then 'overdue'
    when last_check_on + to_months(cycle_months) <= $period_end::date then 'due'
    when last_check_on + to_months(cycle_months) <= last_day($period_end::date + interval 1 month) then 'next_month'
  end as due_state,
  coalesce(auth_valid_until > $period_end::date and auth_valid_until <= $period_end::date + to_days($auth_warn_days), false) as auth_expiring
from scheduled
