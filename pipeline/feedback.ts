/**
 * County feedback: a returned county workbook becomes dispositions of the flags it answers, one
 * per flag. A flag's answer is its own row on 疑点明细 (核实结果, 核实说明, 核实人, 核实日期 by its
 * 疑点编号) when 核实结果 is filled in there, else its household's row on 疑点家庭 (whose hidden
 * 疑点编号 lists the flags it answers for). Workbooks of the former format (hedui-county-2, no
 * answer columns on 疑点明细) are read by their household rows alone.
 *
 * Refused whole (nothing recorded but the refusal): not an xlsx we wrote, an unknown schema
 * version, another county than expected, a period with no flags. Row by row: every flag id must
 * exist as an issued flag of that county, period and household, 核实结果 must be an allowed value,
 * 核实人 and 核实日期 must be given and the date must lie between the flag's issue and the day
 * received. Bad rows are reported by sheet, row number and reason (kept in feedback_rejections); a
 * flag whose own row is bad does not fall back to its household's answer. A row without 核实结果 is
 * unanswered, not an error. The last file imported for a county and period is its answer: a later
 * file supersedes the earlier one whole, an earlier file imported again is current again
 * (reinstated, as first imported), the current file again is a no-op; the result names the file
 * it replaces. The day received defaults to today in China Standard Time. 不属实-数据源错误 puts the person on the whitelist for
 * that flag's rule and record only, pinned to the evidence the county saw.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import ExcelJS from 'exceljs';
import type { Config } from '../config/config.ts';
import { parseDepartmentDate } from '../domain/dates.ts';
import { countyOf } from '../domain/divisions.ts';
import type { Warehouse } from './warehouse.ts';
import { recordAudit } from './audit.ts';
import type { StateDb } from './state.ts';
import { addEntry } from './whitelist.ts';
import { inspectWorkbookZip, WorkbookZipRefused } from './workbook-zip.ts';
import { cellText, readTable } from './xlsx/read-table.ts';
import { todayInChina } from './period.ts';
import {
  DETAILS,
  FIXED_CELLS,
  HOUSEHOLDS,
  IMPORTABLE_SCHEMA_VERSIONS,
  SHEET,
  WORKBOOK_SCHEMA_VERSION,
  type AnswerKey,
  type DetailKey,
  type FixedCellKey,
  type HouseholdKey,
} from './publish/workbook-contract.ts';

export interface FeedbackImportResult {
  file: string;
  sha256: string;
  county: string | null;
  period: string | null;
  /**
   * imported: read and now the county's current answer for the period; reinstated: a file imported
   * before that a later one had superseded, made current again as it was (not read again);
   * unchanged: already the current answer; refused: nothing recorded but the refusal
   */
  status: 'imported' | 'reinstated' | 'unchanged' | 'refused';
  /** why refused (no personal data) */
  reason?: string;
  /** the file that was the current answer for the county and period until this import, now superseded */
  supersedes?: string;
  /** flags given an answer (their own, or their household's) */
  accepted: number;
  /** flags of the workbook left without an answer (and not in a rejected row) */
  unanswered: number;
  whitelisted: number;
  /** rows not taken, by sheet (疑点家庭 or 疑点明细) and sheet row number */
  rejected: FeedbackRejection[];
}

/** A row of a returned workbook the importer did not take, and why (no personal data). */
export interface FeedbackRejection {
  sheet: string;
  row: number;
  reason: string;
}

export interface FeedbackOptions {
  config: Config;
  /** the audit trail's store (pipeline/state.ts) */
  state: StateDb;
  /** who imports: the portal account that uploaded, or the operator (--by); never text from the workbook */
  actor: string;
  /** refuse a workbook of any other county (the portal passes the uploader's county) */
  expectCounty?: string;
  remote?: string;
  /** the day the workbook reached the region (default today): what timeliness is measured by */
  receivedOn?: string;
}

class Refused extends Error {}
const refuse = (message: string) => new Refused(message);

/**
 * The columns read back: every column the county answers in, and those that say what the answer
 * is for — on 疑点家庭 the household and its flags, on 疑点明细 the flag and its household. Found by
 * their header text in the contract, so a county that adds or moves a column does not break the import.
 */
export const READ_BACK = ['householdId', 'flagIds', 'disposition', 'note', 'verifiedBy', 'verifiedOn'] as const satisfies readonly HouseholdKey[];
export const READ_BACK_DETAILS = ['flagId', 'householdId', 'disposition', 'note', 'verifiedBy', 'verifiedOn'] as const satisfies readonly DetailKey[];
type ReadBackKey = (typeof READ_BACK)[number];
type ReadBackDetailKey = (typeof READ_BACK_DETAILS)[number];

const H = HOUSEHOLDS.header;

/** A row of 疑点家庭 as returned, by contract key; `row` is its sheet row number. */
export type ReturnedRow = { row: number; flagIds: string[] } & Record<Exclude<ReadBackKey, 'flagIds'>, string>;

/** A row of 疑点明细 as returned (hedui-county-3 on), by contract key; `row` is its sheet row number. */
export type ReturnedDetailRow = { row: number } & Record<ReadBackDetailKey, string>;

export interface ReturnedWorkbook {
  /** the fixed cells of 说明 as text (empty when blank) */
  fixed: Record<FixedCellKey, string>;
  /** 疑点家庭: the households' answers */
  rows: ReturnedRow[];
  /** 疑点明细: the flags' own answers (empty for a format without them) */
  details: ReturnedDetailRow[];
}

/** Reads a returned county workbook by the contract; a file that is not one is Refused. Checks nothing else. */
export async function readReturnedWorkbook(path: string): Promise<ReturnedWorkbook> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(path);
  } catch {
    throw new Refused('不是可读取的 .xlsx 文件 (not a readable xlsx workbook)');
  }
  const readme = wb.getWorksheet(SHEET.readme);
  const sheet = wb.getWorksheet(HOUSEHOLDS.sheet);
  if (!readme || !sheet) throw new Refused(`不是本系统下发的核对表：缺少工作表「${SHEET.readme}」或「${HOUSEHOLDS.sheet}」 (not a hedui county workbook)`);
  const fixed = Object.fromEntries(
    (Object.keys(FIXED_CELLS) as FixedCellKey[]).map((k) => [k, cellText(readme.getCell(FIXED_CELLS[k].cell).value)]),
  ) as Record<FixedCellKey, string>;
  const rows: ReturnedRow[] = [];
  for (const { row, get } of readTable(sheet, HOUSEHOLDS, READ_BACK, refuse)) {
    const flagIds = get('flagIds').split(/[,，\s]+/).filter(Boolean);
    if (!flagIds.length && !get('householdId')) continue;
    rows.push({ row, householdId: get('householdId'), disposition: get('disposition'), note: get('note'), verifiedBy: get('verifiedBy'), verifiedOn: get('verifiedOn'), flagIds });
  }
  const details: ReturnedDetailRow[] = [];
  if (IMPORTABLE_SCHEMA_VERSIONS[fixed.schemaVersion]?.perFlagAnswers) {
    const detailSheet = wb.getWorksheet(DETAILS.sheet);
    if (!detailSheet) throw new Refused(`不是本系统下发的核对表：缺少工作表「${DETAILS.sheet}」 (not a hedui county workbook)`);
    for (const { row, get } of readTable(detailSheet, DETAILS, READ_BACK_DETAILS, refuse)) {
      const r = Object.fromEntries(READ_BACK_DETAILS.map((k) => [k, get(k)])) as Record<ReadBackDetailKey, string>;
      if (!r.flagId && !r.householdId) continue;
      details.push({ row, ...r });
    }
  }
  return { fixed, rows, details };
}

/** An answer as the county gave it, on either sheet; `verifiedOn` as 'YYYY-MM-DD' once checked. */
export type Answer = Record<AnswerKey, string>;

/** The flags of the workbook's county and period, as resolveAnswers needs them. */
export interface IssuedFlag {
  household_id: string;
  issued_on: string;
}

export interface ResolvedAnswers {
  /** each answered flag's answer, checked (verifiedOn normalised) */
  byFlag: Map<string, Answer>;
  /** rows not taken: 疑点家庭 first, then 疑点明细, each by row */
  rejected: FeedbackRejection[];
  /** flags the workbook lists that got no answer and are in no rejected row */
  unanswered: number;
}

/**
 * Why an answer cannot be taken, or the verification day it gives (checks in the order a clerk
 * would fix them): an allowed result, a verifier, a date between the flags' earliest issue and the
 * day received. `flagIssues` are the issue dates of the flags it answers for.
 */
function checkAnswer(a: Answer, flagIssues: string[], allowed: Set<string>, receivedOn: string): { reason: string } | { day: string } {
  if (!allowed.has(a.disposition)) return { reason: `${H.disposition}不在可选范围内 (not one of the allowed results)` };
  if (!a.verifiedBy) return { reason: `缺少${H.verifiedBy} (verifier missing)` };
  const day = parseDepartmentDate(a.verifiedOn);
  if (!day) return { reason: `${H.verifiedOn}缺失或无法识别 (verification date missing or not a date)` };
  const earliest = [...flagIssues].sort()[0];
  if (day < earliest) return { reason: `${H.verifiedOn}早于${H.issuedOn} ${earliest} (before the issue date)` };
  if (day > receivedOn) return { reason: `${H.verifiedOn}晚于收到日期 ${receivedOn} (after the day received)` };
  return { day };
}

/**
 * Each flag's answer, per flag (pure): its own 疑点明细 row when 核实结果 is filled in there; else
 * the 疑点家庭 row of its household, which answers for the flags of its hidden 疑点编号 left blank
 * on 疑点明细. A flag whose own row is rejected gets no answer (it does not fall back to its
 * household's: the county meant something else for it). A blank 核实结果 is unanswered, not an error.
 */
export function resolveAnswers(returned: Pick<ReturnedWorkbook, 'rows' | 'details'>, flags: ReadonlyMap<string, IssuedFlag>, allowed: Set<string>, receivedOn: string): ResolvedAnswers {
  const byFlag = new Map<string, Answer>();
  const listed = new Set<string>(); // known flags the workbook shows
  const ownRow = new Set<string>(); // flags answered on 疑点明细, taken or not
  const refused = new Set<string>(); // flags whose answer is in a rejected row
  const rejectedDetails: FeedbackRejection[] = [];
  const rejectedHouseholds: FeedbackRejection[] = [];
  const D = DETAILS.header;

  for (const d of returned.details) {
    const f = flags.get(d.flagId);
    if (f?.household_id === d.householdId) listed.add(d.flagId);
    if (!d.disposition) continue;
    const checked = ((): { reason: string } | { day: string } => {
      if (!d.flagId) return { reason: `${D.flagId}为空 (the flag id was removed)` };
      if (!f || f.household_id !== d.householdId) return { reason: `${D.flagId}不属于本县本期或与${D.householdId}不符 (a flag id not of this county, period and household)` };
      if (ownRow.has(d.flagId)) return { reason: `${D.flagId}重复，已按前一行处理 (the flag is answered on an earlier row)` };
      return checkAnswer(d, [f.issued_on], allowed, receivedOn);
    })();
    if (d.flagId && f) ownRow.add(d.flagId);
    if ('reason' in checked) {
      rejectedDetails.push({ sheet: DETAILS.sheet, row: d.row, reason: checked.reason });
      if (!byFlag.has(d.flagId)) refused.add(d.flagId);
    } else {
      byFlag.set(d.flagId, { disposition: d.disposition, note: d.note, verifiedBy: d.verifiedBy, verifiedOn: checked.day });
    }
  }

  for (const r of returned.rows) {
    for (const id of r.flagIds) if (flags.get(id)?.household_id === r.householdId) listed.add(id);
    if (!r.disposition) continue;
    const checked = ((): { reason: string } | { day: string } => {
      if (!allowed.has(r.disposition)) return { reason: `${H.disposition}不在可选范围内 (not one of the allowed results)` };
      if (r.flagIds.length === 0) return { reason: `${H.flagIds}为空 (the hidden flag id was removed)` };
      const unknown = r.flagIds.filter((id) => flags.get(id)?.household_id !== r.householdId);
      if (unknown.length) return { reason: `${H.flagIds}不属于本县本期或与${H.householdId}不符 (${unknown.length} flag id(s) not of this county, period and household)` };
      return checkAnswer(r, r.flagIds.map((id) => flags.get(id)!.issued_on), allowed, receivedOn);
    })();
    const inheriting = r.flagIds.filter((id) => !ownRow.has(id) && !byFlag.has(id));
    if ('reason' in checked) {
      rejectedHouseholds.push({ sheet: HOUSEHOLDS.sheet, row: r.row, reason: checked.reason });
      for (const id of inheriting) refused.add(id);
    } else {
      for (const id of inheriting) byFlag.set(id, { disposition: r.disposition, note: r.note, verifiedBy: r.verifiedBy, verifiedOn: checked.day });
    }
  }

  const unanswered = [...listed].filter((id) => !byFlag.has(id) && !refused.has(id)).length;
  return { byFlag, rejected: [...rejectedHouseholds, ...rejectedDetails], unanswered };
}

export async function importFeedback(w: Warehouse, path: string, options: FeedbackOptions): Promise<FeedbackImportResult> {
  const bytes = await readFile(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file = basename(path);
  const receivedOn = options.receivedOn ?? todayInChina();
  const result: FeedbackImportResult = { file, sha256, county: null, period: null, status: 'imported', accepted: 0, unanswered: 0, whitelisted: 0, rejected: [] };
  const importId = `F${sha256.slice(0, 15)}`;

  const seen = await w.one<{ county_code: string; period: string; superseded: boolean }>(
    'feedback:seen',
    "select county_code, period, superseded_by is not null as superseded from feedback_imports where import_id = $id and status = 'imported'",
    { id: importId },
  );
  if (seen && (!options.expectCounty || seen.county_code === options.expectCounty)) {
    if (!seen.superseded) return { ...result, status: 'unchanged', county: seen.county_code, period: seen.period };
    return reinstate(w, importId, result, options);
  }

  let returned: ReturnedWorkbook;
  try {
    if (bytes.subarray(0, 4).toString('binary') !== 'PK\x03\x04') throw new Refused('不是 .xlsx 文件 (not an xlsx file)');
    // the zip's list of entries first: exceljs inflates every entry whole, a zip bomb included
    await inspectWorkbookZip(bytes).catch((e: unknown) => {
      throw e instanceof WorkbookZipRefused ? new Refused(e.message) : e;
    });
    returned = await readReturnedWorkbook(path);
    const { schemaVersion, period, countyCode } = returned.fixed;
    result.county = countyCode || null;
    result.period = period || null;
    if (!IMPORTABLE_SCHEMA_VERSIONS[schemaVersion]) throw new Refused(`核对表版本「${schemaVersion || '无'}」不受支持，应为 ${WORKBOOK_SCHEMA_VERSION} (unknown schema version)`);
    if (!countyOf(countyCode)) throw new Refused('核对表中的区划代码无效 (unknown county code)');
    if (options.expectCounty && countyCode !== options.expectCounty) {
      throw new Refused(`这是 ${countyCode} 的核对表，不是 ${options.expectCounty} 的 (a workbook of another county)`);
    }
    const issued = await w.one<{ n: number }>('feedback:period', "select count(*)::integer as n from flags where period = $period and county_code = $county and status = 'issued'", { period, county: countyCode });
    if (!issued?.n) throw new Refused(`${period} 没有向 ${countyCode} 下发过疑点 (no flags issued to this county in this period)`);
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    // a refusal is recorded under its own id: it must never overwrite the import of the same file
    await recordImport(w, `R${sha256.slice(0, 15)}`, result, options, receivedOn, 'refused', e.message);
    recordAudit(options.state, { actor: options.actor, action: 'feedback.refused', subject: file, detail: e.message, remote: options.remote, period: result.period });
    return { ...result, status: 'refused', reason: e.message };
  }

  const { countyCode: county, period } = returned.fixed;
  const flags = new Map(
    (
      await w.rows<{ flag_id: string; household_id: string; person_id: string; rule_id: string; record_key: string | null; fingerprint: string; issued_on: string }>(
        'feedback:flags',
        "select flag_id, household_id, person_id, rule_id, record_key, fingerprint, issued_on from flags where period = $period and county_code = $county and status = 'issued'",
        { period, county },
      )
    ).map((f) => [f.flag_id, f]),
  );
  const answers = resolveAnswers(returned, flags, new Set(options.config.dispositions), receivedOn);
  result.rejected = answers.rejected;
  result.unanswered = answers.unanswered;

  await w.transaction('feedback:import', async () => {
    result.supersedes = await supersedeCurrent(w, importId, county, period);
    for (const [flagId, a] of answers.byFlag) {
      const f = flags.get(flagId)!;
      await w.exec(
        'feedback:disposition',
        'insert into dispositions values ($import_id, $flag_id, $period, $county, $household, $result, $note, $verifier, $verified_on::date, $received_on::date)',
        { import_id: importId, flag_id: flagId, period, county, household: f.household_id, result: a.disposition, note: a.note || null, verifier: a.verifiedBy, verified_on: a.verifiedOn, received_on: receivedOn },
      );
      // a data-source error whitelists this flag's evidence only: its person, rule and record
      if (options.config.feedback.data_error.includes(a.disposition)) {
        const { added } = await addEntry(
          w,
          { state: options.state, actor: options.actor, remote: options.remote, period },
          {
            personId: f.person_id,
            scope: f.rule_id,
            recordKey: f.record_key,
            fingerprint: f.fingerprint,
            reason: `县级核实「${a.disposition}」（${period} 下发）${a.note ? '：' + a.note : ''}`,
            addedBy: `${countyOf(county)!.name} ${a.verifiedBy}`,
            validFrom: a.verifiedOn,
          },
          options.config,
        );
        if (added) result.whitelisted++;
      }
      result.accepted++;
    }
    await w.exec('feedback:rejections-clear', 'delete from feedback_rejections where import_id = $id', { id: importId });
    for (const x of result.rejected) {
      await w.exec('feedback:rejection', 'insert into feedback_rejections values ($id, $sheet, $row, $reason)', { id: importId, sheet: x.sheet, row: x.row, reason: x.reason });
    }
    await recordImport(w, importId, result, options, receivedOn, 'imported');
    recordAudit(options.state, {
      actor: options.actor,
      action: 'feedback.import',
      subject: file,
      detail: `county=${county} accepted=${result.accepted} rejected=${result.rejected.length} unanswered=${result.unanswered} whitelisted=${result.whitelisted}`,
      remote: options.remote,
      period,
    });
  });
  return result;
}

/** Marks the county's current import for the period superseded by `importId`; returns its file name. */
async function supersedeCurrent(w: Warehouse, importId: string, county: string, period: string): Promise<string | undefined> {
  const current = await w.one<{ file: string }>(
    'feedback:current',
    "select file from feedback_imports where county_code = $county and period = $period and status = 'imported' and superseded_by is null and import_id <> $id",
    { id: importId, county, period },
  );
  await w.exec(
    'feedback:supersede',
    "update feedback_imports set superseded_by = $id where county_code = $county and period = $period and status = 'imported' and superseded_by is null and import_id <> $id",
    { id: importId, county, period },
  );
  return current?.file;
}

/**
 * An older file imported again after a newer one: it becomes the county's current answer for the
 * period again, as it was imported (the last file a county sends is the one that counts, also when
 * it sends an earlier one again; sending the newer one again switches back). Its answers keep the
 * day they first reached the region (received_on), and its data-error whitelist entries are the
 * ones its first import added. The result names the file it replaces.
 */
async function reinstate(w: Warehouse, importId: string, base: FeedbackImportResult, options: FeedbackOptions): Promise<FeedbackImportResult> {
  const row = await w.one<{ county_code: string; period: string; accepted: number; unanswered: number }>(
    'feedback:reinstate-read',
    'select county_code, period, accepted, unanswered from feedback_imports where import_id = $id',
    { id: importId },
  );
  const { county_code: county, period } = row!;
  const result: FeedbackImportResult = { ...base, status: 'reinstated', county, period, accepted: row!.accepted, unanswered: row!.unanswered };
  result.rejected = await w.rows<FeedbackRejection>('feedback:reinstate-rejections', 'select sheet, sheet_row as "row", reason from feedback_rejections where import_id = $id order by sheet, sheet_row', { id: importId });
  await w.transaction('feedback:reinstate', async () => {
    result.supersedes = await supersedeCurrent(w, importId, county, period);
    await w.exec('feedback:reinstate', 'update feedback_imports set superseded_by = null where import_id = $id', { id: importId });
    recordAudit(options.state, {
      actor: options.actor,
      action: 'feedback.reinstate',
      subject: result.file,
      detail: `county=${county} current again, replaces ${result.supersedes ?? '(none)'}`,
      remote: options.remote,
      period,
    });
  });
  return result;
}

async function recordImport(w: Warehouse, importId: string, r: FeedbackImportResult, o: FeedbackOptions, receivedOn: string, status: string, reason?: string): Promise<void> {
  await w.exec(
    'feedback:record',
    `insert or replace into feedback_imports values ($id, $file, $sha, $county, $period, $actor, $remote, $received::date, now(), $status, $reason, $accepted, $rejected, $unanswered, null)`,
    {
      id: importId,
      file: r.file,
      sha: r.sha256,
      county: r.county,
      period: r.period,
      actor: o.actor,
      remote: o.remote ?? null,
      received: receivedOn,
      status,
      reason: reason ?? null,
      accepted: r.accepted,
      rejected: r.rejected.length,
      unanswered: r.unanswered,
    },
  );
}
