/** Helpers for data-shaped adapter tests: valid IDs, a data folder with inbox files, a load; zips. */
import zlib from 'node:zlib';
import { expect } from 'vitest';
import iconv from 'iconv-lite';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idCheckChar } from '../../domain/id-number.ts';
import { loadInbox, type LoadReport } from './inbox.ts';
import { withWarehouse, type Warehouse } from '../warehouse.ts';

/** A valid 18-digit ID from its parts. */
export function makeId(county: string, birth: string, sequence: string): string {
  const first17 = county + birth + sequence;
  return first17 + idCheckChar(first17);
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'hedui-data-'));
}

export async function putInbox(dataDir: string, feed: string, period: string, name: string, content: string | Buffer): Promise<string> {
  const dir = join(dataDir, 'inbox', feed, period);
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

export function csv(rows: (string | number)[][]): string {
  return rows.map((r) => r.map((v) => (/[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v))).join(',')).join('\n') + '\n';
}

export function load(w: Warehouse, dataDir: string, maxQuarantineShare = 1): Promise<LoadReport> {
  return loadInbox(w, dataDir, { maxQuarantineShare });
}

/** A line of an adapter test's file: what it stages, or the reason and field it is quarantined with. */
export interface LineCase {
  description: string;
  staged?: Record<string, unknown>;
  reason?: [string, string | null];
}

/**
 * Each case, from line 2 of `file` on: its row of the staged `table`, selected by `columns` (a select
 * list over `s`, dates and amounts as text), matches `staged`; or its quarantine reason and field are `reason`.
 */
export async function expectLines(w: Warehouse, table: string, file: string, cases: readonly LineCase[], columns = 's.*', label = file): Promise<void> {
  for (const [i, c] of cases.entries()) {
    const at = { line: i + 2, file };
    const what = `${label}: ${c.description}`;
    if (c.staged) {
      const row = await w.one<Record<string, unknown>>('t', `select ${columns} from ${table} s join loads l using (load_id) where l.file = $file and s.line = $line`, at);
      expect(row, what).toMatchObject(c.staged);
    } else {
      expect(await w.one('t', 'select reason, field from quarantine where file = $file and line = $line', at), what).toEqual({ reason: c.reason![0], field: c.reason![1] });
    }
  }
}

/** A file an adapter test delivers: its period, header and rows (in GBK when `gbk`), and what each line of it gives. */
export interface Delivery {
  period: string;
  header: readonly string[];
  rows: readonly (readonly string[])[];
  gbk?: boolean;
  cases: readonly LineCase[];
}

/** Rows of cells in `header`'s order, from cases whose `row` names its cells by header (a header it lacks: empty). */
export const cellsOf = (header: readonly string[], cases: readonly { row: Record<string, string> }[]): string[][] => cases.map((c) => header.map((h) => c.row[h] ?? ''));

/**
 * Delivers each file as `inbox/<feed>/<period>/<name>`, loads them, and checks that each is staged
 * whole in its encoding with every row read counted as staged or quarantined, then each line as its
 * case says (expectLines, `columns` over the staged table).
 */
export async function expectDeliveries(feed: string, name: string, deliveries: readonly Delivery[], columns: string): Promise<void> {
  const dataDir = await makeDataDir();
  for (const d of deliveries) {
    const text = csv([[...d.header], ...d.rows.map((r) => [...r])]);
    await putInbox(dataDir, feed, d.period, name, d.gbk ? iconv.encode(text, 'gbk') : text);
  }
  await withWarehouse(async (w) => {
    const report = await load(w, dataDir);
    for (const d of deliveries) {
      const file = `inbox/${feed}/${d.period}/${name}`;
      expect(report.loaded.find((l) => l.file === file), file).toMatchObject({
        status: 'staged',
        encoding: d.gbk ? 'gb18030' : 'utf-8',
        rowsRead: d.cases.length,
        rowsStaged: d.cases.filter((c) => c.staged).length,
        rowsQuarantined: d.cases.filter((c) => c.reason).length,
      });
      await expectLines(w, `stg_${feed.replaceAll('-', '_')}`, file, d.cases, columns, d.period);
    }
  });
}

// --- zips, for the returned-workbook checks (pipeline/workbook-zip.ts) and the portal's upload tests ---

export interface ZipEntrySpec {
  name: string;
  /** the content; or `repeat`: `chunk` deflated `times` times over, streaming (a zip bomb in little memory) */
  data?: Buffer;
  repeat?: { chunk: Buffer; times: number };
  /** general-purpose flags (bit 0: encrypted) and compression method (8 deflate, 0 stored, 12 bzip2) */
  flags?: number;
  method?: number;
  /** a declared uncompressed size in the central directory other than the true one (a lying zip) */
  declaredSize?: number | bigint;
}

/** Deflates (raw) the entry's content, streaming; returns the compressed bytes, size and CRC-32. */
async function pack(e: ZipEntrySpec): Promise<{ packed: Buffer; size: number; crc: number }> {
  const chunks = e.repeat ? Array.from({ length: e.repeat.times }, () => e.repeat!.chunk) : [e.data ?? Buffer.alloc(0)];
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((r) => deflate.on('end', r));
  let crc = 0;
  let size = 0;
  for (const c of chunks) {
    crc = zlib.crc32(c, crc);
    size += c.length;
    if (!deflate.write(c)) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await ended;
  return { packed: e.method === 0 ? Buffer.concat(chunks) : Buffer.concat(out), size, crc };
}

/**
 * A minimal zip writer (local headers, central directory, end record; ZIP64 only for a declared
 * size past 4 GB): enough to build what counties' files and attackers' files look like.
 */
export async function zip(entries: ZipEntrySpec[]): Promise<Buffer> {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const { packed, size, crc } = await pack(e);
    const name = Buffer.from(e.name, 'utf8');
    const method = e.method ?? 8;
    const flags = (e.flags ?? 0) | 0x800;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0x5b610000, 10); // a DOS date and time
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, packed);
    const declared = e.declaredSize ?? size;
    const zip64 = typeof declared === 'bigint' || declared >= 0xffffffff;
    const extra = zip64 ? Buffer.alloc(12) : Buffer.alloc(0);
    if (zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(8, 2);
      extra.writeBigUInt64LE(BigInt(declared), 4);
    }
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(zip64 ? 45 : 20, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt32LE(0x5b610000, 12);
    header.writeUInt32LE(crc >>> 0, 16);
    header.writeUInt32LE(packed.length, 20);
    header.writeUInt32LE(zip64 ? 0xffffffff : Number(declared), 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(extra.length, 30);
    header.writeUInt32LE(offset, 42);
    central.push(header, name, extra);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The smallest workbook-shaped zip, with extra entries. */
export const workbook = (...extra: ZipEntrySpec[]) =>
  zip([{ name: '[Content_Types].xml', data: Buffer.from('<Types/>') }, { name: '_rels/.rels', data: Buffer.from('<Relationships/>') }, { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') }, ...extra]);

/** `megabytes` MB of zeros (200 by default) deflated: ~200 KB at ~1000:1, as zip bombs run. */
export const bomb = (megabytes = 200) => workbook({ name: 'xl/worksheets/sheet1.xml', repeat: { chunk: Buffer.alloc(1024 * 1024), times: megabytes } });

