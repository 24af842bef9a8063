-- int_rule_hits: the hits of every rule that runs this month, before they are keyed, deduplicated
-- and whitelisted (flags.sql). Made empty here; each rule's step inserts its hits, tagged with the
-- rule and the snapshot it read (pipeline/match.ts). The columns are the rule contract
-- (rules/define-rule.ts).
-- Grain: one row per hit (a rule may find the same flag twice; flags.sql keeps one).
select
  null::varchar as rule_id,
  null::varchar as source_feed,
  null::varchar as source_period,
  null::varchar as person_id,
  null::varchar as household_id,
  null::varchar as county_code,
  null::varchar as severity,
  null::varchar as record_key,
  null::varchar as evidence_key,
  null::varchar as evidence,
  null::varchar as fingerprint_source,
  null::decimal(18, 2) as amount_yuan
limit 0
