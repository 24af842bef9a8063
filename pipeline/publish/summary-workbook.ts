import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { pinZipTimestamps } from '../xlsx/zip-timestamps.ts';
import { snapshotPeriodText, snapshotState, type Severity, type SnapshotUsed } from './workbook-data.ts';
import type { KpiRow } from '../kpi.ts';
import {
  type ColumnSpec,
  SEVERITY_LABEL,
  WorkbookDataError,
  addTableSheet,
  money,
  periodDocumentDate,
  pinDocumentProperties,
  sha256File,
  text,
  utcDate,
} from './xlsx-format.ts';

/**
 * The region's summary.xlsx (DESIGN.md, Outputs): counts only — no name, no ID, no household.
 * Sheets: 汇总 (region and leagues), 分县 (counties × rules), 数据质量 (quarantine per file),
 * 数据源 (snapshots used), 闸门 (gate outcomes). Streamed and byte-deterministic like the
 * county workbooks.
 */

export const SUMMARY_SCHEMA_VERSION = 'hedui-summary-1';

export const SUMMARY_SHEET = {
  totals: '汇总',
  counties: '分县',
  quality: '数据质量',
  sources: '数据源',
  gates: '闸门',
  kpi: '考核',
} as const;

export interface SummaryCountyRow {
  leagueCode: string;
  leagueName: string;
  countyCode: string;
  countyName: string;
  households: number; // flagged households
  flags: number; // issued flags
  suppressed: number; // flags suppressed by the whitelist
  pendingAuthorization: number; // households listed for a missing/expired authorization
  obligorPending: number; // obligors listed on 待补义务人授权 (their own authorization missing or no longer valid)
  byRule: Record<string, number>; // issued flags per rule id (missing = 0)
  /** the money its issued flags say was paid wrongly and is to be recovered (payments rules), decimal 元 */
  recoverYuan: string;
}

export interface SummaryRule {
  id: string;
  title: string;
  /**
   * The region's issued flags of the rule by the severity each flag carries — the 风险等级 the
   * county workbooks show on 疑点明细 (a rule may grade its flags: business-role gives high, medium
   * and low leads), never the rule's declared highest severity. Missing = 0.
   */
  issuedBySeverity: Partial<Record<Severity, number>>;
}

const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low'];

/** Rows of one delivered file: read, kept in staging, quarantined (by reason code). */
export interface SummaryQuarantineRow {
  feed: string;
  file: string; // file name as delivered (no personal data in department file names is assumed)
  rowsRead: number;
  staged: number;
  quarantined: number;
  byReason: Record<string, number>;
}

export interface SummaryGateRow {
  gate: string; // e.g. quarantine-share, row-count-drift, authorization
  subject: string; // feed, file or county the gate looked at
  outcome: string; // pass | warn | fail | held (shown in Chinese), or free text
  detail: string;
}

export interface SummaryData {
  period: string;
  issuedOn: string;
  dueOn: string;
  counties: SummaryCountyRow[];
  rules: SummaryRule[];
  quarantine: SummaryQuarantineRow[];
  gates: SummaryGateRow[];
  snapshots: SnapshotUsed[];
  /** the 15-day record of an earlier issuing period (考核), one row per county */
  /** the previous month's record as of this publication's issue date; deadlineDays: config.deadline_days */
  kpi?: { period: string; asOf: string; deadlineDays: number; rows: KpiRow[] };
  /** optional Chinese labels for quarantine reason codes (column headers of 数据质量) */
  reasonTitles?: Record<string, string>;
}

export interface SummaryWorkbookResult {
  sha256: string;
  rows: { counties: number; leagues: number; quarantineFiles: number; gates: number };
}

const OUTCOME_LABEL: Record<string, string> = {
  pass: '通过',
  ok: '通过',
  warn: '警告',
  warning: '警告',
  fail: '未通过',
  rejected: '拒收',
  held: '暂停，待人工确认',
  accepted: '已人工确认',
};

/** The columns that name a county, first in every per-county sheet. */
const COUNTY_COLUMNS: ColumnSpec[] = [
  { header: '盟市代码', width: 10 },
  { header: '盟市', width: 14 },
  { header: '旗县市区代码', width: 13 },
  { header: '旗县市区', width: 16 },
];

const COUNT_COLUMNS: ColumnSpec[] = [
  { header: '疑点家庭', width: 10 },
  { header: '疑点明细', width: 10 },
  { header: '白名单已屏蔽', width: 12 },
  { header: '待补授权', width: 10 },
  { header: '待补义务人授权', width: 14 },
];

const byCode = (a: { code: string }, b: { code: string }): number => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export async function writeSummaryWorkbook(path: string, data: SummaryData): Promise<SummaryWorkbookResult> {
  const when = periodDocumentDate(data.period);
  // Total order whatever order the caller used: league, then county code.
  const counties = [...data.counties].sort((a, b) => cmp(a.leagueCode, b.leagueCode) || cmp(a.countyCode, b.countyCode));
  const leagues = leagueTotals(counties);
  const out = createWriteStream(path);
  try {
    await once(out, 'open');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
    pinDocumentProperties(workbook, when, `${data.period} 社会救助家庭经济状况核对汇总`);
    writeTotals(workbook, data, leagues, counties);
    writeCounties(workbook, data, counties);
    writeQuality(workbook, data);
    writeSources(workbook, data);
    writeGates(workbook, data);
    if (data.kpi) writeKpi(workbook, data.kpi);
    await workbook.commit();
    if (!out.closed) await once(out, 'close');
    await pinZipTimestamps(path, when);
    return {
      sha256: await sha256File(path),
      rows: { counties: counties.length, leagues: leagues.length, quarantineFiles: data.quarantine.length, gates: data.gates.length },
    };
  } catch (error) {
    out.destroy();
    await rm(path, { force: true });
    throw error;
  }
}

interface LeagueTotal {
  code: string;
  name: string;
  counties: number;
  households: number;
  flags: number;
  suppressed: number;
  pendingAuthorization: number;
  obligorPending: number;
}

function leagueTotals(counties: SummaryCountyRow[]): LeagueTotal[] {
  const map = new Map<string, LeagueTotal>();
  for (const c of counties) {
    let t = map.get(c.leagueCode);
    if (!t) {
      t = { code: c.leagueCode, name: c.leagueName, counties: 0, households: 0, flags: 0, suppressed: 0, pendingAuthorization: 0, obligorPending: 0 };
      map.set(c.leagueCode, t);
    }
    t.counties += 1;
    t.households += c.households;
    t.flags += c.flags;
    t.suppressed += c.suppressed;
    t.pendingAuthorization += c.pendingAuthorization;
    t.obligorPending += c.obligorPending;
  }
  return [...map.values()].sort(byCode);
}

const BOLD: Partial<ExcelJS.Font> = { bold: true };
const WARN: Partial<ExcelJS.Font> = { bold: true, color: { argb: 'FFC00000' } };

function writeTotals(workbook: ExcelJS.stream.xlsx.WorkbookWriter, data: SummaryData, leagues: LeagueTotal[], counties: SummaryCountyRow[]): void {
  const sheet = addTableSheet(
    workbook,
    SUMMARY_SHEET.totals,
    [{ header: '盟市代码', width: 12 }, { header: '盟市', width: 16 }, { header: '旗县市区数', width: 11 }, ...COUNT_COLUMNS],
    {
      preamble: [
        { text: `${data.period} 社会救助家庭经济状况核对汇总`, font: { bold: true, size: 14 } },
        { text: `核对期 ${data.period}；下发日期 ${data.issuedOn}；反馈截止日期 ${data.dueOn}；格式版本 ${SUMMARY_SCHEMA_VERSION}` },
      ],
    },
  );
  utcDate(data.issuedOn, 'issuedOn');
  utcDate(data.dueOn, 'dueOn');
  for (const l of leagues) sheet.addRow([l.code, text(l.name), l.counties, l.households, l.flags, l.suppressed, l.pendingAuthorization, l.obligorPending]).commit();
  const sum = (f: (l: LeagueTotal) => number): number => leagues.reduce((s, l) => s + f(l), 0);
  const total = sheet.addRow([
    null,
    '全区合计',
    counties.length,
    sum((l) => l.households),
    sum((l) => l.flags),
    sum((l) => l.suppressed),
    sum((l) => l.pendingAuthorization),
    sum((l) => l.obligorPending),
  ]);
  total.font = BOLD;
  total.commit();

  // Flags by rule across the region, below the league table.
  sheet.addRow([]).commit();
  const head = sheet.addRow(['规则编号', '疑点规则', '疑点明细', ...SEVERITIES.map((s) => `其中风险等级${SEVERITY_LABEL[s]}`)]);
  head.font = BOLD;
  head.commit();
  for (const r of data.rules) {
    const n = counties.reduce((s, c) => s + (c.byRule[r.id] ?? 0), 0);
    const bySeverity = SEVERITIES.map((s) => r.issuedBySeverity[s] ?? 0);
    if (bySeverity.reduce((a, b) => a + b, 0) !== n) throw new WorkbookDataError(`rule ${r.id}: its flags by severity do not add up to its flags by county`);
    sheet.addRow([r.id, text(r.title), n, ...bySeverity]).commit();
  }
  sheet.commit();
}

function writeCounties(workbook: ExcelJS.stream.xlsx.WorkbookWriter, data: SummaryData, counties: SummaryCountyRow[]): void {
  const known = new Set(data.rules.map((r) => r.id));
  for (const c of counties) {
    for (const id of Object.keys(c.byRule)) {
      if (!known.has(id)) throw new WorkbookDataError(`${SUMMARY_SHEET.counties}: county ${c.countyCode} counts rule ${id}, which is not in rules`);
    }
  }
  const sheet = addTableSheet(workbook, SUMMARY_SHEET.counties, [
    ...COUNTY_COLUMNS,
    ...COUNT_COLUMNS,
    ...data.rules.map((r) => ({ header: text(r.title), width: Math.max(10, r.title.length * 2 + 2) })),
    { header: '应追回金额（元）', width: 16, numFmt: '#,##0.00' },
  ]);
  for (const c of counties) {
    sheet
      .addRow([
        c.leagueCode,
        text(c.leagueName),
        c.countyCode,
        text(c.countyName),
        c.households,
        c.flags,
        c.suppressed,
        c.pendingAuthorization,
        c.obligorPending,
        ...data.rules.map((r) => c.byRule[r.id] ?? 0),
        money(c.recoverYuan, `${SUMMARY_SHEET.counties} ${c.countyCode} recoverYuan`),
      ])
      .commit();
  }
  sheet.commit();
}

function writeQuality(workbook: ExcelJS.stream.xlsx.WorkbookWriter, data: SummaryData): void {
  const reasons = [...new Set(data.quarantine.flatMap((q) => Object.keys(q.byReason)))].sort(cmp);
  const sheet = addTableSheet(workbook, SUMMARY_SHEET.quality, [
    { header: '数据', width: 16 },
    { header: '文件', width: 40 },
    { header: '读取行数', width: 11 },
    { header: '入库行数', width: 11 },
    { header: '隔离行数', width: 11 },
    { header: '隔离比例', width: 10, numFmt: '0.00%' },
    ...reasons.map((r) => ({ header: text(data.reasonTitles?.[r] ?? r), width: 14 })),
  ]);
  const rows = [...data.quarantine].sort((a, b) => cmp(a.feed, b.feed) || cmp(a.file, b.file));
  for (const q of rows) {
    sheet
      .addRow([
        text(q.feed),
        text(q.file),
        q.rowsRead,
        q.staged,
        q.quarantined,
        q.rowsRead > 0 ? q.quarantined / q.rowsRead : 0,
        ...reasons.map((r) => q.byReason[r] ?? 0),
      ])
      .commit();
  }
  sheet.commit();
}

function writeSources(workbook: ExcelJS.stream.xlsx.WorkbookWriter, data: SummaryData): void {
  const sheet = addTableSheet(workbook, SUMMARY_SHEET.sources, [
    { header: '数据', width: 14 },
    { header: '数据来源', width: 16 },
    { header: '快照期', width: 18 },
    { header: '距核对期（月）', width: 14 },
    { header: '状态', width: 40 },
  ]);
  for (const s of data.snapshots) {
    const row = sheet.addRow([s.feed, text(s.feedTitle), snapshotPeriodText(s), s.ageMonths, s.fallback ? text(snapshotState(s)) : s.stale ? '过期：超过最长间隔' : '正常']);
    if (s.stale || s.fallback) row.getCell(5).font = WARN;
    row.commit();
  }
  sheet.commit();
}

function writeKpi(workbook: ExcelJS.stream.xlsx.WorkbookWriter, kpi: NonNullable<SummaryData['kpi']>): void {
  const sheet = addTableSheet(
    workbook,
    SUMMARY_SHEET.kpi,
    [
      ...COUNTY_COLUMNS,
      { header: '下发疑点', width: 10 },
      { header: '按期反馈', width: 10 },
      { header: '逾期反馈', width: 10 },
      { header: '未反馈', width: 10 },
      { header: '已逾期未反馈', width: 13 },
      { header: '属实', width: 8 },
      { header: '数据源错误', width: 11 },
      { header: '属实占比', width: 10, numFmt: '0.0%' },
      { header: '数据源错误占比', width: 14, numFmt: '0.0%' },
    ],
    {
      preamble: [
        {
          text:
            `${kpi.period} 下发疑点的反馈情况，统计至 ${kpi.asOf}。每条疑点按其自身的反馈截止日期判断` +
            `（该疑点首次下发之日起${kpi.deadlineDays}日，遇节假日顺延至下一个工作日），以核对表送达自治区的日期计。`,
        },
      ],
    },
  );
  const rows = [...kpi.rows].sort((a, b) => cmp(a.countyCode, b.countyCode));
  for (const r of rows) {
    sheet
      .addRow([
        r.leagueCode, text(r.leagueName), r.countyCode, text(r.countyName), r.issued, r.answeredOnTime, r.answeredLate,
        r.unanswered, r.overdue, r.confirmed, r.dataErrors, r.confirmedShare, r.dataErrorShare,
      ])
      .commit();
  }
  sheet.commit();
}

function writeGates(workbook: ExcelJS.stream.xlsx.WorkbookWriter, data: SummaryData): void {
  const sheet = addTableSheet(workbook, SUMMARY_SHEET.gates, [
    { header: '闸门', width: 20 },
    { header: '对象', width: 36 },
    { header: '结果', width: 16 },
    { header: '说明', width: 60 },
  ]);
  for (const g of data.gates) {
    const row = sheet.addRow([text(g.gate), text(g.subject), OUTCOME_LABEL[g.outcome] ?? text(g.outcome), text(g.detail)]);
    if (!['pass', 'ok', 'accepted'].includes(g.outcome)) row.getCell(3).font = WARN;
    row.commit();
  }
  sheet.commit();
}
