/**
 * Spreadsheets as offices send them (issue 23): the header row is found among a sheet's first rows,
 * two-row and merged headers are read as their column names, trailing footer rows (合计, 制表人 …)
 * are set aside, and every sheet whose header matches the feed is written to one CSV with the
 * feed's canonical header. Only workbooks (.xlsx, .xls) come here: CSV text is read by DuckDB
 * alone, with no per-row JS work (the province benchmark's 15 M rows).
 *
 * Grain of the CSV written: one row per non-blank sheet row below a matched header, footers
 * excluded; its first column is the sheet row number (`__line`), its last the sheet's cells that
 * map to no feed column (`__other`), so two rows that differ only there are not duplicates.
 */
import { headerKey, type ColumnSpec } from '../../adapters/columns.ts';
import { FileRejectedError } from '../../base/errors.ts';

/** One sheet row as text (cellText): `number` is the sheet's own row number (1-based). */
export interface SheetRow {
  number: number;
  cells: string[];
}

export interface SheetSource {
  name: string;
  /** hidden and very hidden sheets are not read: they hold templates, lookups, old copies */
  hidden: boolean;
  /** the rows in sheet order; a reader must consume them all before the next sheet */
  rows: AsyncIterable<SheetRow> | Iterable<SheetRow>;
}

/** Rows of a sheet searched for the header, from its top. */
export const HEADER_SCAN_ROWS = 10;

export interface HeaderMatch {
  /** sheet row holding the column names: the data starts below it */
  row: number;
  /** the row above it when it gave names (a group row; a vertically merged cell keeps its value in its top cell) */
  groupRow: number | null;
  /** the column names, one per sheet column */
  names: string[];
  /** feed column → index of its sheet column */
  mapping: Map<string, number>;
  /** the required columns not found, as `「身份证号」(person_id)` */
  missing: string[];
}

/** Which header column holds each feed column, and the required ones missing (stage.ts's mapHeaders throws on these). */
export function matchHeader(columns: readonly ColumnSpec[], header: readonly string[]): { mapping: Map<string, number>; missing: string[] } {
  const keys = header.map(headerKey);
  const mapping = new Map<string, number>();
  const used = new Set<number>();
  const missing: string[] = [];
  for (const col of columns) {
    const index = col.headers
      .map(headerKey)
      .map((h) => keys.findIndex((k, i) => k !== '' && k === h && !used.has(i)))
      .find((i) => i >= 0);
    if (index !== undefined) {
      mapping.set(col.name, index);
      used.add(index);
    } else if (col.required || col.columnRequired) {
      missing.push(`「${col.headers[0]}」(${col.name})`);
    }
  }
  return { mapping, missing };
}

const isBlank = (cells: readonly string[]) => cells.every((c) => c.trim() === '');

/**
 * The header among the first rows: the row whose names (each empty cell taking the value of the
 * cell above it, the top of a vertically merged cell under a group row) map the most feed
 * columns; of equals, the first. Null when no row maps any column.
 */
export function findHeader(columns: readonly ColumnSpec[], top: readonly SheetRow[]): HeaderMatch | null {
  const complete = (m: HeaderMatch) => m.missing.length === 0;
  let best: HeaderMatch | null = null;
  for (let i = 0; i < top.length; i++) {
    const row = top[i];
    if (isBlank(row.cells)) continue;
    const names = row.cells.map((c) => c.trim());
    const candidates: HeaderMatch[] = [{ row: row.number, groupRow: null, names, ...matchHeader(columns, names) }];
    const above = top[i - 1];
    if (above && above.number === row.number - 1 && !isBlank(above.cells)) {
      const width = Math.max(row.cells.length, above.cells.length);
      const merged = Array.from({ length: width }, (_, c) => (row.cells[c] ?? '').trim() || (above.cells[c] ?? '').trim());
      candidates.push({ row: row.number, groupRow: above.number, names: merged, ...matchHeader(columns, merged) });
    }
    for (const c of candidates) {
      if (!best || (complete(c) && !complete(best)) || (complete(c) === complete(best) && c.mapping.size > best.mapping.size)) best = c;
    }
  }
  return best && best.mapping.size > 0 ? best : null;
}

/**
 * What the first non-empty cell of a footer row begins with: totals, signatures, dates, notes.
 * A marker must stand alone or be followed by a separator, a number or 共 (a 合计 row), so an
 * entity named 合计商贸 is not a footer.
 */
const FOOTER_MARK =
  /^(合计|总计|小计|共计|累计|總計|合計|制表人|制表|审核人|审核|复核人|复核|填报人|填表人|填报日期|填表日期|制表日期|报送日期|打印日期|打印时间|导出日期|导出时间|负责人|单位负责人|经办人|联系人|联系电话|备注|说明|注)(?=$|[:：(（\d共])|^共\d/;

/** A record count a footer states: 共 1234 条, 合计：1,234 条记录, 记录数 1234. */
const FOOTER_COUNT = /共[:：]?([\d,，]+)(?:条|行|笔|项|人|名|个)|(?:总?记录数|总?条数|行数)[:：]?([\d,，]+)|([\d,，]+)(?:条|笔)/;

/** A row that may be a footer when nothing but footers and blank rows follow it. */
export function isFooterLike(cells: readonly string[]): boolean {
  const first = cells.find((c) => c.trim() !== '');
  return first !== undefined && FOOTER_MARK.test(first.normalize('NFKC').replace(/\s/g, ''));
}

/** The record count a footer row states, or null. */
export function footerCount(cells: readonly string[]): number | null {
  const m = FOOTER_COUNT.exec(cells.join(' ').normalize('NFKC').replace(/\s/g, ''));
  const digits = m && (m[1] ?? m[2] ?? m[3]).replace(/[,，]/g, '');
  return digits ? Number(digits) : null;
}

export interface SheetsRead {
  /** the CSV's header after __line: the feed's canonical headers, then __other */
  header: string[];
  dataRows: number;
  /** rows above the header (titles, notes, blank rows) of the sheets read */
  rowsAboveHeader: number;
  /** trailing footer rows set aside (blank rows not counted) */
  footerRows: number;
  /** each sheet read: `名称 (rows 3–122)` */
  sheets: string[];
  /** a footer's count that disagrees with the rows read, per sheet */
  notes: string[];
}

/**
 * Writes every visible sheet whose header matches the feed (all required columns found) through
 * `write`, one CSV line per data row. No sheet matching rejects the file, naming the best
 * candidate row and the required columns it lacks.
 */
export async function writeSheets(
  sheets: AsyncIterable<SheetSource> | Iterable<SheetSource>,
  columns: readonly ColumnSpec[],
  displayName: string,
  write: (line: string) => Promise<void> | void,
  scanRows = HEADER_SCAN_ROWS,
): Promise<SheetsRead> {
  const header = [...columns.map((c) => c.headers[0]), '__other'];
  await write(['__line', ...header].map(quote).join(',') + '\n');
  const read: SheetsRead = { header, dataRows: 0, rowsAboveHeader: 0, footerRows: 0, sheets: [], notes: [] };
  const best: { closest: { sheet: string; match: HeaderMatch } | null } = { closest: null };
  let visible = 0;

  for await (const sheet of sheets) {
    if (!sheet.hidden) visible++;
    const top: SheetRow[] = [];
    let match: HeaderMatch | null | undefined; // undefined: still looking
    let first = 0;
    let last = 0;
    let rows = 0;
    let pending: SheetRow[] = []; // footer-like rows not yet followed by data
    let indexes: (number | undefined)[] = []; // per feed column, its sheet column
    let mapped = new Set<number>();
    const writeRow = async (row: SheetRow) => {
      if (indexes.length === 0) {
        indexes = columns.map((c) => match!.mapping.get(c.name));
        mapped = new Set(match!.mapping.values());
      }
      const cells = indexes.map((i) => (i === undefined ? '' : (row.cells[i] ?? '')));
      const other = row.cells.filter((v, i) => !mapped.has(i) && v !== '').join('\u001f');
      await write([String(row.number), ...cells, other].map(quote).join(',') + '\n');
      if (!first) first = row.number;
      last = row.number;
      rows++;
    };
    const dataRow = async (row: SheetRow) => {
      if (isBlank(row.cells)) return; // blank rows carry nothing, anywhere in a sheet
      if (isFooterLike(row.cells)) {
        pending.push(row);
        return;
      }
      for (const p of pending) await writeRow(p); // followed by data: they were data
      pending = [];
      await writeRow(row);
    };
    for await (const row of sheet.rows) {
      if (sheet.hidden || match === null) continue; // drained: a sheet must be read to its end
      if (match === undefined) {
        if (row.number <= scanRows) {
          top.push(row);
          continue;
        }
        match = decide(sheet.name, top);
        if (!match) continue;
        for (const r of top.filter((r) => r.number > match!.row)) await dataRow(r);
      }
      await dataRow(row);
    }
    if (match === undefined && !sheet.hidden) {
      match = decide(sheet.name, top);
      if (match) for (const r of top.filter((r) => r.number > match!.row)) await dataRow(r);
    }
    if (!match) continue;
    read.rowsAboveHeader += (match.groupRow ?? match.row) - 1;
    read.footerRows += pending.length;
    const stated = pending.map((r) => footerCount(r.cells)).find((n) => n !== null);
    if (stated !== undefined && stated !== null && stated !== rows) {
      read.notes.push(`工作表「${sheet.name}」合计行记录数 ${stated} 与读取的 ${rows} 行不符 (sheet ${sheet.name}: the footer states ${stated} records, ${rows} rows were read)`);
    }
    read.sheets.push(rows ? `${sheet.name} (rows ${first}–${last})` : `${sheet.name} (no rows)`);
    read.dataRows += rows;
  }

  if (read.sheets.length === 0) {
    const required = columns.filter((c) => c.required || c.columnRequired).map((c) => `「${c.headers[0]}」(${c.name})`);
    if (visible === 0) throw new FileRejectedError(displayName, '工作簿没有工作表 (the workbook has no visible sheet)');
    const c = best.closest;
    if (!c) {
      throw new FileRejectedError(displayName, `找不到表头：各工作表前 ${scanRows} 行中没有本数据的列名，需要 ${required.join('、')} (no header row recognised in the first ${scanRows} rows of any sheet)`);
    }
    throw new FileRejectedError(
      displayName,
      `找不到完整的表头：最接近的是工作表「${c.sheet}」第 ${c.match.row} 行，缺少必需列 ${c.match.missing.join('、')} (missing required column; best header candidate: sheet ${c.sheet}, row ${c.match.row})`,
    );
  }
  return read;

  /** The sheet's header when it has every required column; else remembers it as the closest candidate. */
  function decide(sheet: string, top: SheetRow[]): HeaderMatch | null {
    const m = findHeader(columns, top);
    if (!m) return null;
    if (m.missing.length === 0) return m;
    if (!best.closest || m.mapping.size > best.closest.match.mapping.size) best.closest = { sheet, match: m };
    return null;
  }
}

export function quote(value: string): string {
  return `"${value.replaceAll('"', '""').replace(/\r?\n/g, ' ')}"`;
}

/** 2^53: from here on a double cannot hold every integer, so an 18-digit ID stored as a number has lost digits. */
const EXACT_INTEGERS = 2 ** 53;

/**
 * A number cell as text. Integers below 2^53 keep every digit; from 2^53 on (an 18-digit ID stored
 * as a number) the value is written as Excel shows it, in scientific notation with 15 significant
 * digits (`1.50102197001011E+17`), so the ID check quarantines it as id_scientific — never a
 * digit string whose last digits were silently rounded.
 */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (Math.abs(value) < EXACT_INTEGERS) return String(value);
  const [mantissa, exponent] = value.toExponential(14).split('e');
  const digits = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return `${digits}E${exponent.startsWith('-') ? exponent : `+${exponent.replace('+', '')}`}`;
}

/** A calendar day as YYYY-MM-DD. */
export function dayText(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
