/**
 * The month's match: choose each feed's snapshot, check the gates, apply the authorization gate,
 * run every rule, key and suppress the flags, and replace the period's flags in one transaction.
 */
import { readFileSync } from 'node:fs';
import { FEEDS } from '../adapters/index.ts';
import type { FeedAdapter } from '../adapters/feed.ts';
import { RULES } from '../rules/index.ts';
import type { RuleDefinition } from '../rules/define-rule.ts';
import { standardOf, type Config } from '../config/config.ts';
import { LEAGUES } from '../domain/divisions.ts';
import type { Params, Warehouse } from './warehouse.ts';
import { createSnapshotViews as createStagedSnapshotViews } from './staged.ts';
import { addDays, monthsBetween, parsePeriod, type Period } from './period.ts';
import { logger } from './log.ts';
import { WarehouseError } from './errors.ts';

const sqlFile = (name: string) => readFileSync(new URL(`./sql/${name}`, import.meta.url), 'utf8');
const HOUSEHOLDS_SQL = sqlFile('int_households.sql');
const FLAGS_SQL = sqlFile('flags.sql');
const ANSWERS_SQL = sqlFile('int_answers.sql');

export interface Snapshot {
  feed: FeedAdapter;
  period: string;
  rows: number;
  ageMonths: number;
  stale: boolean;
  /** the loads that make the snapshot, sorted and ','-joined: what a re-run compares */
  loadIds: string;
}

export interface GateFinding {
  gate: 'missing_roster' | 'rejected_file' | 'row_count_drift';
  subject: string;
  detail: string;
}

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

/** Per feed, the latest staged snapshot whose period ends on or before the month's end. */
export async function chooseSnapshots(w: Warehouse, month: Period, config: Config): Promise<Snapshot[]> {
  const snapshots: Snapshot[] = [];
  for (const feed of FEEDS) {
    const periods = await w.rows<{ period: string; rows: number; load_ids: string }>(
      'snapshot-candidates',
      "select period, sum(rows_staged)::integer as rows, string_agg(load_id, ',' order by load_id) as load_ids from loads where feed = $feed and status = 'staged' group by period",
      { feed: feed.id },
    );
    const eligible = periods.map((p) => ({ ...p, end: parsePeriod(p.period).end })).filter((p) => p.end <= month.end);
    eligible.sort((a, b) => (a.end === b.end ? a.period.localeCompare(b.period) : a.end.localeCompare(b.end)));
    const chosen = eligible.at(-1);
    if (!chosen) continue;
    const ageMonths = monthsBetween(chosen.end, month.end);
    snapshots.push({ feed, period: chosen.period, rows: chosen.rows, ageMonths, stale: ageMonths > config.feeds[feed.id].max_age_months, loadIds: chosen.load_ids });
  }
  return snapshots;
}

/**
 * The gates that hold publication: no roster; a file of a chosen snapshot rejected; a snapshot
 * whose row count moved more than the configured share from the feed's previous snapshot, unless
 * an operator accepted it.
 */
export async function checkGates(w: Warehouse, month: Period, snapshots: Snapshot[], config: Config): Promise<GateFinding[]> {
  const findings: GateFinding[] = [];
  if (!snapshots.some((s) => s.feed.id === 'roster')) {
    findings.push({ gate: 'missing_roster', subject: 'roster', detail: `no roster snapshot on or before ${month.end}` });
  }
  for (const s of snapshots) {
    const rejected = await w.rows<{ file: string; reason: string }>(
      'gate-rejected',
      "select file, reason from loads where feed = $feed and period = $period and status = 'rejected' order by file",
      { feed: s.feed.id, period: s.period },
    );
    for (const r of rejected) findings.push({ gate: 'rejected_file', subject: r.file, detail: r.reason });

    const previous = await w.one<{ period: string; rows: number }>(
      'gate-previous',
      `select period, sum(rows_staged)::integer as rows from loads
       where feed = $feed and status = 'staged' and period < $period
       group by period order by period desc limit 1`,
      { feed: s.feed.id, period: s.period },
    );
    if (!previous || previous.rows === 0) continue;
    const change = Math.abs(s.rows - previous.rows) / previous.rows;
    if (change <= config.gates.max_row_count_change) continue;
    const accepted = await w.one('gate-accepted', 'select 1 from drift_acceptances where feed = $feed and period = $period and rows = $rows', {
      feed: s.feed.id,
      period: s.period,
      rows: s.rows,
    });
    if (!accepted) {
      findings.push({
        gate: 'row_count_drift',
        subject: s.feed.id,
        detail: `${s.feed.id} ${s.period}: ${s.rows} rows vs ${previous.rows} in ${previous.period} (${(change * 100).toFixed(1)}% > ${(config.gates.max_row_count_change * 100).toFixed(0)}%); accept with --accept-drift ${s.feed.id}`,
      });
    }
  }
  return findings;
}

export async function acceptDrift(w: Warehouse, feedId: string, snapshot: Snapshot): Promise<void> {
  await w.exec('accept-drift', 'insert into drift_acceptances values ($feed, $period, $rows, now())', { feed: feedId, period: snapshot.period, rows: snapshot.rows });
}

/** A rule's parameters: its section of config.rules, the region's multiplier, the period. */
function ruleParams(rule: RuleDefinition<any>, config: Config, context: Params): Params {
  return { ...(config.rules as Record<string, Params>)[rule.id], low_income_multiplier: config.low_income_multiplier, ...context };
}

/** snap_<feed>: the staged rows of the snapshot each feed uses for the month (empty without one). */
export async function createSnapshotViews(w: Warehouse, snapshots: Snapshot[]): Promise<void> {
  await createStagedSnapshotViews(w, Object.fromEntries(snapshots.map((s) => [s.feed.id, s.period])));
}

/** Builds the match context, runs the rules and replaces the period's flags. */
export async function matchMonth(w: Warehouse, month: Period, config: Config, snapshots: Snapshot[]): Promise<MatchResult> {
  const { issuedOn, dueOn } = issueDates(month, config.deadline_days);
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
  const skippedRules: string[] = [];
  for (const rule of RULES) {
    const source = snapshotOf.get(rule.sources[0]);
    if (!source) {
      skippedRules.push(rule.id);
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

  await w.transaction(`flags:${month.name}`, async () => {
    await w.exec('flags:clear', 'delete from flags where period = $period', { period: month.name });
    await w.exec('flags:insert', FLAGS_SQL, { period: month.name, period_end: month.end, issued_on: issuedOn, due_on: dueOn, open_results: config.feedback.open });
    await checkFlagIdsUnique(w, month.name);
    await w.exec('pending:clear', 'delete from pending_authorization where period = $period', { period: month.name });
    await w.exec('pending:insert', 'insert into pending_authorization select $period, household_id, county_code, reason from int_pending_authorization', { period: month.name });
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
  await w.exec('match:cleanup', 'drop table if exists int_rule_hits; drop table if exists int_matched_people; drop table if exists int_households; drop table if exists int_pending_authorization; drop view if exists int_answers');

  const byRuleRows = await w.rows<{ rule_id: string; status: string; n: number }>(
    'flags:count',
    'select rule_id, status, count(*)::integer as n from flags where period = $period group by all',
    { period: month.name },
  );
  const byRule: MatchResult['byRule'] = Object.fromEntries(RULES.map((r) => [r.id, { issued: 0, suppressed: 0, closed: 0 }]));
  for (const r of byRuleRows) byRule[r.rule_id][r.status as 'issued' | 'suppressed' | 'closed'] = r.n;
  const issued = byRuleRows.filter((r) => r.status === 'issued').reduce((a, r) => a + r.n, 0);
  const suppressed = byRuleRows.filter((r) => r.status === 'suppressed').reduce((a, r) => a + r.n, 0);
  const pending = await w.one<{ n: number }>('pending:count', 'select count(*)::integer as n from pending_authorization where period = $period', { period: month.name });
  return { flags: issued + suppressed, issued, suppressed, pendingAuthorization: pending?.n ?? 0, byRule, skippedRules };
}

/**
 * A flag id names one flag of a period: counties answer by it. The flags table has no primary key
 * (schema.sql), so this holds it; thrown inside the month's transaction, nothing of it is kept.
 */
export async function checkFlagIdsUnique(w: Warehouse, period: string): Promise<void> {
  const repeated = await w.one<{ n: number }>('flags:unique', 'select (count(*) - count(distinct flag_id))::integer as n from flags where period = $period', { period });
  if (repeated!.n > 0) throw new WarehouseError(`${repeated!.n} flag id(s) of ${period} repeat: the month's flags are not written`);
}
