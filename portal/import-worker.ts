/**
 * One returned workbook's import, in a child process of the portal (imports.ts): receives one
 * ImportJob, waits for the data folder's lock (up to job.lockWaitMs), imports with the pipeline's
 * importer under the uploading account, refreshes the period's index so the portal's pages show
 * the result, answers, exits. It runs under a heap cap and a time limit set by the parent.
 * An answered request workbook (job.kind 'assist') is imported by importAssistAnswers instead,
 * held to the uploading league's own 协查请求 (job.expectLeague); the period index holds no
 * request answers, so it is left as it is.
 */
import { HeduiError, LockHeldError } from '../base/errors.ts';
import { startLogging } from '../base/log.ts';
import { importFeedback } from '../pipeline/feedback.ts';
import { importAssistAnswers } from '../pipeline/assist/answers.ts';
import { refreshPeriodIndex } from '../pipeline/publish/period-index.ts';
import { withSession } from '../pipeline/run.ts';
import type { ImportJob, WorkerMessage } from './imports.ts';

const send = (m: WorkerMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

process.once('message', (job: ImportJob) => {
  void (async () => {
    startLogging(job.dataDir);
    try {
      await withSession({ dataDir: job.dataDir, configPath: job.configPath, command: 'portal import', lockWaitMs: job.lockWaitMs }, async (s) => {
        await send({ type: 'locked' });
        if (job.kind === 'assist') {
          const answers = await importAssistAnswers(s.w, job.path, {
            config: s.config.config,
            state: s.state,
            actor: job.actor,
            expectLeague: job.expectLeague,
            remote: job.remote,
            receivedOn: job.receivedOn,
          });
          await send({ type: 'assist', result: answers });
          return { status: answers.status, accepted: answers.accepted };
        }
        const result = await importFeedback(s.w, job.path, {
          config: s.config.config,
          state: s.state,
          actor: job.actor,
          expectCounty: job.county,
          remote: job.remote,
          receivedOn: job.receivedOn,
        });
        if (result.period) await refreshPeriodIndex(s.w, s.dataDir, result.period, s.config.config);
        await send({ type: 'result', result });
        return { status: result.status, accepted: result.accepted };
      });
    } catch (e) {
      // typed errors carry no personal data; anything else is named by its class only
      await send({ type: 'error', message: e instanceof HeduiError ? e.message : (e as Error).name, busy: e instanceof LockHeldError });
    }
    process.disconnect?.();
  })();
});
