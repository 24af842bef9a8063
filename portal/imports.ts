/**
 * Returned workbooks, from upload to import result. The portal never opens the warehouse: an
 * accepted upload is saved and queued in the state store (`uploads`), and one import at a time
 * runs in a child process (import-worker.ts) that waits for the data folder's lock, imports with
 * the pipeline's importer, refreshes the period's index and exits. The child runs with a heap cap
 * and a time limit, and is killed when its resident size passes the memory cap: a workbook whose
 * zip directory lied about its sizes (the portal checks the directory before saving,
 * pipeline/workbook-zip.ts) can exhaust the child, never the portal.
 *
 * The county sees 已接收，正在导入 (`/upload/<id>`, refreshing itself) and then the result.
 * A refused or failed file is deleted again if this upload wrote it; an imported one is kept.
 *
 * Two kinds share the queue, told apart by the saved file's path (no column of their own): a
 * county's workbook, `<county>/<sha256>.xlsx`, imported by pipeline/feedback.ts; and an answered
 * request workbook of cross-league or cross-province checks sent by a league or the region,
 * `assist/<league code | REGION_CODE>/<sha256>.xlsx`, imported by pipeline/assist/answers.ts. Both
 * are under `feedback/` in the data folder; `county_code` holds the uploading unit's code.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { recordAudit } from '../pipeline/audit.ts';
import type { StateDb } from '../pipeline/state.ts';
import type { FeedbackImportResult } from '../pipeline/feedback.ts';
import type { AssistImportResult } from '../pipeline/assist/answers.ts';
import { REGION_CODE } from '../domain/divisions.ts';
import type { Account } from './accounts.ts';
import { logger } from '../base/log.ts';
import { processAlive } from '../pipeline/lock.ts';
import { todayInChina } from '../pipeline/period.ts';

/** feedback: a county's returned workbook; assist: an answered request workbook (协查请求, 跨省核对请求). */
export type UploadKind = 'feedback' | 'assist';

/** The folder under feedback/ of answered request workbooks (a county code never starts so). */
const ASSIST_FOLDER = 'assist';

/** An upload's kind, from its saved file's path (`uploads.file`, relative to feedback/). */
export const uploadKind = (file: string): UploadKind => (file.startsWith(`${ASSIST_FOLDER}/`) ? 'assist' : 'feedback');

/** Where an upload of this kind by this unit is saved, relative to feedback/ (the unit's code: server-chosen). */
export const uploadFolder = (kind: UploadKind, unit: string) => (kind === 'assist' ? `${ASSIST_FOLDER}/${unit}` : unit);

/**
 * The code an account's uploads are filed under (`uploads.county_code`): its county's, its
 * league's, or REGION_CODE for the region. Its rate limit counts by it, and only accounts of the
 * same unit see an upload's page.
 */
export function uploadUnitOf(account: Account): string | undefined {
  return account.scope === 'region' ? REGION_CODE : (account.scopeCode ?? undefined);
}

/**
 * The league an answered request workbook must be for: the uploading league's own. The region
 * (REGION_CODE) answers any; any other code is no league, so no workbook passes it.
 */
const expectLeagueOf = (unit: string): string | undefined => (unit === REGION_CODE ? undefined : unit);

export interface ImportJob {
  uploadId: string;
  dataDir: string;
  configPath?: string;
  path: string;
  actor: string;
  /** feedback: the county the workbook must be of (expectCounty) */
  county: string;
  kind: UploadKind;
  /** assist: refuse any workbook but this league's 协查请求 (a league's upload); undefined for the region's */
  expectLeague?: string;
  remote: string;
  receivedOn: string;
  lockWaitMs: number;
}

/** What the child answers with (one message each, in this order). */
export type WorkerMessage =
  | { type: 'locked' }
  | { type: 'result'; result: FeedbackImportResult }
  | { type: 'assist'; result: AssistImportResult }
  | { type: 'error'; message: string; busy: boolean };

export type UploadState = 'queued' | 'importing' | 'done' | 'failed';

export interface UploadRow {
  upload_id: string;
  county_code: string;
  username: string;
  remote: string | null;
  sha256: string;
  file: string;
  size: number;
  received_at: number;
  state: UploadState;
  created_file: number;
  worker_pid: number | null;
  result: string | null;
  finished_at: number | null;
}

/** The outcome kept in `uploads.result`: the importer's result, or why no import happened. */
export type UploadOutcome = { result: FeedbackImportResult } | { assist: AssistImportResult } | { failure: string };

export interface ImportLimits {
  /** how long an import waits for the data folder's lock (a nightly run may hold it) */
  lockWaitMs: number;
  /** how long an import may run once it holds the lock */
  timeoutMs: number;
  /**
   * the child's memory cap, MB: its resident size is watched (a zip inflates into buffers outside
   * the JS heap, which --max-old-space-size alone would not bound); the heap cap is half of it
   */
  memoryMb: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = { lockWaitMs: 30 * 60_000, timeoutMs: 120_000, memoryMb: 1024 };

// compiled (dist/, bin/hedui.js) the child is plain JS; from the sources (tests) a bootstrap registers tsx first
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './import-worker.mjs' : './import-worker.js', import.meta.url);

export function queueUpload(db: StateDb, u: Omit<UploadRow, 'upload_id' | 'state' | 'worker_pid' | 'result' | 'finished_at'>): string {
  const id = randomBytes(12).toString('base64url');
  db.prepare(
    `insert into uploads (upload_id, county_code, username, remote, sha256, file, size, received_at, state, created_file)
     values (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
  ).run(id, u.county_code, u.username, u.remote, u.sha256, u.file, u.size, u.received_at, u.created_file);
  return id;
}

export const uploadById = (db: StateDb, id: string) => db.prepare<[string], UploadRow>('select * from uploads where upload_id = ?').get(id);

/** Uploads of a county (or a league's, the region's: uploadUnitOf) received since `sinceMs` (the per-county rate limit). */
export const uploadsSince = (db: StateDb, county: string, sinceMs: number) =>
  db.prepare<[string, number], { n: number }>('select count(*) as n from uploads where county_code = ? and received_at > ?').get(county, sinceMs)!.n;

/** A unit's answered request workbooks received since `sinceMs`, newest first (at most `limit`). */
export const assistUploadsOf = (db: StateDb, unit: string, sinceMs: number, limit = 50) =>
  db
    .prepare<[string, string, number, number], UploadRow>('select * from uploads where county_code = ? and file like ? and received_at > ? order by received_at desc, upload_id desc limit ?')
    .all(unit, `${ASSIST_FOLDER}/%`, sinceMs, limit);

/** Queued or importing uploads before this one (what the waiting page says). */
export const aheadOf = (db: StateDb, u: UploadRow) =>
  db.prepare<[number, number, string], { n: number }>("select count(*) as n from uploads where state in ('queued', 'importing') and (received_at < ? or (received_at = ? and upload_id < ?))").get(u.received_at, u.received_at, u.upload_id)?.n ?? 0;

/** A process's resident size in bytes (Linux /proc; undefined elsewhere or once it has gone). */
function residentBytes(pid: number): number | undefined {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/**
 * Runs queued imports one at a time (DuckDB has one writer; two imports would only wait for each
 * other's lock). `kick()` after queueing; `close()` stops taking new ones and kills a running child.
 */
export class ImportRunner {
  private running: ChildProcess | undefined;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: StateDb,
    private readonly o: { dataDir: string; configPath?: string; limits: ImportLimits },
  ) {
    // imports a stopped portal left half-way: their child is gone, so they run again (the importer
    // is idempotent by the file's sha256)
    for (const u of db.prepare<[], UploadRow>("select * from uploads where state = 'importing'").all()) {
      if (!u.worker_pid || !processAlive(u.worker_pid)) db.prepare("update uploads set state = 'queued', worker_pid = null where upload_id = ?").run(u.upload_id);
    }
  }

  kick(): void {
    if (this.running || this.closed) return;
    const next = this.db.prepare<[], UploadRow>("select * from uploads where state = 'queued' order by received_at, upload_id limit 1").get();
    if (!next) return;
    this.idle = this.run(next).finally(() => {
      this.running = undefined;
      this.kick();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.running?.kill('SIGKILL');
    await this.idle.catch(() => undefined);
  }

  private run(u: UploadRow): Promise<void> {
    const { limits } = this.o;
    const job: ImportJob = {
      uploadId: u.upload_id,
      dataDir: this.o.dataDir,
      configPath: this.o.configPath,
      path: join(this.o.dataDir, 'feedback', u.file),
      actor: u.username,
      county: u.county_code,
      kind: uploadKind(u.file),
      expectLeague: expectLeagueOf(u.county_code),
      remote: u.remote ?? '',
      // the day the county sent it, also when the import waited past midnight for a nightly run
      receivedOn: todayInChina(new Date(u.received_at)),
      lockWaitMs: limits.lockWaitMs,
    };
    const heapMb = Math.max(64, Math.floor(limits.memoryMb / 2));
    const child = fork(WORKER, [], { execArgv: [`--max-old-space-size=${heapMb}`], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
    this.running = child;
    this.db.prepare("update uploads set state = 'importing', worker_pid = ? where upload_id = ?").run(child.pid ?? null, u.upload_id);
    child.stderr?.resume(); // drained, not kept: the child logs to the data folder's log itself
    return new Promise<void>((resolve) => {
      let outcome: UploadOutcome | undefined;
      let busy = false;
      // waiting for the lock has its own budget; once the child holds it, the import has timeoutMs
      let timer = setTimeout(() => child.kill('SIGKILL'), limits.lockWaitMs + 30_000);
      const watch = setInterval(() => {
        const rss = child.pid ? residentBytes(child.pid) : undefined;
        if (rss !== undefined && rss > limits.memoryMb * 1024 * 1024) child.kill('SIGKILL');
      }, 100);
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'locked') {
          clearTimeout(timer);
          timer = setTimeout(() => child.kill('SIGKILL'), limits.timeoutMs);
        } else if (m.type === 'result') outcome = { result: m.result };
        else if (m.type === 'assist') outcome = { assist: m.result };
        else if (m.type === 'error') {
          outcome = { failure: m.message };
          busy = m.busy;
        }
      });
      child.send(job);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        clearInterval(watch);
        void this.finish(u, outcome, busy, code, signal).then(resolve, (e) => {
          logger().error({ upload: u.upload_id, error: (e as Error).name }, 'finishing an import failed');
          resolve();
        });
      });
    });
  }

  private async finish(u: UploadRow, outcome: UploadOutcome | undefined, busy: boolean, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const final: UploadOutcome =
      outcome ??
      // killed (time limit, or the heap cap: V8 aborts) or crashed: the workbook could not be read within the limits
      { failure: '工作簿无法在限定的时间和内存内读取，未导入。请上传下发的工作簿，不要另存或添加大量内容。 (the import ran out of time or memory)' };
    const refused = 'failure' in final || ('assist' in final ? final.assist : final.result).status === 'refused';
    if (!outcome) logger().warn({ upload: u.upload_id, code, signal }, 'import child ended without a result');
    // removed before the outcome is recorded: the result page shows the refusal as soon as the row
    // says so, and by then the refused file must be gone. A file that cannot be removed is logged,
    // never a reason to leave the upload unanswered.
    if (refused && u.created_file && !busy) {
      await rm(join(this.o.dataDir, 'feedback', u.file), { force: true }).catch((e: NodeJS.ErrnoException) =>
        logger().warn({ upload: u.upload_id, error: e.code ?? e.name }, 'a refused upload could not be removed'),
      );
    }
    this.db.prepare("update uploads set state = ?, worker_pid = null, result = ?, finished_at = ? where upload_id = ?").run(
      'failure' in final ? 'failed' : 'done',
      JSON.stringify(final),
      Date.now(),
      u.upload_id,
    );
    // the importer audits feedback.import / feedback.refused itself; what it could not say is said here
    if ('failure' in final) {
      recordAudit(this.db, { actor: u.username, action: 'portal.import-failed', subject: u.file, detail: busy ? 'data folder busy' : signal ? `killed ${signal}` : `exit ${code}`, remote: u.remote });
    }
  }
}
