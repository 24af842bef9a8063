/**
 * A requests run, as `hedui requests run` and every nightly run do it: read new request files,
 * answer every open request, and rewrite the portal's index when anything changed (the portal
 * computes each request's state on its own day from the dates the index holds).
 */
import type { Config } from '../../config/config.ts';
import type { Warehouse } from '../warehouse.ts';
import type { StateDb } from '../state.ts';
import { takeRequests, type RequestFileOutcome } from './intake.ts';
import { answerRequests, type AnsweredRequest } from './answer.ts';
import { writeRequestIndex } from './status.ts';

export interface RequestsReport {
  files: RequestFileOutcome[];
  answered: AnsweredRequest[];
}

export async function runRequests(w: Warehouse, dataDir: string, options: { config: Config; state: StateDb; actor: string; today: string }): Promise<RequestsReport> {
  const files = await takeRequests(w, dataDir, options);
  const answered = await answerRequests(w, dataDir, options);
  if (files.length || answered.length) await writeRequestIndex(w, dataDir, options.today);
  return { files, answered };
}
