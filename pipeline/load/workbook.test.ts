/**
 * Workbooks as offices send them (issue 23), loaded end to end: title rows, footers, two-row
 * headers with merged cells, several sheets, .xls with IDs and dates stored as numbers — and the
 * files that must be refused whole.
 */
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import * as XLSX from '@e965/xlsx';
import { withWarehouse } from '../warehouse.ts';
import { load, makeDataDir, makeId, putInbox } from './test-support.ts';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFile } from './decode.ts';
import { FileRejectedError } from '../../base/errors.ts';
import { roster } from '../../adapters/roster/adapter.ts';

const HEADER = ['户编号', '户主身份证号', '身份证号', '姓名', '与户主关系', '是否保障对象', '保障类别', '区划代码', '保障人数', '月保障金', '保障起始日期', '核对授权书签署日期', '授权书有效期至', '人户分离', '单人保'];
const head = makeId('150102', '19700101', '001');
const member = (i: number): (string | number | Date)[] => ['1501020000001', head, makeId('150102', '19950101', String(100 + i * 2).padStart(3, '0')), `某${i}`, '子', '是', '城市低保', '150102001', '3', '1200.00', '2022-03-03', '2025-01-01', '2028-01-01', '否', '否'];

/** An ID whose check character is a digit, so that it can be stored as a number at all. */
const numericId = (from: number): number => {
  for (let s = from; ; s += 2) {
    const id = makeId('150102', '19950101', String(s));
    if (!id.endsWith('X')) return Number(id);
  }
};

async function xlsx(build: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function xls(sheets: { name: string; rows: unknown[][]; dates?: string[] }[]): Buffer {
  const wb = XLSX.utils.book_new();
  for (const s of sheets) {
    const ws = XLSX.utils.aoa_to_sheet(s.rows);
    for (const ref of s.dates ?? []) ws[ref].z = 'yyyy-mm-dd';
    XLSX.utils.book_append_sheet(wb, ws, s.name);
  }
  return XLSX.write(wb, { type: 'buffer', bookType: 'biff8' }) as Buffer;
}

async function loaded(name: string, content: Buffer) {
  const dataDir = await makeDataDir();
  await putInbox(dataDir, 'roster', '2026-10', name, content);
  return { dataDir };
}

describe('workbooks as offices send them', () => {
  it('skips a title and a unit note above the header and the footers below the data, and notes a 合计 count that disagrees', async () => {
    const content = await xlsx((wb) => {
      const ws = wb.addWorksheet('名册');
      ws.addRow(['2026年10月 在保名册']);
      ws.mergeCells('A1:O1');
      ws.addRow(['单位：元']);
      ws.addRow(HEADER);
      for (let i = 0; i < 3; i++) ws.addRow(member(i));
      ws.addRow(['合计', '共 4 条', '', '', '', '', '', '', '', '3600.00']);
      ws.addRow([]);
      ws.addRow(['制表人：某某', '', '', '审核人：某某']);
      ws.addRow(['填报日期：2026-11-02']);
    });
    const { dataDir } = await loaded('名册.xlsx', content);
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      expect(report.loaded[0]).toMatchObject({ status: 'staged', rowsRead: 3, rowsStaged: 3, rowsQuarantined: 0, rowsAboveHeader: 2, footerRows: 3, sheets: '名册 (rows 4–6)' });
      expect(report.loaded[0].note).toMatch(/合计行记录数 4 与读取的 3 行不符/);
      expect(await w.rows('t', 'select rows_above_header, footer_rows, sheets, note is not null as noted from loads')).toEqual([{ rows_above_header: 2, footer_rows: 3, sheets: '名册 (rows 4–6)', noted: true }]);
      expect((await w.rows<{ line: number }>('t', 'select line from stg_roster order by line')).map((r) => r.line)).toEqual([4, 5, 6]);
    }, dataDir);
  });

  it('stages a row that looks like a footer but is followed by data, and a matching 合计 count gives no note', async () => {
    const content = await xlsx((wb) => {
      const ws = wb.addWorksheet('名册');
      ws.addRow(HEADER);
      ws.addRow(member(0));
      ws.addRow(['合计']); // not trailing: data, quarantined as such
      ws.addRow(member(1));
      ws.addRow(['合计：共 3 条']);
    });
    const { dataDir } = await loaded('名册.xlsx', content);
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      expect(report.loaded[0]).toMatchObject({ status: 'staged', rowsRead: 3, rowsStaged: 2, rowsQuarantined: 1, footerRows: 1, note: undefined });
      expect(await w.rows('t', 'select line from quarantine')).toEqual([{ line: 3 }]);
    }, dataDir);
  });

  it('reads a two-row header with merged cells as its column names', async () => {
    const content = await xlsx((wb) => {
      const ws = wb.addWorksheet('名册');
      // group row: 户 (户编号, 户主身份证号 merged down), 成员信息 over four columns, the rest merged down
      ws.addRow(['户编号', '户主身份证号', '成员信息', '', '', '', ...HEADER.slice(6)]);
      ws.addRow(['', '', '身份证号', '姓名', '与户主关系', '是否保障对象']);
      ws.mergeCells('A1:A2');
      ws.mergeCells('B1:B2');
      ws.mergeCells('C1:F1');
      for (let c = 7; c <= HEADER.length; c++) ws.mergeCells(1, c, 2, c);
      ws.addRow(member(0));
      ws.addRow(member(1));
    });
    const { dataDir } = await loaded('名册.xlsx', content);
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      expect(report.loaded[0]).toMatchObject({ status: 'staged', rowsRead: 2, rowsStaged: 2, rowsAboveHeader: 0 });
      expect(await w.rows('t', 'select line, name, program from stg_roster order by line')).toEqual([
        { line: 3, name: '某0', program: '城市低保' },
        { line: 4, name: '某1', program: '城市低保' },
      ]);
    }, dataDir);
  });

  it('reads two matching sheets as two parts of the delivery and ignores a sheet of notes', async () => {
    const content = await xlsx((wb) => {
      wb.addWorksheet('填报说明').addRow(['本表由系统导出']);
      const a = wb.addWorksheet('城区');
      a.addRow(HEADER);
      a.addRow(member(0));
      const b = wb.addWorksheet('旗县');
      b.addRow(['旗县名册']);
      b.addRow(HEADER);
      b.addRow(member(1));
      b.addRow(member(2));
    });
    const { dataDir } = await loaded('名册.xlsx', content);
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      expect(report.loaded[0]).toMatchObject({ status: 'staged', rowsRead: 3, rowsStaged: 3, rowsAboveHeader: 1, sheets: '城区 (rows 2–2), 旗县 (rows 3–4)' });
    }, dataDir);
  });

  it('rejects a workbook with no recognisable header, naming the best candidate row and the missing columns', async () => {
    const content = await xlsx((wb) => {
      const ws = wb.addWorksheet('名册');
      ws.addRow(['2026年10月 在保名册']);
      ws.addRow(HEADER.filter((h) => h !== '身份证号' && h !== '保障类别'));
      ws.addRow(member(0).slice(0, 13));
    });
    const { dataDir } = await loaded('名册.xlsx', content);
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      expect(report.loaded[0]).toMatchObject({ status: 'rejected', file: 'inbox/roster/2026-10/名册.xlsx', rowsStaged: 0 });
      expect(report.loaded[0].reason).toBe(
        '找不到完整的表头：最接近的是工作表「名册」第 2 行，缺少必需列 「身份证号」(person_id)、「保障类别」(program) (missing required column; best header candidate: sheet 名册, row 2)',
      );
    }, dataDir);
  });

  it('reads an .xls: an 18-digit ID stored as a number is quarantined as id_scientific, one stored as text kept; date cells and serials become dates', async () => {
    const rows: unknown[][] = [['2026年10月 在保名册'], HEADER];
    const asNumber = member(0);
    asNumber[2] = numericId(300); // what Excel does to an ID typed into a General cell
    const dated = member(1);
    dated[10] = 44623; // 2022-03-03 as a date-formatted cell (C4 below gets the format)
    const serial = member(2);
    serial[10] = 44623; // the same day as a bare serial in a General cell
    rows.push(asNumber, dated, serial, ['合计', '共 3 条']);
    const content = xls([{ name: '名册', rows, dates: ['K4'] }]);
    const { dataDir } = await loaded('名册.xls', content);
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      expect(report.loaded[0]).toMatchObject({ status: 'staged', format: 'xls', rowsRead: 3, rowsStaged: 2, rowsQuarantined: 1, rowsAboveHeader: 1, footerRows: 1, note: undefined });
      expect(await w.rows('t', 'select line, reason, field from quarantine')).toEqual([{ line: 3, reason: 'id_scientific', field: 'person_id' }]);
      expect(await w.rows('t', 'select line, person_id, enrolled_on::varchar as enrolled_on from stg_roster order by line')).toEqual([
        { line: 4, person_id: member(1)[2], enrolled_on: '2022-03-03' },
        { line: 5, person_id: member(2)[2], enrolled_on: '2022-03-03' },
      ]);
    }, dataDir);
  });

  it('quarantines an 18-digit ID stored as a number in an .xlsx too, never a rounded digit string', async () => {
    const content = await xlsx((wb) => {
      const ws = wb.addWorksheet('名册');
      ws.addRow(HEADER);
      const a = member(0);
      a[2] = numericId(300);
      ws.addRow(a);
      ws.addRow(member(1));
    });
    const { dataDir } = await loaded('名册.xlsx', content);
    await withWarehouse(async (w) => {
      await load(w, dataDir);
      expect(await w.rows('t', 'select line, reason from quarantine')).toEqual([{ line: 2, reason: 'id_scientific' }]);
    }, dataDir);
  });

  const refused: { description: string; name: string; content: () => Buffer; message: RegExp }[] = [
    { description: 'an .xls that is an HTML page', name: '名册.xls', content: () => Buffer.from('\uFEFF\r\n  <html xmlns:x="urn:schemas-microsoft-com:office:excel"><table><tr><td>户编号</td></tr></table></html>'), message: /HTML.*not a workbook/ },
    { description: 'an .xls that is an Excel 2003 XML spreadsheet', name: '名册.xls', content: () => Buffer.from('<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>'), message: /HTML\/XML/ },
    { description: 'an .xls that is an HTML table in UTF-16', name: '名册.xls', content: () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<table><tr><td>户编号</td></tr></table>', 'utf16le')]), message: /HTML/ },
    {
      description: 'a password-protected workbook (an OLE container holding an EncryptedPackage)',
      name: '名册.xlsx',
      content: () => {
        const cfb = XLSX.CFB.utils.cfb_new();
        XLSX.CFB.utils.cfb_add(cfb, 'EncryptionInfo', Buffer.alloc(64, 1));
        XLSX.CFB.utils.cfb_add(cfb, 'EncryptedPackage', Buffer.alloc(4096, 7));
        return XLSX.CFB.write(cfb, { type: 'buffer' }) as Buffer;
      },
      message: /密码保护.*password-protected/,
    },
    { description: 'a corrupt .xls', name: '名册.xls', content: () => Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(2000, 7)]), message: /无法读取的 \.xls.*not a readable xls workbook/ },
    { description: 'a corrupt .xlsx', name: '名册.xlsx', content: () => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(2000, 7)]), message: /not a readable xlsx workbook/ },
  ];
  it('a corrupt .xlsx leaves no stray error behind: its half-opened CSV is discarded quietly (300 in a row)', async () => {
    // the CSV's write stream, destroyed while its file was still opening, used to raise an uncaught
    // ERR_STREAM_DESTROYED a moment later (8 in 300 here): a crash of the whole nightly run
    const dir = await mkdtemp(join(tmpdir(), 'hedui-corrupt-'));
    const path = join(dir, '名册.xlsx');
    await writeFile(path, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(2000, 7)]));
    const uncaught: unknown[] = [];
    const listener = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', listener);
    try {
      for (let i = 0; i < 300; i++) await expect(decodeFile(path, '名册.xlsx', dir, `t${i}`, roster.columns)).rejects.toBeInstanceOf(FileRejectedError);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.off('uncaughtException', listener);
    }
    expect(uncaught).toEqual([]);
  });

  for (const r of refused) {
    it(`rejects ${r.description} whole, naming the file`, async () => {
      const { dataDir } = await loaded(r.name, r.content());
      await withWarehouse(async (w) => {
        const report = await load(w, dataDir);
        expect(report.loaded[0]).toMatchObject({ status: 'rejected', file: `inbox/roster/2026-10/${r.name}`, rowsStaged: 0 });
        expect(report.loaded[0].reason).toMatch(r.message);
      }, dataDir);
    });
  }
});
