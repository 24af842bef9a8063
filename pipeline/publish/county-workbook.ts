import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { pinZipTimestamps } from '../xlsx/zip-timestamps.ts';
import { snapshotState, type CountyWorkbookData, type CountyWorkbookMeta, type FlagDetailRow, type HouseholdRow, type PendingAuthorizationRow } from './workbook-data.ts';
import {
  type ColumnSpec,
  DATE_FORMAT,
  MONEY_FORMAT,
  SEVERITY_LABEL,
  TEXT_FORMAT,
  WorkbookDataError,
  columnLetter,
  money,
  periodDocumentDate,
  pinDocumentProperties,
  sha256File,
  text,
  utcDate,
  addTableSheet,
  addTableRow,
} from './xlsx-format.ts';

/**
 * One county's workbook (DESIGN.md, Outputs): 说明, 疑点家庭, 疑点明细, 待补授权, in that order.
 *
 * Streamed with exceljs' WorkbookWriter (every row committed as written, so memory stays flat
 * whatever the county's size), then the zip's timestamps are pinned to the period's last day so
 * the same data gives the same bytes.
 *
 * What the feedback importer relies on (change them only with a new WORKBOOK_SCHEMA_VERSION):
 * - sheet names below, headers in row 1 of 疑点家庭 and 疑点明细;
 * - 说明!B2 holds the schema version, B3 the period, B4 the county code; the defined names
 *   hedui_schema_version, hedui_period and hedui_county_code point at those cells;
 * - 疑点家庭 column S (疑点编号, hidden) holds the row's flag ids joined by ',';
 *   columns O–R (核实结果, 核实说明, 核实人, 核实日期); N 逾期天数 is the days past due of a carried-over flag are what the county fills in;
 * - 疑点明细 column B holds the flag id of each row.
 */

export const SHEET = {
  readme: '说明',
  households: '疑点家庭',
  details: '疑点明细',
  pending: '待补授权',
} as const;

/** Cells of 说明 at fixed places, and the defined names that point at them. */
export const FIXED_CELLS = {
  schemaVersion: { cell: 'B2', name: 'hedui_schema_version' },
  period: { cell: 'B3', name: 'hedui_period' },
  countyCode: { cell: 'B4', name: 'hedui_county_code' },
} as const;

export const HOUSEHOLD_COLUMNS: ColumnSpec[] = [
  { header: '序号', width: 7 },
  { header: '户编号', width: 20, numFmt: TEXT_FORMAT },
  { header: '户主姓名', width: 12, numFmt: TEXT_FORMAT },
  { header: '户主身份证号', width: 21, numFmt: TEXT_FORMAT },
  { header: '保障类别', width: 11 },
  { header: '保障人数', width: 9 },
  { header: '月保障金(元)', width: 13, numFmt: MONEY_FORMAT },
  { header: '人户分离', width: 9 },
  { header: '疑点规则', width: 36 },
  { header: '最高风险等级', width: 9 },
  { header: '首次下发期', width: 11 },
  { header: '下发日期', width: 12, numFmt: DATE_FORMAT },
  { header: '反馈截止日期', width: 13, numFmt: DATE_FORMAT },
  { header: '逾期天数', width: 9 },
  { header: '核实结果', width: 22, input: true },
  { header: '核实说明', width: 40, input: true, numFmt: TEXT_FORMAT },
  { header: '核实人', width: 10, input: true, numFmt: TEXT_FORMAT },
  { header: '核实日期', width: 12, numFmt: DATE_FORMAT, input: true },
  { header: '疑点编号', width: 30, hidden: true, numFmt: TEXT_FORMAT },
];

/** 1-based column numbers in 疑点家庭 that other code refers to. */
export const HOUSEHOLD_COLUMN = {
  householdId: 2,
  daysOverdue: 14,
  disposition: 15,
  note: 16,
  verifiedBy: 17,
  verifiedOn: 18,
  flagIds: 19,
} as const;

export const DETAIL_COLUMNS: ColumnSpec[] = [
  { header: '序号', width: 7 },
  { header: '疑点编号', width: 24, numFmt: TEXT_FORMAT },
  { header: '户编号', width: 20, numFmt: TEXT_FORMAT },
  { header: '身份证号', width: 21, numFmt: TEXT_FORMAT },
  { header: '姓名', width: 12, numFmt: TEXT_FORMAT },
  { header: '与户主关系', width: 11 },
  { header: '是否保障对象', width: 9 },
  { header: '规则编号', width: 22 },
  { header: '疑点规则', width: 24 },
  { header: '风险等级', width: 9 },
  { header: '数据来源', width: 20 },
  { header: '疑点内容', width: 60, numFmt: TEXT_FORMAT },
  { header: '首次下发期', width: 11 },
  { header: '下发日期', width: 12, numFmt: DATE_FORMAT },
  { header: '反馈截止日期', width: 13, numFmt: DATE_FORMAT },
];

export const PENDING_COLUMNS: ColumnSpec[] = [
  { header: '序号', width: 7 },
  { header: '户编号', width: 20, numFmt: TEXT_FORMAT },
  { header: '户主姓名', width: 12, numFmt: TEXT_FORMAT },
  { header: '户主身份证号', width: 21, numFmt: TEXT_FORMAT },
  { header: '保障类别', width: 11 },
  { header: '保障人数', width: 9 },
  { header: '原因', width: 36 },
];

/** 待补授权 opens with one explanation line; its header is row 2. */
export const PENDING_HEADER_ROW = 2; // = preamble lines + 1
export const PENDING_EXPLANATION =
  '以下家庭因核对授权书缺失或过期，本期未与任何部门数据比对，也未产生疑点。请组织签署《核对授权书》并录入系统，下期起纳入核对。';

export interface CountyWorkbookResult {
  sha256: string;
  rows: { households: number; details: number; pendingAuthorization: number };
}

const yesNo = (b: boolean): string => (b ? '是' : '否');

/**
 * Writes `data` to `path` (overwriting it). On failure the partial file is removed and the
 * error is rethrown; WorkbookDataError messages name sheet/row/field only, never a value.
 */
export async function writeCountyWorkbook(path: string, data: CountyWorkbookData): Promise<CountyWorkbookResult> {
  checkCounts(data);
  const when = periodDocumentDate(data.meta.period);
  const out = createWriteStream(path);
  try {
    // Open the file ourselves: exceljs would leave an early open error (missing folder) unhandled.
    await once(out, 'open');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
    pinDocumentProperties(workbook, when, `${data.meta.countyName} ${data.meta.period} 社会救助家庭经济状况核对疑点`);
    const dispositionsRange = writeReadme(workbook, data);
    writeHouseholds(workbook, data.meta, data.households, dispositionsRange);
    writeDetails(workbook, data.details);
    writePending(workbook, data.pendingAuthorization);
    await workbook.commit();
    if (!out.closed) await once(out, 'close');
    await pinZipTimestamps(path, when);
    return {
      sha256: await sha256File(path),
      rows: {
        households: data.households.length,
        details: data.details.length,
        pendingAuthorization: data.pendingAuthorization.length,
      },
    };
  } catch (error) {
    out.destroy();
    await rm(path, { force: true });
    throw error;
  }
}

function checkCounts({ meta, households, details, pendingAuthorization }: CountyWorkbookData): void {
  const pairs: [string, number, number][] = [
    ['households', meta.counts.households, households.length],
    ['flags', meta.counts.flags, details.length],
    ['pendingAuthorization', meta.counts.pendingAuthorization, pendingAuthorization.length],
  ];
  for (const [name, said, got] of pairs) {
    if (said !== got) throw new WorkbookDataError(`meta.counts.${name} is ${said} but ${got} rows were given`);
  }
  if (meta.dispositions.length === 0) throw new WorkbookDataError('meta.dispositions is empty');
}

// ————— 说明 —————

const TITLE_FONT: Partial<ExcelJS.Font> = { bold: true, size: 14 };
const SECTION_FONT: Partial<ExcelJS.Font> = { bold: true, size: 12 };
const WARN_FONT: Partial<ExcelJS.Font> = { bold: true, color: { argb: 'FFC00000' } };

/** Writes 说明 and returns the absolute range of its list of dispositions (for the dropdown's fallback). */
function writeReadme(workbook: ExcelJS.stream.xlsx.WorkbookWriter, data: CountyWorkbookData): string {
  const { meta } = data;
  const sheet = workbook.addWorksheet(SHEET.readme, { properties: { tabColor: { argb: 'FF4472C4' } } });
  sheet.columns = [{ width: 22 }, { width: 44 }, { width: 16 }, { width: 22 }];
  let rowNumber = 0;
  const add = (values: (string | number | Date)[], font?: Partial<ExcelJS.Font>, numFmt?: string): void => {
    const row = sheet.addRow(values);
    rowNumber = row.number;
    if (font) row.eachCell((cell) => (cell.font = font));
    if (numFmt) row.getCell(2).numFmt = numFmt;
    row.commit();
  };
  const blank = (): void => add([]);

  add([`${meta.countyName} ${meta.period} 社会救助家庭经济状况核对疑点`], TITLE_FONT);
  // Rows 2–4 are fixed places the feedback importer reads (FIXED_CELLS).
  add(['格式版本', meta.schemaVersion]);
  add(['核对期', meta.period]);
  add(['旗县市区代码', meta.countyCode]);
  add(['旗县市区', meta.countyName]);
  add(['盟市', `${meta.leagueCode} ${meta.leagueName}`]);
  add(['下发日期', utcDate(meta.issuedOn, '说明 下发日期')], undefined, DATE_FORMAT);
  add(['反馈截止日期', utcDate(meta.dueOn, '说明 反馈截止日期')], { bold: true }, DATE_FORMAT);
  add(['反馈时限', `请于下发之日起${meta.deadlineDays}日内核实并反馈（截止日期见上）。`], WARN_FONT);
  blank();

  add(['本期数量'], SECTION_FONT);
  add(['疑点家庭（户）', meta.counts.households]);
  add(['疑点明细（条）', meta.counts.flags]);
  add(['白名单已屏蔽（条）', meta.counts.suppressed]);
  add(['待补授权（户）', meta.counts.pendingAuthorization]);
  if (meta.counts.households === 0) add(['本期无疑点家庭', '本旗县市区本期没有需要核实的疑点家庭，"疑点家庭""疑点明细"两表为空。'], WARN_FONT);
  if (meta.counts.suppressed > 0) add(['', '已列入白名单的疑点本期不再下发，只计数。']);
  if (meta.counts.pendingAuthorization > 0) add(['', '"待补授权"表中的家庭本期未核对，请补签核对授权书。'], WARN_FONT);
  blank();

  add(['使用的数据'], SECTION_FONT);
  add(['数据来源', '快照期', '距核对期（月）', '状态'], { bold: true });
  if (meta.snapshots.length === 0) add(['（无）']);
  for (const s of meta.snapshots) {
    const row = sheet.addRow([text(s.feedTitle), s.period, s.ageMonths, text(snapshotState(s))]);
    rowNumber = row.number;
    if (s.stale || s.fallback) row.getCell(4).font = WARN_FONT;
    row.commit();
  }
  blank();

  add(['填写说明'], SECTION_FONT);
  const howTo = [
    `1. 在"${SHEET.households}"表逐户核实，在"核实结果"列从下拉列表中选择一项（可选值见下）。`,
    '2. 填写"核实说明"（核实经过与依据）、"核实人"、"核实日期"（格式 yyyy-mm-dd）。',
    `3. 每户的疑点详情见"${SHEET.details}"表，按户编号对应；一户可能有多条疑点。`,
    '4. 请勿修改工作表名称、表头和隐藏列（疑点编号），请勿增删行列；反馈时上传本文件。',
    '5. 疑点是核查线索，不是结论。严禁"一刀切"：不得仅凭疑点停发、减发救助金，须核实后依规处理。',
    '6. 如疑点由部门数据错误引起，请选择相应核实结果并在核实说明中写明，审核后列入白名单，不再重复下发。',
    `7. "${SHEET.pending}"表中的家庭未与任何部门数据比对，请组织签署《核对授权书》。`,
    '8. 本表含个人信息，仅限本旗县市区核对工作使用，严禁外传。',
  ];
  for (const line of howTo) add([line], line.startsWith('5.') ? WARN_FONT : undefined);
  blank();

  add(['核实结果可选值'], SECTION_FONT);
  const first = rowNumber + 1;
  for (const d of meta.dispositions) add([text(d)]);
  const last = rowNumber;

  for (const { cell, name } of Object.values(FIXED_CELLS)) workbook.definedNames.add(`'${SHEET.readme}'!$${cell[0]}$${cell.slice(1)}`, name);
  sheet.commit();
  return `'${SHEET.readme}'!$A$${first}:$A$${last}`;
}

// ————— 疑点家庭 —————

function dispositionFormula(dispositions: string[], readmeRange: string): string {
  // An inline list is the sturdiest dropdown (survives edits to 说明) but Excel caps it at 255
  // characters and splits on ','; otherwise point at the list printed on 说明.
  const inline = dispositions.join(',');
  const fits = inline.length <= 255 && dispositions.every((d) => !d.includes(',') && !d.includes('"'));
  return fits ? `"${inline}"` : readmeRange;
}

function writeHouseholds(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  meta: CountyWorkbookMeta,
  rows: HouseholdRow[],
  readmeRange: string,
): void {
  const sheet = addTableSheet(workbook, SHEET.households, HOUSEHOLD_COLUMNS);
  let earliestIssue: Date | undefined;
  rows.forEach((h, i) => {
    const where = `${SHEET.households} row ${i + 2}`;
    const issuedOn = utcDate(h.issuedOn, `${where} issuedOn`);
    if (!earliestIssue || issuedOn < earliestIssue) earliestIssue = issuedOn;
    addTableRow(sheet, [
      i + 1,
      text(h.householdId),
      text(h.headName),
      text(h.headId),
      text(h.program),
      h.householdSize,
      money(h.monthlyAmount, `${where} monthlyAmount`),
      yesNo(h.registeredElsewhere),
      text(h.rules),
      SEVERITY_LABEL[h.severity],
      h.firstIssuedPeriod,
      issuedOn,
      utcDate(h.dueOn, `${where} dueOn`),
      h.daysOverdue > 0 ? h.daysOverdue : null,
      null,
      null,
      null,
      null,
      h.flagIds.join(','),
    ]);
  });
  if (rows.length > 0) {
    const last = rows.length + 1;
    const col = (n: number): string => columnLetter(n);
    validations(sheet).add(`${col(HOUSEHOLD_COLUMN.disposition)}2:${col(HOUSEHOLD_COLUMN.disposition)}${last}`, {
      type: 'list',
      allowBlank: true,
      formulae: [dispositionFormula(meta.dispositions, readmeRange)],
      showInputMessage: true,
      promptTitle: '核实结果',
      prompt: '请从下拉列表中选择',
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: '核实结果无效',
      error: `请从下拉列表中选择，可选值见"${SHEET.readme}"表。`,
    });
    validations(sheet).add(`${col(HOUSEHOLD_COLUMN.verifiedOn)}2:${col(HOUSEHOLD_COLUMN.verifiedOn)}${last}`, {
      type: 'date',
      operator: 'greaterThanOrEqual',
      allowBlank: true,
      formulae: [earliestIssue!],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: '核实日期无效',
      error: '请输入日期（yyyy-mm-dd），且不早于下发日期。',
    });
  }
  sheet.commit();
}

/** exceljs' typings leave out the streamed worksheet's dataValidations; the object is there. */
function validations(sheet: ExcelJS.Worksheet): { add(address: string, validation: ExcelJS.DataValidation): void } {
  return (sheet as unknown as { dataValidations: { add(address: string, validation: ExcelJS.DataValidation): void } }).dataValidations;
}

// ————— 疑点明细 —————

function writeDetails(workbook: ExcelJS.stream.xlsx.WorkbookWriter, rows: FlagDetailRow[]): void {
  const sheet = addTableSheet(workbook, SHEET.details, DETAIL_COLUMNS);
  rows.forEach((d, i) => {
    const where = `${SHEET.details} row ${i + 2}`;
    addTableRow(sheet, [
      i + 1,
      text(d.flagId),
      text(d.householdId),
      text(d.personId),
      text(d.personName),
      text(d.relation),
      yesNo(d.isCovered),
      text(d.ruleId),
      text(d.ruleTitle),
      SEVERITY_LABEL[d.severity],
      text(d.source),
      text(d.evidence),
      d.firstIssuedPeriod,
      utcDate(d.issuedOn, `${where} issuedOn`),
      utcDate(d.dueOn, `${where} dueOn`),
    ]);
  });
  sheet.commit();
}

// ————— 待补授权 —————

function writePending(workbook: ExcelJS.stream.xlsx.WorkbookWriter, rows: PendingAuthorizationRow[]): void {
  const sheet = addTableSheet(workbook, SHEET.pending, PENDING_COLUMNS, {
    preamble: [{ text: rows.length === 0 ? '本期无待补授权家庭。' : PENDING_EXPLANATION, font: WARN_FONT }],
  });
  rows.forEach((p, i) => {
    addTableRow(sheet, [i + 1, text(p.householdId), text(p.headName), text(p.headId), text(p.program), p.householdSize, text(p.reason)]);
  });
  sheet.commit();
}
