import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import Tinypool from 'tinypool';
import type { CountyWorkbookResult } from './county-workbook.ts';
import type { WorkerJob, WorkerReply } from './county-workbook.worker.ts';
import type { CountyWorkbookData } from './workbook-data.ts';

/**
 * Writes county workbooks on worker threads (tinypool). exceljs is synchronous JS on one thread,
 * so p-limit cannot overlap two workbooks; two worker threads can. tinypool replaced a hand-written
 * pool of ~150 lines at the same speed (docs/measured-choices.md).
 *
 * Each worker writes one workbook at a time from a CountyWorkbookData posted to it (a structured
 * clone; the pool drops its own reference as soon as the job is posted). Back-pressure: at most
 * `maxPending` jobs (default 2 × workers) are queued or running; `ready()` resolves when one more
 * fits, so a caller that awaits it before loading each county never holds more than that many
 * county datasets. `writeCountyWorkbooks` does exactly that over a lazy (async) iterable.
 *
 * A failed job rejects with a WorkbookJobError naming only the county code and file name; the
 * pool keeps going (tinypool replaces a crashed worker).
 *
 * The worker threads are started once per process and shared by every pool of the same size:
 * starting two (loading exceljs, and tsx when running from the sources) cost ~2 s, paid again at
 * each published month (docs/measured-choices.md). `close()` ends a pool's own use; the threads stay,
 * idle and unref'd by tinypool, so they never keep the process alive.
 */

export interface WorkbookPoolOptions {
  /** worker threads; default min(2, os.availableParallelism()) */
  size?: number;
  /** jobs queued or running before ready() waits; default 2 × size */
  maxPending?: number;
}

export interface WorkbookPool {
  readonly size: number;
  /** Queues one workbook. Await ready() first to keep within maxPending. */
  write(path: string, data: CountyWorkbookData): Promise<CountyWorkbookResult>;
  /** Resolves when one more job fits within maxPending. */
  ready(): Promise<void>;
  /** Waits for every queued job of this pool to settle; later writes are refused. */
  close(): Promise<void>;
}

/** A county workbook that could not be written. The message carries no personal data. */
export class WorkbookJobError extends Error {
  override name = 'WorkbookJobError';
  constructor(
    readonly countyCode: string,
    readonly file: string,
    readonly reason: string,
  ) {
    super(`county workbook ${countyCode} (${file}) failed: ${reason}`);
  }
}

// compiled (dist/, bin/hedui.js) the worker is plain JS; from the sources (tests, scripts) a bootstrap registers tsx first
const BOOTSTRAP = new URL(import.meta.url.endsWith('.ts') ? './county-workbook.worker.mjs' : './county-workbook.worker.js', import.meta.url);

/**
 * Why a worker failed outside the job's own code (it answers with a reason for those): before
 * start-up the message is about module loading (paths, syntax), never about data; after, only the
 * error's name and code are kept, since a library's message may quote a cell.
 */
function lostWorker(error: unknown): string {
  const e = error as Error & { code?: string };
  if (/Cannot find module|ERR_MODULE_NOT_FOUND|SyntaxError/.test(`${e?.code} ${e?.name} ${e?.message}`)) return `worker failed to start: ${e.message}`;
  return `worker stopped (${e?.code ?? e?.name ?? 'unknown'})`;
}

/** The process's worker threads, by number of threads. */
const threads = new Map<number, Tinypool>();

function threadsOf(size: number): Tinypool {
  let pool = threads.get(size);
  if (!pool) {
    pool = new Tinypool({
      filename: BOOTSTRAP.href,
      minThreads: size,
      maxThreads: size,
      // No node options: the bootstrap registers what a worker needs (tsx from the sources). Inherited
      // ones stop it: --input-type (from `node -e`) fails in a worker, and V8 flags such as
      // --max-old-space-size, refused when passed on explicitly, exited a whole run at publication.
      execArgv: [],
    });
    threads.set(size, pool);
  }
  return pool;
}

export function createWorkbookPool(options: WorkbookPoolOptions = {}): WorkbookPool {
  const size = Math.max(1, options.size ?? Math.min(2, availableParallelism()));
  const maxPending = Math.max(1, options.maxPending ?? 2 * size);
  const pool = threadsOf(size);
  let pending = 0; // queued + running
  let closing = false;
  let waiters: (() => void)[] = [];
  const running = new Set<Promise<unknown>>();

  const settle = (): void => {
    pending -= 1;
    if (pending < maxPending) {
      const w = waiters;
      waiters = [];
      w.forEach((f) => f());
    }
  };

  return {
    size,
    write(path, data) {
      const countyCode = data.meta.countyCode;
      const fail = (reason: string) => new WorkbookJobError(countyCode, basename(path), reason);
      if (closing) return Promise.reject(fail('workbook pool is closed'));
      pending += 1;
      const job: WorkerJob = { path, data };
      const written = (pool.run(job) as Promise<WorkerReply>).then(
        (reply) => {
          if (reply.type === 'failed') throw fail(reply.reason);
          return reply.result;
        },
        (error: unknown) => {
          throw fail(lostWorker(error));
        },
      );
      const tracked = written.finally(settle).catch(() => undefined);
      running.add(tracked);
      void tracked.then(() => running.delete(tracked));
      return written;
    },
    ready() {
      if (pending < maxPending || closing) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    async close() {
      closing = true;
      await Promise.all(running);
      waiters.forEach((f) => f());
      waiters = [];
    },
  };
}

export interface CountyWorkbookJob {
  path: string;
  data: CountyWorkbookData;
}

export type CountyWorkbookOutcome =
  | { path: string; countyCode: string; ok: true; result: CountyWorkbookResult }
  | { path: string; countyCode: string; ok: false; error: WorkbookJobError };

/**
 * Writes every job of `jobs` on a pool, pulling the next job only when the pool has room, so a
 * generator that loads each county's rows as it is pulled keeps at most maxPending datasets alive.
 * Outcomes come back in job order; one county's failure does not stop the others.
 */
export async function writeCountyWorkbooks(
  jobs: Iterable<CountyWorkbookJob> | AsyncIterable<CountyWorkbookJob>,
  options: WorkbookPoolOptions = {},
): Promise<CountyWorkbookOutcome[]> {
  const pool = createWorkbookPool(options);
  const outcomes: Promise<CountyWorkbookOutcome>[] = [];
  try {
    await pool.ready();
    for await (const job of jobs) {
      const countyCode = job.data.meta.countyCode;
      outcomes.push(
        pool.write(job.path, job.data).then(
          (result): CountyWorkbookOutcome => ({ path: job.path, countyCode, ok: true, result }),
          (error: WorkbookJobError): CountyWorkbookOutcome => ({ path: job.path, countyCode, ok: false, error }),
        ),
      );
      await pool.ready();
    }
    return await Promise.all(outcomes);
  } finally {
    await pool.close();
  }
}
