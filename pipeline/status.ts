/** What `status` and `quarantine` show: counts, file names, line numbers and reasons — no personal data. */
import type { Warehouse } from './warehouse.ts';
import { LOAD_USED_BY_PERIOD } from './match.ts';

export interface StatusReport {
  runs: Record<string, unknown>[];
  loads: Record<string, unknown>[];
  flags: Record<string, unknown>[];
}

export async function status(w: Warehouse, period?: string): Promise<StatusReport> {
  const filter = period ? 'where period = $period' : '';
  const params = period ? { period } : undefined;
  const runs = await w.rows(
    'status:runs',
    `select run_id, command, period, strftime(started_at, '%Y-%m-%d %H:%M:%S') as started_at, strftime(ended_at, '%Y-%m-%d %H:%M:%S') as ended_at,
       outcome, round(epoch(ended_at) - epoch(started_at), 1)::double as seconds
     from runs ${filter} order by started_at desc limit 20`,
    params,
  );
  const loads = await w.rows(
    'status:loads',
    `select feed, period, file, status, rows_read, rows_staged, rows_quarantined, reason from loads l
     ${period ? `where l.period = $period or ${LOAD_USED_BY_PERIOD}` : ''}
     order by period desc, feed, file limit 200`,
    params,
  );
  const flags = await w.rows(
    'status:flags',
    `select period, rule_id, status, count(*)::integer as flags, count(distinct household_id)::integer as households
     from flags ${filter} group by all order by period desc, rule_id, status`,
    params,
  );
  return { runs, loads, flags };
}

export async function quarantineReport(w: Warehouse, period: string, feed?: string): Promise<Record<string, unknown>[]> {
  return w.rows(
    'quarantine:list',
    `select q.feed, l.period, q.file, q.line, q.reason, q.field
     from quarantine q join loads l using (load_id)
     where l.status <> 'superseded'
       and (l.period = $period or ${LOAD_USED_BY_PERIOD})
       ${feed ? 'and q.feed = $feed' : ''}
     order by q.feed, q.file, q.line`,
    feed ? { period, feed } : { period },
  );
}
