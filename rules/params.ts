/**
 * A rule's parameters: declared with their types and bounds in its `defineRule({ params })`, their
 * values in the region configuration (config.rules.<id>, validated from these declarations by
 * config/config.ts), bound as $names by the one function that builds them (`ruleParams`).
 *
 *   params: { activity_months: int(1, 24), active_statuses: list(text, 1) }
 *
 * gives the rule's SQL $activity_months and $active_statuses, and the type
 * `{ activity_months: number; active_statuses: string[] }` to code that reads them (fixtures' oracle).
 * A declaration holds no value: thresholds are the region's (config/inner-mongolia.json).
 */
import type { Check } from '../base/schema.ts';
import type { RuleDefinition } from './define-rule.ts';

export { bool, int, list, memberOf, num, oneOf, pattern, text, type Check } from '../base/schema.ts';

/** Parameter declarations: name → check. */
export type ParamChecks = Record<string, Check<unknown>>;

/** Region-wide values (top-level config keys) a rule may bind besides its own, by naming them in `region`. */
export interface RegionValues {
  /** 低保边缘: household income up to this multiple of the 低保 standard */
  low_income_multiplier: number;
}

/** The period context every rule may bind: $period ('YYYY-MM'), $period_month (first day), $period_end (last day). */
export const PERIOD_PARAMS = ['period', 'period_month', 'period_end'] as const;

/** The month a rule runs for (pipeline/period.ts's Period). */
export interface RuleMonth {
  name: string;
  /** first day, 'YYYY-MM-DD' */
  start: string;
  /** last day, 'YYYY-MM-DD' */
  end: string;
}

/** What the parameters are built from: the validated configuration (config/config.ts's Config). */
export interface RuleConfig extends RegionValues {
  rules: Record<string, object>;
}

export type ParamValue = string | number | boolean | null | string[];

/**
 * Everything a rule's SQL binds: its declared parameters from config.rules[id], the region values
 * it names, and the period. The one place a rule's parameters are built (pipeline/match.ts calls it).
 */
export function ruleParams(rule: RuleDefinition, config: RuleConfig, month: RuleMonth): Record<string, ParamValue> {
  const own = config.rules[rule.id] as Record<string, ParamValue> | undefined;
  const params: Record<string, ParamValue> = {};
  for (const name of Object.keys(rule.params)) params[name] = own?.[name] ?? null;
  for (const name of rule.region ?? []) params[name] = config[name];
  return { ...params, period: month.name, period_month: month.start, period_end: month.end };
}
