/**
 * Answering check requests (逢救必核, docs/check-requests.md): every open request is checked against
 * the latest snapshot of every feed (pipeline/inputs.ts latestFeeds) and gets its 核对报告, a
 * workbook of findings, not a decision (report-workbook.ts), at
 * `out/requests/<county code>/<委托编号>/核对报告_<委托编号>.xlsx`.
 *
 * One run answers every open request at once: the snapshots' views are made once; each member's
 * records are read from every feed; then the families take the roster's place (req_roster.sql)
 * and the match context and every rule that judges applicants (RuleDefinition.applicants) run as
 * for a month whose last day is the report's day. A report is written whole (a temporary name, then
 * renamed) before its request is recorded answered, so a crash between the two writes it again.
 */
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Config } from '../../config/config.ts';
import type { FeedAdapter } from '../../adapters/feed.ts';
import { RULES } from '../../rules/index.ts';
import type { Warehouse } from '../warehouse.ts';
import type { StateDb } from '../state.ts';
import { recordAudit } from '../audit.ts';
import { ident, literal } from '../sql.ts';
import { runSteps, sqlFile, table } from '../steps.ts';
import { createSnapshotViews, dropPreparedMatch, matchSteps } from '../match.ts';
import { latestFeeds, type LatestFeed } from '../inputs.ts';
import type { Period } from '../period.ts';
import { logger } from '../../base/log.ts';
import type { ReportData } from './report-workbook.ts';
import { reportFileOf } from './status.ts';

export interface AnswerOptions {
  config: Config;
  state: StateDb;
  actor: string;
  /** the report's day, 'YYYY-MM-DD', China Standard Time */
  today: string;
}

export interface AnsweredRequest {
  county: string;
  requestNo: string;
  /** relative to the data folder */
  reportFile: string;
  findings: number;
  late: boolean;
}

/** The rules that judge an applicant's family, in the registry's order. */
export const APPLICANT_RULES = RULES.filter((r) => r.applicants);

const MEMBERS = table('req_members');

/** Answers every open request received by `today` (a run dated earlier leaves later ones open); returns what was written. */
export async function answerRequests(w: Warehouse, dataDir: string, options: AnswerOptions): Promise<AnsweredRequest[]> {
  const open = await w.rows<RequestRow>(
    'requests:open',
    `select request_key, county_code, request_no, kind, program, household_ref, file,
            strftime(received_on, '%Y-%m-%d') as received_on, strftime(requested_on, '%Y-%m-%d') as requested_on,
            strftime(due_on, '%Y-%m-%d') as due_on
     from check_requests where status = 'open' and received_on <= $today order by request_key`,
    { today: options.today },
  );
  if (!open.length) return [];
  // loaded when there is a report to write: exceljs is no part of a night without requests
  const { writeReportWorkbook } = await import('./report-workbook.ts');
  const today = options.today;
  const feeds = await latestFeeds(w, today, options.config);
  const snapshots = feeds.flatMap((f) => (f.snapshot ? [f.snapshot] : []));
  // the report's day is the last day of the month the rules judge
  const month: Period = { name: today.slice(0, 7), kind: 'month', start: `${today.slice(0, 7)}-01`, end: today };
  try {
    await createSnapshotViews(w, snapshots, month);
    await runSteps(w, [{ name: 'requests:members', creates: MEMBERS, sql: sqlFile('req_members.sql'), params: { report_date: today } }]);
    const records = await memberRecords(w, feeds);
    await w.exec('requests:roster', `create or replace temp view snap_roster as ${sqlFile('req_roster.sql')}`);
    await runSteps(w, matchSteps(month, options.config, snapshots, { rules: APPLICANT_RULES }));
    const findings = await w.rows<Finding>('requests:findings', sqlFile('req_findings.sql'), { report_date: today });
    const members = await w.rows<Member>(
      'requests:family',
      "select request_key, person_id, name, relation, is_applicant, strftime(authorization_signed_on, '%Y-%m-%d') as signed_on from req_members order by request_key, line",
    );
    const answered: AnsweredRequest[] = [];
    for (const r of open) {
      const data: ReportData = {
        request: r,
        reportDate: today,
        members: members.filter((m) => m.request_key === r.request_key),
        records: records.filter((x) => x.request_key === r.request_key),
        findings: findings.filter((f) => f.request_key === r.request_key),
        feeds,
        config: options.config,
      };
      const reportFile = reportFileOf(r.county_code, r.request_no);
      const path = join(dataDir, reportFile);
      await mkdir(dirname(path), { recursive: true });
      await writeReportWorkbook(data, `${path}.tmp`);
      await rename(`${path}.tmp`, path);
      await w.exec('requests:answered', "update check_requests set status = 'answered', answered_on = $today, report_file = $report where request_key = $key and file = $file", {
        today,
        report: reportFile,
        key: r.request_key,
        file: r.file,
      });
      const late = today > r.due_on;
      answered.push({ county: r.county_code, requestNo: r.request_no, reportFile, findings: data.findings.length, late });
      recordAudit(options.state, { actor: options.actor, action: 'requests.answer', subject: reportFile, detail: `${data.findings.length} findings${late ? ', late' : ''}` });
    }
    logger().info({ requests: answered.length, findings: findings.length, late: answered.filter((a) => a.late).length }, 'check requests answered');
    return answered;
  } finally {
    await dropPreparedMatch(w);
    await w.exec('requests:cleanup', 'drop table if exists req_members; drop view if exists snap_roster');
  }
}

export interface RequestRow {
  request_key: string;
  county_code: string;
  request_no: string;
  kind: string;
  program: string;
  household_ref: string | null;
  file: string;
  received_on: string;
  requested_on: string;
  due_on: string;
}

export interface Member {
  request_key: string;
  person_id: string;
  name: string;
  relation: string;
  is_applicant: boolean;
  signed_on: string;
}

export interface MemberRecord {
  request_key: string;
  person_id: string;
  feed: string;
  period: string;
  delivered_on: string;
  record: string;
}

export interface Finding {
  request_key: string;
  rule_id: string;
  source_feed: string;
  source_period: string;
  person_id: string;
  severity: 'high' | 'medium' | 'low';
  record_key: string | null;
  evidence: string;
  whitelist_entry: string | null;
}

/**
 * Every record of a member in each feed's snapshot: the rows where one of the feed's ID columns is
 * the member's, described in words (`header：value；…`). Another person's ID in the same row (a
 * spouse, an obligor) is shown masked: the report goes to the county that asked about this family.
 */
async function memberRecords(w: Warehouse, feeds: LatestFeed[]): Promise<MemberRecord[]> {
  const selects: string[] = [];
  for (const { feed, snapshot } of feeds) {
    if (!snapshot) continue;
    const present = new Set(
      (await w.rows<{ name: string }>('requests:columns', 'select column_name as name from duckdb_columns() where table_name = $t', { t: `shape_${feed.table}` })).map((c) => c.name),
    );
    const sql = recordsSql(feed, present);
    if (sql) selects.push(sql);
  }
  if (!selects.length) return [];
  return w.rows<MemberRecord>('requests:records', `${selects.join('\nunion all\n')}\norder by request_key, person_id, feed, period, line`);
}

/** The SELECT of a feed's rows about the members (pure); none for a feed without an ID column. */
export function recordsSql(feed: FeedAdapter, present: ReadonlySet<string>): string | null {
  const columns = feed.columns.filter((c) => present.has(c.name));
  const ids = columns.filter((c) => c.kind === 'id_number' || c.kind === 'document_number');
  if (!ids.length) return null;
  const value = (c: (typeof columns)[number]) => {
    const v = `r.${ident(c.name)}`;
    if (ids.includes(c)) return `case when ${v} = m.person_id then ${v} else hedui_id_masked(${v}) end`;
    if (c.kind === 'yes_no') return `case ${v} when true then '是' when false then '否' end`;
    return `${v}::varchar`;
  };
  const parts = columns.map((c) => `${literal(`${c.headers[0]}：`)} || ${value(c)}`);
  return `select m.request_key, m.person_id, ${literal(feed.id)} as feed, l.period, strftime(l.loaded_at + interval 8 hour, '%Y-%m-%d') as delivered_on, r.line,
       concat_ws('；', ${parts.join(', ')}) as record
from snap_${feed.table.slice(4)} r
join loads l using (load_id)
join req_members m on m.person_id in (${ids.map((c) => `r.${ident(c.name)}`).join(', ')})`;
}

