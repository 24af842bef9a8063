/**
 * `hedui nightly` as cron runs it. Most nights nothing arrives; a night on which nothing has
 * changed since a night that found nothing new is answered from that night's record, without
 * opening the warehouse (~0.9 s of DuckDB start and ~40 questions at province size; issue 18 asks
 * ≤ 0.4 s). Every other night is the full nightly run (pipeline/run.ts), recorded when it did nothing.
 *
 * The record is keyed by everything the nightly's answer depends on:
 * - every file in the inbox: path, size, mtime, ctime and inode, so a new, changed, replaced,
 *   renamed or removed file (a department's, a pulled one, a county's check request) is seen;
 * - the warehouse's files as the recorded night left them: any later command that writes the
 *   warehouse (run, whitelist, an accepted drift, the portal's imports, even a read-only command's
 *   checkpoint) changes them, and a copy restored from a backup has a new ctime;
 * - the configuration's bytes and the program's build;
 * - the day only through what it decides: each expected feed's latest due period, and the month
 *   today falls in (which months have ended).
 * A night is recorded only when it did nothing: no file loaded, no month re-run, no check request
 * read or answered, and none left open (an open request may be answered on a later day by its date
 * alone); and never when pull sources are configured (a source can hold a file nothing here sees).
 *
 * A night answered from the record is still a run of the history: it is kept in a small file,
 * shown by `hedui status` from there, and written into `runs` by the next command that records a
 * run (`importQuietRuns`).
 */
import { createHash } from 'node:crypto';
import { appendFile, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type LoadedConfig } from '../config/config.ts';
import { FEEDS } from '../adapters/index.ts';
import { GateHeldError } from '../base/errors.ts';
import { logger } from '../base/log.ts';
import { acquireLock } from './lock.ts';
import { lastDuePeriod, todayInChina } from './period.ts';
import type { NightlyReport, Session, SessionOptions } from './run.ts';
import type { Warehouse } from './warehouse.ts';

/** What a night that did nothing answered: its report, and the words of its exit 3 when it had any. */
interface QuietRecord {
  key: string;
  recordedAt: string;
  report: NightlyReport;
  problems: string | null;
}

/** A night answered from the record, waiting to be written into `runs`. */
export interface QuietRun {
  run_id: string;
  pid: number;
  started_at: string;
  ended_at: string;
  outcome: 'ok' | 'held';
  detail: string;
}

const recordPath = (dataDir: string) => join(dataDir, 'nightly-quiet.json');
const runsPath = (dataDir: string) => join(dataDir, 'nightly-quiet-runs.jsonl');

/** A file as the key sees it; '-' when absent. Bigint times: a write within the same millisecond still shows. */
async function fileStamp(path: string): Promise<string> {
  const s = await stat(path, { bigint: true }).catch(() => undefined);
  return s ? `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}` : '-';
}

/** Every file under inbox/ with its stamp, in name order. */
async function inboxStamps(dataDir: string): Promise<string[]> {
  const inbox = join(dataDir, 'inbox');
  const entries = await readdir(inbox, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name)).sort();
  return Promise.all(files.map(async (f) => `${relative(inbox, f)}\t${await fileStamp(f)}`));
}

/** The warehouse's files: the database and its write-ahead log. */
async function warehouseStamps(dataDir: string): Promise<string[]> {
  const db = join(dataDir, 'hedui.duckdb');
  return [`warehouse\t${await fileStamp(db)}`, `wal\t${await fileStamp(`${db}.wal`)}`];
}

/**
 * What of the day, the configuration and the program the nightly's answer depends on. The build is
 * this file's stamp: scripts/build.mjs writes every file of dist/ anew, so any build changes it; run
 * from the sources (tests, `npm run hedui`), only an edit of this file does.
 */
async function settingStamps(config: LoadedConfig, today: string): Promise<string[]> {
  const due = FEEDS.filter((f) => config.config.feeds[f.id].expected !== false).map(
    (f) => `due\t${f.id}\t${lastDuePeriod(f.schedule, today, config.config.feeds[f.id].due_day).period}`,
  );
  return [`month\t${today.slice(0, 7)}`, ...due, `config\t${config.source}\t${config.sha256}`, `build\t${await fileStamp(fileURLToPath(import.meta.url))}`];
}

const keyOf = (inbox: string[], warehouse: string[], settings: string[]) => createHash('sha256').update([...inbox, ...warehouse, ...settings].join('\n')).digest('hex');

/** Whether a night may be answered from a record at all. */
const recordable = (config: LoadedConfig) => Object.keys(config.config.sources ?? {}).length === 0;

/** A night with nothing to say: no file read, no month re-run, no check request read or answered (the CLI prints 'nothing new'). */
export function nothingNew(report: NightlyReport): boolean {
  return report.months.length === 0 && report.load.files === 0 && !report.requests?.files.length && !report.requests?.answered.length;
}

/** A night that did nothing: what a later night with the same key would do again. */
function didNothing(report: NightlyReport, openRequests: number): boolean {
  return nothingNew(report) && report.load.superseded === 0 && !report.pull && openRequests === 0;
}

/**
 * The night from its record, when the key is unchanged: logged, queued for the run history, and
 * returned (or thrown as the record's exit 3). Undefined when the full run must look.
 */
async function fromRecord(options: SessionOptions, config: LoadedConfig, today: string): Promise<QuietRecord | undefined> {
  if (!recordable(config)) return undefined;
  const release = await acquireLock(options.dataDir, 'nightly', { waitMs: options.lockWaitMs });
  // from the lock on, as withSession dates a run: a wait for another run's lock is not this night's time
  const started = new Date();
  try {
    // none, or unreadable (a power cut between the rename and the data reaching the disk): a full night
    const record = (await readFile(recordPath(options.dataDir), 'utf8')
      .then((text) => JSON.parse(text) as QuietRecord)
      .catch(() => undefined));
    if (typeof record?.key !== 'string') return undefined;
    const [inbox, warehouse, settings] = await Promise.all([inboxStamps(options.dataDir), warehouseStamps(options.dataDir), settingStamps(config, today)]);
    if (keyOf(inbox, warehouse, settings) !== record.key) {
      await rm(recordPath(options.dataDir), { force: true }); // stale: the full night writes a new one if it does nothing
      return undefined;
    }
    const { openState } = await import('./state.ts');
    const { auditHead } = await import('./audit.ts');
    const state = openState(options.dataDir);
    try {
      logger().info({ files: inbox.length, recorded_at: record.recordedAt, held: record.problems !== null }, 'nothing changed since the last night that found nothing new: answered from its record, warehouse not opened');
      logger().info(auditHead(state), 'audit head');
    } finally {
      state.close();
    }
    const run: QuietRun = {
      run_id: `${started.toISOString().replace(/[-:]/g, '')}-${process.pid}-quiet`,
      pid: process.pid,
      started_at: started.toISOString(),
      ended_at: new Date().toISOString(),
      outcome: record.problems === null ? 'ok' : 'held',
      detail: JSON.stringify(record.problems === null ? record.report : { error: record.problems }),
    };
    await appendFile(runsPath(options.dataDir), JSON.stringify(run) + '\n');
    return record;
  } finally {
    await release();
  }
}

/**
 * `hedui nightly`: from the record when nothing changed, else the full nightly run (pipeline/run.ts);
 * a full run that did nothing becomes the new record, any other removes it.
 */
export async function nightlyCommand(options: Omit<SessionOptions, 'command'>, nightlyOptions: { today?: string } = {}): Promise<NightlyReport> {
  const today = nightlyOptions.today ?? todayInChina();
  const config = loadConfig(options.configPath);
  const recorded = await fromRecord({ ...options, command: 'nightly' }, config, today);
  if (recorded) {
    if (recorded.problems !== null) throw new GateHeldError(recorded.problems, recorded.report);
    return recorded.report;
  }
  const { withSession, nightly } = await import('./run.ts');
  let settled: { report: NightlyReport; problems: string | null } | undefined;
  let inbox: string[] = [];
  let settings: string[] = [];
  const onClosed = async () => {
    if (!settled) return rm(recordPath(options.dataDir), { force: true });
    const record: QuietRecord = { key: keyOf(inbox, await warehouseStamps(options.dataDir), settings), recordedAt: new Date().toISOString(), ...settled };
    const path = recordPath(options.dataDir);
    await writeFile(`${path}.part`, JSON.stringify(record));
    await rename(`${path}.part`, path);
  };
  return withSession({ ...options, config, command: 'nightly', onClosed }, async (s: Session) => {
    // the inbox as it stands before loading: a file that arrives during the run changes the key
    [inbox, settings] = await Promise.all([inboxStamps(s.dataDir), settingStamps(s.config, today)]);
    const settle = async (report: NightlyReport, problems: string | null) => {
      if (!recordable(s.config)) return;
      const open = await s.w.one<{ n: number }>('nightly:open-requests', "select count(*)::integer as n from check_requests where status = 'open'");
      if (didNothing(report, open?.n ?? 0)) settled = { report, problems };
    };
    try {
      const report = await nightly(s, { today });
      await settle(report, null);
      return report;
    } catch (e) {
      if (e instanceof GateHeldError && e.report) await settle(e.report as NightlyReport, e.message);
      throw e;
    }
  });
}

/** The nights answered from the record and not yet in `runs`, oldest first; a line cut by a crash while it was appended is left out. */
export async function queuedQuietRuns(dataDir: string): Promise<QuietRun[]> {
  const text = await readFile(runsPath(dataDir), 'utf8').catch(() => '');
  return text.split('\n').flatMap((line, i) => {
    if (!line) return [];
    try {
      return [JSON.parse(line) as QuietRun];
    } catch {
      logger().warn({ file: runsPath(dataDir), line: i + 1 }, 'a quiet night could not be read back: left out of the run history');
      return [];
    }
  });
}

/**
 * Writes the nights answered from the record into the run history (once each), then forgets them.
 * Only a command that records a run of its own does it: it writes the warehouse anyway. A command
 * that only reads leaves the warehouse as it was, so the next night can still be a quiet one.
 */
export async function importQuietRuns(w: Warehouse, dataDir: string): Promise<void> {
  const runs = await queuedQuietRuns(dataDir);
  for (const run of runs) {
    await w.exec(
      'run:quiet',
      "insert into runs select $id, 'nightly', null, $pid, $started::timestamptz, $ended::timestamptz, $outcome, $detail where not exists (select 1 from runs where run_id = $id)",
      { id: run.run_id, pid: run.pid, started: run.started_at, ended: run.ended_at, outcome: run.outcome, detail: run.detail },
    );
  }
  await rm(runsPath(dataDir), { force: true });
}
