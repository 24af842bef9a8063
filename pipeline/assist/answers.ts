/**
 * Answers to cross-province and cross-league requests (docs/assist-requests.md): a request
 * workbook (contract.ts) returned with 核对结果 … 回复日期 filled in, read back like county
 * feedback (pipeline/feedback.ts).
 *
 * Refused whole (nothing recorded but the refusal, in the audit): not an xlsx, a zip that would not
 * open safely, not a request workbook of ours, an unknown format version, a league workbook of
 * another league than the uploading account's. Row by row: the 请求编号 must be a request of this
 * kind and place that was sent; 核对结果 one of assist.results; 回复单位 given; 回复日期 a date
 * between the request's sending and the day received. A row without 核对结果 is unanswered, not an
 * error. A taken row records its answer on the request; a later file answering the same request
 * replaces the earlier answer (the last word of the place asked counts); the same file again
 * changes nothing.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import ExcelJS from 'exceljs';
import type { Config } from '../../config/config.ts';
import { parseDepartmentDate } from '../../domain/dates.ts';
import { LEAGUES } from '../../domain/divisions.ts';
import type { Warehouse } from '../warehouse.ts';
import { recordAudit } from '../audit.ts';
import type { StateDb } from '../state.ts';
import { isMonthName, todayInChina } from '../period.ts';
import { inspectWorkbookZip, WorkbookZipRefused } from '../workbook-zip.ts';
import { cellText, readTable } from '../xlsx/read-table.ts';
import { ASSIST_FIXED_CELLS, ASSIST_READ_BACK, ASSIST_REQUESTS, ASSIST_SCHEMA_VERSION, ASSIST_SHEET, type AssistFixedKey, type AssistKind } from './contract.ts';

export interface AssistImportOptions {
  config: Config;
  state: StateDb;
  /** who imports: the portal account that uploaded, or the operator (--by) */
  actor: string;
  /** refuse any workbook but this league's 协查请求 (the portal passes a league account's league) */
  expectLeague?: string;
  remote?: string;
  /** the day the answers reached the region (default today, China Standard Time) */
  receivedOn?: string;
}

export interface AssistImportResult {
  file: string;
  sha256: string;
  period: string | null;
  kind: AssistKind | null;
  targetCode: string | null;
  /** imported: answers recorded; unchanged: every answer it gives was recorded from this file already; refused: nothing recorded */
  status: 'imported' | 'unchanged' | 'refused';
  reason?: string;
  /** requests given an answer by this file */
  accepted: number;
  /** rows without 核对结果 */
  unanswered: number;
  /** rows not taken, by sheet row number (no personal data) */
  rejected: { row: number; reason: string }[];
}

class Refused extends Error {}
const refuse = (message: string) => new Refused(message);
const H = ASSIST_REQUESTS.header;

interface Answer {
  row: number;
  requestId: string;
  result: string;
  note: string;
  answeredBy: string;
  answeredOn: string;
}

interface ReturnedAssist {
  fixed: Record<AssistFixedKey, string>;
  rows: Answer[];
}

async function readReturned(path: string): Promise<ReturnedAssist> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(path);
  } catch {
    throw new Refused('不是可读取的 .xlsx 文件 (not a readable xlsx workbook)');
  }
  const readme = wb.getWorksheet(ASSIST_SHEET.readme);
  const sheet = wb.getWorksheet(ASSIST_SHEET.requests);
  if (!readme || !sheet) throw new Refused(`不是本系统发出的核对请求表：缺少工作表「${ASSIST_SHEET.readme}」或「${ASSIST_SHEET.requests}」 (not a hedui request workbook)`);
  const fixed = Object.fromEntries(
    (Object.keys(ASSIST_FIXED_CELLS) as AssistFixedKey[]).map((k) => [k, cellText(readme.getCell(ASSIST_FIXED_CELLS[k].cell).value)]),
  ) as Record<AssistFixedKey, string>;
  const rows: Answer[] = [];
  for (const { row, get } of readTable(sheet, ASSIST_REQUESTS, ASSIST_READ_BACK, refuse)) {
    if (!get('requestId') && !get('result')) continue;
    rows.push({ row, requestId: get('requestId'), result: get('result'), note: get('note'), answeredBy: get('answeredBy'), answeredOn: get('answeredOn') });
  }
  return { fixed, rows };
}

/** The workbook's kind and place, checked against the contract and the account; Refused otherwise. */
function checkFixed(fixed: Record<AssistFixedKey, string>, options: AssistImportOptions): { period: string; kind: AssistKind; targetCode: string } {
  const { schemaVersion, period, kind, targetCode } = fixed;
  if (schemaVersion !== ASSIST_SCHEMA_VERSION) throw new Refused(`核对请求表版本「${schemaVersion || '无'}」不受支持，应为 ${ASSIST_SCHEMA_VERSION} (unknown schema version)`);
  if (!isMonthName(period)) throw new Refused('核对请求表的核对期无效 (not a period)');
  if (kind === 'province') {
    if (targetCode !== options.config.region.code) throw new Refused('跨省核对请求表的接收单位代码无效 (not the region)');
  } else if (kind === 'league') {
    if (!LEAGUES.some((l) => l.code === targetCode)) throw new Refused('协查请求表的接收单位代码不是盟市代码 (not a league)');
  } else {
    throw new Refused('核对请求表的请求类型无效 (unknown kind)');
  }
  if (options.expectLeague !== undefined && !(kind === 'league' && targetCode === options.expectLeague)) {
    throw new Refused(`这不是 ${options.expectLeague} 的协查请求表 (a workbook for another place)`);
  }
  return { period, kind, targetCode };
}

interface SentRequest {
  request_id: string;
  sent_on: string | null;
  answer_file: string | null;
}

/** Why a row cannot be taken, or its checked answer day (pure; in the order a clerk would fix them). */
function checkAnswer(a: Answer, request: SentRequest | undefined, allowed: readonly string[], receivedOn: string): { reason: string } | { day: string } {
  if (!request) return { reason: `${H.requestId}不是本表发出的请求 (not a request of this workbook's kind and place)` };
  if (!request.sent_on) return { reason: `该请求尚未发出 (not sent yet)` };
  if (!allowed.includes(a.result)) return { reason: `${H.result}不在可选范围内 (not one of the allowed results)` };
  if (!a.answeredBy) return { reason: `缺少${H.answeredBy} (who answered is missing)` };
  const day = parseDepartmentDate(a.answeredOn);
  if (!day) return { reason: `${H.answeredOn}缺失或无法识别 (answer date missing or not a date)` };
  if (day < request.sent_on) return { reason: `${H.answeredOn}早于请求日期 ${request.sent_on} (before the request was sent)` };
  if (day > receivedOn) return { reason: `${H.answeredOn}晚于收到日期 ${receivedOn} (after the day received)` };
  return { day };
}

export async function importAssistAnswers(w: Warehouse, path: string, options: AssistImportOptions): Promise<AssistImportResult> {
  const bytes = await readFile(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file = basename(path);
  const receivedOn = options.receivedOn ?? todayInChina();
  const result: AssistImportResult = { file, sha256, period: null, kind: null, targetCode: null, status: 'imported', accepted: 0, unanswered: 0, rejected: [] };

  let returned: ReturnedAssist;
  let place: ReturnType<typeof checkFixed>;
  try {
    if (bytes.subarray(0, 4).toString('binary') !== 'PK\x03\x04') throw new Refused('不是 .xlsx 文件 (not an xlsx file)');
    // the zip's list of entries first: exceljs inflates every entry whole, a zip bomb included
    await inspectWorkbookZip(bytes).catch((e: unknown) => {
      throw e instanceof WorkbookZipRefused ? new Refused(e.message) : e;
    });
    returned = await readReturned(path);
    place = checkFixed(returned.fixed, options);
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    recordAudit(options.state, { actor: options.actor, action: 'assist.refused', subject: file, detail: e.message, remote: options.remote, period: result.period });
    return { ...result, status: 'refused', reason: e.message };
  }
  Object.assign(result, place);

  const ids = returned.rows.map((r) => r.requestId).filter(Boolean);
  const requests = new Map(
    (
      await w.rows<SentRequest>(
        'assist:requests',
        `select request_id, strftime(sent_on, '%Y-%m-%d') as sent_on, answer_file from assist_requests
         where list_contains($ids, request_id) and kind = $kind and ($kind = 'province' or target_code = $target)`,
        { ids, kind: place.kind, target: place.targetCode },
      )
    ).map((r) => [r.request_id, r]),
  );
  const taken: (Answer & { day: string })[] = [];
  const seen = new Set<string>();
  for (const a of returned.rows) {
    if (!a.result) {
      result.unanswered++;
      continue;
    }
    if (seen.has(a.requestId)) {
      result.rejected.push({ row: a.row, reason: `${H.requestId}在本表中重复 (the same request answered twice)` });
      continue;
    }
    seen.add(a.requestId);
    const checked = checkAnswer(a, requests.get(a.requestId), options.config.assist.results, receivedOn);
    if ('reason' in checked) result.rejected.push({ row: a.row, reason: checked.reason });
    else taken.push({ ...a, day: checked.day });
  }
  result.accepted = taken.length;
  if (taken.length && taken.every((a) => requests.get(a.requestId)!.answer_file === sha256)) {
    return { ...result, status: 'unchanged' };
  }

  await w.transaction('assist:import', async () => {
    for (const a of taken) {
      await w.exec(
        'assist:answer',
        `update assist_requests set answered_on = $day::date, result = $result, note = $note, answered_by = $by, answer_file = $sha, answer_recorded_at = now()
         where request_id = $id`,
        { id: a.requestId, day: a.day, result: a.result, note: a.note || null, by: a.answeredBy, sha: sha256 },
      );
    }
    recordAudit(options.state, {
      actor: options.actor,
      action: 'assist.import',
      subject: file,
      detail: `kind=${place.kind} target=${place.targetCode} accepted=${result.accepted} rejected=${result.rejected.length} unanswered=${result.unanswered}`,
      remote: options.remote,
      period: place.period,
    });
  });
  return result;
}
