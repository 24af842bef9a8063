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
import ExcelJS from 'exceljs';
import { inspectWorkbookZip, isWorkbookPartName, WorkbookZipRefused, type WorkbookZipProblem } from './workbook-zip.ts';
import { bomb, workbook } from './load/test-support.ts';

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
  it('a zip bomb (200 MB of zeros in ~200 KB), without inflating it', async () => {
    const bytes = await bomb();
    expect(bytes.length).toBeLessThan(300 * 1024);
    const rss = process.memoryUsage().rss;
    const e = await refusal(bytes);
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
