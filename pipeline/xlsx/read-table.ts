/**
 * Reading back a workbook hedui wrote and someone filled in (county feedback, pipeline/feedback.ts;
 * answers to cross-province and cross-league requests, pipeline/assist/answers.ts): cells as text,
 * and a table sheet's rows by the header text of its contract, so a column added or moved by the
 * person answering does not break the import.
 */
import type ExcelJS from 'exceljs';
import type { WorkbookTable } from '../publish/workbook-contract.ts';

/** A cell's value as trimmed text; a date as 'YYYY-MM-DD', a formula as its result. */
export function cellText(value: ExcelJS.CellValue): string {
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

/**
 * The rows below a table sheet's header, each cell of `keys` read by its header text; a header
 * missing from the sheet is thrown as `refuse` makes it (the caller's refusal, naming the sheet
 * and column, never a value).
 */
export function readTable<K extends string>(
  sheet: ExcelJS.Worksheet,
  table: WorkbookTable<K>,
  keys: readonly K[],
  refuse: (message: string) => Error,
): { row: number; get: (k: K) => string }[] {
  const header = new Map<string, number>();
  sheet.getRow(table.headerRow).eachCell((cell, col) => header.set(cellText(cell.value), col));
  const cols = new Map<K, number>();
  for (const k of keys) {
    const c = header.get(table.header[k]);
    if (!c) throw refuse(`「${table.sheet}」缺少列「${table.header[k]}」 (the returned workbook's layout was changed)`);
    cols.set(k, c);
  }
  const rows: { row: number; get: (k: K) => string }[] = [];
  sheet.eachRow((r, n) => {
    if (n > table.headerRow) rows.push({ row: n, get: (k) => cellText(r.getCell(cols.get(k)!).value) });
  });
  return rows;
}
