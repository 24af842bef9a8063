import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { pinZipTimestamps } from '../xlsx/zip-timestamps.ts';
import { snapshotPeriodText, snapshotState, type CountyWorkbookData, type CountyWorkbookMeta, type FlagDetailRow, type HouseholdRow, type ObligorPendingRow, type PendingAuthorizationRow, type RecheckRow, type UnpaidRow } from './workbook-data.ts';
import {
  DATE_FORMAT,
  SEVERITY_LABEL,
  WorkbookDataError,
  columnLetter,
  dataValidations,
  listFormula,
  money,
  periodDocumentDate,
  pinDocumentProperties,
  sha256File,
  text,
  utcDate,
  addTableSheet,
  addTableRow,
  printOptions,
  protectSheet,
  type SheetLayout,
} from './xlsx-format.ts';
import { DETAILS, FIXED_CELLS, HOUSEHOLDS, OBLIGOR_PENDING, PENDING, RECHECK, SHEET, UNPAID, rowValues, type AnswerKey, type FixedCellKey, type WorkbookTable } from './workbook-contract.ts';

/**
 * One county's workbook (DESIGN.md, Outputs): 说明, 疑点家庭, 疑点明细, 待补授权, 未发放名单, 待补义务人授权,
 * in that order.
 *
 * Streamed with exceljs' WorkbookWriter (every row committed as written, so memory stays flat
 * whatever the county's size), then the zip's timestamps are pinned to the period's last day so
 * the same data gives the same bytes.
 *
 * The sheets, columns, fixed cells of 说明 and defined names are declared in workbook-contract.ts,
 * and the feedback importer reads the workbook back by the same declarations; this file only fills
 * them. Rows are given by column key, so a column added to the contract fails to compile here
 * until it is filled.
 *
 * As a clerk uses it: every sheet is protected without a password (a guard against slips: 数据
 * 审阅 → 撤销工作表保护 lifts it) and only the answer columns of 疑点家庭 and 疑点明细 are
 * unlocked; filtering and resizing still work. Every sheet prints landscape on A4, one page wide,
 * with its header rows on every page and the county, period and page number in the footer.
 */

/** The line above 待补授权's header (PENDING.headerRow = this one line + 1). */
export const PENDING_EXPLANATION =
  '以下家庭因核对授权书缺失或过期，本期未与任何部门数据比对，也未产生疑点。请组织签署《核对授权书》并录入系统，下期起纳入核对。';

/** The line above 定期核查到期's header (RECHECK.headerRow = this one line + 1). */
export const RECHECK_EXPLANATION =
  '以下家庭的定期核查已逾期、本月或下月到期，或核对授权书即将到期。请按周期入户核查并录入核实结果（反馈的核实日期即为本次核查日期），组织到期授权书续签。本表不是疑点，无需反馈。';

/** The line above 待补义务人授权's header (OBLIGOR_PENDING.headerRow = this one line + 1). */
export const OBLIGOR_PENDING_EXPLANATION = '以下赡养、抚养、扶养义务人未签署授权书或授权已失效，未对其进行核对。请补签授权书后下月核对。';

export interface CountyWorkbookResult {
  sha256: string;
  rows: { households: number; details: number; pendingAuthorization: number; unpaid: number; obligorPending: number; recheck: number };
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
    const layout: SheetLayout = { footer: `${data.meta.countyName}（${data.meta.countyCode}） ${data.meta.period} 核对疑点`, protect: true };
    const dispositionsRange = await writeReadme(workbook, data, layout);
    await writeHouseholds(workbook, data.meta, data.households, dispositionsRange, layout);
    await writeDetails(workbook, data.meta, data.details, dispositionsRange, layout);
    await writePending(workbook, data.pendingAuthorization, layout);
    await writeUnpaid(workbook, data.meta, data.unpaid, layout);
    await writeObligorPending(workbook, data.meta, data.obligorPending, layout);
    await writeRecheck(workbook, data.recheck, layout);
    await workbook.commit();
    if (!out.closed) await once(out, 'close');
    await pinZipTimestamps(path, when);
    return {
      sha256: await sha256File(path),
      rows: {
        households: data.households.length,
        details: data.details.length,
        pendingAuthorization: data.pendingAuthorization.length,
        unpaid: data.unpaid.length,
        obligorPending: data.obligorPending.length,
        recheck: data.recheck.length,
      },
    };
  } catch (error) {
    out.destroy();
    await rm(path, { force: true });
    throw error;
  }
}

function checkCounts({ meta, households, details, pendingAuthorization, unpaid, obligorPending, recheck }: CountyWorkbookData): void {
  const pairs: [string, number, number][] = [
    ['households', meta.counts.households, households.length],
    ['flags', meta.counts.flags, details.length],
    ['pendingAuthorization', meta.counts.pendingAuthorization, pendingAuthorization.length],
    ['unpaid', meta.counts.unpaid, unpaid.length],
    ['obligorPending', meta.counts.obligorPending, obligorPending.length],
    ['recheck', meta.counts.recheck, recheck.length],
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
async function writeReadme(workbook: ExcelJS.stream.xlsx.WorkbookWriter, data: CountyWorkbookData, layout: SheetLayout): Promise<string> {
  const { meta } = data;
  const sheet = workbook.addWorksheet(SHEET.readme, { properties: { tabColor: { argb: 'FF4472C4' } }, ...printOptions(layout, 0) });
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
  // Rows 2–4 are fixed places the feedback importer reads (FIXED_CELLS): label in A, value in B.
  const fixed: Record<FixedCellKey, string> = { schemaVersion: meta.schemaVersion, period: meta.period, countyCode: meta.countyCode };
  for (const key of Object.keys(FIXED_CELLS) as FixedCellKey[]) {
    add([FIXED_CELLS[key].label, fixed[key]]);
    if (`B${rowNumber}` !== FIXED_CELLS[key].cell) throw new Error(`${SHEET.readme}: ${key} was written to B${rowNumber}, the contract says ${FIXED_CELLS[key].cell}`);
  }
  add(['旗县市区', meta.countyName]);
  add(['盟市', `${meta.leagueCode} ${meta.leagueName}`]);
  add(['下发日期', utcDate(meta.issuedOn, '说明 下发日期')], undefined, DATE_FORMAT);
  add(['反馈截止日期', utcDate(meta.dueOn, '说明 反馈截止日期')], { bold: true }, DATE_FORMAT);
  // meta.dueOn is the earliest due date of the county's open flags; each flag's own dates are on its rows
  add(['反馈时限', `请于每条疑点下发之日起${meta.deadlineDays}日内核实并反馈，截止日遇节假日顺延至下一个工作日。上面的截止日期是本表疑点中最早的一个，每条疑点的下发日期和截止日期见"${SHEET.households}""${SHEET.details}"表。`], WARN_FONT);
  blank();

  add(['本期数量'], SECTION_FONT);
  add(['疑点家庭（户）', meta.counts.households]);
  add(['疑点明细（条）', meta.counts.flags]);
  add(['白名单已屏蔽（条）', meta.counts.suppressed]);
  add(['待补授权（户）', meta.counts.pendingAuthorization]);
  if (meta.counts.households === 0) add(['本期无疑点家庭', '本旗县市区本期没有需要核实的疑点家庭，"疑点家庭""疑点明细"两表为空。'], WARN_FONT);
  if (meta.counts.suppressed > 0) add(['', '已列入白名单的疑点本期不再下发，只计数。']);
  if (meta.counts.pendingAuthorization > 0) add(['', '"待补授权"表中的家庭本期未核对，请补签核对授权书。'], WARN_FONT);
  add(['未发放（户）', meta.ledgerArrived ? meta.counts.unpaid : '一卡通发放数据未到']);
  if (meta.counts.unpaid > 0) add(['', `"${SHEET.unpaid}"表中的在保家庭本月在一卡通中没有发放成功的记录，请核实是否漏发。`], WARN_FONT);
  add(['待补义务人授权（人）', meta.obligorsArrived ? meta.counts.obligorPending : '赡抚养义务人数据未到']);
  if (meta.counts.obligorPending > 0) add(['', `"${SHEET.obligorPending}"表中的赡养、抚养、扶养义务人本期未核对，请补签授权书。`], WARN_FONT);
  add(['定期核查到期（户）', meta.counts.recheck]);
  if (meta.counts.recheck > 0) add(['', `"${SHEET.recheck}"表中的家庭定期核查已到期或即将到期，或授权书即将到期。`], WARN_FONT);
  blank();

  add(['使用的数据'], SECTION_FONT);
  add(['数据来源', '快照期', '距核对期（月）', '状态'], { bold: true });
  if (meta.snapshots.length === 0) add(['（无）']);
  for (const s of meta.snapshots) {
    const row = sheet.addRow([text(s.feedTitle), snapshotPeriodText(s), s.ageMonths, text(snapshotState(s))]);
    rowNumber = row.number;
    if (s.stale || s.fallback) row.getCell(4).font = WARN_FONT;
    row.commit();
  }
  blank();

  add(['填写说明'], SECTION_FONT);
  const h = HOUSEHOLDS.header;
  const howTo = [
    `1. 逐条核实"${SHEET.details}"表中的疑点，在该条的"${DETAILS.header.disposition}"列从下拉列表中选择一项（可选值见下），并填写"${DETAILS.header.note}"（核实经过与依据）、"${DETAILS.header.verifiedBy}"、"${DETAILS.header.verifiedOn}"（格式 yyyy-mm-dd）。`,
    `2. 一户的各条疑点结果相同时，可只在"${SHEET.households}"表该户填写"${h.disposition}"等四列：明细中未填写的疑点按本户结果处理；明细中已填写的以明细为准。`,
    `3. 每户的疑点详情见"${SHEET.details}"表，按${h.householdId}对应；一户可能有多条疑点，结果可以不同（如一条属实、一条为部门数据错误）。`,
    `4. 只有黄色表头的列可以填写，其余单元格已保护（无密码）；请勿修改工作表名称、表头和隐藏列（${h.flagIds}），请勿增删行列；反馈时上传本文件。`,
    '5. 疑点是核查线索，不是结论。严禁"一刀切"：不得仅凭疑点停发、减发救助金，须核实后依规处理。',
    `6. 如某条疑点由部门数据错误引起，请在该条疑点选择相应${h.disposition}并在${h.note}中写明，审核后该条数据列入白名单，不再重复下发；同户其他疑点不受影响。`,
    `7. "${SHEET.pending}"表中的家庭未与任何部门数据比对，请组织签署《核对授权书》。`,
    `8. "${SHEET.unpaid}"表是本月在保但一卡通中没有发放成功记录的家庭（发放失败、被退回的不算发放），供核实是否漏发，不是疑点，无需反馈。`,
    `9. "${SHEET.obligorPending}"表中的赡养、抚养、扶养义务人未签署授权书或授权已失效，未与部门数据比对，请组织义务人补签授权书，下月起核对；本表不是疑点，无需反馈。`,
    `10. "${SHEET.recheck}"表列出定期核查（有劳动年龄成员或人户分离的家庭每半年一次，其他家庭每年一次）已逾期、本月或下月到期的家庭，以及授权书即将到期的家庭；入户核查后在疑点反馈中填写的核实日期即为核查日期。本表不是疑点，无需反馈。`,
    '11. 本表含个人信息，仅限本旗县市区核对工作使用，严禁外传。',
  ];
  for (const line of howTo) add([line], line.startsWith('5.') ? WARN_FONT : undefined);
  blank();

  add([`${h.disposition}可选值`], SECTION_FONT);
  const first = rowNumber + 1;
  for (const d of meta.dispositions) add([text(d)]);
  const last = rowNumber;

  for (const { cell, name } of Object.values(FIXED_CELLS)) workbook.definedNames.add(`'${SHEET.readme}'!$${cell[0]}$${cell.slice(1)}`, name);
  if (layout.protect) await protectSheet(sheet);
  sheet.commit();
  return `'${SHEET.readme}'!$A$${first}:$A$${last}`;
}

// ————— 疑点家庭 —————

async function writeHouseholds(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  meta: CountyWorkbookMeta,
  rows: HouseholdRow[],
  readmeRange: string,
  layout: SheetLayout,
): Promise<void> {
  const sheet = addTableSheet(workbook, HOUSEHOLDS.sheet, HOUSEHOLDS.columns, { layout });
  const firstRow = HOUSEHOLDS.headerRow + 1;
  let earliestIssue: Date | undefined;
  rows.forEach((h, i) => {
    const where = `${HOUSEHOLDS.sheet} row ${i + firstRow}`;
    const issuedOn = utcDate(h.issuedOn, `${where} issuedOn`);
    if (!earliestIssue || issuedOn < earliestIssue) earliestIssue = issuedOn;
    addTableRow(
      sheet,
      rowValues(HOUSEHOLDS, {
        seq: i + 1,
        householdId: text(h.householdId),
        headName: text(h.headName),
        headId: text(h.headId),
        program: text(h.program),
        // a payee on no roster (PAY-… households of the payments rules) has neither
        householdSize: h.householdSize || null,
        monthlyAmount: h.monthlyAmount === '' ? null : money(h.monthlyAmount, `${where} monthlyAmount`),
        registeredElsewhere: yesNo(h.registeredElsewhere),
        rules: text(h.rules),
        severity: SEVERITY_LABEL[h.severity],
        firstIssuedPeriod: h.firstIssuedPeriod,
        issuedOn,
        dueOn: utcDate(h.dueOn, `${where} dueOn`),
        daysOverdue: h.daysOverdue > 0 ? h.daysOverdue : null,
        ...NO_ANSWER,
        flagIds: h.flagIds.join(','),
      }),
    );
  });
  if (earliestIssue) {
    addAnswerValidations(sheet, HOUSEHOLDS, rows.length, listFormula(meta.dispositions, readmeRange), earliestIssue, `本户各条疑点的结果；"${SHEET.details}"中单独填写的疑点以明细为准。请从下拉列表中选择`);
  }
  if (layout.protect) await protectSheet(sheet);
  sheet.commit();
}

/** The answer cells of a row as written: blank, for the county to fill in. */
const NO_ANSWER: Record<AnswerKey, null> = { disposition: null, note: null, verifiedBy: null, verifiedOn: null };

/** The dropdown of 核实结果 and the date check of 核实日期 over the data rows of a table with answer columns. */
function addAnswerValidations(
  sheet: ExcelJS.Worksheet,
  table: WorkbookTable<AnswerKey | string>,
  rowCount: number,
  listFormula: string,
  earliestIssue: Date,
  prompt: string,
): void {
  const first = table.headerRow + 1;
  const last = table.headerRow + rowCount;
  const range = (key: AnswerKey): string => {
    const letter = columnLetter(table.col[key]);
    return `${letter}${first}:${letter}${last}`;
  };
  const header = table.header;
  dataValidations(sheet).add(range('disposition'), {
    type: 'list',
    allowBlank: true,
    formulae: [listFormula],
    showInputMessage: true,
    promptTitle: header.disposition,
    prompt,
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: `${header.disposition}无效`,
    error: `请从下拉列表中选择，可选值见"${SHEET.readme}"表。`,
  });
  dataValidations(sheet).add(range('verifiedOn'), {
    type: 'date',
    operator: 'greaterThanOrEqual',
    allowBlank: true,
    formulae: [earliestIssue],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: `${header.verifiedOn}无效`,
    error: '请输入日期（yyyy-mm-dd），且不早于下发日期。',
  });
}


// ————— 疑点明细 —————

async function writeDetails(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  meta: CountyWorkbookMeta,
  rows: FlagDetailRow[],
  readmeRange: string,
  layout: SheetLayout,
): Promise<void> {
  const sheet = addTableSheet(workbook, DETAILS.sheet, DETAILS.columns, { layout });
  let earliestIssue: Date | undefined;
  rows.forEach((d, i) => {
    const where = `${DETAILS.sheet} row ${i + DETAILS.headerRow + 1}`;
    const issuedOn = utcDate(d.issuedOn, `${where} issuedOn`);
    if (!earliestIssue || issuedOn < earliestIssue) earliestIssue = issuedOn;
    addTableRow(
      sheet,
      rowValues(DETAILS, {
        seq: i + 1,
        flagId: text(d.flagId),
        householdId: text(d.householdId),
        personId: text(d.personId),
        personName: text(d.personName),
        relation: text(d.relation),
        isCovered: yesNo(d.isCovered),
        ruleId: text(d.ruleId),
        ruleTitle: text(d.ruleTitle),
        severity: SEVERITY_LABEL[d.severity],
        source: text(d.source),
        evidence: text(d.evidence),
        firstIssuedPeriod: d.firstIssuedPeriod,
        issuedOn,
        dueOn: utcDate(d.dueOn, `${where} dueOn`),
        ...NO_ANSWER,
      }),
    );
  });
  if (earliestIssue) {
    addAnswerValidations(sheet, DETAILS, rows.length, listFormula(meta.dispositions, readmeRange), earliestIssue, `本条疑点的结果；不填写则按"${SHEET.households}"中本户的结果。请从下拉列表中选择`);
  }
  if (layout.protect) await protectSheet(sheet);
  sheet.commit();
}

// ————— 待补授权 —————

async function writePending(workbook: ExcelJS.stream.xlsx.WorkbookWriter, rows: PendingAuthorizationRow[], layout: SheetLayout): Promise<void> {
  await writeListSheet(workbook, PENDING, rows.length === 0 ? '本期无待补授权家庭。' : PENDING_EXPLANATION, rows, layout, (p, seq) => ({
    seq,
    householdId: text(p.householdId),
    headName: text(p.headName),
    headId: text(p.headId),
    program: text(p.program),
    householdSize: p.householdSize,
    reason: text(p.reason),
  }));
}

// ————— 未发放名单 —————

async function writeUnpaid(workbook: ExcelJS.stream.xlsx.WorkbookWriter, meta: CountyWorkbookMeta, rows: UnpaidRow[], layout: SheetLayout): Promise<void> {
  const preamble = !meta.ledgerArrived
    ? '本月一卡通发放数据未到，未比对发放情况。'
    : rows.length === 0
      ? '本月在保家庭在一卡通中均有发放成功的记录。'
      : '以下在保家庭本月在一卡通中没有发放成功的记录（发放失败、被退回的不算发放）。本表供核实是否漏发，不是疑点，无需反馈。';
  await writeListSheet(workbook, UNPAID, preamble, rows, layout, (u, seq, where) => ({
    seq,
    householdId: text(u.householdId),
    headName: text(u.headName),
    headId: text(u.headId),
    program: text(u.program),
    householdSize: u.householdSize,
    monthlyAmount: money(u.monthlyAmount, `${where} monthlyAmount`),
  }));
}

// ————— 待补义务人授权 —————

async function writeObligorPending(workbook: ExcelJS.stream.xlsx.WorkbookWriter, meta: CountyWorkbookMeta, rows: ObligorPendingRow[], layout: SheetLayout): Promise<void> {
  const preamble = !meta.obligorsArrived
    ? '本月赡抚养义务人数据未到，未核对义务人。'
    : rows.length === 0
      ? '本期无待补授权的赡养、抚养、扶养义务人。'
      : OBLIGOR_PENDING_EXPLANATION;
  await writeListSheet(workbook, OBLIGOR_PENDING, preamble, rows, layout, (o, seq, where) => ({
    seq,
    householdId: text(o.householdId),
    supportedName: text(o.supportedName),
    supportedId: text(o.supportedId),
    obligorName: text(o.obligorName),
    shownId: text(o.shownId),
    obligorCounty: text(o.obligorCounty),
    relation: text(o.relation),
    authSignedOn: optionalDate(o.authSignedOn, `${where} authSignedOn`),
    authValidUntil: optionalDate(o.authValidUntil, `${where} authValidUntil`),
    reason: text(o.reason),
  }));
}

// ————— 定期核查到期 —————

async function writeRecheck(workbook: ExcelJS.stream.xlsx.WorkbookWriter, rows: RecheckRow[], layout: SheetLayout): Promise<void> {
  const preamble = rows.length === 0 ? '本期没有定期核查到期或授权书即将到期的家庭。' : RECHECK_EXPLANATION;
  await writeListSheet(workbook, RECHECK, preamble, rows, layout, (r, seq, where) => ({
    seq,
    householdId: text(r.householdId),
    headName: text(r.headName),
    program: text(r.program),
    cycleMonths: r.cycleMonths,
    cycleBasis: text(r.cycleBasis),
    lastCheckOn: optionalDate(r.lastCheckOn, `${where} lastCheckOn`),
    lastCheckBasis: text(r.lastCheckBasis),
    nextDueOn: optionalDate(r.nextDueOn, `${where} nextDueOn`),
    dueState: text(r.dueState),
    authValidUntil: optionalDate(r.authValidUntil, `${where} authValidUntil`),
    authNote: text(r.authNote),
  }));
}

/** A date cell, or an empty one for '' (not signed, not given). */
const optionalDate = (value: string, where: string): Date | null => (value === '' ? null : utcDate(value, where));

/**
 * A list sheet (待补授权, 未发放名单, 待补义务人授权, 定期核查到期): one preamble line, so the header lands
 * on the table's headerRow (2), then one row per item with the cells `cellsOf` gives it (`where` names
 * the row in errors); protected when the layout says so.
 */
async function writeListSheet<K extends string, R>(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  table: WorkbookTable<K>,
  preamble: string,
  rows: readonly R[],
  layout: SheetLayout,
  cellsOf: (row: R, seq: number, where: string) => Record<K, ExcelJS.CellValue>,
): Promise<void> {
  const sheet = addTableSheet(workbook, table.sheet, table.columns, { preamble: [{ text: preamble, font: WARN_FONT }], layout });
  rows.forEach((row, i) => addTableRow(sheet, rowValues(table, cellsOf(row, i + 1, `${table.sheet} row ${i + table.headerRow + 1}`))));
  if (layout.protect) await protectSheet(sheet);
  sheet.commit();
}
