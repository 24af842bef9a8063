/**
 * Turns a department file into UTF-8 CSV text that DuckDB's read_csv can take, without parsing
 * rows in JS: UTF-8 files are used as they are, GBK/GB18030 files are decoded in a stream to a
 * temporary file (by the system's iconv when there is one, else iconv-lite). Workbooks — .xlsx
 * streamed by exceljs, .xls (BIFF8, Excel 97–2003) read whole by SheetJS (@e965/xlsx) — go
 * through sheets.ts: header row found among the first rows, footers set aside, every sheet whose
 * header matches the feed written to one temporary CSV with the feed's canonical header and the
 * sheet row numbers (workbooks are small by nature: an .xlsx sheet holds at most 1 048 576 rows,
 * an .xls sheet 65 536).
 *
 * Files that are not CSV text or a readable workbook (binary, empty, password-protected, corrupt,
 * an HTML page named .xls, unknown encoding) are refused whole, with a reason that names the
 * problem and not the content.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { readFile } from 'node:fs/promises';
import type ExcelJS from 'exceljs';
import type * as XLSX from '@e965/xlsx';
import { parse } from 'csv-parse/sync';
import { FileRejectedError } from '../../base/errors.ts';
import type { ColumnSpec } from '../../adapters/columns.ts';
import { countLines } from './lines.ts';
import { dayText, numberText, writeSheets, type SheetRow, type SheetSource, type SheetsRead } from './sheets.ts';

export type SourceFormat = 'csv' | 'xlsx' | 'xls';
export type SourceEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030' | 'xlsx' | 'xls';

export interface DecodedFile {
  /** UTF-8 CSV DuckDB reads: header on line 1 */
  csvPath: string;
  format: SourceFormat;
  encoding: SourceEncoding;
  header: string[];
  /** xlsx only: the CSV's first column is the sheet row number (named __line) */
  hasLineColumn: boolean;
  /** CSV only: physical lines of the delivered file (lines.ts), null when unknown */
  lines: number | null;
  /** workbooks only: header rows found, footers set aside, sheets read (sheets.ts) */
  sheets?: Omit<SheetsRead, 'header' | 'dataRows'>;
}

const HEAD_BYTES = 64 * 1024;

/**
 * `columns`: the feed's columns, which a workbook's header row is found by (sheets.ts); CSV text
 * does not use them (its header is line 1, mapped in stage.ts).
 */
export async function decodeFile(path: string, displayName: string, tmpDir: string, tmpStem: string, columns: readonly ColumnSpec[]): Promise<DecodedFile> {
  const { size } = await stat(path);
  if (size === 0) throw new FileRejectedError(displayName, '文件为空 (empty file)');
  const head = await readHead(path, Math.min(size, HEAD_BYTES));

  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    return xlsxToCsv(path, displayName, join(tmpDir, `${tmpStem}.csv`), columns);
  }
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    return xlsToCsv(path, displayName, join(tmpDir, `${tmpStem}.csv`), columns);
  }
  if (looksLikeHtml(head)) {
    throw new FileRejectedError(displayName, '文件是网页或 XML (HTML/XML) 而不是 Excel 工作簿，请在 Excel 中另存为 .xlsx (an HTML or XML page saved under a spreadsheet name, not a workbook)');
  }
  if (head.includes(0)) throw new FileRejectedError(displayName, '不是文本文件 (binary content, expected CSV text or .xlsx)');

  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  if (bom || isUtf8(head, size <= HEAD_BYTES)) {
    const text = head.toString('utf8', bom ? 3 : 0);
    const header = parseHeader(text, displayName);
    return { csvPath: path, format: 'csv', encoding: bom ? 'utf-8-bom' : 'utf-8', header, hasLineColumn: false, lines: await countLines(path) };
  }
  const decodedHead = iconv.decode(head, 'gb18030');
  const replacement = (decodedHead.match(/\uFFFD/g) ?? []).length;
  if (replacement > 2) throw new FileRejectedError(displayName, '无法识别的文字编码 (neither UTF-8 nor GBK/GB18030)');
  const header = parseHeader(decodedHead, displayName);
  const csvPath = join(tmpDir, `${tmpStem}.csv`);
  const lines = countLines(path); // line feeds are the same bytes in GB18030 (lines.ts)
  if (!(await decodeWithSystemIconv(path, csvPath))) {
    await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), iconv.decodeStream('gb18030'), iconv.encodeStream('utf8'), createWriteStream(csvPath));
  }
  return { csvPath, format: 'csv', encoding: 'gb18030', header, hasLineColumn: false, lines: await lines };
}

/**
 * GB18030 → UTF-8 with the system's iconv (glibc), in a child process: faster than iconv-lite, with
 * the same bytes, and off the JS thread (docs/measured-choices.md). False when there is no iconv or it
 * stops on an invalid sequence; the caller then decodes with iconv-lite, which replaces those
 * with U+FFFD as before.
 */
function decodeWithSystemIconv(path: string, csvPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('iconv', ['-f', 'GB18030', '-t', 'UTF-8', path], { stdio: ['ignore', 'pipe', 'ignore'] });
    const out = createWriteStream(csvPath);
    child.stdout.pipe(out);
    // a write that fails (a full disk) falls back to iconv-lite, which reports it
    out.on('error', () => (child.kill(), resolve(false)));
    child.on('error', () => resolve(false));
    child.on('close', (code) => out.end(() => resolve(code === 0)));
  });
}

async function readHead(path: string, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, 0);
    return buf;
  } finally {
    await fh.close();
  }
}

/** Valid UTF-8, allowing a character cut at the end of the sample. */
function isUtf8(buf: Buffer, complete: boolean): boolean {
  let end = buf.length;
  if (!complete) {
    // step back over a possibly cut multi-byte sequence
    let back = 0;
    while (back < 3 && end - back - 1 >= 0 && (buf[end - back - 1] & 0xc0) === 0x80) back++;
    if (end - back - 1 >= 0 && buf[end - back - 1] >= 0xc0) end = end - back - 1;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

function parseHeader(text: string, displayName: string): string[] {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  if (firstLine.trim() === '') throw new FileRejectedError(displayName, '首行为空，缺少表头 (no header line)');
  const fields = (parse(firstLine, { relax_quotes: true }) as string[][])[0] ?? [];
  if (fields.length === 1 && /[;\t|]/.test(fields[0])) {
    throw new FileRejectedError(displayName, '分隔符不是逗号 (wrong delimiter: expected comma-separated values)');
  }
  return fields.map((f) => f.trim());
}

/**
 * An HTML or XML page, as "export to Excel" buttons write them under an .xls name: its first
 * characters, after a byte order mark (UTF-8 or UTF-16) and white space, open a tag.
 */
function looksLikeHtml(head: Buffer): boolean {
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  const text = utf16
    ? head[0] === 0xff
      ? head.toString('utf16le', 2, 512)
      : Buffer.from(head.subarray(2, 512)).swap16().toString('utf16le')
    : head.toString('utf8', 0, 512);
  return /^\uFEFF?\s*<(!doctype\s+html|html|head|body|meta|table|style|\?xml|!--)/i.test(text);
}

/** Runs writeSheets into a temporary CSV file and describes it. */
async function sheetsToCsv(csvPath: string, displayName: string, format: 'xlsx' | 'xls', columns: readonly ColumnSpec[], sheets: AsyncIterable<SheetSource> | Iterable<SheetSource>): Promise<DecodedFile> {
  const out = createWriteStream(csvPath);
  // the stream's own error (a full disk; a write landing after destroy() below) is kept, never
  // thrown unheard: without a listener it would surface as an uncaught exception of the process
  let outError: Error | undefined;
  out.on('error', (e) => (outError ??= e));
  const write = (chunk: string): Promise<void> | undefined => {
    if (outError) throw outError;
    if (out.write(chunk)) return undefined;
    return new Promise<void>((resolve, reject) => {
      const drained = () => (out.off('error', failed), resolve());
      const failed = (e: Error) => (out.off('drain', drained), reject(e));
      out.once('drain', drained).once('error', failed);
    });
  };
  let read: SheetsRead;
  try {
    read = await writeSheets(sheets, columns, displayName, write);
  } catch (e) {
    out.destroy();
    if (e instanceof FileRejectedError) throw e;
    if (e === outError) throw e;
    throw new FileRejectedError(displayName, `无法读取的 .${format} 文件，可能已损坏 (not a readable ${format} workbook)`);
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  if (read.dataRows === 0) throw new FileRejectedError(displayName, '工作表没有数据行 (the sheet has a header but no data rows)');
  const sheets2 = { rowsAboveHeader: read.rowsAboveHeader, footerRows: read.footerRows, sheets: read.sheets, notes: read.notes };
  return { csvPath, format, encoding: format, header: read.header, hasLineColumn: true, lines: null, sheets: sheets2 };
}

/** .xlsx: every sheet streamed by exceljs (a workbook of many sheets is read once, in order). */
async function xlsxToCsv(path: string, displayName: string, csvPath: string, columns: readonly ColumnSpec[]): Promise<DecodedFile> {
  // loaded when an .xlsx arrives: a night with nothing new, or only CSV, never pays for exceljs (docs/measured-choices.md)
  const { default: Excel } = await import('exceljs');
  async function* sheets(): AsyncGenerator<SheetSource> {
    const reader = new Excel.stream.xlsx.WorkbookReader(path, { entries: 'emit', sharedStrings: 'cache', styles: 'cache', worksheets: 'emit', hyperlinks: 'ignore' });
    for await (const ws of reader) {
      const sheet = ws as unknown as AsyncIterable<ExcelJS.Row> & { name: string; state?: string };
      yield {
        name: sheet.name,
        hidden: sheet.state === 'hidden' || sheet.state === 'veryHidden',
        rows: (async function* () {
          for await (const row of sheet) yield { number: row.number, cells: Array.from((row.values as unknown[]).slice(1), cellText) } satisfies SheetRow;
        })(),
      };
    }
  }
  return sheetsToCsv(csvPath, displayName, 'xlsx', columns, sheets());
}

/**
 * .xls (BIFF8): read whole by SheetJS (an .xls sheet holds at most 65 536 rows; time and memory:
 * docs/measured-choices.md). SheetJS is loaded here, when an .xls arrives, not at every start.
 * A CFB container holding an EncryptedPackage is a password-protected .xlsx; SheetJS refuses an
 * encrypted .xls (FILEPASS) itself.
 */
async function xlsToCsv(path: string, displayName: string, csvPath: string, columns: readonly ColumnSpec[]): Promise<DecodedFile> {
  const bytes = await readFile(path);
  const encrypted = () => new FileRejectedError(displayName, '工作簿设有密码保护，请去掉密码后重新报送 (password-protected workbook)');
  if (bytes.includes(Buffer.from('EncryptedPackage', 'utf16le'))) throw encrypted();
  const { read, SSF } = await import('@e965/xlsx');
  let wb: XLSX.WorkBook;
  try {
    wb = read(bytes, { type: 'buffer', dense: true, cellNF: true, cellText: false, cellDates: false, cellFormula: false, cellHTML: false });
  } catch (e) {
    if (/password|encrypt/i.test((e as Error).message)) throw encrypted();
    throw new FileRejectedError(displayName, '无法读取的 .xls 文件，可能已损坏 (not a readable xls workbook)');
  }
  const date1904 = Boolean(wb.Workbook?.WBProps?.date1904);
  const sheets: SheetSource[] = wb.SheetNames.map((name, i) => ({
    name,
    hidden: Boolean(wb.Workbook?.Sheets?.[i]?.Hidden),
    rows: (function* () {
      const data = (wb.Sheets[name]['!data'] ?? []) as (XLSX.CellObject[] | undefined)[];
      for (let r = 0; r < data.length; r++) {
        const row = data[r];
        if (row) yield { number: r + 1, cells: Array.from(row, (cell) => xlsCellText(cell, date1904, SSF)) };
      }
    })(),
  }));
  return sheetsToCsv(csvPath, displayName, 'xls', columns, sheets);
}

/** A SheetJS cell as text: date-formatted numbers as YYYY-MM-DD, other numbers by numberText. */
function xlsCellText(cell: XLSX.CellObject | undefined, date1904: boolean, ssf: typeof XLSX.SSF): string {
  if (!cell || cell.v === undefined || cell.v === null) return '';
  switch (cell.t) {
    case 'n': {
      const v = cell.v as number;
      if (typeof cell.z === 'string' && ssf.is_date(cell.z)) {
        const d = ssf.parse_date_code(v, { date1904 });
        if (d) return dayText(d.y, d.m, d.d);
      }
      return numberText(v);
    }
    case 's':
      return String(cell.v);
    case 'b':
      return String(cell.v);
    case 'd':
      return (cell.v as Date).toISOString().slice(0, 10);
    default:
      return ''; // errors (#N/A) and stubs
  }
}

/** An exceljs cell value as text (numbers by numberText: an 18-digit ID stored as a number is not rounded silently). */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // exceljs gives Excel dates as UTC midnight
    return value.toISOString().slice(0, 10);
  }
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'object') {
    const v = value as { text?: unknown; result?: unknown; richText?: { text: string }[]; error?: string };
    if (v.richText) return v.richText.map((r) => r.text).join('');
    if (v.result !== undefined) return cellText(v.result);
    if (v.text !== undefined) return cellText(v.text);
    if (v.error) return '';
  }
  return String(value);
}
