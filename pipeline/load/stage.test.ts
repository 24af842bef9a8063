import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withWarehouse, type Warehouse } from '../warehouse.ts';
import { csv, load, makeDataDir, makeId, putInbox } from './test-support.ts';

const HEADER = ['户编号', '户主身份证号', '身份证号', '姓名', '与户主关系', '是否保障对象', '保障类别', '区划代码', '保障人数', '月保障金', '保障起始日期', '核对授权书签署日期', '授权书有效期至', '人户分离', '单人保'];
const head = makeId('150102', '19700101', '001');
const member = (i: number) => ['1501020000001', head, makeId('150102', '19950101', String(100 + i * 2).padStart(3, '0')), '某某', '子', '是', '城市低保', '150102001', '3', '1200.00', '2022-03-03', '2025-01-01', '2028-01-01', '否', '否'];
const rosterCsv = (n: number) => csv([HEADER, ...Array.from({ length: n }, (_, i) => member(i))]);

async function tableCounts(w: Warehouse) {
  return w.one<{ loads: number; staged: number; quarantined: number }>(
    't',
    'select (select count(*) from loads)::int as loads, (select count(*) from stg_roster)::int as staged, (select count(*) from quarantine)::int as quarantined',
  );
}

const broken: { description: string; name: string; content: () => Promise<string | Buffer> | string | Buffer; message: RegExp }[] = [
  { description: 'a missing required column', name: 'a.csv', content: () => csv([HEADER.filter((h) => h !== '身份证号'), member(0).slice(0, 14)]), message: /身份证号.*person_id/ },
  { description: 'an empty file', name: 'a.csv', content: () => '', message: /empty file/ },
  { description: 'a header without rows', name: 'a.csv', content: () => csv([HEADER]), message: /no data rows/ },
  { description: 'a truncated file', name: 'a.csv', content: () => rosterCsv(5).slice(0, -40), message: /第 6 行.*truncated/ },
  { description: 'a binary file', name: 'a.csv', content: () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3]), message: /binary/ },
  { description: 'a semicolon-separated file', name: 'a.csv', content: () => rosterCsv(3).replaceAll(',', ';'), message: /wrong delimiter/ },
  {
    description: 'an xlsx with no data rows',
    name: 'a.xlsx',
    content: async () => {
      const wb = new ExcelJS.Workbook();
      wb.addWorksheet('名册').addRow(HEADER);
      return Buffer.from(await wb.xlsx.writeBuffer());
    },
    message: /no data rows/,
  },
];

describe('loading a file', () => {
  for (const b of broken) {
    it(`rejects ${b.description} whole, naming the file, and stages nothing`, async () => {
      const dataDir = await makeDataDir();
      await putInbox(dataDir, 'roster', '2026-10', b.name, await b.content());
      await withWarehouse(async (w) => {
        const report = await load(w, dataDir);
        expect(report.loaded).toHaveLength(1);
        expect(report.loaded[0]).toMatchObject({ status: 'rejected', file: `inbox/roster/2026-10/${b.name}`, rowsStaged: 0 });
        expect(report.loaded[0].reason).toMatch(b.message);
        expect(await tableCounts(w)).toEqual({ loads: 1, staged: 0, quarantined: 0 });
      });
    });
  }

  it('rejects a file whose quarantined share passes the gate, keeping the reasons to send back', async () => {
    const dataDir = await makeDataDir();
    const rows = Array.from({ length: 10 }, (_, i) => member(i));
    rows[3][2] = '150102********0011';
    rows[6][6] = '城市五保';
    await putInbox(dataDir, 'roster', '2026-10', 'a.csv', csv([HEADER, ...rows]));
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir, 0.1);
      expect(report.loaded[0]).toMatchObject({ status: 'rejected', rowsRead: 10, rowsStaged: 0, rowsQuarantined: 2 });
      expect(report.loaded[0].reason).toMatch(/2\/10 exceeds the gate/);
      expect(await tableCounts(w)).toEqual({ loads: 1, staged: 0, quarantined: 2 });
    });
  });

  it('reads an xlsx roster with real dates and reports sheet row numbers', async () => {
    const dataDir = await makeDataDir();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名册');
    ws.addRow(HEADER);
    const a = member(0);
    ws.addRow([...a.slice(0, 10), new Date(Date.UTC(2022, 2, 3)), ...a.slice(11)]);
    ws.addRow([]);
    const b = member(1);
    b[3] = '';
    ws.addRow(b);
    await putInbox(dataDir, 'roster', '2026-10', '名册.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      expect(report.loaded[0]).toMatchObject({ status: 'staged', format: 'xlsx', rowsRead: 2, rowsStaged: 1, rowsQuarantined: 1 });
      expect(await w.one('t', "select enrolled_on::varchar as d from stg_roster")).toEqual({ d: '2022-03-03' });
      expect(await w.rows('t', 'select line, reason, field from quarantine')).toEqual([{ line: 4, reason: 'missing_value', field: 'name' }]);
    });
  });

  it('loads the same file twice as a no-op, and lets a corrected file replace the snapshot while history keeps both', async () => {
    const dataDir = await makeDataDir();
    const path = await putInbox(dataDir, 'roster', '2026-10', 'a.csv', rosterCsv(4));
    await withWarehouse(async (w) => {
      await load(w, dataDir);
      const again = await load(w, dataDir);
      expect(again).toEqual({ loaded: [], superseded: [], skipped: 1 });
      expect(await tableCounts(w)).toEqual({ loads: 1, staged: 4, quarantined: 0 });

      await rm(path);
      await writeFile(join(dataDir, 'inbox/roster/2026-10/a-corrected.csv'), rosterCsv(6));
      const corrected = await load(w, dataDir);
      expect(corrected.superseded).toEqual(['inbox/roster/2026-10/a.csv']);
      expect(corrected.loaded).toMatchObject([{ status: 'staged', rowsStaged: 6 }]);
      expect(await w.rows('t', 'select file, status from loads order by file')).toEqual([
        { file: 'inbox/roster/2026-10/a-corrected.csv', status: 'staged' },
        { file: 'inbox/roster/2026-10/a.csv', status: 'superseded' },
      ]);
      expect(await tableCounts(w)).toEqual({ loads: 2, staged: 6, quarantined: 0 });
    });
  });

  it('reads a GBK file with an invalid byte sequence (the system iconv refuses it; iconv-lite replaces it)', async () => {
    const dataDir = await makeDataDir();
    const bytes = iconv.encode(rosterCsv(3), 'gbk');
    // 0x81 0x20 is no GB18030 character: inserted into the last row's name
    const at = bytes.lastIndexOf(iconv.encode('某某', 'gbk'));
    const broken = Buffer.concat([bytes.subarray(0, at), Buffer.from([0x81, 0x20]), bytes.subarray(at)]);
    await putInbox(dataDir, 'roster', '2026-10', 'gbk.csv', broken);
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      expect(report.loaded[0]).toMatchObject({ status: 'staged', encoding: 'gb18030', rowsRead: 3, rowsStaged: 3 });
      expect(await w.one('t', 'select name from stg_roster where line = 4')).toEqual({ name: '\uFFFD 某某' });
    });
  });

  it('names the physical line of a bad row after empty lines and values holding line breaks, in UTF-8 and GBK', async () => {
    // an extra column the feed does not map, as exports carry (经营范围 with line breaks)
    const header = [...HEADER, '备注'];
    const row = (i: number, note = '') => [...member(i), note];
    const bad = (i: number) => Object.assign(row(i), { 2: '150102********0011' });
    const text = [
      csv([header, row(0)]), // header line 1, row on line 2
      '\n', // empty line 3
      csv([row(1, '第一行\n第二行\n第三行')]), // lines 4–6
      csv([bad(2)]), // line 7
      '\n', // empty line 8
      csv([row(3, '说 "明"'), bad(4)]), // lines 9, 10
    ].join('');
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-10', 'a.csv', text);
    await putInbox(dataDir, 'roster', '2026-10', 'b.csv', iconv.encode(text.replaceAll('某某', '某乙'), 'gb18030'));
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      expect(report.loaded.map((o) => o.status)).toEqual(['staged', 'staged']);
      const lines = await w.rows<{ file: string; line: number }>('q', 'select file, line from quarantine order by file, line');
      expect(lines).toEqual([
        { file: 'inbox/roster/2026-10/a.csv', line: 7 },
        { file: 'inbox/roster/2026-10/a.csv', line: 10 },
        { file: 'inbox/roster/2026-10/b.csv', line: 7 },
        { file: 'inbox/roster/2026-10/b.csv', line: 10 },
      ]);
    }, dataDir);
  });

  it('trims the spaces exports carry around values: ASCII, no-break and ideographic', async () => {
    const rows = [member(0), member(1), member(2), member(3)];
    rows[0][3] = '\u3000张三 ';
    rows[1][6] = ' 城市低保\u00a0';
    rows[2][4] = '\u00a0孙\u3000';
    rows[3][0] = '   ';
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-10', 'a.csv', csv([HEADER, ...rows]));
    await withWarehouse(async (w) => {
      await load(w, dataDir);
      expect(await w.rows('s', 'select line, name, relation, program from stg_roster order by line')).toEqual([
        { line: 2, name: '张三', relation: '子', program: '城市低保' },
        { line: 3, name: '某某', relation: '子', program: '城市低保' },
        { line: 4, name: '某某', relation: '孙', program: '城市低保' },
      ]);
      // a value of spaces only is missing
      expect(await w.rows('q', 'select line, reason, field from quarantine')).toEqual([{ line: 5, reason: 'missing_value', field: 'household_id' }]);
    }, dataDir);
  });

  it('ignores files still being delivered', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-10', 'a.csv.part', rosterCsv(2));
    await putInbox(dataDir, 'roster', '2026-10', '.hidden.csv', rosterCsv(2));
    await withWarehouse(async (w) => {
      expect(await load(w, dataDir)).toEqual({ loaded: [], superseded: [], skipped: 0 });
    });
  });
});
