/**
 * Where check requests stand (docs/check-requests.md): each request with its state on a day, the
 * 15-day record per county, and the index the portal reads (`out/requests/index.json`: the portal
 * never opens the warehouse, which the nightly run holds). Nothing here holds personal data: a
 * request is named by its county and 委托编号, a refusal by row numbers and reasons.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COUNTIES, countyName } from '../../domain/divisions.ts';
import type { Warehouse } from '../warehouse.ts';

/**
 * Where a request's report goes, relative to the data folder (委托编号 was checked by intake: no '/',
 * no '.'); the portal builds a download's path with it too.
 */
export const reportFileOf = (county: string, requestNo: string) => join('out', 'requests', county, requestNo, `核对报告_${requestNo}.xlsx`);

/** open: not answered, not yet due; overdue: not answered, past due; answered / late: by the report's day against the due day. */
export type RequestState = 'open' | 'overdue' | 'answered' | 'late' | 'refused';

export const REQUEST_STATE_TITLES: Record<RequestState, string> = { open: '核对中', overdue: '逾期未出具', answered: '已出具', late: '逾期出具', refused: '退回' };

export interface RequestStatus {
  county: string;
  countyName: string;
  requestNo: string;
  kind: string;
  program: string;
  members: number;
  requestedOn: string;
  receivedOn: string;
  dueOn: string;
  state: RequestState;
  answeredOn: string | null;
  /** the report, relative to the data folder */
  report: string | null;
  /** why it was refused: row numbers and reasons */
  refusal: string | null;
}

/** The state of a request on `asOf` (pure). */
export function requestState(r: { status: string; dueOn: string; answeredOn: string | null }, asOf: string): RequestState {
  if (r.status === 'refused') return 'refused';
  if (r.status === 'answered' && r.answeredOn !== null) return r.answeredOn > r.dueOn ? 'late' : 'answered';
  return asOf > r.dueOn ? 'overdue' : 'open';
}

/** Every request but those a later file replaced, newest first; of one county when given. */
export async function requestStatuses(w: Warehouse, asOf: string, county?: string): Promise<RequestStatus[]> {
  const rows = await w.rows<{ county_code: string; request_no: string; kind: string; program: string; members: number; requested_on: string; received_on: string; due_on: string; status: string; answered_on: string | null; report_file: string | null; refusal: string | null }>(
    'requests:status',
    `select county_code, request_no, kind, program, members, strftime(requested_on, '%Y-%m-%d') as requested_on, strftime(received_on, '%Y-%m-%d') as received_on,
            strftime(due_on, '%Y-%m-%d') as due_on, status, strftime(answered_on, '%Y-%m-%d') as answered_on, report_file, refusal
     from check_requests
     where status <> 'replaced' and ($county::varchar is null or county_code = $county)
     order by received_on desc, county_code, request_no, recorded_at`,
    { county: county ?? null },
  );
  return rows.map((r) => ({
    county: r.county_code,
    countyName: countyName(r.county_code) ?? r.county_code,
    requestNo: r.request_no,
    kind: r.kind,
    program: r.program,
    members: r.members,
    requestedOn: r.requested_on,
    receivedOn: r.received_on,
    dueOn: r.due_on,
    state: requestState({ status: r.status, dueOn: r.due_on, answeredOn: r.answered_on }, asOf),
    answeredOn: r.answered_on,
    report: r.report_file,
    refusal: r.refusal,
  }));
}

export interface RequestTotals {
  county: string;
  countyName: string;
  received: number;
  answeredOnTime: number;
  answeredLate: number;
  open: number;
  overdue: number;
  refused: number;
}

/**
 * The 15-day record of reports per county (pure): requests whose 委托日期 falls in [from, until]
 * when given, every county of the region listed (zeros included), by code. A report is on time when
 * written on or before its due day (委托日期 + deadline_days, the next working day).
 */
export function requestTotals(statuses: readonly RequestStatus[], from?: string, until?: string): RequestTotals[] {
  const counts = new Map(COUNTIES.map((c) => [c.code, { received: 0, answered: 0, late: 0, open: 0, overdue: 0, refused: 0 }]));
  for (const s of statuses) {
    if ((from && s.requestedOn < from) || (until && s.requestedOn > until)) continue;
    const n = counts.get(s.county);
    if (!n) continue;
    n.received++;
    n[s.state]++;
  }
  return COUNTIES.map((c) => {
    const n = counts.get(c.code)!;
    return { county: c.code, countyName: c.name, received: n.received, answeredOnTime: n.answered, answeredLate: n.late, open: n.open, overdue: n.overdue, refused: n.refused };
  });
}

/** What the portal reads: out/requests/index.json, written whole (a temporary name, then renamed). */
export interface RequestIndex {
  asOf: string;
  requests: RequestStatus[];
}

export const requestIndexPath = (dataDir: string) => join(dataDir, 'out', 'requests', 'index.json');

export async function writeRequestIndex(w: Warehouse, dataDir: string, asOf: string): Promise<void> {
  const index: RequestIndex = { asOf, requests: await requestStatuses(w, asOf) };
  const path = requestIndexPath(dataDir);
  await mkdir(join(dataDir, 'out', 'requests'), { recursive: true });
  await writeFile(`${path}.tmp`, JSON.stringify(index, null, 1));
  await rename(`${path}.tmp`, path);
}
