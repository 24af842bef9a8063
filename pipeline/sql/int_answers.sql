-- int_answers: the current answer of every flag a county has answered: its latest disposition
-- from an import not superseded by a later file of the same county and period.
-- Grain: one row per flag_id × workbook period.
select
  d.flag_id,
  d.period,
  d.household_id,
  d.county_code,
  arg_max(d.result, (d.received_on, i.imported_at)) as result,
  arg_max(d.verified_on, (d.received_on, i.imported_at)) as verified_on
from dispositions d
join feedback_imports i using (import_id)
where i.status = 'imported' and i.superseded_by is null
group by d.flag_id, d.period, d.household_id, d.county_code
