/**
 * Writes a request workbook of cross-province or cross-league checks (contract.ts): 说明 (what is
 * asked, of whom, by when, how to answer, the allowed 核对结果) and 核对请求 (one row per request:
 * the period's new requests, then earlier ones still unanswered past the days allowed, so the place
 * asked is reminded of them in the same file it answers in). Deterministic for the same rows and
 * issue date: the document's dates are the period's last day, the zip's timestamps pinned.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { addTableRow, addTableSheet, columnLetter, dataValidations, listFormula, periodDocumentDate, pinDocumentProperties, printOptions, protectSheet, sha256File, text, utcDate, type SheetLayout } from '../publish/xlsx-format.ts';
import { rowValues } from '../publish/workbook-contract.ts';
import { pinZipTimestamps } from '../xlsx/zip-timestamps.ts';
import { ASSIST_FIXED_CELLS, ASSIST_KIND_TEXT, ASSIST_REQUESTS, ASSIST_SCHEMA_VERSION, ASSIST_SHEET, type AssistFixedKey, type AssistKind } from './contract.ts';

export interface AssistWorkbookRow {
  requestId: string;
  /** the period whose month formed the request */
  period: string;
  /** new: this period's; overdue: an earlier period's, unanswered past the days allowed */
  state: 'new' | 'overdue';
  /** 'YYYY-MM-DD': when it was sent (this publication's issue date for a new one) */
  sentOn: string;
  daysWaiting: number;
  householdId: string;
  personId: string;
  name: string;
  county: string;
  province: string;
  residence: string;
  items: string;
  authSignedOn: string | null;
}

export interface AssistWorkbookData {
  period: string;
  kind: AssistKind;
  targetCode: string;
  /** the province or league asked */
  targetName: string;
  /** this publication's issue date */
  issuedOn: string;
  /** days the place asked has to answer (cross_province_days or cross_league_days) */
  answerDays: number;
  results: string[];
  rows: AssistWorkbookRow[];
}

const TITLE_FONT: Partial<ExcelJS.Font> = { bold: true, size: 14 };
const SECTION_FONT: Partial<ExcelJS.Font> = { bold: true, size: 12 };

export async function writeAssistWorkbook(path: string, data: AssistWorkbookData): Promise<{ sha256: string; rows: Record<string, number> }> {
  const when = periodDocumentDate(data.period);
  const kindText = ASSIST_KIND_TEXT[data.kind];
  const out = createWriteStream(path);
  try {
    await once(out, 'open');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
    pinDocumentProperties(workbook, when, `${data.targetName} ${data.period} ${kindText}`);
    const layout: SheetLayout = { footer: `${data.targetName} ${data.period} ${kindText}`, protect: true };
    const resultsRange = await writeReadme(workbook, data, layout);
    await writeRequests(workbook, data, resultsRange, layout);
    await workbook.commit();
    if (!out.closed) await once(out, 'close');
    await pinZipTimestamps(path, when);
    const overdue = data.rows.filter((r) => r.state === 'overdue').length;
    return { sha256: await sha256File(path), rows: { requests: data.rows.length - overdue, overdue } };
  } catch (error) {
    out.destroy();
    await rm(path, { force: true });
    throw error;
  }
}

/** Writes 说明 and returns the absolute range of its list of results (for the dropdown's fallback). */
async function writeReadme(workbook: ExcelJS.stream.xlsx.WorkbookWriter, data: AssistWorkbookData, layout: SheetLayout): Promise<string> {
  const sheet = workbook.addWorksheet(ASSIST_SHEET.readme, { properties: { tabColor: { argb: 'FF4472C4' } }, ...printOptions(layout, 0) });
  sheet.columns = [{ width: 22 }, { width: 60 }];
  let rowNumber = 0;
  const add = (values: string[], font?: Partial<ExcelJS.Font>): void => {
    const row = sheet.addRow(values);
    rowNumber = row.number;
    if (font) row.eachCell((cell) => (cell.font = font));
    row.commit();
  };
  const kindText = ASSIST_KIND_TEXT[data.kind];
  add([`社会救助家庭经济状况${kindText}`], TITLE_FONT);
  const fixed: Record<AssistFixedKey, string> = { schemaVersion: ASSIST_SCHEMA_VERSION, period: data.period, kind: data.kind, targetCode: data.targetCode };
  for (const key of Object.keys(ASSIST_FIXED_CELLS) as AssistFixedKey[]) {
    add([ASSIST_FIXED_CELLS[key].label, fixed[key]]);
    if (`B${rowNumber}` !== ASSIST_FIXED_CELLS[key].cell) throw new Error(`${ASSIST_SHEET.readme}: ${key} was written to B${rowNumber}, the contract says ${ASSIST_FIXED_CELLS[key].cell}`);
  }
  const fresh = data.rows.filter((r) => r.state === 'new').length;
  const overdue = data.rows.length - fresh;
  add(['接收单位', data.targetName]);
  add(['发出日期', data.issuedOn]);
  add(['本期新请求', `${fresh} 人`]);
  add(['逾期未回复', overdue ? `${overdue} 人（此前各期请求，发出超过 ${data.answerDays} 天未回复，请一并办理）` : '无']);
  add([]);
  add(['说明'], SECTION_FONT);
  const who =
    data.kind === 'province'
      ? '以下在保家庭成员持有外省（区、市）居住证，经常居住地在区外。请自治区民政厅转请经常居住地省级民政部门按“核对项目”开展跨省核对，并将结果填回本表。'
      : `以下在保家庭成员持有${data.targetName}的居住证，经常居住地在贵盟市。请按“核对项目”协助核对，并将结果填回本表。`;
  add([who]);
  add([`请在发出后 ${data.answerDays} 天内回复。家庭已签署核对授权书（见“授权书日期”）；表中身份信息仅用于本次核对，不得用于其他用途。`]);
  add([`回复方法：在“${ASSIST_SHEET.requests}”表中逐行填写黄色列（核对结果、核对说明、回复单位、回复日期），保存后原表交回；请勿修改请求编号和其他列。`]);
  add([]);
  add(['核对结果可选值'], SECTION_FONT);
  const first = rowNumber + 1;
  for (const r of data.results) add([text(r)]);
  if (layout.protect) await protectSheet(sheet);
  sheet.commit();
  return `'${ASSIST_SHEET.readme}'!$A$${first}:$A$${rowNumber}`;
}

async function writeRequests(workbook: ExcelJS.stream.xlsx.WorkbookWriter, data: AssistWorkbookData, resultsRange: string, layout: SheetLayout): Promise<void> {
  const sheet = addTableSheet(workbook, ASSIST_REQUESTS.sheet, ASSIST_REQUESTS.columns, { layout });
  data.rows.forEach((r, i) => {
    const where = `${ASSIST_REQUESTS.sheet} row ${i + ASSIST_REQUESTS.headerRow + 1}`;
    addTableRow(
      sheet,
      rowValues(ASSIST_REQUESTS, {
        seq: i + 1,
        requestId: r.requestId,
        state: r.state === 'new' ? '本期新请求' : `逾期未回复（${r.period} 期请求，已 ${r.daysWaiting} 天）`,
        sentOn: utcDate(r.sentOn, `${where} sentOn`),
        householdId: text(r.householdId),
        personId: r.personId,
        name: text(r.name),
        county: r.county,
        province: r.province,
        residence: r.residence,
        items: r.items,
        authSignedOn: r.authSignedOn ? utcDate(r.authSignedOn, `${where} authSignedOn`) : null,
        result: null,
        note: null,
        answeredBy: null,
        answeredOn: null,
      }),
    );
  });
  const last = ASSIST_REQUESTS.headerRow + Math.max(data.rows.length, 1);
  const col = (k: 'result' | 'answeredOn') => {
    const letter = columnLetter(ASSIST_REQUESTS.col[k]);
    return `${letter}${ASSIST_REQUESTS.headerRow + 1}:${letter}${last}`;
  };
  dataValidations(sheet).add(col('result'), {
    type: 'list',
    allowBlank: true,
    formulae: [listFormula(data.results, resultsRange)],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: '核对结果无效',
    error: `请从下拉列表中选择，可选值见"${ASSIST_SHEET.readme}"表。`,
  });
  dataValidations(sheet).add(col('answeredOn'), {
    type: 'date',
    operator: 'greaterThanOrEqual',
    allowBlank: true,
    formulae: [utcDate(data.rows.map((r) => r.sentOn).sort()[0] ?? data.issuedOn, 'earliest sentOn')],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: '回复日期无效',
    error: '请输入日期（yyyy-mm-dd），且不早于请求日期。',
  });
  if (layout.protect) await protectSheet(sheet);
  sheet.commit();
}
