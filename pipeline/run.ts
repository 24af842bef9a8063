/**
 * The commands' cores: a session (lock, warehouse, run history) and what runs inside one —
 * a month (`run`), or every month whose inputs changed (`nightly`).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadConfig, type LoadedConfig } from '../config/config.ts';
import { Warehouse } from './warehouse.ts';
import { acquireLock } from './lock.ts';
import { loadInbox, type LoadReport } from './load.ts';
import { acceptDrift, checkGates, chooseSnapshots, matchMonth, type GateFinding, type MatchResult, type Snapshot } from './match.ts';
import { publishMonth, type PublishResult } from './publish/publish.ts';
import { lastDuePeriod, parseMonth, type Period } from './period.ts';
import { pull } from './pull.ts';
import { createStagedViews } from './staged.ts';
import { FEEDS } from '../adapters/index.ts';
import { GateHeldError, HeduiError, UsageError } from './errors.ts';
import { logger } from './log.ts';

export interface Session {
  w: Warehouse;
  dataDir: string;
  config: LoadedConfig;
  runId: string;
}

export interface SessionOptions {
  dataDir: string;
  configPath?: string;
  command: string;
  period?: string;
  /** record the command in the run history (the portal's short sessions do not) */
  recordRun?: boolean;
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
  const config = loadConfig(options.configPath);
  await mkdir(options.dataDir, { recursive: true });
  const release = await acquireLock(options.dataDir, options.command);
  let w: Warehouse | undefined;
  const started = new Date();
  const runId = `${started.toISOString().replace(/[-:]/g, '')}-${process.pid}-${++sessionsInProcess}`;
  try {
    w = await Warehouse.open(join(options.dataDir, 'hedui.duckdb'));
    await createStagedViews(w);
    const record = options.recordRun ?? true;
    if (record) {
      await w.exec('run:start', "insert into runs values ($id, $command, $period, $pid, now(), null, 'running', null)", {
        id: runId,
        command: options.command,
        period: options.period ?? null,
        pid: process.pid,
      });
    }
    try {
      const result = await fn({ w, dataDir: options.dataDir, config, runId });
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
    await release();
  }
}

export interface MonthReport {
  period: string;
  load: { files: number; staged: number; rejected: number; superseded: number; skipped: number };
  snapshots: { feed: string; period: string; rows: number; stale: boolean }[];
  match: MatchResult;
  published: { folder: string; files: number; counties: number };
}

const summariseLoad = (l: LoadReport) => ({
  files: l.loaded.length,
  staged: l.loaded.filter((o) => o.status === 'staged').length,
  rejected: l.loaded.filter((o) => o.status === 'rejected').length,
  superseded: l.superseded.length,
  skipped: l.skipped,
});

function heldMessage(month: Period, findings: GateFinding[]): string {
  return [`publication of ${month.name} held by ${findings.length} gate finding(s):`, ...findings.map((f) => `  ${f.gate}: ${f.subject}: ${f.detail}`)].join('\n');
}

/** Matches and publishes a month whose feeds are loaded. */
async function matchAndPublish(s: Session, month: Period, acceptDriftFeeds: string[]): Promise<{ snapshots: Snapshot[]; match: MatchResult; publish: PublishResult }> {
  const { config } = s.config;
  const snapshots = await chooseSnapshots(s.w, month, config);
  for (const feed of acceptDriftFeeds) {
    const snapshot = snapshots.find((x) => x.feed.id === feed);
    if (!snapshot) throw new UsageError(`--accept-drift ${feed}: no ${feed} snapshot for ${month.name}`);
    await acceptDrift(s.w, feed, snapshot);
  }
  const findings = await checkGates(s.w, month, snapshots, config);
  if (findings.length) throw new GateHeldError(heldMessage(month, findings));
  const started = performance.now();
  const match = await matchMonth(s.w, month, config, snapshots);
  logger().info({ period: month.name, ms: Math.round(performance.now() - started), issued: match.issued, suppressed: match.suppressed, pending: match.pendingAuthorization }, 'matched');
  const publish = await publishMonth(s.w, s.dataDir, {
    month,
    config,
    configSha256: s.config.sha256,
    codeVersion: await codeVersion(),
    snapshots,
    gates: acceptDriftFeeds.map((feed) => ({ gate: 'row_count_drift' as const, subject: feed, detail: `accepted by the operator (--accept-drift ${feed})` })),
    runId: s.runId,
  });
  return { snapshots, match, publish };
}

/** `hedui run --period`: load what the inbox holds up to the month, match, publish (replacing the month). */
export async function runMonth(s: Session, period: string, options: { acceptDrift?: string[] } = {}): Promise<MonthReport> {
  const month = parseMonth(period);
  const load = await loadInbox(s.w, s.dataDir, { upTo: month.end, maxQuarantineShare: s.config.config.gates.max_quarantine_share });
  const { snapshots, match, publish } = await matchAndPublish(s, month, options.acceptDrift ?? []);
  return {
    period,
    load: summariseLoad(load),
    snapshots: snapshots.map((x) => ({ feed: x.feed.id, period: x.period, rows: x.rows, stale: x.stale })),
    match,
    published: { folder: publish.folder, files: publish.files.length + 1, counties: publish.counties },
  };
}

export interface NightlyReport {
  pull?: { pulled: number; unchanged: number; failed: { feed: string; file: string; reason: string }[] };
  load: ReturnType<typeof summariseLoad>;
  months: { period: string; outcome: 'published' | 'held'; issued?: number; detail?: string }[];
  /** feeds whose latest due period has not arrived */
  missing: { feed: string; period: string; dueOn: string }[];
}

/** Feeds whose most recent period is past its due day and not loaded. */
async function missingFeeds(s: Session, today: string): Promise<NightlyReport['missing']> {
  const missing: NightlyReport['missing'] = [];
  for (const feed of FEEDS) {
    const due = lastDuePeriod(feed.schedule, today, s.config.config.feeds[feed.id].due_day);
    const loaded = await s.w.one('nightly:due', "select 1 from loads where feed = $feed and period = $period and status = 'staged'", { feed: feed.id, period: due.period });
    if (!loaded) missing.push({ feed: feed.id, ...due });
  }
  return missing;
}

/**
 * `hedui nightly`: pull from the configured sources, load every new file, then re-run each month
 * (one with a roster) whose chosen snapshots differ from those of its last publication. Nothing
 * new: nothing happens. A person must act (exit 3) when a gate holds a month, a feed is past its
 * due day, or a pull failed.
 */
export async function nightly(s: Session, options: { today?: string } = {}): Promise<NightlyReport> {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const pulled = Object.keys(s.config.config.sources ?? {}).length ? await pull(s.w, s.dataDir, s.config.config) : undefined;
  const load = await loadInbox(s.w, s.dataDir, { maxQuarantineShare: s.config.config.gates.max_quarantine_share });
  const months = await s.w.rows<{ period: string }>(
    'nightly:months',
    "select distinct period from loads where feed = 'roster' and status in ('staged', 'rejected') and length(period) = 7 order by period",
  );
  const report: NightlyReport = {
    pull: pulled && { pulled: pulled.pulled.length, unchanged: pulled.unchanged, failed: pulled.failed },
    load: summariseLoad(load),
    months: [],
    missing: await missingFeeds(s, today),
  };
  for (const { period } of months) {
    const month = parseMonth(period);
    const snapshots = await chooseSnapshots(s.w, month, s.config.config);
    const recorded = await s.w.rows<{ feed: string; snapshot_period: string; load_ids: string }>(
      'nightly:recorded',
      'select feed, snapshot_period, load_ids from period_snapshots where period = $period order by feed',
      { period },
    );
    const now = snapshots.map((x) => `${x.feed.id}|${x.period}|${x.loadIds}`).sort();
    const before = recorded.map((r) => `${r.feed}|${r.snapshot_period}|${r.load_ids}`).sort();
    const rejectedNew = load.loaded.some((o) => o.status === 'rejected' && snapshots.some((x) => o.loadId.startsWith(`${x.feed.id}:${x.period}:`)));
    if (!rejectedNew && now.join('\n') === before.join('\n')) continue;
    try {
      const { match } = await matchAndPublish(s, month, []);
      report.months.push({ period, outcome: 'published', issued: match.issued });
    } catch (e) {
      if (!(e instanceof GateHeldError)) throw e;
      report.months.push({ period, outcome: 'held', detail: e.message });
    }
  }
  const problems = [
    ...report.months.filter((m) => m.outcome === 'held').map((m) => m.detail!),
    ...report.missing.map((m) => `missing_feed: ${m.feed} ${m.period} was due on ${m.dueOn} and is not in the inbox`),
    ...(report.pull?.failed ?? []).map((f) => `pull_failed: ${f.feed} ${f.file}: ${f.reason}`),
  ];
  if (problems.length) throw new GateHeldError(problems.join('\n'));
  return report;
}

