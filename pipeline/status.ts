/** What `status` and `quarantine` show: counts, file names, line numbers and reasons — no personal data. */
import type { Warehouse } from './warehouse.ts';
import { LOAD_USED_BY_PERIOD } from './match.ts';
import { feedById } from '../adapters/index.ts';
import { fieldText, quarantineReasonText } from './quarantine-reasons.ts';
import { queuedQuietRuns } from './quiet-night.ts';

export interface StatusReport {
  runs: Record<string, unknown>[];
  loads: Record<string, unknown>[];
  flags: Record<string, unknown>[];
}

export async function status(w: Warehouse, period?: string): Promise<StatusReport> {
  const filter = period ? 'where period = $period' : '';
  const params = period ? { period } : undefined;
  // with the quiet nights not yet written into runs (pipeline/quiet-night.ts): a command that only
  // reads does not write them, so that the next night can still be a quiet one
  const queued = w.dataDir ? await queuedQuietRuns(w.dataDir) : [];
  const runs = await w.rows(
    'status:runs',
    `with queued as (
       select q.run_id, 'nightly' as command, null::varchar as period, q.started_at::timestamptz::timestamp as started_at,
         q.ended_at::timestamptz::timestamp as ended_at, q.outcome
       from (select unnest(from_json($queued, '[{"run_id": "VARCHAR", "started_at": "VARCHAR", "ended_at": "VARCHAR", "outcome": "VARCHAR"}]'), recursive := true)) q
     ),
     all_runs as (
       select run_id, command, period, started_at, ended_at, outcome from runs
       union all
       select * from queued
     )
     select run_id, command, period, strftime(started_at, '%Y-%m-%d %H:%M:%S') as started_at, strftime(ended_at, '%Y-%m-%d %H:%M:%S') as ended_at,
       outcome, round(epoch(ended_at) - epoch(started_at), 1)::double as seconds
     -- the column, not the text of the same name above (whole seconds: runs within one second came in any order)
     from all_runs ${filter} order by all_runs.started_at desc, run_id desc limit 20`,
    { ...params, queued: JSON.stringify(queued) },
  );
  const loads = await w.rows(
    'status:loads',
    `select feed, period, file, status, rows_read, rows_staged, rows_quarantined, reason,
       rows_above_header, footer_rows, sheets, note from loads l
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

/**
 * One row per problem to send back to a department, for a month: each quarantined row (file and
 * line) and each file refused whole (line empty), of the month's own files and of the snapshots
 * the month used. Reasons come as the code and as Chinese text; fields as the department's header.
 */
export interface QuarantineEntry {
  feed: string;
  feed_title: string;
  period: string;
  file: string;
  /** null for a file refused whole */
  line: number | null;
  /** the reason code (quarantine-reasons.ts); `rejected_file` for a file refused whole */
  reason: string;
  reason_text: string;
  field: string | null;
  field_text: string;
}

/** The CSV a department clerk opens: Chinese headers, in this order. */
export const QUARANTINE_CSV_COLUMNS = [
  { key: 'feed_title', header: '数据' },
  { key: 'period', header: '期别' },
  { key: 'file', header: '文件' },
  { key: 'line', header: '行号' },
  { key: 'reason_text', header: '原因' },
  { key: 'field_text', header: '字段' },
] as const;

/** A refused file's reason, said once that the whole file went back (some reasons say so already). */
const rejectedText = (detail: string | null) => (detail?.includes('整个文件退回') ? detail : `整个文件退回：${detail ?? ''}`);

export async function quarantineReport(w: Warehouse, period: string, feed?: string): Promise<QuarantineEntry[]> {
  const rows = await w.rows<{ feed: string; period: string; file: string; line: number | null; reason: string; detail: string | null; field: string | null }>(
    'quarantine:list',
    `with used as (
       select * from loads l where (l.period = $period or ${LOAD_USED_BY_PERIOD}) ${feed ? 'and l.feed = $feed' : ''}
     ),
     rejected_files as (
       select feed, period, file, null::integer as line, 'rejected_file' as reason, reason as detail, null::varchar as field
       from used where status = 'rejected'
     ),
     quarantined_rows as (
       select q.feed, used.period, q.file, q.line, q.reason, null::varchar as detail, q.field
       from quarantine q join used using (load_id)
       where used.status <> 'superseded'
     ),
     final as (select * from rejected_files union all select * from quarantined_rows)
     select * from final order by feed, line is not null, file, line`,
    feed ? { period, feed } : { period },
  );
  return rows.map((r) => ({
    feed: r.feed,
    feed_title: feedById(r.feed)?.title ?? r.feed,
    period: r.period,
    file: r.file,
    line: r.line,
    reason: r.reason,
    reason_text: r.reason === 'rejected_file' ? rejectedText(r.detail) : quarantineReasonText(r.reason),
    field: r.field,
    field_text: fieldText(r.feed, r.field),
  }));
}
