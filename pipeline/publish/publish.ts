/**
 * Publishes a period: every county's workbook, summary.xlsx and manifest.json, written into a new
 * release folder and then made visible at once by swapping the `out/<period>` symlink (rename(2)
 * is atomic). A failed or killed run leaves the previous release in place; the next run removes
 * what a failed one left behind.
 *
 *   out/<period> → .releases/<period>.<run>/
 *                    <league code>_<league name>/<county code>_<county name>_<period>_核对疑点.xlsx
 *                    <league code>_<league name>/<league code>_<league name>_<period>_协查请求.xlsx (leagues asked)
 *                    summary.xlsx
 *                    跨省核对请求_<period>.xlsx
 *                    manifest.json
 *                    index.json   (the portal's status pages read it: period-index.ts; not in the manifest,
 *                                  it changes with every feedback import)
 */
import { mkdir, readdir, readlink, rename, rm, symlink, writeFile, lstat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { COUNTIES, countyOf } from '../../domain/divisions.ts';
import { RULES, ruleById } from '../../rules/index.ts';
import { FEEDS, feedById } from '../../adapters/index.ts';
import type { Config } from '../../config/config.ts';
import type { Warehouse } from '../warehouse.ts';
import { daysBetween, shiftMonth, todayInChina, type Period } from '../period.ts';
import { kpiReport } from '../kpi.ts';
import { createSnapshotViews, issueDates, LOAD_USED_BY_PERIOD, publicationDates, type IssueDates } from '../match.ts';
import type { GateFinding, Snapshot } from '../inputs.ts';
import { WORKBOOK_SCHEMA_VERSION, type CountyWorkbookData, type SnapshotUsed, type Severity } from './workbook-data.ts';
import { writeCountyWorkbooks, type CountyWorkbookJob } from './workbook-pool.ts';
import { countyWorkbookPath } from './workbook-contract.ts';
import { writeSummaryWorkbook, type SummaryData } from './summary-workbook.ts';
import { writePeriodIndex } from './period-index.ts';
import { HeduiError } from '../../base/errors.ts';
import { logger } from '../../base/log.ts';
import { QUARANTINE_REASON_TEXTS } from '../quarantine-reasons.ts';
import { progress } from '../progress.ts';
import { dropIntermediates, runSteps, sqlFile, stepRows, table, type Step, type StepOptions } from '../steps.ts';
import { assistSentStep, writeAssistWorkbooks } from '../assist/publish.ts';

/**
 * The rows of the period's county workbooks, for every county at once; publish then reads them
 * county by county. Only issued flags appear; suppressed ones are counted, not listed.
 */
export const PUBLISH_INTERMEDIATES = {
  members: table('pub_members'),
  heads: table('pub_heads'),
  details: table('pub_details'),
  households: table('pub_households'),
  pending: table('pub_pending'),
  unpaid: table('pub_unpaid'),
  obligorPending: table('pub_obligor_pending'),
  recheck: table('pub_recheck'),
} as const;

/** The steps that make the pub_* tables of a period (pure), each from pipeline/sql/<name>.sql. */
export function publishSteps(period: string): Step[] {
  return Object.values(PUBLISH_INTERMEDIATES).map((t) => ({ name: `publish:${t.name}`, creates: t, sql: sqlFile(`${t.name}.sql`), params: { period } }));
}

export const PENDING_REASON_TEXT: Record<string, string> = {
  missing: '未签署核对授权书',
  expired: '核对授权书已过期',
  signed_after_period: '授权书签署日期晚于核对期末',
};

/** 待补义务人授权's 原因, by int_obligors.auth_problem. */
export const OBLIGOR_REASON_TEXT: Record<string, string> = {
  missing: '未签署授权书',
  signed_after_period: '签署日期晚于本期末',
  expired: '授权书已过期或未填有效期',
};

/** 定期核查到期's 核查状态, by int_recheck.due_state. */
export const RECHECK_STATE_TEXT: Record<string, string> = { overdue: '已逾期', due: '本月到期', next_month: '下月到期' };

/** 义务人户籍地 of an obligor whose county is not known (not a code of the region's divisions). */
export const OBLIGOR_COUNTY_UNKNOWN = '外地或未知';

export interface PublishContext {
  month: Period;
  config: Config;
  configSha256: string;
  codeVersion: string;
  snapshots: Snapshot[];
  /** what the operator accepted (drift, an older snapshot) */
  accepted: GateFinding[];
  /** old snapshots, feeds never delivered */
  warnings: GateFinding[];
  /** distinguishes this run's release folder */
  runId: string;
  /** where the pub_* tables go: temp tables (default), or kept for inspection */
  intermediates?: StepOptions;
  /** the day of the run, 'YYYY-MM-DD' in China Standard Time (default: now) */
  today?: string;
  /** workbook rows read into JS at a time (default ROWS_PER_READ) */
  rowsPerRead?: number;
}

export interface PublishedFile {
  path: string; // relative to out/<period>
  sha256: string;
  rows: Record<string, number>;
}

export interface PublishResult {
  folder: string; // out/<period>
  files: PublishedFile[];
  counties: number;
}

function snapshotsUsed(snapshots: Snapshot[]): SnapshotUsed[] {
  return FEEDS.flatMap((f) => {
    const s = snapshots.find((x) => x.feed.id === f.id);
    if (!s) return [];
    const fallback = s.fallback && { skipped: s.fallback.skipped, why: s.fallback.why, by: s.fallback.by, at: s.fallback.at };
    return [
      { feed: f.id, feedTitle: f.title, period: s.period, ageMonths: s.ageMonths, stale: s.stale, ...(f.kind === 'events' ? { cumulative: true } : {}), ...(fallback ? { fallback } : {}) },
    ];
  });
}

/** The workbook rows of a batch of counties, as JSON text per county. */
interface CountyRows {
  households: Map<string, string>;
  details: Map<string, string>;
  pending: Map<string, string>;
  unpaid: Map<string, string>;
  obligorPending: Map<string, string>;
  recheck: Map<string, string>;
}

/**
 * The queries that read the workbook rows of some counties (pure): one JSON array per county and
 * table. A query per county and table (324 of them) was mostly per-query overhead
 * (docs/measured-choices.md). JSON text crosses into JS far cheaper than values converted one by
 * one; it is parsed county by county as the workbook pool pulls it. The counties of a batch
 * (countyBatches) at a time: every county's arrays at once did not fit a 1.5GB DuckDB memory limit
 * at 4 × the province (the list aggregate cannot spill), and held them all in JS besides.
 */
export function countyRowsQueries(counties: readonly string[]): Record<keyof CountyRows, Step & { table: string }> {
  const perCounty = (step: string, table: string, order: string): Step & { table: string } => ({
    table,
    name: step,
    sql: `select county_code, to_json(list(r order by ${order}))::varchar as j from ${table} r where list_contains($counties, county_code) group by county_code`,
    params: { counties: [...counties] },
  });
  return {
    households: perCounty('pub:households', 'pub_households', 'household_id'),
    details: perCounty('pub:details', 'pub_details', `household_id, ${ruleOrderSql('rule_id')}, person_id, flag_id`),
    pending: perCounty('pub:pending', 'pub_pending', 'household_id'),
    unpaid: perCounty('pub:unpaid', 'pub_unpaid', 'household_id'),
    obligorPending: perCounty('pub:obligor-pending', 'pub_obligor_pending', 'household_id, supported_id, obligor_id'),
    recheck: perCounty('pub:recheck', 'pub_recheck', 'next_due_on, household_id'),
  };
}

/**
 * Workbook rows (of every pub_* table a county workbook lists) read into JS at once, at most: the
 * counties are read in batches of about this many rows. A league at a time held up to ~750 MiB of
 * JSON text and its garbage in the main thread at 4 × the province, the peak of the whole run
 * (docs/measured-choices.md); smaller batches cost a few more queries, each over small tables.
 */
export const ROWS_PER_READ = 25_000;

/**
 * The counties, in the order given, cut into consecutive batches whose rows stay within `budget`
 * (pure). A county above the budget is a batch of its own; a county with no rows costs nothing.
 */
export function countyBatches(counties: readonly string[], rowsOf: ReadonlyMap<string, number>, budget = ROWS_PER_READ): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let rows = 0;
  for (const county of counties) {
    const n = rowsOf.get(county) ?? 0;
    if (current.length && rows + n > budget) {
      batches.push(current);
      current = [];
      rows = 0;
    }
    current.push(county);
    rows += n;
  }
  if (current.length) batches.push(current);
  return batches;
}

/** Rows per county over the tables countyRowsQueries reads. */
async function countyRowCounts(w: Warehouse): Promise<Map<string, number>> {
  const tables = Object.values(countyRowsQueries([])).map((q) => q.table);
  const counts = await w.rows<{ county_code: string; n: number }>(
    'pub:sizes',
    `select county_code, count(*)::integer as n from (${tables.map((t) => `select county_code from ${t}`).join(' union all ')}) group by county_code`,
  );
  return new Map(counts.map((r) => [r.county_code, r.n]));
}

async function readCountyRows(w: Warehouse, counties: readonly string[]): Promise<CountyRows> {
  const queries = countyRowsQueries(counties);
  const read = async (q: Step) => new Map((await stepRows<{ county_code: string; j: string }>(w, q)).map((r) => [r.county_code, r.j]));
  return {
    households: await read(queries.households),
    details: await read(queries.details),
    pending: await read(queries.pending),
    unpaid: await read(queries.unpaid),
    obligorPending: await read(queries.obligorPending),
    recheck: await read(queries.recheck),
  };
}

/** Counties whose 一卡通 payments of the month were delivered (their 未发放名单 was checked): one scan of the payments for all. */
async function ledgerCounties(w: Warehouse, period: string): Promise<Set<string>> {
  const rows = await w.rows<{ county_code: string }>('pub:ledger', "select distinct county_code from snap_payments where benefit_month = ($period || '-01')::date", { period });
  return new Set(rows.map((r) => r.county_code));
}

function countyData(
  ctx: PublishContext,
  publication: IssueDates,
  county: (typeof COUNTIES)[number],
  rows: CountyRows,
  suppressed: number,
  ledgerArrived: boolean,
): CountyWorkbookData {
  const { issuedOn } = publication;
  const parse = (m: Map<string, string>) => JSON.parse(m.get(county.code) ?? '[]') as Record<string, any>[];
  const households = parse(rows.households);
  const details = parse(rows.details);
  const pending = parse(rows.pending);
  const unpaid = parse(rows.unpaid);
  const obligorPending = parse(rows.obligorPending);
  const recheck = parse(rows.recheck);
  // 说明's due date: the earliest of the county's open flags (carried-over ones may be due before
  // this publication's flags); the publication's own when the county has none
  const dueOn = details.length ? details.map((d) => d.due_on as string).sort()[0] : publication.dueOn;
  const severity = (rank: number): Severity => (rank === 1 ? 'high' : rank === 2 ? 'medium' : 'low');
  const sourceTitle = (feed: string, period: string) => `${feedById(feed)?.title ?? feed} ${period}`;
  return {
    meta: {
      schemaVersion: WORKBOOK_SCHEMA_VERSION,
      period: ctx.month.name,
      countyCode: county.code,
      countyName: county.name,
      leagueCode: county.leagueCode,
      leagueName: county.leagueName,
      issuedOn,
      dueOn,
      deadlineDays: ctx.config.deadline_days,
      snapshots: snapshotsUsed(ctx.snapshots),
      counts: {
        households: households.length,
        flags: details.length,
        suppressed,
        pendingAuthorization: pending.length,
        unpaid: unpaid.length,
        obligorPending: obligorPending.length,
        recheck: recheck.length,
      },
      dispositions: ctx.config.dispositions,
      ledgerArrived,
      // int_obligors (pub_obligor_pending) is empty in a month without obligors: said, not an empty list
      obligorsArrived: ctx.snapshots.some((s) => s.feed.id === 'obligors'),
    },
    households: households.map((h) => ({
      householdId: h.household_id,
      headName: h.head_name,
      headId: h.head_id,
      program: h.program,
      householdSize: Number(h.household_size),
      monthlyAmount: String(h.monthly_amount),
      rules: RULES.filter((r) => (h.rule_ids as string).split(',').includes(r.id)).map((r) => r.title).join('；'),
      severity: severity(Number(h.severity_rank)),
      firstIssuedPeriod: h.first_issued_period,
      issuedOn: h.issued_on,
      dueOn: h.due_on,
      daysOverdue: Math.max(0, daysBetween(h.due_on, issuedOn)),
      registeredElsewhere: Boolean(h.registered_elsewhere),
      flagIds: (h.flag_ids as string).split(','),
    })),
    details: details.map((d) => ({
      flagId: d.flag_id,
      householdId: d.household_id,
      personId: d.person_id,
      personName: d.person_name,
      relation: d.relation,
      isCovered: Boolean(d.is_covered),
      ruleId: d.rule_id,
      ruleTitle: ruleById(d.rule_id)?.title ?? d.rule_id,
      severity: d.severity as Severity,
      source: sourceTitle(d.source_feed, d.source_period),
      evidence: d.evidence,
      firstIssuedPeriod: d.first_issued_period,
      issuedOn: d.issued_on,
      dueOn: d.due_on,
    })),
    pendingAuthorization: pending.map((p) => ({
      householdId: p.household_id,
      headName: p.head_name,
      headId: p.head_id,
      program: p.program,
      householdSize: Number(p.household_size),
      reason: PENDING_REASON_TEXT[p.reason] ?? p.reason,
    })),
    unpaid: unpaid.map((u) => ({
      householdId: u.household_id,
      headName: u.head_name,
      headId: u.head_id,
      program: u.program,
      householdSize: Number(u.household_size),
      monthlyAmount: String(u.monthly_amount),
    })),
    obligorPending: obligorPending.map((o) => ({
      householdId: o.household_id,
      supportedName: o.supported_name ?? '',
      supportedId: o.supported_id,
      obligorName: o.obligor_name ?? '',
      // never obligor_id: an obligor of another county is shown masked
      shownId: o.shown_id,
      obligorCounty: o.obligor_county_name ?? OBLIGOR_COUNTY_UNKNOWN,
      relation: o.relation ?? '',
      authSignedOn: o.auth_signed_on ?? '',
      authValidUntil: o.auth_valid_until ?? '',
      reason: OBLIGOR_REASON_TEXT[o.reason] ?? o.reason,
    })),
    recheck: recheck.map((r) => ({
      householdId: r.household_id,
      headName: r.head_name ?? '',
      program: r.program,
      cycleMonths: Number(r.cycle_months),
      cycleBasis: r.cycle_basis,
      lastCheckOn: r.last_check_on,
      lastCheckBasis: r.last_check_basis,
      nextDueOn: r.next_due_on,
      dueState: r.due_state ? (RECHECK_STATE_TEXT[r.due_state] ?? r.due_state) : '',
      authValidUntil: r.auth_valid_until ?? '',
      authNote: r.auth_expiring ? '授权即将到期，请组织续签' : '',
    })),
  };
}

/** ORDER BY expression that sorts rule ids in registry order. */
function ruleOrderSql(column: string): string {
  return `case ${column} ${RULES.map((r, i) => `when '${r.id}' then ${i}`).join(' ')} else 99 end`;
}

async function summaryData(w: Warehouse, ctx: PublishContext, publication: IssueDates): Promise<SummaryData> {
  const { issuedOn, dueOn } = publication;
  const period = ctx.month.name;
  const perCounty = await w.rows<{ county_code: string; households: number; flags: number; suppressed: number; pending: number; obligor_pending: number; recover: string }>(
    'summary:counties',
    `select d.county_code,
        (select count(*) from pub_households h where h.county_code = d.county_code)::integer as households,
        (select count(*) from flags f where f.period = $period and f.county_code = d.county_code and f.status = 'issued')::integer as flags,
        (select count(*) from flags f where f.period = $period and f.county_code = d.county_code and f.status = 'suppressed')::integer as suppressed,
        (select count(*) from pending_authorization p where p.period = $period and p.county_code = d.county_code)::integer as pending,
        (select count(*) from pub_obligor_pending o where o.county_code = d.county_code)::integer as obligor_pending,
        (select coalesce(sum(amount_yuan), 0) from flags f where f.period = $period and f.county_code = d.county_code and f.status = 'issued')::decimal(18, 2)::varchar as recover
     from divisions d order by d.county_code`,
    { period },
  );
  const byRule = await w.rows<{ county_code: string; rule_id: string; n: number }>(
    'summary:by-rule',
    "select county_code, rule_id, count(*)::integer as n from flags where period = $period and status = 'issued' group by all order by all",
    { period },
  );
  // by the severity each flag carries, as the county workbooks show it (not the rule's declared one)
  const bySeverity = await w.rows<{ rule_id: string; severity: Severity; n: number }>(
    'summary:by-severity',
    "select rule_id, severity, count(*)::integer as n from flags where period = $period and status = 'issued' group by all order by all",
    { period },
  );
  const countyByCode = new Map(COUNTIES.map((c) => [c.code, c]));
  const loads = await w.rows<{ load_id: string; feed: string; file: string; rows_read: number; rows_staged: number; rows_quarantined: number }>(
    'summary:loads',
    `select load_id, feed, file, coalesce(rows_read, 0) as rows_read, coalesce(rows_staged, 0) as rows_staged, coalesce(rows_quarantined, 0) as rows_quarantined
     from loads l where status <> 'superseded' and ${LOAD_USED_BY_PERIOD}
     order by feed, file`,
    { period },
  );
  const reasons = await w.rows<{ load_id: string; reason: string; n: number }>(
    'summary:reasons',
    `select load_id, reason, count(*)::integer as n from quarantine
     where load_id in (select load_id from loads l where status <> 'superseded' and ${LOAD_USED_BY_PERIOD})
     group by all order by all`,
    { period },
  );
  return {
    period,
    issuedOn,
    dueOn,
    counties: perCounty.map((c) => {
      const county = countyByCode.get(c.county_code)!;
      return {
        leagueCode: county.leagueCode,
        leagueName: county.leagueName,
        countyCode: county.code,
        countyName: county.name,
        households: c.households,
        flags: c.flags,
        suppressed: c.suppressed,
        pendingAuthorization: c.pending,
        obligorPending: c.obligor_pending,
        byRule: Object.fromEntries(byRule.filter((r) => r.county_code === c.county_code).map((r) => [r.rule_id, r.n])),
        recoverYuan: c.recover,
      };
    }),
    rules: RULES.map((r) => ({
      id: r.id,
      title: r.title,
      issuedBySeverity: Object.fromEntries(bySeverity.filter((x) => x.rule_id === r.id).map((x) => [x.severity, x.n])),
    })),
    quarantine: loads.map((l) => ({
      feed: l.feed,
      file: l.file,
      rowsRead: l.rows_read,
      staged: l.rows_staged,
      quarantined: l.rows_quarantined,
      byReason: Object.fromEntries(reasons.filter((r) => r.load_id === l.load_id).map((r) => [r.reason, r.n])),
    })),
    gates: [
      ...ctx.accepted.map((g) => ({ gate: g.gate, subject: g.subject, outcome: 'accepted', detail: g.detail })),
      ...ctx.warnings.map((g) => ({ gate: g.gate, subject: g.subject, outcome: 'warn', detail: g.detail })),
    ],
    snapshots: snapshotsUsed(ctx.snapshots),
    reasonTitles: QUARANTINE_REASON_TEXTS,
    // the previous month's 15-day record, as of this publication's issue date
    kpi: { period: shiftMonth(period, 1), asOf: issuedOn, deadlineDays: ctx.config.deadline_days, rows: await kpiReport(w, shiftMonth(period, 1), issuedOn, ctx.config) },
  };
}

/**
 * This publication's issue date (说明, summary.xlsx, manifest, the 考核 sheet's as-of day) and the
 * due date of the flags it issues that day: today when it issues a flag that has not reached its
 * county before (or the month was never published); else the recorded one, so a re-run that issues
 * nothing new gives the same bytes on any day.
 */
async function publicationIssue(w: Warehouse, ctx: PublishContext): Promise<IssueDates> {
  const recorded = await publicationDates(w, ctx.month.name);
  const fresh = await w.one<{ n: number }>(
    'publication:new-flags',
    "select count(*)::integer as n from flags where period = $period and status = 'issued' and flag_id not in (select flag_id from flag_issues)",
    { period: ctx.month.name },
  );
  if (recorded && !fresh?.n) return recorded;
  return issueDates(ctx.today ?? todayInChina(), ctx.config.deadline_days);
}

/**
 * Once the release is visible: the flags it issued for the first time have reached their counties
 * on its issue date (flag_issues keeps that for every later run and month), the month's
 * publication date is recorded, and its requests not yet sent were sent that day. After the swap,
 * never before: a publication that failed dates nothing.
 */
async function recordPublication(w: Warehouse, period: string, publication: IssueDates): Promise<void> {
  await w.transaction('publication:record', async () => {
    await w.exec(
      'publication:flag-issues',
      `insert into flag_issues
       select flag_id, county_code, first_issued_period, issued_on, due_on from flags
       where period = $period and status = 'issued' and flag_id not in (select flag_id from flag_issues)`,
      { period },
    );
    await w.exec('publication:record', 'insert or replace into publications values ($period, $issued_on::date, $due_on::date)', {
      period,
      issued_on: publication.issuedOn,
      due_on: publication.dueOn,
    });
    await runSteps(w, [assistSentStep(period, publication.issuedOn)]);
  });
}

/** Removes release folders no symlink points at, and staging left by a killed run. */
async function collectGarbage(outDir: string): Promise<void> {
  const releases = join(outDir, '.releases');
  const live = new Set<string>();
  for (const name of await readdir(outDir).catch(() => [] as string[])) {
    const path = join(outDir, name);
    if ((await lstat(path)).isSymbolicLink()) live.add(relative(releases, join(outDir, await readlink(path))));
    else if (name.startsWith('.link-')) await rm(path, { force: true });
  }
  for (const name of await readdir(releases).catch(() => [] as string[])) {
    if (!live.has(name)) await rm(join(releases, name), { recursive: true, force: true });
  }
}

export async function publishMonth(w: Warehouse, dataDir: string, ctx: PublishContext): Promise<PublishResult> {
  const period = ctx.month.name;
  const outDir = join(dataDir, 'out');
  const releaseName = `${period}.${ctx.runId}`;
  const release = join(outDir, '.releases', releaseName);
  await collectGarbage(outDir);
  await mkdir(release, { recursive: true });

  await createSnapshotViews(w, ctx.snapshots, ctx.month);
  await runSteps(w, publishSteps(period), ctx.intermediates);
  const publication = await publicationIssue(w, ctx);

  const folders = [...new Set(COUNTIES.map((c) => dirname(countyWorkbookPath(period, c))))];
  for (const f of folders) await mkdir(join(release, f), { recursive: true });
  const suppressedByCounty = new Map(
    (
      await w.rows<{ county_code: string; n: number }>(
        'pub:suppressed',
        "select county_code, count(*)::integer as n from flags where period = $period and status = 'suppressed' group by county_code",
        { period },
      )
    ).map((r) => [r.county_code, r.n]),
  );
  const bar = progress(`${period} county workbooks`, COUNTIES.length);
  const batches = countyBatches(
    COUNTIES.map((c) => c.code),
    await countyRowCounts(w),
    ctx.rowsPerRead,
  );
  const ledger = await ledgerCounties(w, period);
  async function* jobs(): AsyncGenerator<CountyWorkbookJob> {
    let i = 0;
    for (const batch of batches) {
      const rows = await readCountyRows(w, batch);
      for (const code of batch) {
        const county = countyOf(code)!;
        yield { path: join(release, countyWorkbookPath(period, county)), data: countyData(ctx, publication, county, rows, suppressedByCounty.get(code) ?? 0, ledger.has(code)) };
        bar.tick(++i);
      }
    }
  }
  const outcomes = await writeCountyWorkbooks(jobs());
  bar.end();
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length) {
    throw new HeduiError(`${failed.length} county workbooks failed, first: ${failed[0].ok ? '' : failed[0].error.message}`);
  }
  const files: PublishedFile[] = outcomes.flatMap((o) => (o.ok ? [{ path: relative(release, o.path), sha256: o.result.sha256, rows: o.result.rows }] : []));
  const summary = await writeSummaryWorkbook(join(release, 'summary.xlsx'), await summaryData(w, ctx, publication));
  files.push({ path: 'summary.xlsx', sha256: summary.sha256, rows: summary.rows });
  // the cross-province and cross-league requests (sent once this release is visible: recordPublication)
  files.push(...(await writeAssistWorkbooks(w, release, period, ctx.config, publication.issuedOn)));
  await dropIntermediates(w, 'publish:cleanup', Object.values(PUBLISH_INTERMEDIATES), ctx.intermediates);

  const inputs = await w.rows<Record<string, unknown>>(
    'manifest:inputs',
    `select l.feed, l.period as snapshot_period, l.file, l.sha256, l.bytes, l.format, l.encoding, l.rows_read, l.rows_staged, l.rows_quarantined, l.status
     from loads l where l.status <> 'superseded' and ${LOAD_USED_BY_PERIOD}
     order by l.feed, l.file`,
    { period },
  );
  const { issuedOn, dueOn } = publication;
  const manifest = {
    schema: 'hedui-manifest-1',
    period,
    issued_on: issuedOn,
    due_on: dueOn,
    code_version: ctx.codeVersion,
    config_sha256: ctx.configSha256,
    snapshots: snapshotsUsed(ctx.snapshots),
    inputs,
    outputs: files.sort((a, b) => (a.path < b.path ? -1 : 1)),
  };
  await writeFile(join(release, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  // with this publication's dates: they are recorded only once the release is visible
  await writePeriodIndex(w, release, period, ctx.config, publication);

  // The swap: a new symlink renamed over the old one. Until this rename, counties see the previous release.
  const link = join(outDir, period);
  const existing = await lstat(link).catch(() => undefined);
  if (existing && !existing.isSymbolicLink()) await rm(link, { recursive: true, force: true }); // a folder from an older layout
  const tmpLink = join(outDir, `.link-${period}.${ctx.runId}`);
  await symlink(join('.releases', releaseName), tmpLink);
  await rename(tmpLink, link);
  await recordPublication(w, period, publication);
  await collectGarbage(outDir);
  logger().info({ period, counties: outcomes.length, files: files.length + 1 }, 'published');
  return { folder: link, files, counties: outcomes.length };
}
