/**
 * One rule = one module made with `defineRule`. A rule is metadata, its parameters' declarations
 * and one SQL SELECT over the month's match context; it never reads config itself: the pipeline
 * binds the rule's parameters (config.rules[id], built by `ruleParams` in params.ts), the region
 * values it names and the period as $names. docs/adding-a-rule.md walks through adding one.
 *
 * The match context a rule may read:
 *   int_matched_people  person_id, household_id, is_head, county_code, league_code, is_urban, program,
 *                       household_size, name, relation, is_covered, registered_elsewhere (the row's
 *                       人户分离; NULL for a check request's family) — every member of authorized
 *                       households only (单人保 families too: the household law)
 *   int_households      household_id, county_code, league_code, is_urban, program, household_size
 *                       (保障人数), family_size (members on the roster: income per head divides by it),
 *                       single_member_cover, urban_rural + urban_rural_basis (for the 低保边缘 line),
 *                       authorization_problem
 *   int_standards       league_code, urban, rural, urban_document, rural_document (低保 standards in
 *                       force on the month's last day, from config)
 *   snap_<feed>         the staged rows of the snapshot chosen for the month
 *   divisions           county_code, county_name, league_code, league_name, is_urban
 *   places              county_code, province_code, place_name: every county-level unit of the country
 *                       (包头市昆都仑区, 河北省石家庄市长安区), for evidence naming another county
 *   code_names          code_table, code, name (domain/code-tables.ts), and its macros for evidence:
 *                       hedui_coded(table, code) '小型汽车（02）', hedui_coded_letters(table, letters),
 *                       hedui_wan(amount) '12.5'
 *   int_answers         the current answer of every flag from returned workbooks: flag_id,
 *                       period (of the workbook), household_id, county_code, result, verified_on
 *   int_roster_people   person_id, household_id, county_code: everyone on the month's roster and the
 *                       household a lead about them goes to (NULL: on a household waiting for authorization)
 *   int_paid            the payments paid (成功), 所属期 in the 24 months up to the month, each once: batch_no,
 *                       payee_id, payee_name, head_id, program, item_name, benefit_month, benefit_period,
 *                       paid_on, amount, bank, account_last4, county_code, described (in words), and
 *                       where a lead goes: lead_household, lead_county, off_roster_note, placeable
 *   hist_roster         every staged roster up to the month's end, with its snapshot_period
 *   int_obligors        household_id, county_code, supported_id, supported_name, obligor_id, obligor_name,
 *                       relation, obligor_family_size, obligor_county, obligor_county_name, other_county,
 *                       shown_id (masked for another county's obligor), auth_signed_on, auth_valid_until,
 *                       auth_problem (NULL: valid), household_authorized — the obligors of roster members
 *   $period ('YYYY-MM'), $period_month (first day), $period_end (last day), as 'YYYY-MM-DD'
 *
 * The SELECT yields one row per flag: person_id, household_id, county_code, severity
 * ('high' | 'medium' | 'low'), record_key (plate, credit code, employer…, what a whitelist entry
 * may pin), evidence_key (what makes the flag distinct for this person), evidence (Chinese, for
 * the county), fingerprint_source (the material fields, '|'-joined: when they change, a
 * whitelist entry pinned to them no longer applies), for a rule that `needs` 'any' source,
 * source_feed (the source its evidence comes from), and, for a rule that `recovers` money,
 * amount_yuan (DECIMAL: what was paid wrongly and is to be recovered; summary.xlsx sums it).
 */
import { readFileSync } from 'node:fs';
import type { InferFields } from '../base/schema.ts';
import type { ParamChecks, RegionValues } from './params.ts';

/** How strongly a lead points at ineligibility: the county verifies high ones first. */
export type Severity = 'high' | 'medium' | 'low';

export interface RuleDefinition<Id extends string = string, P extends ParamChecks = ParamChecks> {
  id: Id;
  /** Chinese title, shown to counties */
  title: string;
  /** what it detects, why, and the grain of its rows */
  description: string;
  /** the highest severity its flags carry */
  severity: Severity;
  /**
   * the feeds it reads (ids of adapters/index.ts; the registry test checks them): it runs only when
   * each has a snapshot for the month, and its flags are tagged with the first one's — unless
   * `needs` is 'any'
   */
  sources: readonly string[];
  /**
   * 'all' (the default): every source needs a snapshot. 'any': the rule runs when at least one of its
   * sources has a snapshot (it reads the others' snap_<feed>, empty without one), and each row it
   * yields names the source its evidence comes from in a `source_feed` column: the flag is tagged with
   * that feed's snapshot, so 数据来源 and a whitelist entry scoped to the feed are the right ones
   * (rules/residence-not-marked: 居住证 or 户籍, whichever is delivered)
   */
  needs?: 'all' | 'any';
  /** its parameters with their types and bounds (params.ts); the values are config.rules[id] */
  params: P;
  /** its rows carry amount_yuan, the money paid wrongly (payments rules) */
  recovers?: boolean;
  /**
   * it also judges the family of a check request (逢救必核, pipeline/requests/answer.ts) as if
   * enrolled: it reads the family and the department records only — not payments, the roster's
   * history or the counties' answers, which an applicant has none of
   */
  applicants?: boolean;
  /** region-wide values it binds as well (top-level config keys) */
  region?: readonly (keyof RegionValues)[];
  sql: string;
}

/** The parameter values a rule receives from config.rules[id], typed from its declaration. */
export type RuleParams<R> = R extends RuleDefinition<string, infer P> ? InferFields<P> : never;

export function defineRule<const Id extends string, P extends ParamChecks>(def: Omit<RuleDefinition<Id, P>, 'sql'>, sqlUrl: URL): RuleDefinition<Id, P> {
  return { ...def, sql: readFileSync(sqlUrl, 'utf8') };
}

export const SEVERITY_TITLES: Record<Severity, string> = { high: '高', medium: '中', low: '低' };
