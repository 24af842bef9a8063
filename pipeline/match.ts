/**
 * The month's match, in two steps so a gate can look between them: prepareMatch builds the month's
 * households, applies the authorization gate and runs every rule into intermediates (nothing kept);
 * commitMatch keys and suppresses the flags and replaces the period's flags in one transaction.
 * Which snapshots a month uses is decided before (pipeline/inputs.ts).
 *
 * The SQL is built apart from where it runs (pipeline/steps.ts): matchSteps, flagsSteps and
 * recordSteps are pure and return named steps; prepareMatch and commitMatch run them.
 */
import { RULES, selectRules } from '../rules/index.ts';
import { ruleParams } from '../rules/params.ts';
import type { RuleDefinition } from '../rules/define-rule.ts';
import { standardOf, type Config } from '../config/config.ts';
import { LEAGUES } from '../domain/divisions.ts';
import type { Warehouse } from './warehouse.ts';
import { literal } from './sql.ts';
import { assertion, dropIntermediates, runSteps, sqlFile, stepRows, table, view, type Intermediate, type Step, type StepOptions } from './steps.ts';
import { createHistoryView, createSnapshotViews as createStagedSnapshotViews } from './staged.ts';
import { feedById } from '../adapters/index.ts';
import { todayInChina, type Period } from './period.ts';
import { dueDate } from '../domain/workdays.ts';
import { missingSources, skippedRules, type Snapshot } from './inputs.ts';
import { logger } from '../base/log.ts';
import { WarehouseError } from '../base/errors.ts';

/** What the match makes for the rules to read, and their hits; dropped once the month is committed. */
export const MATCH_INTERMEDIATES = {
  standards: table('int_standards'),
  households: table('int_households'),
  pending: table('int_pending_authorization'),
  matchedPeople: table('int_matched_people'),
  residence: table('int_residence'),
  assist: table('int_assist'),
  householdAmounts: table('int_household_amounts'),
  answers: view('int_answers'),
  rosterPeople: table('int_roster_people'),
  paid: table('int_paid'),
  obligors: table('int_obligors'),
  recheck: table('int_recheck'),
  ruleHits: table('int_rule_hits'),
} as const;

/** What publish reads of the match besides the flags (待补义务人授权, 定期核查到期): kept past commitMatch, dropped by dropPreparedMatch. */
const KEPT_FOR_PUBLISH: readonly Intermediate[] = [MATCH_INTERMEDIATES.obligors, MATCH_INTERMEDIATES.recheck];

export interface MatchResult {
  flags: number;
  issued: number;
  suppressed: number;
  pendingAuthorization: number;
  byRule: Record<string, { issued: number; suppressed: number; closed: number }>;
  /** the period's cross-province and cross-league requests (docs/assist-requests.md), sent or to be sent with its publication */
  assist: { province: number; league: number };
  skippedRules: string[];
}

/** SQL condition: the loads row aliased `l` belongs to a snapshot the period $period used. */
export const LOAD_USED_BY_PERIOD =
  "exists (select 1 from period_snapshots s where s.period = $period and s.feed = l.feed and list_contains(string_split(s.load_ids, ','), l.load_id))";

export interface IssueDates {
  /** 'YYYY-MM-DD', China Standard Time */
  issuedOn: string;
  /** 'YYYY-MM-DD' */
  dueOn: string;
}

/** Years already reported as judged by weekends only: said once per run (process). */
const saidWeekendsOnly = new Set<number>();

/**
 * The dates of a flag that reaches its county on `today` (China Standard Time): issued today, due
 * `deadlineDays` calendar days later, moved to the next working day by the official calendar
 * (domain/workdays.ts). A year the calendar does not cover is judged by weekends only, and the log
 * says so once.
 */
export function issueDates(today: string, deadlineDays: number): IssueDates {
  const { dueOn, weekendsOnly } = dueDate(today, deadlineDays);
  for (const year of weekendsOnly.filter((y) => !saidWeekendsOnly.has(y))) {
    saidWeekendsOnly.add(year);
    logger().warn({ year, issuedOn: today, dueOn }, 'official calendar (chinese-days) does not cover this year: due dates in it move past weekends only, not holidays; update the chinese-days package');
  }
  return { issuedOn: today, dueOn };
}

/**
 * A published month's issue date (its 说明, summary.xlsx, manifest) and the due date of the flags
 * issued that day, as recorded by its publication; undefined for a month never published.
 */
export async function publicationDates(w: Warehouse, period: string): Promise<IssueDates | undefined> {
  return w.one<IssueDates>(
    'publication:dates',
    "select strftime(issued_on, '%Y-%m-%d') as issuedOn, strftime(due_on, '%Y-%m-%d') as dueOn from publications where period = $period",
    { period },
  );
}

/**
 * snap_<feed>: the staged rows of the snapshot each feed uses for the month (empty without one);
 * hist_roster: every roster up to the month's end, for rules that judge an earlier month's payment.
 */
export async function createSnapshotViews(w: Warehouse, snapshots: Snapshot[], month: Period): Promise<void> {
  await createStagedSnapshotViews(w, Object.fromEntries(snapshots.map((s) => [s.feed.id, s.loadIds.split(',')])));
  await createHistoryView(w, feedById('roster')!, month.end);
}

export interface PreparedMatch {
  /** the roster's households this month, and those not matched for lack of an authorization */
  households: number;
  pendingAuthorization: number;
}

export interface MatchOptions extends CommitOptions {
  /** run these rules only (ids; tests): publishing a month with some rules would publish it incomplete */
  only?: string[];
}

/**
 * The rules that run this month: those selected all of whose source feeds have a snapshot (any of
 * them, for a rule that `needs` any). A flag is tagged with the first source's snapshot, the records
 * it is about (a payment after a death is a payment: its first source is the payments feed); `source`
 * is the first source that has one, and `sources` every source that has one (a rule that needs any
 * tags each row with the one it names).
 */
export function runnableRules<R extends Pick<RuleDefinition, 'sources' | 'needs'>>(rules: readonly R[], snapshots: Snapshot[]): { rule: R; source: Snapshot; sources: Snapshot[] }[] {
  return rules.flatMap((rule) => {
    if (missingSources(rule, snapshots).length) return [];
    const sources = rule.sources.flatMap((id) => snapshots.filter((s) => s.feed.id === id));
    return [{ rule, source: sources[0], sources }];
  });
}

/** int_recheck.sql's parameters: the schedule's values (config.recheck) and the month's last day. */
function recheckParams(config: Config, month: Period) {
  const { months_short, months_long, working_age_from, working_age_to, auth_warn_days } = config.recheck;
  return { period_end: month.end, months_short, months_long, working_age_from, working_age_to, auth_warn_days };
}

/**
 * int_standards: the 低保 standard of every league in force on the month's last day (config, dated
 * entries), each figure with its document, as rows the rules join. A re-run of an older month uses
 * the standard of its time.
 */
function standardsStep(config: Config, month: Period): Step {
  const values = LEAGUES.map((l) => {
    const s = standardOf(config, l.code, month.end);
    return `(${literal(l.code)}, ${s.urban}, ${s.rural}, ${literal(s.urban_document)}, ${literal(s.rural_document)})`;
  });
  return {
    name: 'standards',
    creates: MATCH_INTERMEDIATES.standards,
    sql: `select league_code::varchar as league_code, urban::decimal(18, 2) as urban, rural::decimal(18, 2) as rural,
              urban_document::varchar as urban_document, rural_document::varchar as rural_document
       from (values ${values.join(', ')}) v(league_code, urban, rural, urban_document, rural_document)`,
  };
}

/**
 * One rule's step: its SELECT's rows go into int_rule_hits, tagged with the rule and the snapshot it
 * read; for a rule that `needs` any source, the snapshot of the source each row names (a feed with no
 * snapshot gives a NULL period, which flags refuses: no row is tagged with a snapshot it did not read).
 */
function ruleStep(rule: RuleDefinition<any>, runnable: { source: Snapshot; sources: Snapshot[] }, month: Period, config: Config): Step {
  const params = ruleParams(rule, config, month);
  if (rule.needs === 'any') {
    return {
      name: `rule:${rule.id}`,
      sql: `insert into int_rule_hits
         select $rule_id__ as rule_id, hits.source_feed, $source_periods__[list_position($source_feeds__, hits.source_feed)] as source_period,
                person_id, household_id, county_code, severity, record_key, evidence_key, evidence, fingerprint_source,
                ${rule.recovers ? 'amount_yuan' : 'null'} as amount_yuan
         from (${rule.sql}) hits`,
      params: { ...params, rule_id__: rule.id, source_feeds__: runnable.sources.map((s) => s.feed.id), source_periods__: runnable.sources.map((s) => s.period) },
    };
  }
  const { source } = runnable;
  return {
    name: `rule:${rule.id}`,
    sql: `insert into int_rule_hits
       select $rule_id__ as rule_id, $source_feed__ as source_feed, $source_period__ as source_period,
              person_id, household_id, county_code, severity, record_key, evidence_key, evidence, fingerprint_source,
              ${rule.recovers ? 'amount_yuan' : 'null'} as amount_yuan
       from (${rule.sql}) hits`,
    params: { ...params, rule_id__: rule.id, source_feed__: source.feed.id, source_period__: source.period },
  };
}

/**
 * The month's match context and its rule hits, in order (pure): the standards, the households and
 * the authorization gate, the people the rules may match, the counties' answers, then one step per
 * rule all of whose source feeds have a snapshot (all rules, those `only` names, or `rules`: a
 * check request's, pipeline/requests/answer.ts).
 */
export function matchSteps(month: Period, config: Config, snapshots: Snapshot[], options: Pick<MatchOptions, 'only'> & { rules?: readonly RuleDefinition[] } = {}): Step[] {
  const I = MATCH_INTERMEDIATES;
  const runnable = runnableRules(options.rules ?? selectRules(options.only), snapshots);
  return [
    standardsStep(config, month),
    { name: 'households', creates: I.households, sql: sqlFile('int_households.sql'), params: { period_end: month.end } },
    { name: 'pending', creates: I.pending, sql: sqlFile('int_pending_authorization.sql') },
    { name: 'matched-people', creates: I.matchedPeople, sql: sqlFile('int_matched_people.sql') },
    // where the matched people live and are registered (residence-not-marked reads it, and int_assist)
    { name: 'residence', creates: I.residence, sql: sqlFile('int_residence.sql'), params: { period_end: month.end, undated_valid_months: config.residence.undated_valid_months } },
    // who is to be asked about in another province or league (the commit records the requests)
    { name: 'assist', creates: I.assist, sql: sqlFile('int_assist.sql'), params: { region_code: config.region.code } },
    { name: 'household-amounts', creates: I.householdAmounts, sql: sqlFile('int_household_amounts.sql') },
    { name: 'answers', creates: I.answers, sql: sqlFile('int_answers.sql') },
    // the recipients' obligors and their authorizations (empty in a month without obligors: 待补义务人授权 reads it)
    { name: 'obligors', creates: I.obligors, sql: sqlFile('int_obligors.sql'), params: { period_end: month.end } },
    // the schedule of regular re-checks (定期核查到期 reads it, and the rule recheck-overdue)
    { name: 'recheck', creates: I.recheck, sql: sqlFile('int_recheck.sql'), params: recheckParams(config, month) },
    // what the payments rules read, made only when one of them runs
    ...(runnable.some(({ rule }) => rule.sources.includes('payments'))
      ? [
          { name: 'roster-people', creates: I.rosterPeople, sql: sqlFile('int_roster_people.sql') },
          { name: 'paid', creates: I.paid, sql: sqlFile('int_paid.sql'), params: { period_month: month.start } },
        ]
      : []),
    { name: 'rule-hits:create', creates: I.ruleHits, sql: sqlFile('int_rule_hits.sql') },
    ...runnable.map((r) => ruleStep(r.rule, r, month, config)),
  ];
}

/** Builds the month's households and runs every rule whose sources have snapshots, into intermediates. */
export async function prepareMatch(w: Warehouse, month: Period, config: Config, snapshots: Snapshot[], options: MatchOptions = {}): Promise<PreparedMatch> {
  await createSnapshotViews(w, snapshots, month);
  for (const rule of selectRules(options.only)) {
    const missing = missingSources(rule, snapshots);
    if (missing.length) logger().warn({ rule: rule.id, feeds: missing }, 'rule skipped: no snapshot of a source feed');
  }
  const steps = matchSteps(month, config, snapshots, options);
  const rows = await runSteps(w, steps, options);
  steps.forEach((step, i) => {
    if (step.name.startsWith('rule:')) logger().info({ rule: step.name.slice('rule:'.length), hits: rows[i] }, 'rule ran');
  });
  const counts = await w.one<{ households: number; pending: number }>(
    'match:households',
    'select (select count(*) from int_households)::integer as households, (select count(*) from int_pending_authorization)::integer as pending',
  );
  return { households: counts!.households, pendingAuthorization: counts!.pending };
}

/** The intermediates prepareMatch leaves: dropped, or kept with `keepIn`. */
export async function dropPreparedMatch(w: Warehouse, options: StepOptions = {}): Promise<void> {
  await dropIntermediates(w, 'match:cleanup', Object.values(MATCH_INTERMEDIATES), options);
}

/**
 * The period's flags from the prepared hits, replacing the period's earlier ones (pure). `today` is
 * the dates of a flag first issued by this run (issueDates); one that has reached its county keeps
 * its recorded dates (flags.sql).
 */
export function flagsSteps(month: Period, config: Config, today: IssueDates): Step[] {
  const { issuedOn, dueOn } = today;
  return [
    { name: 'flags:clear', sql: 'delete from flags where period = $period', params: { period: month.name } },
    {
      name: 'flags:insert',
      sql: sqlFile('flags.sql'),
      params: { period: month.name, period_end: month.end, issued_on: issuedOn, due_on: dueOn, open_results: config.feedback.open },
    },
  ];
}

/**
 * What the month records beside its flags (pure): the pending list, its household counts, the
 * snapshots it used, and its cross-province and cross-league requests (the period's unsent ones
 * replaced; a sent one stays, as the place asked has it).
 */
export function recordSteps(month: Period, config: Config, snapshots: Snapshot[], prepared: PreparedMatch): Step[] {
  const period = month.name;
  const unsent = "select request_id from assist_requests where period = $period and sent_on is null";
  return [
    { name: 'pending:clear', sql: 'delete from pending_authorization where period = $period', params: { period } },
    { name: 'pending:insert', sql: 'insert into pending_authorization select $period, household_id, county_code, reason from int_pending_authorization', params: { period } },
    {
      name: 'households:record',
      sql: 'insert or replace into period_households values ($period, $households, $pending)',
      params: { period, households: prepared.households, pending: prepared.pendingAuthorization },
    },
    { name: 'issued-households:clear', sql: 'delete from issued_households where period = $period', params: { period } },
    {
      // the 月保障金 the workbooks show, kept for a later answer 属实-已调整保障金 (rules/benefit-not-stopped)
      name: 'issued-households:insert',
      sql: `insert into issued_households
            select $period, household_id, monthly_amount from int_household_amounts
            where household_id in (select household_id from flags where period = $period and status = 'issued')`,
      params: { period },
    },
    { name: 'snapshots:clear', sql: 'delete from period_snapshots where period = $period', params: { period } },
    ...snapshots.map((s) => ({
      name: 'snapshots:insert',
      sql: 'insert into period_snapshots values ($period, $feed, $snapshot, $rows, $age, $stale, $load_ids)',
      params: { load_ids: s.loadIds, period, feed: s.feed.id, snapshot: s.period, rows: s.rows, age: s.ageMonths, stale: s.stale },
    })),
    { name: 'assist:unsupersede', sql: `update assist_requests set superseded_by = null where superseded_by in (${unsent})`, params: { period } },
    { name: 'assist:clear', sql: `delete from assist_requests where request_id in (${unsent})`, params: { period } },
    {
      name: 'assist:record',
      sql: sqlFile('assist_record.sql'),
      params: { period, items: config.assist.items.join('、'), recheck_months: config.assist.recheck_months },
    },
    { name: 'assist:supersede', sql: sqlFile('assist_supersede.sql'), params: { period } },
  ];
}

export interface CommitOptions extends StepOptions {
  /** the day of this run, 'YYYY-MM-DD' in China Standard Time (default: now): the issue date of flags it issues first */
  today?: string;
}

/** Keys and suppresses the prepared hits and replaces the period's flags, pending list and snapshots in one transaction. */
export async function commitMatch(
  w: Warehouse,
  month: Period,
  config: Config,
  snapshots: Snapshot[],
  prepared: PreparedMatch,
  options: CommitOptions = {},
): Promise<MatchResult> {
  const today = issueDates(options.today ?? todayInChina(), config.deadline_days);
  await w.transaction(`flags:${month.name}`, async () => {
    await runSteps(w, flagsSteps(month, config, today), options);
    await checkFlagIdsUnique(w, month.name);
    await runSteps(w, recordSteps(month, config, snapshots, prepared), options);
  });
  // what publish reads stays; the run drops it after publishing (dropPreparedMatch)
  await dropIntermediates(w, 'match:cleanup', Object.values(MATCH_INTERMEDIATES).filter((i) => !KEPT_FOR_PUBLISH.includes(i)), options);

  const byRuleRows = await w.rows<{ rule_id: string; status: string; n: number }>(
    'flags:count',
    'select rule_id, status, count(*)::integer as n from flags where period = $period group by all',
    { period: month.name },
  );
  const byRule: MatchResult['byRule'] = Object.fromEntries(RULES.map((r) => [r.id, { issued: 0, suppressed: 0, closed: 0 }]));
  for (const r of byRuleRows) byRule[r.rule_id][r.status as 'issued' | 'suppressed' | 'closed'] = r.n;
  const issued = byRuleRows.filter((r) => r.status === 'issued').reduce((a, r) => a + r.n, 0);
  const suppressed = byRuleRows.filter((r) => r.status === 'suppressed').reduce((a, r) => a + r.n, 0);
  const assist = await w.one<{ province: number; league: number }>(
    'assist:count',
    "select count(*) filter (where kind = 'province')::integer as province, count(*) filter (where kind = 'league')::integer as league from assist_requests where period = $period",
    { period: month.name },
  );
  return {
    flags: issued + suppressed,
    issued,
    suppressed,
    pendingAuthorization: prepared.pendingAuthorization,
    byRule,
    assist: assist ?? { province: 0, league: 0 },
    skippedRules: skippedRules(snapshots).map((r) => r.rule),
  };
}

/** Both steps, for callers with no gate between them (rule tests; `only` runs some rules alone). */
export async function matchMonth(w: Warehouse, month: Period, config: Config, snapshots: Snapshot[], options: MatchOptions = {}): Promise<MatchResult> {
  const result = await commitMatch(w, month, config, snapshots, await prepareMatch(w, month, config, snapshots, options), options);
  await dropPreparedMatch(w, options);
  return result;
}

/**
 * A flag id names one flag of a period: counties answer by it (assert_flag_ids_unique.sql); thrown
 * inside the month's transaction, nothing of the month is kept.
 */
export async function checkFlagIdsUnique(w: Warehouse, period: string): Promise<void> {
  const repeated = await stepRows<{ flag_id: string; repeats: number }>(w, assertion('flag_ids_unique', { period }));
  const n = repeated.reduce((sum, r) => sum + r.repeats, 0);
  if (n > 0) throw new WarehouseError(`${n} flag id(s) of ${period} repeat: the month's flags are not written`);
}
