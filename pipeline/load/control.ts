/**
 * Control files: `<datafile>.ok` or `<datafile>.chk` beside a data file, as exchange platforms
 * write them, holding the data file's record count and optionally its sha256 or md5. A file cut
 * after a whole row reads cleanly; only a count (or digest) written by the sender catches it.
 *
 * The format is read leniently (platforms differ):
 *   - `key=value` or `key: value` lines (also a full-width colon). Count keys: count, records,
 *     rows, total, lines, 记录数, 条数, 行数 and the like; digest keys: sha256, md5 (an unknown
 *     key whose value is 64 or 32 hex digits counts as a sha256 or md5). Other keys are ignored
 *     (file names, dates).
 *   - bare tokens, separated by spaces, tabs, commas, semicolons or `|`: 64 hex digits are a
 *     sha256, 32 an md5, a plain integer the record count (`公积金_2026-10.csv|10000|<md5>`).
 *     Several different unnamed integers give no count: which one is the count is not guessed.
 *   - UTF-8 (with or without BOM) or GBK/GB18030.
 * A control file that gives no record count is an error for its data file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { FileRejectedError } from '../../base/errors.ts';

/** The suffixes a control file adds to its data file's name. */
const CONTROL_SUFFIX = /\.(ok|chk)$/i;

export const isControlFileName = (name: string) => CONTROL_SUFFIX.test(name);

/** The data file a control file speaks for: its name without `.ok` / `.chk`. */
export const dataFileNameOf = (controlName: string) => controlName.replace(CONTROL_SUFFIX, '');

/** A control file beside a data file: what the loader folds into the file's identity. */
export interface ControlFileRef {
  path: string;
  /** its file name, for messages */
  name: string;
  sha256: string;
}

export interface ControlFile {
  count?: number;
  sha256?: string;
  md5?: string;
  /** several unnamed integers and no named count */
  ambiguous?: boolean;
}

const COUNT_KEY = /^(count|records?|recordcount|recordnum|rows?|rowcount|total|totalrecords|totalrows|lines?|linecount|num|记录数|记录条数|总记录数|总条数|条数|行数|数据条数|数据行数|总行数|总数)$/;
const SHA256_KEY = /^(sha256|sha256sum|sha2)$/;
const MD5_KEY = /^(md5|md5sum)$/;
const HEX64 = /^[0-9a-f]{64}$/i;
const HEX32 = /^[0-9a-f]{32}$/i;

/** `SHA-256 (x.csv)`, `Record_Count`, `记录数 ` → `sha256`, `recordcount`, `记录数` */
const normaliseKey = (key: string) => key.replace(/[(（][^)）]*[)）]/g, '').replace(/[\s_\-.]/g, '').toLowerCase();

/** A count as written after a key: `10000`, `10,000`, `10000条`, `10000 rows`. */
function countValue(value: string): number | undefined {
  const m = /^(\d[\d,\s]*?)\s*(条|行|rows?|records?)?$/i.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1].replace(/[,\s]/g, ''));
  return Number.isSafeInteger(n) ? n : undefined;
}

function decodeText(bytes: Buffer): string {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return iconv.decode(body, 'gb18030');
  }
}

/** What a control file's bytes say (nothing is required here; the caller decides). */
export function parseControlFile(bytes: Buffer): ControlFile {
  const keyed: ControlFile = {};
  const bare: ControlFile = {};
  const integers = new Set<number>();
  for (const line of decodeText(bytes).split(/\r?\n|\r/)) {
    const kv = /^\s*([^=:：]+?)\s*[=:：]\s*(.*?)\s*$/.exec(line);
    if (kv) {
      const key = normaliseKey(kv[1]);
      const value = kv[2].trim();
      if (COUNT_KEY.test(key)) keyed.count ??= countValue(value);
      else if (SHA256_KEY.test(key) || HEX64.test(value)) keyed.sha256 ??= HEX64.test(value) ? value.toLowerCase() : undefined;
      else if (MD5_KEY.test(key) || HEX32.test(value)) keyed.md5 ??= HEX32.test(value) ? value.toLowerCase() : undefined;
      continue;
    }
    for (const token of line.split(/[\s,;|]+/).filter(Boolean)) {
      if (HEX64.test(token)) bare.sha256 ??= token.toLowerCase();
      else if (HEX32.test(token)) bare.md5 ??= token.toLowerCase();
      else if (/^\d+$/.test(token) && Number.isSafeInteger(Number(token))) integers.add(Number(token));
    }
  }
  if (integers.size === 1) bare.count = [...integers][0];
  const result: ControlFile = { count: keyed.count ?? bare.count, sha256: keyed.sha256 ?? bare.sha256, md5: keyed.md5 ?? bare.md5 };
  if (result.count === undefined && integers.size > 1) result.ambiguous = true;
  return Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined)) as ControlFile;
}

/** Control files are a few lines; anything longer is not one. */
const MAX_CONTROL_BYTES = 64 * 1024;

/**
 * Reads the control file of `dataFile` (named in messages as the file being rejected); a control
 * file that cannot be read or gives no count rejects its data file.
 */
export async function readControlFile(control: ControlFileRef, dataFile: string): Promise<ControlFile & { count: number }> {
  let bytes: Buffer;
  try {
    const fh = await open(control.path, 'r');
    try {
      const buf = Buffer.alloc(MAX_CONTROL_BYTES + 1);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      bytes = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    throw new FileRejectedError(dataFile, `控制文件 ${control.name} 无法读取 (control file unreadable)`);
  }
  if (bytes.length > MAX_CONTROL_BYTES || bytes.includes(0)) {
    throw new FileRejectedError(dataFile, `控制文件 ${control.name} 无法读取：不是控制文件的格式 (control file unreadable: not a short text file)`);
  }
  const parsed = parseControlFile(bytes);
  if (parsed.count === undefined) {
    const why = parsed.ambiguous ? '有多个未注明含义的数字' : '未给出记录数';
    const gloss = parsed.ambiguous ? 'several unnamed numbers, none marked as the record count' : 'no record count';
    throw new FileRejectedError(dataFile, `控制文件 ${control.name} 无法读取：${why} (control file unreadable: ${gloss})`);
  }
  return parsed as ControlFile & { count: number };
}

async function md5Of(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The digests a control file gives must be the data file's; the sha256 is known already, the md5 is computed only when asked for. */
export async function checkControlDigests(control: ControlFile, ref: ControlFileRef, data: { path: string; relPath: string; sha256: string }): Promise<void> {
  const mismatch = (algorithm: string) =>
    new FileRejectedError(
      data.relPath,
      `文件的 ${algorithm} 校验值与控制文件 ${ref.name} 不符，文件可能不完整或已损坏 (${algorithm.toLowerCase().replace('-', '')} differs from the control file: truncated or corrupted delivery)`,
    );
  if (control.sha256 && control.sha256 !== data.sha256) throw mismatch('SHA-256');
  if (control.md5 && control.md5 !== (await md5Of(data.path))) throw mismatch('MD5');
}

/** The reason a file whose record count is not the control file's is rejected; undefined when they agree. */
export function controlCountProblem(control: { count: number }, ref: ControlFileRef, read: number): string | undefined {
  if (read === control.count) return undefined;
  return read < control.count
    ? `记录数 ${read} 与控制文件 ${ref.name} 的 ${control.count} 不符，文件可能不完整 (record count ${read} differs from the control file's ${control.count}: truncated delivery)`
    : `记录数 ${read} 与控制文件 ${ref.name} 的 ${control.count} 不符 (record count ${read} differs from the control file's ${control.count})`;
}
