-- assert_flag_ids_unique: flag ids that repeat within the period's flags.
-- Why: a flag id names one flag of a period, and counties answer by it; the flags table has no
--   primary key (schema.sql), so this check holds it. Run inside the month's transaction: an
--   offending row throws and nothing of the month is kept.
-- Threshold: none; any repeat offends.
-- Grain: one row per repeated flag id, with how many rows beyond the first it has.
select flag_id, (count(*) - 1)::integer as repeats
from flags
where period = $period
group by flag_id
having count(*) > 1
