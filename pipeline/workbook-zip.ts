/**
 * A returned county workbook (.xlsx, a zip) is looked at before anything unpacks it. exceljs
 * (through JSZip) inflates every entry whole into memory, so a 1.1 MB zip bomb uploaded to the
 * portal once grew to gigabytes and killed it. `inspectWorkbookZip` reads only the zip's central
 * directory — the list of entries with their names, flags and declared sizes at the end of the file
 * — and inflates nothing; it refuses a file whose list is not that of a workbook or promises too much.
 *
 * What it cannot see: a zip whose central directory lies (declares small sizes for entries that
 * inflate to far more) passes here and would still be inflated whole by exceljs. That case is
 * covered by the portal running the import in a child process with a memory cap, which dies alone
 * (the heap cap does not bound inflated buffers; the unit's MemoryMax, scripts/hedui-portal.service,
 * does). `hedui feedback import` from the command line has no such cap: the operator runs it.
 *
 * Grain: one call per file. Limits are parameters with defaults (WORKBOOK_ZIP_LIMITS); a county's
 * returned workbook is a few hundred KB, its largest part a few MB uncompressed, and ~20 entries.
 * Entry names: the parts Excel, WPS and LibreOffice write (OPC part names: ASCII letters, digits,
 * `._-~%`), under `[Content_Types].xml`, `_rels/`, `docProps/`, `xl/`, `customXml/` and
 * `_xmlsignatures/` (a workbook signed in Excel). Under those folders any part name is accepted,
 * whatever its extension — xl/embeddings/ legitimately holds .bin, .docx, any OLE package — since
 * nothing here is ever written to disk by its name; the checks are against path tricks and sizes.
 */
import { open } from 'node:fs/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { HeduiError } from '../base/errors.ts';

export interface WorkbookZipLimits {
  /** entries in the zip; a workbook has ~10–40 (one per sheet, drawing, image…) */
  maxEntries: number;
  /** all entries together, uncompressed, as declared */
  maxUncompressedBytes: number;
  /** compression ratio (uncompressed / compressed) refused for an entry larger than `ratioAppliesAboveBytes` */
  maxCompressionRatio: number;
  /** small entries may compress as well as they like (an empty sheet's XML runs at ~30:1, styles higher) */
  ratioAppliesAboveBytes: number;
}

export const WORKBOOK_ZIP_LIMITS: WorkbookZipLimits = {
  maxEntries: 500,
  maxUncompressedBytes: 50 * 1024 * 1024,
  // measured: hedui's county workbooks 2–5:1 per part, a 20 000-row sheet 9:1; zip bombs run at ~1000:1
  maxCompressionRatio: 100,
  ratioAppliesAboveBytes: 1024 * 1024,
};

export type WorkbookZipProblem =
  | 'not_zip'
  | 'damaged'
  | 'entry_name'
  | 'too_many_entries'
  | 'too_large'
  | 'compression_ratio'
  | 'encrypted'
  | 'compression_method'
  | 'size_overflow';

/**
 * A file refused before unpacking. The message is for the county (Chinese, then English) and names
 * counts and sizes only: never an entry's name or anything else read from the file.
 */
export class WorkbookZipRefused extends HeduiError {
  constructor(readonly problem: WorkbookZipProblem, message: string) {
    super(message);
  }
}

export interface WorkbookZipSummary {
  entries: number;
  /** the sum of the declared uncompressed sizes */
  uncompressedBytes: number;
}

const TOP_FILES = new Set(['[Content_Types].xml']);
const TOP_FOLDERS = new Set(['_rels', 'docProps', 'xl', 'customXml', '_xmlsignatures']);
/** one path segment of an OPC part name: unreserved characters and percent-escapes, not `.`/`..` alone */
const SEGMENT = /^[A-Za-z0-9._~%-]+$/;

/** Whether a raw entry name (bytes as stored) is a workbook part; folder entries (`xl/`) are allowed. */
export function isWorkbookPartName(raw: Buffer | string): boolean {
  const name = typeof raw === 'string' ? raw : raw.toString('latin1'); // any non-ASCII byte fails SEGMENT
  if (name.length === 0 || name.length > 255) return false;
  if (TOP_FILES.has(name)) return true;
  const segments = name.split('/');
  if (segments.at(-1) === '') segments.pop(); // a folder entry, as some zip tools add
  if (segments.length < 2 && !(segments.length === 1 && name.endsWith('/'))) return false;
  if (!TOP_FOLDERS.has(segments[0])) return false;
  return segments.every((s) => SEGMENT.test(s) && !/^\.+$/.test(s));
}

const OLE = Buffer.from('d0cf11e0a1b11ae1', 'hex');

/** The first 8 bytes of the file. */
async function head(source: string | Buffer): Promise<Buffer> {
  if (Buffer.isBuffer(source)) return source.subarray(0, 8);
  const fh = await open(source, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(8), 0, 8, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const MB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** yauzl's own refusals, by their (English, fixed) wording; none of them is passed on. */
function fromYauzl(e: Error): WorkbookZipRefused {
  if (/end of central directory record signature not found/i.test(e.message)) {
    return new WorkbookZipRefused('not_zip', '不是 .xlsx 文件，或文件不完整 (not an xlsx file: not a zip archive, or a truncated one)');
  }
  if (/encryption/i.test(e.message)) return new WorkbookZipRefused('encrypted', '文件已加密，请取消密码后重新保存为 .xlsx (the workbook is encrypted)');
  return new WorkbookZipRefused('damaged', '文件已损坏，请用 Excel 或 WPS 打开后重新保存为 .xlsx (a damaged zip archive)');
}

/**
 * Reads the central directory of `source` (a path or the file's bytes) and refuses, with a
 * WorkbookZipRefused, a file that is not a zip, holds an entry that is not a workbook part, is
 * encrypted, uses a compression Excel does not write, has more entries or declares more bytes than
 * `limits` allow, or holds a large entry compressed like a zip bomb. Inflates nothing.
 */
export async function inspectWorkbookZip(source: string | Buffer, limits: Partial<WorkbookZipLimits> = {}): Promise<WorkbookZipSummary> {
  const l: WorkbookZipLimits = { ...WORKBOOK_ZIP_LIMITS, ...limits };
  // names kept as bytes and judged here: yauzl would quietly turn a backslash into a slash, and its
  // own refusal of `..` quotes the name
  const options = { lazyEntries: true, decodeStrings: false, autoClose: true, validateEntrySizes: true };
  let zip: ZipFile;
  try {
    zip = typeof source === 'string' ? await yauzl.openPromise(source, options) : await yauzl.fromBufferPromise(source, options);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw e; // the file could not be read at all: not the county's doing
    if (OLE.equals(await head(source))) {
      // an OLE compound file: what Excel writes for a password-protected workbook, and for .xls
      throw new WorkbookZipRefused('encrypted', '文件已加密或为旧版 .xls 格式，请取消密码后另存为 .xlsx (an encrypted workbook or an old .xls file)');
    }
    throw fromYauzl(e as Error);
  }
  try {
    if (zip.entryCount > l.maxEntries) {
      throw new WorkbookZipRefused('too_many_entries', `压缩包内有 ${zip.entryCount} 个条目，超过上限 ${l.maxEntries} (too many entries in the workbook: ${zip.entryCount} > ${l.maxEntries})`);
    }
    let entries = 0;
    let uncompressedBytes = 0;
    // entries as yauzl reads them from the central directory, one at a time; nothing is inflated
    for await (const entry of zip.eachEntry()) {
      entries++;
      checkEntry(entry, entries, zip.fileSize, l);
      uncompressedBytes += entry.uncompressedSize;
      if (!Number.isSafeInteger(uncompressedBytes)) throw overflow(entries);
      if (uncompressedBytes > l.maxUncompressedBytes) {
        throw new WorkbookZipRefused('too_large', `解压后超过 ${MB(l.maxUncompressedBytes)}，不是正常的核对表 (the workbook would unpack to more than ${MB(l.maxUncompressedBytes)})`);
      }
    }
    return { entries, uncompressedBytes };
  } catch (e) {
    throw e instanceof WorkbookZipRefused ? e : fromYauzl(e as Error);
  } finally {
    zip.close();
  }
}

const overflow = (n: number) => new WorkbookZipRefused('size_overflow', `第 ${n} 个条目声明的大小无效 (entry ${n} declares an impossible size)`);

function checkEntry(entry: Entry, n: number, fileSize: number, l: WorkbookZipLimits): void {
  if (!isWorkbookPartName(entry.fileNameRaw)) {
    throw new WorkbookZipRefused('entry_name', `第 ${n} 个条目的名称不是工作簿的组成部分，文件不是正常的 .xlsx (entry ${n} is not a workbook part)`);
  }
  if (entry.isEncrypted()) throw new WorkbookZipRefused('encrypted', '文件已加密，请取消密码后重新保存为 .xlsx (the workbook is encrypted)');
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw new WorkbookZipRefused('compression_method', `第 ${n} 个条目的压缩方式不是 Excel 使用的方式，请用 Excel 或 WPS 重新保存 (entry ${n}: compression method ${entry.compressionMethod})`);
  }
  const { uncompressedSize: size, compressedSize: packed } = entry;
  // 64-bit sizes past 2^53 lose precision in a JavaScript number; no entry can hold more than the file
  if (!Number.isSafeInteger(size) || !Number.isSafeInteger(packed) || packed > fileSize) throw overflow(n);
  if (size > l.ratioAppliesAboveBytes && size > packed * l.maxCompressionRatio) {
    const ratio = packed === 0 ? '∞' : String(Math.round(size / packed));
    throw new WorkbookZipRefused(
      'compression_ratio',
      `第 ${n} 个条目压缩比异常（${ratio}:1，解压后 ${MB(size)}），疑似压缩炸弹 (entry ${n} compresses ${ratio}:1 to ${MB(size)}: a zip bomb)`,
    );
  }
}
