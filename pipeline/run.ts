/**
 * The commands' cores: a session (lock, warehouse, run history) and what runs inside one —
 * a month (`run`), or every month whose inputs changed (`nightly`).
 */
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadConfig, type LoadedConfig } from '../config/config.ts';
import { Warehouse } from './warehouse.ts';
import { openState, type StateDb } from './state.ts';
import { auditHead } from './audit.ts';
import { acquireLock } from './lock.ts';
import { loadInbox, type LoadReport } from './load/inbox.ts';
import { commitMatch, dropPreparedMatch, prepareMatch, type MatchResult } from './match.ts';
import { acceptDrift, checkFeedNames, monthInputs, unauthorizedRiseGate, type DeliveredFile, type GateFinding, type MonthInputs } from './inputs.ts';
import { indexPublishedPeriods } from './publish/period-index.ts';
import { clearKept, intermediatesFor } from './steps.ts';
import { lastDuePeriod, parseMonth, parsePeriod, todayInChina, type Period } from './period.ts';
import { pull } from './pull.ts';
import { createStagedViews } from './staged.ts';
import { FEEDS } from '../adapters/index.ts';
import { GateHeldError, HeduiError, UsageError } from '../base/errors.ts';
import { runRequests, type RequestsReport } from './requests/run.ts';
import { logger } from '../base/log.ts';
import { importQuietRuns } from './quiet-night.ts';

export interface Session {
  w: Warehouse;
  /** the state store: accounts, sessions, uploads, the audit trail (pipeline/state.ts) */
  state: StateDb;
  dataDir: string;
  config: LoadedConfig;
  runId: string;
}

export interface SessionOptions {
  dataDir: string;
  configPath?: string;
  /** the configuration, when the caller has read it already (one command reads the file once) */
  config?: LoadedConfig;
  command: string;
  period?: string;
  /** record the command in the run history (the portal's short sessions do not) */
  recordRun?: boolean;
  /** wait this long (ms) for another process to let go of the data folder before LockHeldError; default 0 */
  lockWaitMs?: number;
  /** runs once the warehouse and the state store are closed, before the lock is let go */
  onClosed?: () => Promise<unknown>;
}

/** The code version for the manifest: the package version and, in a git checkout, the commit. */
export async function codeVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: new URL('..', import.meta.url), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return `${pkg.version}+${commit}`;
  } catch {
    return pkg.version;
  }
}

let sessionsInProcess = 0;

/** Takes the data folder's lock, opens the warehouse, records the run; always releases both. */
export async function withSession<T>(options: SessionOptions, fn: (s: Session) => Promise<T>): Promise<T> {
  const config = options.config ?? loadConfig(options.configPath);
  await mkdir(options.dataDir, { recursive: true });
  // The data folder holds personal data: only its owner may list or enter it. A new one is 0700
  // already (umask 077, bin/hedui.js); one made before that, or by hand, is tightened here, since
  // that alone also hides any older 0644 file inside it.
  const mode = (await stat(options.dataDir)).mode & 0o777;
  if (mode & 0o077) {
    await chmod(options.dataDir, mode & 0o700).catch((e: NodeJS.ErrnoException) => {
      // another user's folder shared by group: what this user would write there, its owner could not read
      if (e.code !== 'EPERM') throw e;
      throw new UsageError(`data folder ${options.dataDir} is open to group or others (mode ${mode.toString(8)}) and only its owner may close it: run hedui as the folder's owner`);
    });
    logger().warn({ was: mode.toString(8), now: (mode & 0o700).toString(8) }, 'tightened the data folder to owner-only access');
  }
  const release = await acquireLock(options.dataDir, options.command, { waitMs: options.lockWaitMs });
  let w: Warehouse | undefined;
  let state: StateDb | undefined;
  const started = new Date();
  const runId = `${started.toISOString().replace(/[-:]/g, '')}-${process.pid}-${++sessionsInProcess}`;
  try {
    state = openState(options.dataDir);
    w = await Warehouse.open(join(options.dataDir, 'hedui.duckdb'));
    await createStagedViews(w);
    const record = options.recordRun ?? true;
    if (record) {
      await importQuietRuns(w, options.dataDir);
      await w.exec('run:start', "insert into runs values ($id, $command, $period, $pid, now(), null, 'running', null)", {
        id: runId,
        command: options.command,
        period: options.period ?? null,
        pid: process.pid,
      });
    }
    try {
      const result = await fn({ w, state, dataDir: options.dataDir, config, runId });
      if (record) await w.exec('run:end', "update runs set ended_at = now(), outcome = 'ok', detail = $detail where run_id = $id", { id: runId, detail: JSON.stringify(result ?? null) });
      return result;
    } catch (e) {
      const outcome = e instanceof GateHeldError ? 'held' : e instanceof UsageError ? 'usage' : 'failed';
      if (record) await w
        .exec('run:end', 'update runs set ended_at = now(), outcome = $outcome, detail = $detail where run_id = $id', {
          id: runId,
          outcome,
          detail: JSON.stringify({ error: e instanceof HeduiError ? e.message : (e as Error).name }),
        })
        .catch(() => undefined);
      throw e;
    }
  } finally {
    if (w) {
      await w.checkpoint().catch(() => undefined);
      w.close();
    }
    state?.close();
    try {
      if (w && options.onClosed) await options.onClosed();
    } finally {
      await release();
    }
  }
}

export type LoadSummary = ReturnType<typeof summariseLoad>;

/** A gate as a report shows it: what held the month, what the operator accepted, what a reader must know. */
export interface ReportedGate extends GateFinding {
  outcome: 'held' | 'accepted' | 'warn';
}

/** What every run of a month ends with (stdout, `status --period`, `--json`). */
export interface MonthReport {
  period: string;
  outcome: 'published' | 'held' | 'not run';
  feeds: { feed: string; delivered: string | null; snapshot: string | null; fallback: boolean; stale: boolean; files: DeliveredFile[] }[];
  rulesSkipped: { rule: string; reason: string }[];
  gates: ReportedGate[];
  load?: LoadSummary;
  match?: MatchResult;
  published?: { folder: string; files: number; counties: number };
}

/** A month that was published: its match and where it went. */
export type PublishedReport = MonthReport & Required<Pick<MonthReport, 'match' | 'published'>>;

const summariseLoad = (l: LoadReport) => ({
  files: l.loaded.length,
  staged: l.loaded.filter((o) => o.status === 'staged').length,
  rejected: l.loaded.filter((o) => o.status === 'rejected').length,
  superseded: l.superseded.length,
  skipped: l.skipped,
});

/** The report of a month's inputs, before (or without) matching. */
export function inputsReport(period: string, inputs: MonthInputs, outcome: MonthReport['outcome']): MonthReport {
  return {
    period,
    outcome,
    feeds: inputs.feeds.map((f) => ({
      feed: f.feed,
      delivered: f.delivered,
      snapshot: f.snapshot?.period ?? null,
      fallback: Boolean(f.snapshot?.fallback),
      stale: Boolean(f.snapshot?.stale),
      files: f.files,
    })),
    rulesSkipped: inputs.skippedRules,
    gates: [
      ...inputs.held.map((g) => ({ ...g, outcome: 'held' as const })),
      ...inputs.accepted.map((g) => ({ ...g, outcome: 'accepted' as const })),
      ...inputs.warnings.map((g) => ({ ...g, outcome: 'warn' as const })),
    ],
  };
}

function heldMessage(month: Period, findings: GateFinding[]): string {
  return [`publication of ${month.name} held by ${findings.length} gate finding(s); the previous publication is kept:`, ...findings.map((f) => `  ${f.gate}: ${f.subject}: ${f.detail}`)].join('\n');
}

export interface MonthOptions {
  acceptDrift?: string[];
  usePrevious?: string[];
  acceptUnauthorizedRise?: boolean;
  /** who gives the operator's word (recorded with --use-previous) */
  by?: string;
  /**
   * keep the month's int_* and pub_* tables in the warehouse, schema debug_<period>, for inspection
   * (default: HEDUI_KEEP_INTERMEDIATE=1); the outputs are the same
   */
  keepIntermediate?: boolean;
  /**
   * the day of the run, 'YYYY-MM-DD' in China Standard Time (default: now): the issue date of the
   * flags this publication issues first (tests pin it)
   */
  today?: string;
  /** workbook rows read into JS at a time while publishing (default ROWS_PER_READ); the files are the same */
  rowsPerRead?: number;
}

/**
 * Matches and publishes a month whose feeds are loaded, unless a gate holds it: then it throws a
 * GateHeldError carrying the report, and nothing of the month (flags, publication) changes.
 */
async function matchAndPublish(s: Session, month: Period, options: MonthOptions): Promise<PublishedReport> {
  const { config } = s.config;
  checkFeedNames('--accept-drift', options.acceptDrift);
  let inputs = await monthInputs(s.w, month, config, { usePrevious: options.usePrevious, by: options.by });
  if (options.acceptDrift?.length) {
    for (const feed of options.acceptDrift) {
      const snapshot = inputs.snapshots.find((x) => x.feed.id === feed);
      if (!snapshot) throw new UsageError(`--accept-drift ${feed}: no ${feed} snapshot for ${month.name}`);
      await acceptDrift(s.w, feed, snapshot);
    }
    inputs = await monthInputs(s.w, month, config);
  }
  const held = (findings: GateFinding[]) => new GateHeldError(heldMessage(month, findings), inputsReport(month.name, { ...inputs, held: findings }, 'held'));
  if (inputs.held.length) throw held(inputs.held);
  const intermediates = intermediatesFor(month.name, options.keepIntermediate);
  await clearKept(s.w, intermediates);
  try {
    const started = performance.now();
    const prepared = await prepareMatch(s.w, month, config, inputs.snapshots, intermediates);
    const rise = await unauthorizedRiseGate(s.w, month, { households: prepared.households, pending: prepared.pendingAuthorization }, config, Boolean(options.acceptUnauthorizedRise));
    if (rise && !options.acceptUnauthorizedRise) throw held([rise]);
    if (rise) inputs.accepted.push(rise);
    const today = options.today ?? todayInChina();
    const match = await commitMatch(s.w, month, config, inputs.snapshots, prepared, { ...intermediates, today });
    logger().info({ period: month.name, ms: Math.round(performance.now() - started), issued: match.issued, suppressed: match.suppressed, pending: match.pendingAuthorization }, 'matched');
    // loaded when a month is published (exceljs, the workbook workers): a no-op night does without
    const { publishMonth } = await import('./publish/publish.ts');
    const publish = await publishMonth(s.w, s.dataDir, {
      month,
      config,
      configSha256: s.config.sha256,
      codeVersion: await codeVersion(),
      snapshots: inputs.snapshots,
      accepted: inputs.accepted,
      warnings: inputs.warnings,
      runId: s.runId,
      intermediates,
      today,
      rowsPerRead: options.rowsPerRead,
    });
    return { ...inputsReport(month.name, inputs, 'published'), match, published: { folder: publish.folder, files: publish.files.length + 1, counties: publish.counties } };
  } finally {
    await dropPreparedMatch(s.w, intermediates);
  }
}

export interface RunOptions extends MonthOptions {
  /** run a month that has not ended yet (China Standard Time) */
  allowUnfinished?: boolean;
}

/** How the loader applies the region's gates. */
const loadOptions = (s: Session) => ({ maxQuarantineShare: s.config.config.gates.max_quarantine_share, maxResentShare: s.config.config.gates.max_resent_share });

/** `hedui run --period`: load what the inbox holds up to the month, match, publish (replacing the month). */
export async function runMonth(s: Session, period: string, options: RunOptions = {}): Promise<PublishedReport> {
  const month = parseMonth(period);
  const today = options.today ?? todayInChina();
  if (month.end >= today && !options.allowUnfinished) {
    throw new UsageError(`${period} has not ended (today is ${today}, China Standard Time): its deliveries cannot be complete; run it after ${month.end}, or pass --allow-unfinished`);
  }
  const load = summariseLoad(await loadInbox(s.w, s.dataDir, { upTo: month.end, ...loadOptions(s) }));
  try {
    return { ...(await matchAndPublish(s, month, { ...options, today })), load };
  } catch (e) {
    if (e instanceof GateHeldError && e.report) Object.assign(e.report, { load });
    throw e;
  }
}

/** `hedui status --period`: the report of a month (or the deliveries of a quarter) as the warehouse stands, without loading. */
export async function periodReport(s: Session, period: string): Promise<MonthReport> {
  const p = parsePeriod(period);
  if (p.kind === 'quarter') {
    const loads = await s.w.rows<{ feed: string; file: string; status: 'staged' | 'rejected'; rows_read: number; rows_staged: number; rows_quarantined: number; reason: string | null }>(
      'status:quarter',
      "select feed, file, status, rows_read, rows_staged, rows_quarantined, reason from loads where period = $period and status in ('staged', 'rejected') order by feed, file",
      { period },
    );
    return {
      period,
      outcome: 'not run',
      feeds: FEEDS.filter((f) => f.schedule === 'quarterly' || loads.some((l) => l.feed === f.id)).map((f) => {
        const files = loads.filter((l) => l.feed === f.id).map((l) => ({ file: l.file, period, status: l.status, rowsRead: l.rows_read, rowsStaged: l.rows_staged, rowsQuarantined: l.rows_quarantined, reason: l.reason }));
        const whole = files.length > 0 && files.every((x) => x.status === 'staged');
        return { feed: f.id, delivered: files.length ? period : null, snapshot: whole ? period : null, fallback: false, stale: false, files };
      }),
      rulesSkipped: [],
      gates: [],
    };
  }
  const inputs = await monthInputs(s.w, p, s.config.config);
  const last = await s.w.one<{ outcome: string }>("status:last-run", "select outcome from runs where period = $period and command in ('run', 'nightly') order by started_at desc limit 1", { period });
  const published = await s.w.one<{ n: number }>('status:published', 'select count(*)::integer as n from period_snapshots where period = $period', { period });
  const outcome = inputs.held.length || last?.outcome === 'held' ? 'held' : published?.n ? 'published' : 'not run';
  return inputsReport(period, inputs, outcome);
}

export interface NightlyReport {
  pull?: { pulled: number; unchanged: number; failed: { feed: string; file: string; reason: string }[]; waiting: { feed: string; file: string }[] };
  load: LoadSummary;
  months: MonthReport[];
  /** feeds whose latest due period has not arrived */
  missing: { feed: string; period: string; dueOn: string }[];
  /** files of a feed's latest due period that were rejected: a person must look at them */
  rejected: { feed: string; period: string; file: string; reason: string }[];
  /** check requests read and answered (pipeline/requests/run.ts) */
  requests?: RequestsReport;
}

/** Per expected feed, its most recent period past its due day: not delivered at all, or delivered with rejected files. */
async function dueDeliveries(s: Session, today: string): Promise<Pick<NightlyReport, 'missing' | 'rejected'>> {
  const result: Pick<NightlyReport, 'missing' | 'rejected'> = { missing: [], rejected: [] };
  for (const feed of FEEDS) {
    const settings = s.config.config.feeds[feed.id];
    if (settings.expected === false) continue;
    const due = lastDuePeriod(feed.schedule, today, settings.due_day);
    const files = await s.w.rows<{ file: string; status: string; reason: string | null }>(
      'nightly:due',
      "select file, status, reason from loads where feed = $feed and period = $period and status in ('staged', 'rejected') order by file",
      { feed: feed.id, period: due.period },
    );
    if (files.length === 0) result.missing.push({ feed: feed.id, ...due });
    for (const f of files.filter((x) => x.status === 'rejected')) result.rejected.push({ feed: feed.id, period: due.period, file: f.file, reason: f.reason ?? 'rejected' });
  }
  return result;
}

/** What a month's last publication used, to compare with what it would use now. */
async function recordedSnapshots(s: Session, period: string): Promise<string> {
  const recorded = await s.w.rows<{ feed: string; snapshot_period: string; load_ids: string }>(
    'nightly:recorded',
    'select feed, snapshot_period, load_ids from period_snapshots where period = $period order by feed',
    { period },
  );
  return recorded.map((r) => `${r.feed}|${r.snapshot_period}|${r.load_ids}`).sort().join('\n');
}

/**
 * `hedui nightly`: pull from the configured sources, load every new file, then re-run each ended
 * month with a roster whose inputs differ from those of its last publication, or that a gate
 * holds. Nothing new: nothing happens. A person must act (exit 3) when a gate holds a month, a
 * feed is past its due day or its delivery was rejected, or a pull failed.
 */
export async function nightly(s: Session, options: { today?: string } = {}): Promise<NightlyReport> {
  const today = options.today ?? todayInChina();
  const pulled = Object.keys(s.config.config.sources ?? {}).length ? await pull(s.w, s.dataDir, s.config.config) : undefined;
  const load = await loadInbox(s.w, s.dataDir, loadOptions(s));
  const months = await s.w.rows<{ period: string }>(
    'nightly:months',
    "select distinct period from loads where feed = 'roster' and status in ('staged', 'rejected') and length(period) = 7 order by period",
  );
  const report: NightlyReport = {
    pull: pulled && { pulled: pulled.pulled.length, unchanged: pulled.unchanged, failed: pulled.failed, waiting: pulled.waiting },
    load: summariseLoad(load),
    months: [],
    ...(await dueDeliveries(s, today)),
  };
  const held: string[] = [];
  for (const { period } of months) {
    const month = parseMonth(period);
    if (month.end >= today) continue; // a month still running cannot be complete
    const inputs = await monthInputs(s.w, month, s.config.config);
    const now = inputs.snapshots.map((x) => `${x.feed.id}|${x.period}|${x.loadIds}`).sort().join('\n');
    if (!inputs.held.length && now === (await recordedSnapshots(s, period))) continue;
    try {
      report.months.push(await matchAndPublish(s, month, { today }));
    } catch (e) {
      if (!(e instanceof GateHeldError)) throw e;
      report.months.push(e.report as MonthReport);
      held.push(e.message);
    }
  }
  // months published before the portal read indexes (or by an older index schema) get theirs
  await indexPublishedPeriods(s.w, s.dataDir, s.config.config);
  // check requests (逢救必核) are answered against the snapshots as they now stand
  report.requests = await runRequests(s.w, s.dataDir, { config: s.config.config, state: s.state, actor: 'nightly', today });
  // the audit's head in the nightly log: a copy outside the store, which --verify's chain cannot vouch for by itself
  logger().info(auditHead(s.state), 'audit head');
  const problems = [
    ...report.rejected.map((r) => `rejected_file: ${r.file}: ${r.feed} ${r.period}: ${r.reason}`),
    ...held,
    ...report.missing.map((m) => `missing_feed: ${m.feed} ${m.period} was due on ${m.dueOn} and is not in the inbox`),
    ...(report.pull?.failed ?? []).map((f) => `pull_failed: ${f.feed} ${f.file}: ${f.reason}`),
  ];
  if (problems.length) throw new GateHeldError(problems.join('\n'), report);
  return report;
}
