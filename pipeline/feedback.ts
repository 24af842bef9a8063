/**
 * County feedback: a returned county workbook (疑点家庭 with 核实结果, 核实说明, 核实人, 核实日期
 * and the hidden 疑点编号) becomes dispositions of the flags it answers.
 *
 * Refused whole (nothing recorded but the refusal): not an xlsx we wrote, an unknown schema
 * version, another county than expected, a period with no flags. Row by row: every flag id must
 * exist as an issued flag of that county and period, 核实结果 must be an allowed value, 核实人 and
 * 核实日期 must be given and the date must lie between the flag's issue and the day received.
 * Bad rows are reported by sheet row number and reason; good rows count. A row without 核实结果 is
 * unanswered, not an error. The same file twice is a no-op; a later file for the same county and
 * period supersedes the earlier one whole. 不属实-数据源错误 puts the person on the whitelist for
 * that rule and record, pinned to the evidence the county saw.
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
import { addEntry } from './whitelist.ts';
import { FIXED_CELLS, HOUSEHOLDS, SHEET, WORKBOOK_SCHEMA_VERSION, type FixedCellKey, type HouseholdKey } from './publish/workbook-contract.ts';

export interface FeedbackImportResult {
  file: string;
  sha256: string;
  county: string | null;
  period: string | null;
  status: 'imported' | 'unchanged' | 'refused';
  /** why refused (no personal data) */
  reason?: string;
  accepted: number;
  unanswered: number;
  whitelisted: number;
  /** row = sheet row number in 疑点家庭 */
  rejected: { row: number; reason: string }[];
}

export interface FeedbackOptions {
  config: Config;
  actor: string;
  /** refuse a workbook of any other county (the portal passes the uploader's county) */
  expectCounty?: string;
  remote?: string;
  /** the day the workbook reached the region (default today): what timeliness is measured by */
  receivedOn?: string;
}

class Refused extends Error {}

/**
 * The columns of 疑点家庭 read back: every column the county answers in, and the two that say what
 * the answer is for. Found by their header text in the contract, so a county that adds or moves a
 * column does not break the import.
 */
export const READ_BACK = ['householdId', 'flagIds', 'disposition', 'note', 'verifiedBy', 'verifiedOn'] as const satisfies readonly HouseholdKey[];
type ReadBackKey = (typeof READ_BACK)[number];

const H = HOUSEHOLDS.header;

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; text?: unknown; result?: unknown };
    if (v.richText) return v.richText.map((r) => r.text).join('').trim();
    if (v.result !== undefined) return cellText(v.result as ExcelJS.CellValue);
    if (v.text !== undefined) return String(v.text).trim();
  }
  return String(value).trim();
}

/** A row of 疑点家庭 as returned, by contract key; `row` is its sheet row number. */
export type ReturnedRow = { row: number; flagIds: string[] } & Record<Exclude<ReadBackKey, 'flagIds'>, string>;

export interface ReturnedWorkbook {
  /** the fixed cells of 说明 as text (empty when blank) */
  fixed: Record<FixedCellKey, string>;
  rows: ReturnedRow[];
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
  const header = new Map<string, number>();
  sheet.getRow(HOUSEHOLDS.headerRow).eachCell((cell, col) => header.set(cellText(cell.value), col));
  const col = (key: ReadBackKey) => {
    const c = header.get(H[key]);
    if (!c) throw new Refused(`「${HOUSEHOLDS.sheet}」缺少列「${H[key]}」 (the returned workbook's layout was changed)`);
    return c;
  };
  const cols = Object.fromEntries(READ_BACK.map((k) => [k, col(k)])) as Record<ReadBackKey, number>;
  const rows: ReturnedRow[] = [];
  sheet.eachRow((r, n) => {
    if (n <= HOUSEHOLDS.headerRow) return;
    const get = (k: ReadBackKey) => cellText(r.getCell(cols[k]).value);
    const flagIds = get('flagIds').split(/[,，\s]+/).filter(Boolean);
    if (!flagIds.length && !get('householdId')) return;
    rows.push({ row: n, householdId: get('householdId'), disposition: get('disposition'), note: get('note'), verifiedBy: get('verifiedBy'), verifiedOn: get('verifiedOn'), flagIds });
  });
  return { fixed, rows };
}

export async function importFeedback(w: Warehouse, path: string, options: FeedbackOptions): Promise<FeedbackImportResult> {
  const bytes = await readFile(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file = basename(path);
  const receivedOn = options.receivedOn ?? new Date().toISOString().slice(0, 10);
  const result: FeedbackImportResult = { file, sha256, county: null, period: null, status: 'imported', accepted: 0, unanswered: 0, whitelisted: 0, rejected: [] };
  const importId = `F${sha256.slice(0, 15)}`;

  const seen = await w.one<{ status: string; county_code: string; period: string }>('feedback:seen', "select status, county_code, period from feedback_imports where import_id = $id and status = 'imported'", { id: importId });
  if (seen && (!options.expectCounty || seen.county_code === options.expectCounty)) return { ...result, status: 'unchanged', county: seen.county_code, period: seen.period };

  let returned: ReturnedWorkbook;
  try {
    if (bytes.subarray(0, 4).toString('binary') !== 'PK\x03\x04') throw new Refused('不是 .xlsx 文件 (not an xlsx file)');
    returned = await readReturnedWorkbook(path);
    const { schemaVersion, period, countyCode } = returned.fixed;
    result.county = countyCode || null;
    result.period = period || null;
    if (schemaVersion !== WORKBOOK_SCHEMA_VERSION) throw new Refused(`核对表版本「${schemaVersion || '无'}」不受支持，应为 ${WORKBOOK_SCHEMA_VERSION} (unknown schema version)`);
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
    await recordAudit(w, { actor: options.actor, action: 'feedback.refused', subject: file, detail: e.message, remote: options.remote, period: result.period });
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
  const allowed = new Set(options.config.dispositions);
  const accepted: (ReturnedRow & { verifiedOn: string })[] = [];
  for (const r of returned.rows) {
    if (!r.disposition) {
      result.unanswered++;
      continue;
    }
    const reason = (() => {
      if (!allowed.has(r.disposition)) return `${H.disposition}不在可选范围内 (not one of the allowed results)`;
      if (r.flagIds.length === 0) return `${H.flagIds}为空 (the hidden flag id was removed)`;
      const unknown = r.flagIds.filter((id) => flags.get(id)?.household_id !== r.householdId);
      if (unknown.length) return `${H.flagIds}不属于本县本期或与${H.householdId}不符 (${unknown.length} flag id(s) not of this county, period and household)`;
      if (!r.verifiedBy) return `缺少${H.verifiedBy} (verifier missing)`;
      const day = parseDepartmentDate(r.verifiedOn);
      if (!day) return `${H.verifiedOn}缺失或无法识别 (verification date missing or not a date)`;
      const earliest = r.flagIds.map((id) => flags.get(id)!.issued_on).sort()[0];
      if (day < earliest) return `${H.verifiedOn}早于${H.issuedOn} ${earliest} (before the issue date)`;
      if (day > receivedOn) return `${H.verifiedOn}晚于收到日期 ${receivedOn} (after the day received)`;
      r.verifiedOn = day;
      return null;
    })();
    if (reason) result.rejected.push({ row: r.row, reason });
    else accepted.push(r);
  }

  await w.transaction('feedback:import', async () => {
    await w.exec(
      'feedback:supersede',
      "update feedback_imports set superseded_by = $id where county_code = $county and period = $period and status = 'imported' and superseded_by is null",
      { id: importId, county, period },
    );
    for (const r of accepted) {
      for (const flagId of r.flagIds) {
        await w.exec(
          'feedback:disposition',
          'insert into dispositions values ($import_id, $flag_id, $period, $county, $household, $result, $note, $verifier, $verified_on::date, $received_on::date)',
          { import_id: importId, flag_id: flagId, period, county, household: r.householdId, result: r.disposition, note: r.note || null, verifier: r.verifiedBy, verified_on: r.verifiedOn, received_on: receivedOn },
        );
        if (options.config.feedback.data_error.includes(r.disposition)) {
          const f = flags.get(flagId)!;
          const { added } = await addEntry(
            w,
            {
              personId: f.person_id,
              scope: f.rule_id,
              recordKey: f.record_key,
              fingerprint: f.fingerprint,
              reason: `县级核实「${r.disposition}」（${period} 下发）${r.note ? '：' + r.note : ''}`,
              addedBy: `${countyOf(county)!.name} ${r.verifiedBy}`,
              validFrom: r.verifiedOn,
            },
            options.config,
          );
          if (added) result.whitelisted++;
        }
      }
      result.accepted++;
    }
    await recordImport(w, importId, result, options, receivedOn, 'imported');
    await recordAudit(w, {
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
