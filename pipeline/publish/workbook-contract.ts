/**
 * The county workbook's contract, declared once: its sheets, the columns of its table sheets
 * (stable key, header text, width, number format, whether the county answers in it), the fixed
 * cells of 说明 and their defined names, and where a county's workbook lives in a published month.
 *
 * The writer (county-workbook.ts) lays the workbook out from these declarations, the feedback
 * importer (pipeline/feedback.ts) finds the columns it reads back by their header text taken from
 * here, and the portal names the file it serves with `countyWorkbookFileName`/`countyWorkbookPath`.
 * Code refers to a column by its key, never by a letter, a position or a header written again.
 *
 * Changing a sheet name, a header, the fixed cells or the order of the columns changes what
 * counties return: it needs a new WORKBOOK_SCHEMA_VERSION, and the old one stays in
 * IMPORTABLE_SCHEMA_VERSIONS while counties may still return it (the importer refuses any other).
 */
import { join } from 'node:path';
import type { County } from '../../domain/divisions.ts';
import { DATE_FORMAT, MONEY_FORMAT, TEXT_FORMAT, type ColumnSpec } from './xlsx-format.ts';

/** Stated on 说明 (FIXED_CELLS.schemaVersion) of every workbook published now. */
export const WORKBOOK_SCHEMA_VERSION = 'hedui-county-3';

/**
 * The versions the feedback importer reads: the current one, and the ones counties may still hold
 * from an earlier month. `perFlagAnswers`: 疑点明细 carries answer columns (a flag's own answer wins
 * over its household's); without it the household's answer is every flag's answer.
 */
export const IMPORTABLE_SCHEMA_VERSIONS: Readonly<Record<string, { perFlagAnswers: boolean }>> = {
  [WORKBOOK_SCHEMA_VERSION]: { perFlagAnswers: true },
  // published until issue 15: one answer per household (疑点家庭), none on 疑点明细
  'hedui-county-2': { perFlagAnswers: false },
};

export const SHEET = {
  readme: '说明',
  households: '疑点家庭',
  details: '疑点明细',
  pending: '待补授权',
  unpaid: '未发放名单',
  obligorPending: '待补义务人授权',
  recheck: '定期核查到期',
} as const;

/**
 * Cells of 说明 at fixed places (value in B, its label in A of the same row), and the defined
 * names that point at them. The writer writes them in this order and checks each lands on its cell.
 */
export const FIXED_CELLS = {
  schemaVersion: { cell: 'B2', name: 'hedui_schema_version', label: '格式版本' },
  period: { cell: 'B3', name: 'hedui_period', label: '核对期' },
  countyCode: { cell: 'B4', name: 'hedui_county_code', label: '旗县市区代码' },
} as const;

export type FixedCellKey = keyof typeof FIXED_CELLS;

/** A column of a table sheet: its layout (ColumnSpec) under a stable key. */
export interface WorkbookColumn<K extends string = string> extends ColumnSpec {
  key: K;
}

/** One table sheet of the workbook, with lookups by key derived from its columns. */
export interface WorkbookTable<K extends string = string> {
  sheet: string;
  /** the header's row number; data rows follow it */
  headerRow: number;
  columns: readonly WorkbookColumn<K>[];
  /** 1-based column number of each key */
  col: Readonly<Record<K, number>>;
  /** header text of each key */
  header: Readonly<Record<K, string>>;
}

export function defineTable<const K extends string>(sheet: string, headerRow: number, columns: readonly WorkbookColumn<K>[]): WorkbookTable<K> {
  const keys = new Set<string>();
  for (const c of columns) {
    if (keys.has(c.key)) throw new Error(`workbook contract: ${sheet} declares the key ${c.key} twice`);
    keys.add(c.key);
  }
  return {
    sheet,
    headerRow,
    columns,
    col: Object.fromEntries(columns.map((c, i) => [c.key, i + 1])) as Record<K, number>,
    header: Object.fromEntries(columns.map((c) => [c.key, c.header])) as Record<K, string>,
  };
}

/**
 * The columns the county answers in, the same on 疑点家庭 (the household's answer, for every flag
 * of the household left blank on 疑点明细) and on 疑点明细 (the flag's own answer).
 */
const ANSWER_COLUMNS = [
  { key: 'disposition', header: '核实结果', width: 22, answer: true },
  { key: 'note', header: '核实说明', width: 40, answer: true, numFmt: TEXT_FORMAT },
  { key: 'verifiedBy', header: '核实人', width: 10, answer: true, numFmt: TEXT_FORMAT },
  { key: 'verifiedOn', header: '核实日期', width: 12, numFmt: DATE_FORMAT, answer: true },
] as const satisfies readonly WorkbookColumn[];

/** 疑点家庭: one row per flagged household; the county answers for the household in 核实结果 … 核实日期. */
export const HOUSEHOLDS = defineTable(SHEET.households, 1, [
  { key: 'seq', header: '序号', width: 7 },
  { key: 'householdId', header: '户编号', width: 20, numFmt: TEXT_FORMAT },
  { key: 'headName', header: '户主姓名', width: 12, numFmt: TEXT_FORMAT },
  { key: 'headId', header: '户主身份证号', width: 21, numFmt: TEXT_FORMAT },
  { key: 'program', header: '保障类别', width: 11 },
  { key: 'householdSize', header: '保障人数', width: 9 },
  { key: 'monthlyAmount', header: '月保障金(元)', width: 13, numFmt: MONEY_FORMAT },
  { key: 'registeredElsewhere', header: '人户分离', width: 9 },
  { key: 'rules', header: '疑点规则', width: 36 },
  { key: 'severity', header: '最高风险等级', width: 9 },
  { key: 'firstIssuedPeriod', header: '首次下发期', width: 11 },
  { key: 'issuedOn', header: '下发日期', width: 12, numFmt: DATE_FORMAT },
  { key: 'dueOn', header: '反馈截止日期', width: 13, numFmt: DATE_FORMAT },
  { key: 'daysOverdue', header: '逾期天数', width: 9 },
  ...ANSWER_COLUMNS,
  // the row's flag ids joined by ',': what an answer is recorded against
  { key: 'flagIds', header: '疑点编号', width: 30, hidden: true, numFmt: TEXT_FORMAT },
]);

/** 疑点明细: one row per flag; the county answers for the flag in 核实结果 … 核实日期 (blank: the household's answer). */
export const DETAILS = defineTable(SHEET.details, 1, [
  { key: 'seq', header: '序号', width: 7 },
  { key: 'flagId', header: '疑点编号', width: 24, numFmt: TEXT_FORMAT },
  { key: 'householdId', header: '户编号', width: 20, numFmt: TEXT_FORMAT },
  { key: 'personId', header: '身份证号', width: 21, numFmt: TEXT_FORMAT },
  { key: 'personName', header: '姓名', width: 12, numFmt: TEXT_FORMAT },
  { key: 'relation', header: '与户主关系', width: 11 },
  { key: 'isCovered', header: '是否保障对象', width: 9 },
  { key: 'ruleId', header: '规则编号', width: 22 },
  { key: 'ruleTitle', header: '疑点规则', width: 24 },
  { key: 'severity', header: '风险等级', width: 9 },
  { key: 'source', header: '数据来源', width: 20 },
  { key: 'evidence', header: '疑点内容', width: 60, numFmt: TEXT_FORMAT },
  { key: 'firstIssuedPeriod', header: '首次下发期', width: 11 },
  { key: 'issuedOn', header: '下发日期', width: 12, numFmt: DATE_FORMAT },
  { key: 'dueOn', header: '反馈截止日期', width: 13, numFmt: DATE_FORMAT },
  ...ANSWER_COLUMNS,
]);

/** 待补授权: households not matched for want of authorization. Row 1 is an explanation line, the header row 2. */
export const PENDING = defineTable(SHEET.pending, 2, [
  { key: 'seq', header: '序号', width: 7 },
  { key: 'householdId', header: '户编号', width: 20, numFmt: TEXT_FORMAT },
  { key: 'headName', header: '户主姓名', width: 12, numFmt: TEXT_FORMAT },
  { key: 'headId', header: '户主身份证号', width: 21, numFmt: TEXT_FORMAT },
  { key: 'program', header: '保障类别', width: 11 },
  { key: 'householdSize', header: '保障人数', width: 9 },
  { key: 'reason', header: '原因', width: 36 },
]);

/** 未发放名单: roster households with no payment of the month on the 一卡通 ledger (a list, not leads). */
export const UNPAID = defineTable(SHEET.unpaid, 2, [
  { key: 'seq', header: '序号', width: 7 },
  { key: 'householdId', header: '户编号', width: 20, numFmt: TEXT_FORMAT },
  { key: 'headName', header: '户主姓名', width: 12, numFmt: TEXT_FORMAT },
  { key: 'headId', header: '户主身份证号', width: 21, numFmt: TEXT_FORMAT },
  { key: 'program', header: '保障类别', width: 11 },
  { key: 'householdSize', header: '保障人数', width: 9 },
  { key: 'monthlyAmount', header: '月保障金', width: 11, numFmt: '#,##0.00' },
]);

/**
 * 待补义务人授权: obligors (赡养、抚养、扶养义务人) of the county's roster households whose own
 * authorization is missing or no longer valid, so they were not matched (a list, not leads). Row 1 is
 * an explanation line, the header row 2. 义务人身份证号 is the shown ID: masked for an obligor of
 * another or an unknown county.
 */
export const OBLIGOR_PENDING = defineTable(SHEET.obligorPending, 2, [
  { key: 'seq', header: '序号', width: 7 },
  { key: 'householdId', header: '户编号', width: 20, numFmt: TEXT_FORMAT },
  { key: 'supportedName', header: '被赡养人姓名', width: 12, numFmt: TEXT_FORMAT },
  { key: 'supportedId', header: '被赡养人身份证号', width: 21, numFmt: TEXT_FORMAT },
  { key: 'obligorName', header: '义务人姓名', width: 12, numFmt: TEXT_FORMAT },
  { key: 'shownId', header: '义务人身份证号', width: 21, numFmt: TEXT_FORMAT },
  { key: 'obligorCounty', header: '义务人户籍地', width: 14 },
  // not 9: exceljs takes a plain column of width 9 for its default and leaves it out of <cols>
  { key: 'relation', header: '关系', width: 10 },
  { key: 'authSignedOn', header: '授权书签署日期', width: 13, numFmt: DATE_FORMAT },
  { key: 'authValidUntil', header: '授权书有效期至', width: 13, numFmt: DATE_FORMAT },
  { key: 'reason', header: '原因', width: 24 },
]);

/**
 * 定期核查到期: the county's roster households whose regular re-check is overdue, due this month or
 * next, or whose authorization runs out soon (pipeline/sql/int_recheck.sql; a list, not leads). Row 1
 * is an explanation line, the header row 2.
 */
export const RECHECK = defineTable(SHEET.recheck, 2, [
  { key: 'seq', header: '序号', width: 7 },
  { key: 'householdId', header: '户编号', width: 20, numFmt: TEXT_FORMAT },
  { key: 'headName', header: '户主姓名', width: 12, numFmt: TEXT_FORMAT },
  { key: 'program', header: '保障类别', width: 11 },
  { key: 'cycleMonths', header: '核查周期（月）', width: 10 },
  { key: 'cycleBasis', header: '周期依据', width: 22 },
  { key: 'lastCheckOn', header: '上次核查日期', width: 13, numFmt: DATE_FORMAT },
  { key: 'lastCheckBasis', header: '上次核查依据', width: 20 },
  { key: 'nextDueOn', header: '下次核查到期', width: 13, numFmt: DATE_FORMAT },
  { key: 'dueState', header: '核查状态', width: 12 },
  { key: 'authValidUntil', header: '授权书有效期至', width: 13, numFmt: DATE_FORMAT },
  { key: 'authNote', header: '授权提示', width: 24 },
]);

export type HouseholdKey = (typeof HOUSEHOLDS.columns)[number]['key'];
export type DetailKey = (typeof DETAILS.columns)[number]['key'];
export type PendingKey = (typeof PENDING.columns)[number]['key'];

/** The keys of the answer columns, the same in 疑点家庭 and 疑点明细. */
export type AnswerKey = (typeof ANSWER_COLUMNS)[number]['key'];

/** The keys of the columns the county answers in. */
export const answerKeys = <K extends string>(table: WorkbookTable<K>): K[] => table.columns.filter((c) => c.answer).map((c) => c.key);

/** A row's cells, given by key, in the table's column order. */
export function rowValues<K extends string, V>(table: WorkbookTable<K>, cells: Readonly<Record<K, V>>): V[] {
  const values: V[] = new Array(table.columns.length);
  for (let i = 0; i < table.columns.length; i++) values[i] = cells[table.columns[i].key];
  return values;
}

/** The names a county's workbook is published under. */
export type WorkbookCounty = Pick<County, 'code' | 'name' | 'leagueCode' | 'leagueName'>;

/** The file name of a county's workbook of a period: `<county code>_<county name>_<period>_核对疑点.xlsx`. */
export const countyWorkbookFileName = (period: string, county: WorkbookCounty): string =>
  `${county.code}_${county.name}_${period}_核对疑点.xlsx`;

/** Where a county's workbook lives, relative to the published month `out/<period>`: `<league code>_<league name>/<file name>`. */
export const countyWorkbookPath = (period: string, county: WorkbookCounty): string =>
  join(`${county.leagueCode}_${county.leagueName}`, countyWorkbookFileName(period, county));
