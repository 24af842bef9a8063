import { parentPort } from 'node:worker_threads';
import { writeCountyWorkbook } from './county-workbook.ts';
import type { CountyWorkbookData } from './workbook-data.ts';
import { WorkbookDataError } from './xlsx-format.ts';

/**
 * Inside a pool worker (loaded through county-workbook.worker.mjs): writes one county workbook
 * per message, one at a time, and answers with the result or a reason that holds no personal
 * data (our own data errors name sheet/row/field only; anything else is reduced to its name and
 * code, since a library's message may quote a cell).
 */

export interface WorkerJob {
  id: number;
  path: string;
  data: CountyWorkbookData;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'done'; id: number; result: Awaited<ReturnType<typeof writeCountyWorkbook>> }
  | { type: 'failed'; id: number; reason: string };

export function safeReason(error: unknown): string {
  if (error instanceof WorkbookDataError) return error.message;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${error.name} ${code}` : error.name;
  }
  return 'non-error thrown';
}

const port = parentPort;
if (port) {
  port.on('message', (job: WorkerJob) => {
    writeCountyWorkbook(job.path, job.data).then(
      (result) => port.postMessage({ type: 'done', id: job.id, result } satisfies WorkerReply),
      (error: unknown) => port.postMessage({ type: 'failed', id: job.id, reason: safeReason(error) } satisfies WorkerReply),
    );
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}
