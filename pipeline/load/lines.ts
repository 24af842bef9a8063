/**
 * Physical line numbers of a CSV file's records. DuckDB numbers records, not lines: it skips
 * empty lines, and a quoted value may hold line breaks, so after either the n-th data record no
 * longer starts on line n + 1. Quarantine rows must name the line a person finds in an editor.
 *
 * Most files have neither: their line count (countLines) is the records read plus the header.
 * For the others, one pass over the bytes finds where each record starts. The result is a short list of shifts:
 * from record `fromRecord` (0 = the first data record, on line 2 when nothing shifts) on, the
 * line is `fromRecord + 2 + delta`, up to the next shift. Most files give an empty list.
 *
 * The bytes that matter — line feed, carriage return and the double quote — are the same in
 * UTF-8 and GB18030 (no multi-byte sequence of either contains them), so the department's file
 * is scanned as delivered, whatever its encoding. Quotes follow RFC 4180 as DuckDB reads them
 * (quote and escape both '"'): toggling on every quote character gives the same in/out state,
 * since an escaped quote toggles twice.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

export interface LineShift {
  fromRecord: number;
  delta: number;
}

/**
 * The number of physical lines of a file, by the system's `wc -l` (~5 GB/s from the page cache,
 * off the JS thread); null when it cannot be counted (no wc). When it equals the records DuckDB
 * read plus the header, no record can have moved and the scan below is not needed.
 */
export async function countLines(path: string): Promise<number | null> {
  const lineFeeds = await new Promise<number | null>((resolve) => {
    const child = spawn('wc', ['-l', '--', path], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', () => resolve(null));
    child.on('close', (code) => {
      const count = /^\s*(\d+)\s/.exec(out)?.[1];
      resolve(code === 0 && count !== undefined ? Number(count) : null);
    });
  });
  if (lineFeeds === null) return null;
  // a last line without a line feed is a line too
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const { size } = await fh.stat();
    if (size === 0) return 0;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    return lineFeeds + (last[0] === LF ? 0 : 1);
  } finally {
    await fh.close();
  }
}

/** The shifts of a file of which DuckDB read `records` data records; `lines` from countLines. */
export async function lineShifts(path: string, lines: number | null, records: number): Promise<LineShift[]> {
  return lines === records + 1 ? [] : recordLineShifts(path);
}

export async function recordLineShifts(path: string): Promise<LineShift[]> {
  const scan = new Scan();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) scan.read(chunk as Buffer);
  return scan.shifts;
}

class Scan {
  readonly shifts: LineShift[] = [];
  private line = 1; // the physical line of the byte being read
  private inQuote = false;
  private inRecord = false; // a record has started and its line feed is not yet read
  private record = -2; // index of the current record: -1 is the header, 0 the first data record
  private delta = 0;

  /** The state lives in locals while a chunk is read: several times faster in the hot loop. */
  read(bytes: Buffer): void {
    let line = this.line;
    let inQuote = this.inQuote;
    let inRecord = this.inRecord;
    let record = this.record;
    let delta = this.delta;
    const n = bytes.length;
    for (let i = 0; i < n; i++) {
      const c = bytes[i];
      if (c === LF) {
        line++;
        if (!inQuote) inRecord = false; // the record ends, or an empty line is skipped
        continue;
      }
      // a CR before any other byte of a line is the end of an empty CRLF line
      if (!inRecord && c !== CR) {
        inRecord = true;
        record++;
        if (record >= 0 && line - (record + 2) !== delta) {
          delta = line - (record + 2);
          this.shifts.push({ fromRecord: record, delta });
        }
      }
      if (c === QUOTE) inQuote = !inQuote;
    }
    this.line = line;
    this.inQuote = inQuote;
    this.inRecord = inRecord;
    this.record = record;
    this.delta = delta;
  }
}
