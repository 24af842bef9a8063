/**
 * The month's match, in two steps so a gate can look between them: prepareMatch builds the month's
 * households, applies the authorization gate and runs every rule into temp tables (nothing kept);
 * commitMatch keys and suppresses the flags and replaces the period's flags in one transaction.
 * Which snapshots a month uses is decided before (pipeline/inputs.ts).
 */
import { readFileSync } from 'node:fs';
import { RULES } from '../rules/index.ts';
import type { RuleDefinition } from '../rules/define-rule.ts';
import { standardOf, type Config } from '../config/config.ts';
import { LEAGUES } from '../domain/divisions.ts';
import type { Warehouse } from './warehouse.ts';
import type { Params } from './sql.ts';
import { createSnapshotViews as createStagedSnapshotViews } from './staged.ts';
import { addDays, type Period } from './period.ts';
import { skippedRules, type Snapshot } from './inputs.ts';
import { logger } from '../base/log.ts';
import { WarehouseError } from '../base/errors.ts';

const sqlFile = (name: string) => readFileSync(new URL(`./sql/${name}`, import.meta.url), 'utf8');
const HOUSEHOLDS_SQL = sqlFile('int_households.sql');
const FLAGS_SQL = sqlFile('flags.sql');
const ANSWERS_SQL = sqlFile('int_answers.sql');

export interface MatchResult {
  flags: number;
  issued: number;
  suppressed: number;
  pendingAuthorization: number;
  byRule: Record<string, { issued: number; suppressed: number; closed: number }>;
  skippedRules: string[];
}

/** SQL condition: the loads row aliased `l` belongs to a snapshot the period $period used. */
export const LOAD_USED_BY_PERIOD =
  'exists (select 1 from period_snapshots s where s.period = $period and s.feed = l.feed and s.snapshot_period = l.period)';

/** Issue date of a period's flags: the day after the period ends; due after the deadline. */
export function issueDates(month: Period, deadlineDays: number): { issuedOn: string; dueOn: string } {
  const issuedOn = addDays(month.end, 1);
  return { issuedOn, dueOn: addDays(issuedOn, deadlineDays) };
}

/** A rule's parameters: its section of config.rules, the region's multiplier, the period. */
function ruleParams(rule: RuleDefinition<any>, config: Config, context: Params): Params {
  return { ...(config.rules as Record<string, Params>)[rule.id], low_income_multiplier: config.low_income_multiplier, ...context };
}

/** snap_<feed>: the staged rows of the snapshot each feed uses for the month (empty without one). */
export async function createSnapshotViews(w: Warehouse, snapshots: Snapshot[]): Promise<void> {
  await createStagedSnapshotViews(w, Object.fromEntries(snapshots.map((s) => [s.feed.id, s.period])));
}

export interface PreparedMatch {
  /** the roster's households this month, and those not matched for lack of an authorization */
  households: number;
  pendingAuthorization: number;
}

/** Builds the month's households and runs every rule whose source has a snapshot, into temp tables. */
export async function prepareMatch(w: Warehouse, month: Period, config: Config, snapshots: Snapshot[]): Promise<PreparedMatch> {
  const snapshotOf = new Map(snapshots.map((s) => [s.feed.id, s]));
  await createSnapshotViews(w, snapshots);
  const standards = LEAGUES.map((l) => {
    const s = standardOf(config, l.code);
    return `('${l.code}', ${s.urban}, ${s.rural})`;
  });
  await w.exec('standards', `create or replace temp table int_standards (league_code varchar, urban decimal(18, 2), rural decimal(18, 2)); insert into int_standards values ${standards.join(', ')}`);
  await w.exec('households', HOUSEHOLDS_SQL, { period_end: month.end });
  await w.exec('answers', ANSWERS_SQL);
  await w.exec(
    'rule-hits:create',
    `create or replace temp table int_rule_hits (rule_id varchar, source_feed varchar, source_period varchar, person_id varchar, household_id varchar,
       county_code varchar, severity varchar, record_key varchar, evidence_key varchar, evidence varchar, fingerprint_source varchar)`,
  );
  for (const rule of RULES) {
    const source = snapshotOf.get(rule.sources[0]);
    if (!source) {
      logger().warn({ rule: rule.id, feed: rule.sources[0] }, 'rule skipped: no snapshot of its source feed');
      continue;
    }
    const params = ruleParams(rule, config, { period: month.name, period_month: month.start, period_end: month.end });
    const hits = await w.exec(
      `rule:${rule.id}`,
      `insert into int_rule_hits
       select $rule_id__ as rule_id, $source_feed__ as source_feed, $source_period__ as source_period,
              person_id, household_id, county_code, severity, record_key, evidence_key, evidence, fingerprint_source
       from (${rule.sql}) hits`,
      { ...params, rule_id__: rule.id, source_feed__: source.feed.id, source_period__: source.period },
    );
    logger().info({ rule: rule.id, hits }, 'rule ran');
  }
  const counts = await w.one<{ households: number; pending: number }>(
    'match:households',
    'select (select count(*) from int_households)::integer as households, (select count(*) from int_pending_authorization)::integer as pending',
  );
  return { households: counts!.households, pendingAuthorization: counts!.pending };
}

/** The temp tables prepareMatch leaves. */
export async function dropPreparedMatch(w: Warehouse): Promise<void> {
  await w.exec('match:cleanup', 'drop table if exists int_rule_hits; drop table if exists int_matched_people; drop table if exists int_households; drop table if exists int_pending_authorization; drop view if exists int_answers');
}

/** Keys and suppresses the prepared hits and replaces the period's flags, pending list and snapshots in one transaction. */
export async function commitMatch(w: Warehouse, month: Period, config: Config, snapshots: Snapshot[], prepared: PreparedMatch): Promise<MatchResult> {
  const { issuedOn, dueOn } = issueDates(month, config.deadline_days);
  await w.transaction(`flags:${month.name}`, async () => {
    await w.exec('flags:clear', 'delete from flags where period = $period', { period: month.name });
    await w.exec('flags:insert', FLAGS_SQL, { period: month.name, period_end: month.end, issued_on: issuedOn, due_on: dueOn, open_results: config.feedback.open });
    await checkFlagIdsUnique(w, month.name);
    await w.exec('pending:clear', 'delete from pending_authorization where period = $period', { period: month.name });
    await w.exec('pending:insert', 'insert into pending_authorization select $period, household_id, county_code, reason from int_pending_authorization', { period: month.name });
    await w.exec('households:record', 'insert or replace into period_households values ($period, $households, $pending)', {
      period: month.name,
      households: prepared.households,
      pending: prepared.pendingAuthorization,
    });
    await w.exec('snapshots:clear', 'delete from period_snapshots where period = $period', { period: month.name });
    for (const s of snapshots) {
      await w.exec('snapshots:insert', 'insert into period_snapshots values ($period, $feed, $snapshot, $rows, $age, $stale, $load_ids)', {
        load_ids: s.loadIds,
        period: month.name,
        feed: s.feed.id,
        snapshot: s.period,
        rows: s.rows,
        age: s.ageMonths,
        stale: s.stale,
      });
    }
  });
  await dropPreparedMatch(w);

  const byRuleRows = await w.rows<{ rule_id: string; status: string; n: number }>(
    'flags:count',
    'select rule_id, status, count(*)::integer as n from flags where period = $period group by all',
    { period: month.name },
  );
  const byRule: MatchResult['byRule'] = Object.fromEntries(RULES.map((r) => [r.id, { issued: 0, suppressed: 0, closed: 0 }]));
  for (const r of byRuleRows) byRule[r.rule_id][r.status as 'issued' | 'suppressed' | 'closed'] = r.n;
  const issued = byRuleRows.filter((r) => r.status === 'issued').reduce((a, r) => a + r.n, 0);
  const suppressed = byRuleRows.filter((r) => r.status === 'suppressed').reduce((a, r) => a + r.n, 0);
  return { flags: issued + suppressed, issued, suppressed, pendingAuthorization: prepared.pendingAuthorization, byRule, skippedRules: skippedRules(snapshots).map((r) => r.rule) };
}

/** Both steps, for callers with no gate between them (rule tests). */
export async function matchMonth(w: Warehouse, month: Period, config: Config, snapshots: Snapshot[]): Promise<MatchResult> {
  return commitMatch(w, month, config, snapshots, await prepareMatch(w, month, config, snapshots));
}

/**
 * A flag id names one flag of a period: counties answer by it. The flags table has no primary key
 * (schema.sql), so this holds it; thrown inside the month's transaction, nothing of it is kept.
 */
export async function checkFlagIdsUnique(w: Warehouse, period: string): Promise<void> {
  const repeated = await w.one<{ n: number }>('flags:unique', 'select (count(*) - count(distinct flag_id))::integer as n from flags where period = $period', { period });
  if (repeated!.n > 0) throw new WarehouseError(`${repeated!.n} flag id(s) of ${period} repeat: the month's flags are not written`);
}
