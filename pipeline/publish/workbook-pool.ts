import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CountyWorkbookResult } from './county-workbook.ts';
import type { WorkerJob, WorkerReply } from './county-workbook.worker.ts';
import type { CountyWorkbookData } from './workbook-data.ts';

/**
 * Writes county workbooks on worker threads. exceljs is synchronous JS on one thread, so
 * p-limit cannot overlap two workbooks; two worker threads can (DESIGN.md: 100 × 10 k rows,
 * 31 s sequential, 18 s on 2 workers).
 *
 * Each worker writes one workbook at a time from a CountyWorkbookData posted to it (a structured
 * clone; the pool drops its own reference as soon as the job is posted). Back-pressure: at most
 * `maxPending` jobs (default 2 × workers) are queued or running; `ready()` resolves when one more
 * fits, so a caller that awaits it before loading each county never holds more than that many
 * county datasets. `writeCountyWorkbooks` does exactly that over a lazy (async) iterable.
 *
 * A failed job rejects with a WorkbookJobError naming only the county code and file name; the
 * pool keeps going (a crashed worker is replaced).
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
  /** Waits for every queued job to settle, then stops the workers. */
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

const BOOTSTRAP = new URL('./county-workbook.worker.mjs', import.meta.url);

interface Job {
  id: number;
  path: string;
  countyCode: string;
  data: CountyWorkbookData | undefined; // dropped once posted
  resolve: (r: CountyWorkbookResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  started: boolean;
}

export function createWorkbookPool(options: WorkbookPoolOptions = {}): WorkbookPool {
  const size = Math.max(1, options.size ?? Math.min(2, availableParallelism()));
  const maxPending = Math.max(1, options.maxPending ?? 2 * size);
  const queue: Job[] = [];
  const slots: Slot[] = [];
  let pending = 0; // queued + running
  let nextId = 1;
  let closing = false;
  let broken: string | undefined; // set when a worker cannot even start: the pool stops taking jobs
  let waiters: (() => void)[] = [];
  let drained: (() => void) | undefined;

  const fail = (job: Job, reason: string): void => job.reject(new WorkbookJobError(job.countyCode, basename(job.path), reason));

  const settle = (): void => {
    pending -= 1;
    if (pending < maxPending) {
      const w = waiters;
      waiters = [];
      w.forEach((f) => f());
    }
    if (pending === 0 && drained) drained();
  };

  function spawn(): Slot {
    // Workers inherit the parent's node options; --input-type (from `node -e`) would stop them.
    const worker = new Worker(BOOTSTRAP, { execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')) });
    const slot: Slot = { worker, job: undefined, started: false };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') {
        slot.started = true;
        return;
      }
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      slot.job = undefined;
      if (reply.type === 'done') job.resolve(reply.result);
      else fail(job, reply.reason);
      settle();
      dispatch();
    });
    // An uncaught error or exit inside the worker: fail its job, replace the worker.
    let gone = false;
    const lost = (reason: string): void => {
      if (gone) return;
      gone = true;
      const index = slots.indexOf(slot);
      if (index >= 0) slots.splice(index, 1);
      const job = slot.job;
      slot.job = undefined;
      if (!slot.started) broken = reason;
      if (job) {
        fail(job, reason);
        settle();
      }
      if (broken || (closing && slots.length === 0)) {
        for (const j of queue.splice(0)) {
          fail(j, `workbook pool unavailable: ${broken ?? reason}`);
          settle();
        }
      } else if (!closing) {
        slots.push(spawn());
        dispatch();
      }
    };
    worker.on('error', (error: Error & { code?: string }) => {
      // Before start-up the message is about module loading (paths, syntax), never about data.
      lost(slot.started ? `worker stopped (${error.code ?? error.name})` : `worker failed to start: ${error.message}`);
    });
    worker.on('exit', (code) => lost(`worker exited with code ${code}`));
    return slot;
  }

  function dispatch(): void {
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (slot.job) continue;
      const job = queue.shift()!;
      slot.job = job;
      const message: WorkerJob = { id: job.id, path: job.path, data: job.data! };
      job.data = undefined;
      slot.worker.postMessage(message);
    }
  }

  for (let i = 0; i < size; i++) slots.push(spawn());

  return {
    size,
    write(path, data) {
      if (closing) return Promise.reject(new WorkbookJobError(data.meta.countyCode, basename(path), 'workbook pool is closed'));
      if (broken) return Promise.reject(new WorkbookJobError(data.meta.countyCode, basename(path), `workbook pool unavailable: ${broken}`));
      return new Promise<CountyWorkbookResult>((resolve, reject) => {
        pending += 1;
        queue.push({ id: nextId++, path, countyCode: data.meta.countyCode, data, resolve, reject });
        dispatch();
      });
    },
    ready() {
      if (pending < maxPending || broken || closing) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    async close() {
      closing = true;
      if (pending > 0) await new Promise<void>((resolve) => (drained = resolve));
      const all = slots.splice(0);
      await Promise.all(
        all.map(async (s) => {
          s.worker.removeAllListeners('exit');
          s.worker.removeAllListeners('error');
          s.worker.on('error', () => {});
          await s.worker.terminate();
        }),
      );
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
