/**
 * The request workbooks of cross-province and cross-league checks (docs/assist-requests.md): what
 * the writer (workbook.ts) lays out and the importer (answers.ts) reads back by header text, so the
 * two cannot drift apart. Two kinds, one layout:
 *   province  跨省核对请求_<period>.xlsx at the top of the period's folder: the region's 民政厅 sends
 *             it on to the provinces the members live in, and returns their answers in it
 *   league    <league code>_<league name>/<league code>_<league name>_<period>_协查请求.xlsx: the
 *             league the members live in answers it (its portal account downloads and uploads it)
 */
import { LEAGUES } from '../../domain/divisions.ts';
import { DATE_FORMAT, TEXT_FORMAT } from '../publish/xlsx-format.ts';
import { defineTable, type WorkbookColumn } from '../publish/workbook-contract.ts';

export type AssistKind = 'province' | 'league';

export const ASSIST_SCHEMA_VERSION = 'hedui-assist-1';

export const ASSIST_KIND_TEXT: Record<AssistKind, string> = { province: '跨省核对请求', league: '协查请求' };

export const ASSIST_SHEET = { readme: '说明', requests: '核对请求' } as const;

/** Cells of 说明 at fixed places (value in B, label in A), read back by the importer. */
export const ASSIST_FIXED_CELLS = {
  schemaVersion: { cell: 'B2', label: '格式版本' },
  period: { cell: 'B3', label: '核对期' },
  kind: { cell: 'B4', label: '请求类型' },
  targetCode: { cell: 'B5', label: '接收单位代码' },
} as const;

export type AssistFixedKey = keyof typeof ASSIST_FIXED_CELLS;

const ANSWER_COLUMNS = [
  { key: 'result', header: '核对结果', width: 14, answer: true },
  { key: 'note', header: '核对说明', width: 40, answer: true, numFmt: TEXT_FORMAT },
  { key: 'answeredBy', header: '回复单位', width: 20, answer: true, numFmt: TEXT_FORMAT },
  { key: 'answeredOn', header: '回复日期', width: 12, answer: true, numFmt: DATE_FORMAT },
] as const satisfies readonly WorkbookColumn[];

/** 核对请求: one row per request; the place asked answers in 核对结果 … 回复日期. */
export const ASSIST_REQUESTS = defineTable(ASSIST_SHEET.requests, 1, [
  { key: 'seq', header: '序号', width: 7 },
  { key: 'requestId', header: '请求编号', width: 22, numFmt: TEXT_FORMAT },
  { key: 'state', header: '请求状态', width: 30 },
  { key: 'sentOn', header: '请求日期', width: 12, numFmt: DATE_FORMAT },
  { key: 'householdId', header: '户编号', width: 18, numFmt: TEXT_FORMAT },
  { key: 'personId', header: '身份证号', width: 21, numFmt: TEXT_FORMAT },
  { key: 'name', header: '姓名', width: 10 },
  { key: 'county', header: '在保地', width: 24 },
  { key: 'province', header: '经常居住地省份', width: 16 },
  { key: 'residence', header: '经常居住地', width: 34 },
  { key: 'items', header: '核对项目', width: 40 },
  { key: 'authSignedOn', header: '授权书日期', width: 12, numFmt: DATE_FORMAT },
  ...ANSWER_COLUMNS,
]);

export type AssistRequestKey = (typeof ASSIST_REQUESTS.columns)[number]['key'];

/** The answer columns, read back by the importer with the request's id. */
export const ASSIST_READ_BACK = ['requestId', 'result', 'note', 'answeredBy', 'answeredOn'] as const satisfies readonly AssistRequestKey[];

/** A period's request workbook for one place asked, relative to out/<period>. */
export function assistWorkbookPath(period: string, kind: AssistKind, targetCode: string): string {
  if (kind === 'province') return `跨省核对请求_${period}.xlsx`;
  const league = LEAGUES.find((l) => l.code === targetCode);
  if (!league) throw new Error(`assistWorkbookPath: ${targetCode} is no league of the region`);
  const folder = `${league.code}_${league.name}`;
  return `${folder}/${folder}_${period}_协查请求.xlsx`;
}
