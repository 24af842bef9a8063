import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type ExcelJS from 'exceljs';
import { isPeriodName, parsePeriod } from '../period.ts';
import type { Severity } from './workbook-data.ts';

/**
 * Shared formatting for the workbooks in this folder: how dates, money and text become cells,
 * the fixed document date that keeps workbooks byte-identical, and the look of a header row.
 *
 * Everything here is pure or file-level; no wall-clock time is read anywhere (DESIGN.md, Outputs).
 */

/** A row of the data does not fit the contract. The message names the sheet, row and field, never the value. */
export class WorkbookDataError extends Error {
  override name = 'WorkbookDataError';
}

export const DATE_FORMAT = 'yyyy-mm-dd';
export const MONEY_FORMAT = '#,##0.00';
export const TEXT_FORMAT = '@';

export const SEVERITY_LABEL: Record<Severity, string> = { high: '高', medium: '中', low: '低' };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** 'YYYY-MM-DD' → a UTC midnight Date, so exceljs writes the same serial in every time zone. */
export function utcDate(value: string, where: string): Date {
  const m = ISO_DATE.exec(value);
  if (!m) throw new WorkbookDataError(`${where}: not a YYYY-MM-DD date`);
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (date.getUTCDate() !== Number(m[3])) throw new WorkbookDataError(`${where}: not a calendar date`);
  return date;
}

/** Decimal string ('1234.50') → number for a money cell; the string stays the source of truth upstream. */
export function money(value: string, where: string): number {
  if (!DECIMAL.test(value)) throw new WorkbookDataError(`${where}: not a decimal amount`);
  return Number(value);
}

/**
 * The fixed document date of a period's workbooks: the last day of the period, UTC midnight.
 * Months ('2026-10') and quarters ('2026Q3') are accepted.
 */
export function periodDocumentDate(period: string): Date {
  if (!isPeriodName(period)) throw new WorkbookDataError(`period: not YYYY-MM or YYYYQn`);
  return utcDate(parsePeriod(period).end, 'period');
}

/** Document properties that would otherwise carry the wall clock or the library's name. */
export function pinDocumentProperties(workbook: ExcelJS.stream.xlsx.WorkbookWriter, when: Date, title: string): void {
  const props = workbook as unknown as Record<string, unknown>;
  workbook.created = when;
  workbook.modified = when;
  props.lastPrinted = undefined;
  workbook.creator = 'hedui';
  workbook.lastModifiedBy = 'hedui';
  props.title = title;
}

export interface ColumnSpec {
  header: string;
  width: number;
  /** numFmt for the whole column (also applies to what the county types in later) */
  numFmt?: string;
  hidden?: boolean;
  /** a column the county answers in: its header is tinted yellow */
  answer?: boolean;
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
const ANSWER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };

/**
 * The column width (Excel's units: widths of a '0' in the default font) that shows `header` on one
 * line in bold: a CJK character takes about two units, and the autoFilter button covers about
 * three at the right of the header cell.
 */
export function headerWidth(header: string): number {
  let units = 0;
  for (const ch of header) units += /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/.test(ch) ? 2.2 : 1.1;
  return Math.ceil(units + 3.5);
}

/** How a county workbook's sheets print and which of their cells a clerk may change. */
export interface SheetLayout {
  /** the page footer's left text (county, period); the sheet name goes in the middle, the page number at the right */
  footer: string;
  /**
   * Protect the sheet (no password: it guards against slips, not people): every cell is locked
   * but those of `answer` columns; selecting, filtering and resizing rows and columns stay allowed.
   */
  protect: boolean;
}

/** Options for addWorksheet that print landscape on A4, one page wide, with the header rows on every page. */
export function printOptions(layout: SheetLayout, headerRows: number): Partial<ExcelJS.AddWorksheetOptions> {
  const pageSetup: Partial<ExcelJS.PageSetup> & { printTitlesRow?: string } = {
    paperSize: 9, // A4
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0, // as many pages tall as it takes
    margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.3, footer: 0.3 },
  };
  if (headerRows > 0) pageSetup.printTitlesRow = `1:${headerRows}`;
  // '&' starts a code in Excel's header/footer language: a literal one is '&&'
  const left = layout.footer.replaceAll('&', '&&');
  return { pageSetup, headerFooter: { oddFooter: `&L${left}&C&A&R第 &P 页，共 &N 页`, firstFooter: '', differentFirst: false } };
}

/** Protects a streamed sheet as SheetLayout.protect says (deterministic: no password, so no random salt). */
export async function protectSheet(sheet: ExcelJS.Worksheet): Promise<void> {
  await sheet.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true, formatRows: true, autoFilter: true });
}

export interface TableSheetOptions {
  /** lines written above the header, one cell each (the header then sits below them) */
  preamble?: { text: string; font?: Partial<ExcelJS.Font> }[];
  /** print setup and protection (county workbooks) */
  layout?: SheetLayout;
}

/**
 * Adds a streamed sheet laid out as one table: its columns (each at least as wide as its header,
 * headerWidth), any preamble lines, then a bold, tinted header (yellow where the county fills in),
 * frozen below the header, with an autoFilter over it. Cells of answer columns are unlocked, so
 * they stay editable when the sheet is protected (options.layout; protect the sheet with
 * protectSheet before committing it). Returns the sheet ready for data rows; the header row number
 * is `preamble.length + 1`.
 *
 * Views and print setup must be given when the sheet is created: the streaming writer emits them at once.
 */
export function addTableSheet(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  name: string,
  columns: readonly ColumnSpec[],
  options: TableSheetOptions = {},
): ExcelJS.Worksheet {
  const preamble = options.preamble ?? [];
  const headerRow = preamble.length + 1;
  const sheet = workbook.addWorksheet(name, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: headerRow, topLeftCell: `A${headerRow + 1}`, activeCell: `A${headerRow + 1}` }],
    ...(options.layout ? printOptions(options.layout, headerRow) : {}),
  });
  const styles = columns.map((c): Partial<ExcelJS.Style> => ({
    ...(c.numFmt ? { numFmt: c.numFmt } : {}),
    ...(c.answer ? { protection: { locked: false } } : {}),
  }));
  sheet.columns = columns.map((c, i) => ({ width: Math.max(c.width, headerWidth(c.header)), hidden: c.hidden ?? false, style: styles[i] }));
  columnStyles.set(sheet, styles);
  for (const line of preamble) {
    const row = sheet.addRow([line.text]);
    if (line.font) row.getCell(1).font = line.font;
    row.commit();
  }
  const row = sheet.getRow(headerRow);
  columns.forEach((c, i) => {
    const cell = row.getCell(i + 1);
    cell.value = c.header;
    cell.style = {
      font: { bold: true },
      fill: c.answer ? ANSWER_FILL : HEADER_FILL,
      alignment: { vertical: 'middle', horizontal: 'center', wrapText: true },
    };
  });
  row.commit();
  sheet.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow, column: columns.length } };
  return sheet;
}

const columnStyles = new WeakMap<ExcelJS.Worksheet, Partial<ExcelJS.Style>[]>();

/**
 * Adds and commits a data row of a sheet made by addTableSheet. Every cell gets its column's style
 * as one shared object: exceljs gives each new cell a fresh copy and then looks its style up by
 * content, cell by cell, but recognises an object it has seen at once: about half the time for a
 * large workbook, byte for byte the same (docs/measured-choices.md). Nothing may change a data cell's
 * style afterwards: the object is shared.
 */
export function addTableRow(sheet: ExcelJS.Worksheet, values: ExcelJS.CellValue[]): void {
  const styles = columnStyles.get(sheet);
  if (!styles) throw new Error('addTableRow: the sheet was not made by addTableSheet');
  const row = sheet.addRow(values);
  for (let i = 0; i < styles.length; i++) row.getCell(i + 1).style = styles[i];
  row.commit();
}

/**
 * A dropdown's list: inline is the sturdiest (survives edits to the sheet holding the values) but
 * Excel caps it at 255 characters and splits on ','; otherwise point at `fallbackRange`, where the
 * workbook prints the values.
 */
export function listFormula(values: string[], fallbackRange: string): string {
  const inline = values.join(',');
  const fits = inline.length <= 255 && values.every((d) => !d.includes(',') && !d.includes('"'));
  return fits ? `"${inline}"` : fallbackRange;
}

/** exceljs' typings leave out the streamed worksheet's dataValidations; the object is there. */
export function dataValidations(sheet: ExcelJS.Worksheet): { add(address: string, validation: ExcelJS.DataValidation): void } {
  return (sheet as unknown as { dataValidations: { add(address: string, validation: ExcelJS.DataValidation): void } }).dataValidations;
}

/** Excel column letters for a 1-based index (A, B, …, Z, AA…). */
export function columnLetter(index: number): string {
  let s = '';
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

// Characters XML 1.0 cannot carry (exceljs would write them and Excel would refuse the file).
 
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const EXCEL_CELL_MAX = 32_767;

/**
 * Text from a feed, as a text cell. exceljs writes a JS string as a string cell whatever it
 * starts with (`=`, `+`, `-`, `@` never become formulas; the tests read the XML back to prove
 * it). Here we only drop characters XML cannot hold and keep to Excel's cell length.
 */
export function text(value: string): string {
  const clean = value.replace(XML_INVALID, '');
  return clean.length > EXCEL_CELL_MAX ? `${clean.slice(0, EXCEL_CELL_MAX - 1)}…` : clean;
}
