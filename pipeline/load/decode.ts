/**
 * Turns a department file into UTF-8 CSV text that DuckDB's read_csv can take, without parsing
 * rows in JS: UTF-8 files are used as they are, GBK/GB18030 files are decoded in a stream to a
 * temporary file (by the system's iconv when there is one, else iconv-lite), .xlsx sheets are streamed row by row to a temporary CSV (xlsx files are small
 * by nature: a sheet holds at most 1 048 576 rows).
 *
 * Files that are not CSV text or xlsx (binary, empty, old .xls, unknown encoding) are refused
 * whole, with a reason that names the problem and not the content.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { FileRejectedError } from '../../base/errors.ts';
import { countLines } from './lines.ts';

export type SourceFormat = 'csv' | 'xlsx';
export type SourceEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030' | 'xlsx';

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
}

const HEAD_BYTES = 64 * 1024;

export async function decodeFile(path: string, displayName: string, tmpDir: string, tmpStem: string): Promise<DecodedFile> {
  const { size } = await stat(path);
  if (size === 0) throw new FileRejectedError(displayName, '文件为空 (empty file)');
  const head = await readHead(path, Math.min(size, HEAD_BYTES));

  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    return xlsxToCsv(path, displayName, join(tmpDir, `${tmpStem}.csv`));
  }
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    throw new FileRejectedError(displayName, '旧版 .xls 格式不受支持，请另存为 .xlsx 或 CSV (legacy .xls is not supported)');
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

/** Writes the first sheet as CSV, every value quoted, with the sheet row number as the first column. */
async function xlsxToCsv(path: string, displayName: string, csvPath: string): Promise<DecodedFile> {
  const out = createWriteStream(csvPath);
  let header: string[] | undefined;
  let width = 0;
  let dataRows = 0;
  const write = (chunk: string) => (out.write(chunk) ? undefined : new Promise<void>((r) => out.once('drain', () => r())));
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, { entries: 'emit', sharedStrings: 'cache', styles: 'cache', worksheets: 'emit', hyperlinks: 'ignore' });
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = (row.values as unknown[]).slice(1).map(cellText);
        if (!header) {
          header = values.map((v) => v.trim());
          while (header.length && header[header.length - 1] === '') header.pop();
          width = header.length;
          await write(['__line', ...header].map(quote).join(',') + '\n');
          continue;
        }
        if (values.every((v) => v === '')) continue;
        const cells = Array.from({ length: width }, (_, i) => values[i] ?? '');
        await write([String(row.number), ...cells].map(quote).join(',') + '\n');
        dataRows++;
      }
      break; // the first sheet holds the data
    }
  } catch (e) {
    out.destroy();
    if (e instanceof FileRejectedError) throw e;
    throw new FileRejectedError(displayName, '无法读取的 .xlsx 文件 (not a readable xlsx workbook)');
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  if (!header || width === 0) throw new FileRejectedError(displayName, '工作表为空，缺少表头 (the sheet has no header row)');
  if (dataRows === 0) throw new FileRejectedError(displayName, '工作表没有数据行 (the sheet has a header but no data rows)');
  return { csvPath, format: 'xlsx', encoding: 'xlsx', header, hasLineColumn: true, lines: null };
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // exceljs gives Excel dates as UTC midnight
    return value.toISOString().slice(0, 10);
  }
  if (typeof value === 'object') {
    const v = value as { text?: unknown; result?: unknown; richText?: { text: string }[]; error?: string };
    if (v.richText) return v.richText.map((r) => r.text).join('');
    if (v.result !== undefined) return cellText(v.result);
    if (v.text !== undefined) return cellText(v.text);
    if (v.error) return '';
  }
  return String(value);
}

function quote(value: string): string {
  return `"${value.replaceAll('"', '""').replace(/\r?\n/g, ' ')}"`;
}
