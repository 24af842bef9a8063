/**
 * Check requests (逢救必核, docs/check-requests.md) as the portal shows them. The portal never opens
 * the warehouse: it reads what the requests run writes for it, `out/requests/index.json`
 * (pipeline/requests/status.ts: county, 委托编号, dates, state, report path, refusal text — no
 * personal data), and the state store's audit, where its own uploads (`portal.request-upload`) and
 * the run's reading of each file (`requests.receive` / `requests.reject`, subject the file's path in
 * the data folder, pipeline/requests/intake.ts) are recorded.
 *
 * No path is built from request input: an upload is saved under a generated name
 * (`<YYYYMMDD-HHMMSS>_<sha256, 16 hex>.<xlsx|xls|csv>`, the extension from the file's content) in
 * `inbox/requests/<today, China Standard Time>/<the account's county>/`; a report is named by
 * (county code, 委托编号), the code checked against COUNTIES and the account's scope, the number
 * against the index's answered entries, and the path built the way the requests run names reports.
 */
import { readFile } from 'node:fs/promises';
import { COUNTIES, type County } from '../domain/divisions.ts';
import { logger } from '../base/log.ts';
import { chinaTime } from '../pipeline/period.ts';
import type { StateDb } from '../pipeline/state.ts';
import {
  REQUEST_STATE_TITLES,
  reportFileOf,
  requestIndexPath,
  requestState,
  requestTotals,
  type RequestIndex,
  type RequestState,
  type RequestStatus,
  type RequestTotals,
} from '../pipeline/requests/status.ts';

/** 委托编号 as intake accepts it (pipeline/requests/staging.sql): no '/', '.', '%' or space. */
export const REQUEST_NO = /^[0-9A-Za-z\u4e00-\u9fff_()（）〔〕\[\]-]{1,40}$/u;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** What a request shows as on a page: the index's entry with its state on the portal's day. */
export interface ShownRequest extends RequestStatus {
  /** whether the report may be downloaded: answered, and the index names the report where the run writes it */
  hasReport: boolean;
}

const isDayOrNull = (v: unknown) => v === null || (typeof v === 'string' && DAY.test(v));

/** One entry of the index as the portal accepts it: a county of the region, a valid 委托编号, real dates. */
function validEntry(r: unknown): r is RequestStatus {
  if (!r || typeof r !== 'object') return false;
  const x = r as Record<string, unknown>;
  return (
    typeof x.county === 'string' &&
    COUNTIES.some((c) => c.code === x.county) &&
    typeof x.requestNo === 'string' &&
    REQUEST_NO.test(x.requestNo) &&
    [x.requestedOn, x.receivedOn, x.dueOn].every((d) => typeof d === 'string' && DAY.test(d)) &&
    typeof x.state === 'string' &&
    Object.hasOwn(REQUEST_STATE_TITLES, x.state) &&
    isDayOrNull(x.answeredOn) &&
    (x.report === null || typeof x.report === 'string') &&
    (x.refusal === null || typeof x.refusal === 'string')
  );
}

/**
 * `out/requests/index.json`, or undefined before the first requests run wrote one. The run writes
 * it whole (a temporary name, then renamed); an entry the portal cannot take is left out (and
 * counted in the log, which names nothing else).
 */
export async function readRequestIndex(dataDir: string): Promise<RequestIndex | undefined> {
  const text = await readFile(requestIndexPath(dataDir), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    logger().warn({ file: 'out/requests/index.json' }, 'request index is not JSON: ignored');
    return undefined;
  }
  const o = parsed as { asOf?: unknown; requests?: unknown };
  if (!o || typeof o.asOf !== 'string' || !DAY.test(o.asOf) || !Array.isArray(o.requests)) {
    logger().warn({ file: 'out/requests/index.json' }, 'request index has not the expected shape: ignored');
    return undefined;
  }
  const requests = o.requests.filter(validEntry);
  if (requests.length < o.requests.length) logger().warn({ file: 'out/requests/index.json', skipped: o.requests.length - requests.length }, 'request index entries skipped');
  return { asOf: o.asOf, requests };
}

/** A request's state on `today`: the index's state was computed on its own day (asOf); overdue is the portal's day's. */
export function stateOn(r: Pick<RequestStatus, 'state' | 'dueOn' | 'answeredOn'>, today: string): RequestState {
  const status = r.state === 'refused' ? 'refused' : r.state === 'answered' || r.state === 'late' ? 'answered' : 'open';
  return requestState({ status, dueOn: r.dueOn, answeredOn: r.answeredOn }, today);
}

/** The index's requests of these counties (index order: newest received first), each with its state on `today`. */
export function requestsOf(index: RequestIndex, counties: readonly County[], today: string): ShownRequest[] {
  const codes = new Set(counties.map((c) => c.code));
  return index.requests
    .filter((r) => codes.has(r.county))
    .map((r) => {
      const state = stateOn(r, today);
      return { ...r, state, hasReport: (state === 'answered' || state === 'late') && r.report === reportFileOf(r.county, r.requestNo) };
    });
}

/** The per-county totals of these requests, for these counties only (by code). */
export function totalsOf(requests: readonly ShownRequest[], counties: readonly County[]): RequestTotals[] {
  const codes = new Set(counties.map((c) => c.code));
  return requestTotals(requests).filter((t) => codes.has(t.county));
}

/**
 * The answered request (county, 委托编号) whose report may be served, or undefined. `requestNo` is
 * compared with the index's entries, never used as it came: the report's path is built from the
 * entry's own (checked) fields.
 */
export function answeredRequest(index: RequestIndex, county: County, requestNo: string, today: string): ShownRequest | undefined {
  if (!REQUEST_NO.test(requestNo)) return undefined;
  return requestsOf(index, [county], today).find((r) => r.requestNo === requestNo && r.hasReport);
}

// --- uploads ---

export const REQUEST_UPLOAD_ACTION = 'portal.request-upload';

export type RequestFileKind = 'xlsx' | 'xls' | 'csv';

/** Why a file is not taken as a request file (Chinese, for the county), or its kind. */
export function requestFileKind(fileName: string, data: Buffer): RequestFileKind | { refused: string } {
  if (!/\.(xlsx|xls|csv)$/i.test(fileName)) return { refused: '只接受 .xlsx、.xls 或 .csv 格式的核对委托文件。' };
  const head = data.subarray(0, 8);
  if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'xlsx';
  if (head.equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) return 'xls';
  const text = data.subarray(0, 512).toString('utf8');
  if (/^\uFEFF?\s*<(!doctype\s+html|html|head|body|meta|table|style|\?xml|!--)/i.test(text)) {
    return { refused: '文件是网页或 XML 而不是 Excel 工作簿，请在 Excel 中另存为 .xlsx 后上传。' };
  }
  // CSV is text in UTF-8 or GBK (the loader, pipeline/load/decode.ts): no NUL byte
  if (data.includes(0)) return { refused: '文件不是 Excel 工作簿，也不是 CSV 文本（UTF-8 或 GBK 编码）。' };
  return 'csv';
}

/** The saved name of an upload received at `nowMs`: `<YYYYMMDD-HHMMSS>_<sha256, 16 hex>.<kind>` (China Standard Time). */
export function requestUploadName(nowMs: number, sha256: string, kind: RequestFileKind): string {
  const t = chinaTime(nowMs); // 'YYYY-MM-DD HH:MM:SS'
  return `${t.slice(0, 10).replaceAll('-', '')}-${t.slice(11).replaceAll(':', '')}_${sha256.slice(0, 16)}.${kind}`;
}

/** The saved file, relative to the data folder: also the subject the requests run audits its reading under. */
export const requestUploadFile = (day: string, county: string, name: string) => `inbox/requests/${day}/${county}/${name}`;

/** The audit's subjects of one county's uploads (LIKE, `%`: the day and the name). */
const uploadsPattern = (county: string) => `inbox/requests/%/${county}/%`;

/** Uploads of a county since `sinceMs` (the per-county rate limit). */
export function requestUploadsSince(db: StateDb, county: string, sinceMs: number): number {
  return db
    .prepare<[string, string, string], { n: number }>('select count(*) as n from audit where action = ? and subject like ? and occurred_at > ?')
    .get(REQUEST_UPLOAD_ACTION, uploadsPattern(county), new Date(sinceMs).toISOString())!.n;
}

/** An earlier upload of the same content by the county: the requests run reads a content once per county folder, so a copy would never be read. */
export function earlierUpload(db: StateDb, county: string, sha256: string): { file: string; at: string } | undefined {
  const row = db
    .prepare<[string, string, string], { subject: string; occurred_at: string }>('select subject, occurred_at from audit where action = ? and subject like ? and detail like ? order by seq limit 1')
    .get(REQUEST_UPLOAD_ACTION, uploadsPattern(county), `%sha256=${sha256}%`);
  return row ? { file: row.subject, at: chinaTime(row.occurred_at) } : undefined;
}

export interface RequestUpload {
  /** China Standard Time */
  at: string;
  actor: string;
  /** relative to the data folder */
  file: string;
  /** the saved name */
  name: string;
  /** what the requests run made of it: not yet, read (with its counts), or refused whole (with the reason) */
  read: { state: 'waiting' } | { state: 'read'; at: string; rows: number | null; open: number | null; refused: number | null; detail: string } | { state: 'rejected'; at: string; reason: string };
}

/**
 * A county's uploads received since `sinceMs`, newest first (at most `limit`), each with what the
 * requests run made of it — from the audit: the run records every file it reads under its path.
 * A file the run has not read yet is 已上传，等待夜间核对.
 */
export function requestUploadsOf(db: StateDb, county: string, sinceMs: number, limit = 100): RequestUpload[] {
  const uploads = db
    .prepare<[string, string, string, number], { occurred_at: string; actor: string; subject: string }>(
      'select occurred_at, actor, subject from audit where action = ? and subject like ? and occurred_at >= ? order by seq desc limit ?',
    )
    .all(REQUEST_UPLOAD_ACTION, uploadsPattern(county), new Date(sinceMs).toISOString(), limit);
  if (!uploads.length) return [];
  const reads = new Map<string, AuditRead>();
  for (const r of db
    .prepare<[string], AuditRead & { subject: string }>(
      "select subject, action, detail, occurred_at from audit where action in ('requests.receive', 'requests.reject') and subject like ? order by seq",
    )
    .all(uploadsPattern(county))) {
    reads.set(r.subject, r); // the last reading of a path counts
  }
  return uploads.map((u) => uploadOf(u, reads.get(u.subject)));
}

type AuditRead = { action: string; detail: string | null; occurred_at: string };

function uploadOf(u: { occurred_at: string; actor: string; subject: string }, r: AuditRead | undefined): RequestUpload {
  let read: RequestUpload['read'] = { state: 'waiting' };
  if (r?.action === 'requests.receive') {
    // intake.ts: `<rows> rows, <open> open, <refused> refused`
    const m = /^(\d+) rows, (\d+) open, (\d+) refused$/.exec(r.detail ?? '');
    read = { state: 'read', at: chinaTime(r.occurred_at), rows: m ? Number(m[1]) : null, open: m ? Number(m[2]) : null, refused: m ? Number(m[3]) : null, detail: r.detail ?? '' };
  } else if (r) read = { state: 'rejected', at: chinaTime(r.occurred_at), reason: r.detail ?? '' };
  return { at: chinaTime(u.occurred_at), actor: u.actor, file: u.subject, name: u.subject.slice(u.subject.lastIndexOf('/') + 1), read };
}

/** The saved name of an upload, as requestUploadName writes it (the route accepts nothing else). */
export const REQUEST_UPLOAD_NAME = /^(\d{4})(\d{2})(\d{2})-\d{6}_[0-9a-f]{16}\.(?:xlsx|xls|csv)$/;

/** One of the county's uploads by its saved name (its day is in the name), or undefined. */
export function requestUploadByName(db: StateDb, county: string, name: string): RequestUpload | undefined {
  const m = REQUEST_UPLOAD_NAME.exec(name);
  if (!m) return undefined;
  const file = requestUploadFile(`${m[1]}-${m[2]}-${m[3]}`, county, name);
  const upload = db
    .prepare<[string, string], { occurred_at: string; actor: string; subject: string }>('select occurred_at, actor, subject from audit where action = ? and subject = ? order by seq limit 1')
    .get(REQUEST_UPLOAD_ACTION, file);
  if (!upload) return undefined;
  const read = db
    .prepare<[string], AuditRead>("select action, detail, occurred_at from audit where action in ('requests.receive', 'requests.reject') and subject = ? order by seq desc limit 1")
    .get(file);
  return uploadOf(upload, read);
}
