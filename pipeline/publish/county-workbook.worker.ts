import { writeCountyWorkbook } from './county-workbook.ts';
import type { CountyWorkbookData } from './workbook-data.ts';
import { WorkbookDataError } from './xlsx-format.ts';

/**
 * Inside a pool worker (tinypool, loaded through county-workbook.worker.mjs): writes one county
 * workbook per task and answers with the result or a reason that holds no personal data (our own
 * data errors name sheet/row/field only; anything else is reduced to its name and code, since a
 * library's message may quote a cell). It never throws: a thrown error would carry its message.
 */

export interface WorkerJob {
  path: string;
  data: CountyWorkbookData;
}

export type WorkerReply = { type: 'done'; result: Awaited<ReturnType<typeof writeCountyWorkbook>> } | { type: 'failed'; reason: string };

export function safeReason(error: unknown): string {
  if (error instanceof WorkbookDataError) return error.message;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${error.name} ${code}` : error.name;
  }
  return 'non-error thrown';
}

export default async function writeJob(job: WorkerJob): Promise<WorkerReply> {
  try {
    return { type: 'done', result: await writeCountyWorkbook(job.path, job.data) };
  } catch (error) {
    return { type: 'failed', reason: safeReason(error) };
  }
}
