-- death-still-enrolled
-- What: a matched member died before this month and the roster still carries them.
-- Why: 特困 support ends on death from the next month (特困人员认定办法 第24–26条); a 低保
--   household's 保障人数 and 月保障金 must change after a covered member dies, and the household is
--   re-checked within 3 months (民发〔2022〕83号).
-- Deaths: every record delivered up to the month's end (an event feed), died on or before the
--   month's last day; the 公安 and 殡葬 records of one ID are read together (the 公安 death date
--   first). A death in this month itself is not a lead yet: the roster cannot have followed it.
-- Kinds (the first that applies):
--   household  every member of the household on the roster is dead, later than the month following
--              the death ($stop_grace_months): high,
--   support    a covered member of a $support_programs household (特困), same timing: high,
--   member     a covered member of a $minimum_programs household (低保), still listed as covered
--              (是否保障对象 = 是: the roster's 保障人数 still counts them), any month after the death:
--              medium until $high_after_months months after the death, high after.
-- A dead uncovered member changes no payment and is not a lead here.
-- Same ID, another name on any death record: the evidence names it, the match is never silent.
-- Grain: one row per dead member of a matched household.
with deaths as (
  select
    person_id,
    coalesce(min(died_on) filter (where source = 'police'), min(died_on)) as died_on,
    min(deregistered_on) filter (where source = 'police') as deregistered_on,
    arg_min(deregistration_kind, died_on) filter (where source = 'police') as deregistration_kind,
    min(cremated_on) filter (where source = 'cremation') as cremated_on,
    arg_min(funeral_home, cremated_on) filter (where source = 'cremation') as funeral_home,
    list(distinct name order by name) as names
  from snap_deaths
  where died_on <= $period_end::date
  group by person_id
),

dead_members as (
  select
    m.*,
    d.* exclude (person_id),
    datediff('month', date_trunc('month', d.died_on), $period_month::date) as months_since
  from int_matched_people m
  join deaths d using (person_id)
),

dead_counts as (
  select household_id, count(distinct person_id) as dead_in_household
  from dead_members
  group by household_id
),

judged as (
  select
    dm.*,
    h.family_size,
    c.dead_in_household,
    a.monthly_amount,
    case
      when c.dead_in_household = h.family_size and dm.months_since > $stop_grace_months then 'household'
      when dm.is_covered and list_contains($support_programs, dm.program) and dm.months_since > $stop_grace_months then 'support'
      when dm.is_covered and list_contains($minimum_programs, dm.program) and dm.months_since > 0 then 'member'
    end as kind
  from dead_members dm
  join int_households h using (household_id)
  join dead_counts c using (household_id)
  left join int_household_amounts a using (household_id)
),

final as (
  select
    person_id,
    household_id,
    county_code,
    case
      when kind <> 'member' or $period_month::date >= date_trunc('month', died_on) + to_months($high_after_months) then 'high'
      else 'medium'
    end as severity,
    strftime(died_on, '%Y-%m-%d') as record_key,
    'death:' || kind as evidence_key,
    '死亡信息：死亡日期 ' || strftime(died_on, '%Y-%m-%d')
      || coalesce('；公安注销 ' || strftime(deregistered_on, '%Y-%m-%d') || coalesce('（' || deregistration_kind || '）', ''), '')
      || coalesce('；火化 ' || strftime(cremated_on, '%Y-%m-%d') || coalesce(' ' || funeral_home, ''), '')
      || case kind
        when 'household' then '；本户名册上的家庭成员均已死亡，本户仍在保'
        when 'support' then '；特困供养应自死亡次月起终止，本月仍在名册'
        else '；本户保障人数仍为 ' || household_size::varchar || '（此人仍为保障对象）'
          || coalesce('，月保障金 ' || monthly_amount::varchar || ' 元', '')
      end
      || case
        when len(list_filter(names, n -> n <> name)) > 0
          then '；注意：死亡信息中的姓名「' || array_to_string(list_filter(names, n -> n <> name), '、') || '」与名册姓名「' || name || '」不一致，请核实身份'
        else ''
      end as evidence,
    concat_ws('|', strftime(died_on, '%Y-%m-%d'), kind, household_size::varchar, monthly_amount::varchar) as fingerprint_source
  from judged
  where kind is not null
)

select * from final
