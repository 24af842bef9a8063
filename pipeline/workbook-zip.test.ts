/**
 * The zip inspection of returned workbooks, on zips built here: real workbooks (exceljs, and the
 * part names Excel, WPS and LibreOffice write) pass; a zip bomb, path tricks, too many entries,
 * too many bytes, encryption, odd compression, impossible sizes and a text file named .xlsx are
 * refused by their kind, quickly, with a message that quotes nothing from the file.
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { inspectWorkbookZip, isWorkbookPartName, WorkbookZipRefused, type WorkbookZipProblem } from './workbook-zip.ts';

interface ZipEntrySpec {
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
async function zip(entries: ZipEntrySpec[]): Promise<Buffer> {
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
const workbook = (...extra: ZipEntrySpec[]) =>
  zip([{ name: '[Content_Types].xml', data: Buffer.from('<Types/>') }, { name: '_rels/.rels', data: Buffer.from('<Relationships/>') }, { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') }, ...extra]);

/** 200 MB of zeros deflated: ~200 KB at ~1000:1, as zip bombs run. */
const bomb = () => workbook({ name: 'xl/worksheets/sheet1.xml', repeat: { chunk: Buffer.alloc(1024 * 1024), times: 200 } });

async function refusal(source: Buffer | string, limits?: Parameters<typeof inspectWorkbookZip>[1]): Promise<WorkbookZipRefused> {
  const e = await inspectWorkbookZip(source, limits).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(WorkbookZipRefused);
  return e as WorkbookZipRefused;
}

/** A workbook as exceljs writes it, with what counties add: a comment, an image, a second sheet. */
async function exceljsWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('疑点家庭');
  ws.addRow(['疑点编号', '核实结果', '核实说明']);
  for (let i = 0; i < 200; i++) ws.addRow([`F${i}`, '属实-已整改', '入户核实']);
  ws.getCell('B2').note = '已电话核实';
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f10000000049454e44ae426082', 'hex');
  ws.addImage(wb.addImage({ buffer: png as unknown as ExcelJS.Buffer, extension: 'png' }), 'E2:F4');
  wb.addWorksheet('说明').getCell('A1').value = '核对表';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('inspectWorkbookZip: accepted', () => {
  it('a workbook written by exceljs (with a comment and an image), from its bytes and from its path', async () => {
    const bytes = await exceljsWorkbook();
    const summary = await inspectWorkbookZip(bytes);
    expect(summary.entries).toBeGreaterThanOrEqual(10);
    expect(summary.uncompressedBytes).toBeGreaterThan(bytes.length);
    const path = join(await mkdtemp(join(tmpdir(), 'hedui-zip-')), 'returned.xlsx');
    await writeFile(path, bytes);
    expect(await inspectWorkbookZip(path)).toEqual(summary);
  });

  it('the parts Excel, WPS and LibreOffice write, and folder entries', async () => {
    const names = [
      'docProps/app.xml',
      'docProps/core.xml',
      'docProps/custom.xml', // WPS, LibreOffice
      'docProps/thumbnail.jpeg',
      'xl/_rels/workbook.xml.rels',
      'xl/theme/theme1.xml',
      'xl/styles.xml',
      'xl/sharedStrings.xml',
      'xl/calcChain.xml',
      'xl/printerSettings/printerSettings1.bin',
      'xl/media/image1.png',
      'xl/worksheets/_rels/sheet1.xml.rels',
      'xl/drawings/drawing1.xml',
      'xl/drawings/_rels/drawing1.xml.rels',
      'xl/drawings/vmlDrawing1.vml',
      'xl/comments1.xml',
      'xl/threadedComments/threadedComment1.xml',
      'xl/persons/person.xml',
      'xl/externalLinks/externalLink1.xml',
      'xl/externalLinks/_rels/externalLink1.xml.rels',
      'xl/embeddings/oleObject1.bin',
      'xl/embeddings/Microsoft_Word_Document1.docx',
      'xl/cellimages.xml', // WPS: pictures in cells
      'xl/customData/customData1.dat',
      'customXml/item1.xml',
      'customXml/itemProps1.xml',
      'customXml/_rels/item1.xml.rels',
      '_xmlsignatures/sig1.xml', // signed in Excel
      'xl/', // some zip tools add folder entries
      'xl/worksheets/',
    ];
    for (const name of names) expect(isWorkbookPartName(name), name).toBe(true);
    expect(await inspectWorkbookZip(await workbook(...names.map((name) => ({ name, data: Buffer.from(name.endsWith('/') ? '' : '<x/>') }))))).toMatchObject({ entries: names.length + 3 });
  });

  it('xl/a.exe: accepted — a safe name under xl/ is never written to disk by it, and xl/embeddings/ holds any kind of file', async () => {
    expect(await inspectWorkbookZip(await workbook({ name: 'xl/a.exe', data: Buffer.from('MZ') }))).toMatchObject({ entries: 4 });
  });

  it('a small entry compressed far past the ratio (900 KB of zeros): only entries over 1 MB are judged by ratio', async () => {
    expect(await inspectWorkbookZip(await workbook({ name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(900 * 1024) }))).toMatchObject({ entries: 4 });
  });
});

describe('inspectWorkbookZip: refused', () => {
  it('a zip bomb (200 MB of zeros in ~200 KB), quickly and without inflating it', async () => {
    const bytes = await bomb();
    expect(bytes.length).toBeLessThan(300 * 1024);
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    const e = await refusal(bytes);
    expect(performance.now() - started).toBeLessThan(100);
    expect(process.memoryUsage().rss - rss).toBeLessThan(50 * 1024 * 1024);
    expect(e.problem).toBe('compression_ratio');
    expect(e.message).toMatch(/疑似压缩炸弹.*a zip bomb/);
  });

  const cases: { description: string; build: () => Promise<Buffer>; problem: WorkbookZipProblem }[] = [
    { description: 'an entry named ../evil', build: () => workbook({ name: '../evil', data: Buffer.from('x') }), problem: 'entry_name' },
    { description: 'a path that climbs out under xl/', build: () => workbook({ name: 'xl/../../evil', data: Buffer.from('x') }), problem: 'entry_name' },
    { description: 'an absolute path', build: () => workbook({ name: '/etc/cron.d/evil', data: Buffer.from('x') }), problem: 'entry_name' },
    { description: 'a drive letter', build: () => workbook({ name: 'C:/evil', data: Buffer.from('x') }), problem: 'entry_name' },
    { description: 'a backslash', build: () => workbook({ name: 'xl\\..\\evil', data: Buffer.from('x') }), problem: 'entry_name' },
    { description: 'another top-level name', build: () => workbook({ name: 'evil.sh', data: Buffer.from('x') }), problem: 'entry_name' },
    { description: 'another top-level folder', build: () => workbook({ name: 'payload/evil.xml', data: Buffer.from('x') }), problem: 'entry_name' },
    { description: 'a character outside part names (space)', build: () => workbook({ name: 'xl/media/my image.png', data: Buffer.from('x') }), problem: 'entry_name' },
    { description: 'a non-ASCII name', build: () => workbook({ name: 'xl/media/图片.png', data: Buffer.from('x') }), problem: 'entry_name' },
    {
      description: '600 tiny entries (more than 500)',
      build: () => workbook(...Array.from({ length: 597 }, (_, i) => ({ name: `xl/media/image${i}.png`, data: Buffer.from('x') }))),
      problem: 'too_many_entries',
    },
    {
      description: 'more than 50 MB declared in all (60 entries of 1 MB, each at an ordinary ratio)',
      build: () => workbook(...Array.from({ length: 60 }, (_, i) => ({ name: `xl/worksheets/sheet${i}.xml`, data: Buffer.from('<x/>'), declaredSize: 1024 * 1024 }))),
      problem: 'too_large',
    },
    { description: 'an encrypted entry (traditional PKWARE encryption flag)', build: () => workbook({ name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<x/>'), flags: 1 }), problem: 'encrypted' },
    { description: 'strong encryption', build: () => workbook({ name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<x/>'), flags: 0x41 }), problem: 'encrypted' },
    {
      description: 'a password-protected workbook as Excel writes it (an OLE compound file)',
      build: async () => Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(4096)]),
      problem: 'encrypted',
    },
    { description: 'a compression method Excel does not write (bzip2)', build: () => workbook({ name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<x/>'), method: 12 }), problem: 'compression_method' },
    { description: 'a declared size past 2^53 (ZIP64)', build: () => workbook({ name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<x/>'), declaredSize: 2n ** 60n }), problem: 'size_overflow' },
    { description: 'a text file named .xlsx', build: async () => Buffer.from('身份证号,姓名\n150102199001011234,张三\n'.repeat(50)), problem: 'not_zip' },
    { description: 'a truncated workbook (the central directory cut off)', build: async () => (await exceljsWorkbook()).subarray(0, 4000), problem: 'not_zip' },
    {
      description: 'a central directory that points past its own entries',
      build: async () => {
        const b = await workbook();
        b.writeUInt32LE(b.readUInt32LE(b.length - 6) + 7, b.length - 6); // the directory's offset, off by 7
        return b;
      },
      problem: 'damaged',
    },
  ];
  for (const c of cases) {
    it(`${c.description}: ${c.problem}`, async () => {
      const e = await refusal(await c.build());
      expect(e.problem).toBe(c.problem);
      expect(e.message).toMatch(/[\u4e00-\u9fff].*\([a-z].*\)$/); // Chinese for the county, then English
      expect(e.message).not.toMatch(/evil|payload|图片|1501021990|张三/); // nothing read from the file
    });
  }

  it('a text file named .xlsx, by its path', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'hedui-zip-')), '核实结果.xlsx');
    await writeFile(path, '这不是工作簿\n');
    expect((await refusal(path)).problem).toBe('not_zip');
  });

  it('limits are parameters: a real workbook past a lowered limit', async () => {
    const bytes = await exceljsWorkbook();
    expect((await refusal(bytes, { maxEntries: 5 })).problem).toBe('too_many_entries');
    expect((await refusal(bytes, { maxUncompressedBytes: 10_000 })).problem).toBe('too_large');
    expect((await refusal(bytes, { maxCompressionRatio: 1.5, ratioAppliesAboveBytes: 1000 })).problem).toBe('compression_ratio');
  });
});
