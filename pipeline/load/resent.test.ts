import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { rm } from 'node:fs/promises';
import { withWarehouse, type Warehouse } from '../warehouse.ts';
import { loadInbox, type LoadReport } from './inbox.ts';
import { csv, makeDataDir, makeId, putInbox } from './test-support.ts';

// provident-fund accounts: one row per account; account i is its own person
const HEADER = ['证件类型', '证件号码', '姓名', '单位名称', '个人缴存基数', '月缴存额', '个人账户状态', '最近缴存年月', '账户余额'];
const account = (i: number) => ['身份证', makeId('150102', '19800101', String(100 + i * 2).padStart(3, '0')), '某某', `某单位${i}`, '3000', '720', '正常', '2026-10', '1000'];
const accounts = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => account(from + k));
const FOLDER = 'inbox/provident-fund/2026-10';

/** The same records as another export writes them: columns in another order, amounts with decimals, a year-month without its dash. */
function reExported(rows: string[][]): string {
  const order = [2, 1, 0, 3, 6, 7, 4, 5, 8];
  const text = csv([order.map((i) => HEADER[i]), ...rows.map((r) => order.map((i) => (i === 4 || i === 5 || i === 8 ? `${r[i]}.00` : i === 7 ? r[i].replace('-', '') : r[i])))]);
  return text;
}

const load = (w: Warehouse, dataDir: string, maxResentShare?: number): Promise<LoadReport> => loadInbox(w, dataDir, { maxQuarantineShare: 0.1, maxResentShare });

async function counts(w: Warehouse) {
  return w.one<{ staged: number; quarantined: number }>('t', 'select (select count(*) from stg_provident_fund)::int as staged, (select count(*) from quarantine)::int as quarantined');
}

describe('re-sent files (重复报送)', () => {
  it('rejects a copy re-sent in GBK with CRLF, another name and column order, naming the original — delivered together or later', async () => {
    for (const together of [true, false]) {
      const dataDir = await makeDataDir();
      await putInbox(dataDir, 'provident-fund', '2026-10', '公积金_2026-10.csv', csv([HEADER, ...accounts(0, 20)]));
      const copy = iconv.encode(reExported(accounts(0, 20)).replaceAll('\n', '\r\n'), 'gbk');
      await withWarehouse(async (w) => {
        if (!together) expect((await load(w, dataDir)).loaded).toMatchObject([{ status: 'staged', rowsStaged: 20 }]);
        await putInbox(dataDir, 'provident-fund', '2026-10', '公积金_2026-10_重发.csv', copy);
        const report = await load(w, dataDir);
        const resent = report.loaded.find((o) => o.file.endsWith('重发.csv'))!;
        expect(resent).toMatchObject({ status: 'rejected', encoding: 'gb18030', rowsRead: 20, rowsStaged: 0, rowsQuarantined: 0 });
        expect(resent.reason).toBe(
          `重复报送：与已入库文件 ${FOLDER}/公积金_2026-10.csv 的记录重复 (20/20 行, 100.0%)，整个文件退回 (re-sent file: duplicates ${FOLDER}/公积金_2026-10.csv)`,
        );
        expect(await counts(w)).toEqual({ staged: 20, quarantined: 0 });
      }, dataDir);
    }
  });

  it('stages a second file sharing 2 of its 20 rows with the first, quarantining those 2 as duplicate_row', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'provident-fund', '2026-10', 'a.csv', csv([HEADER, ...accounts(0, 20)]));
    // rows on lines 6 and 15 of b are records of a
    const b = accounts(100, 118);
    b.splice(4, 0, account(3));
    b.splice(13, 0, account(17));
    await putInbox(dataDir, 'provident-fund', '2026-10', 'b.csv', csv([HEADER, ...b]));
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      expect(report.loaded).toMatchObject([
        { file: `${FOLDER}/a.csv`, status: 'staged', rowsRead: 20, rowsStaged: 20, rowsQuarantined: 0 },
        { file: `${FOLDER}/b.csv`, status: 'staged', rowsRead: 20, rowsStaged: 18, rowsQuarantined: 2 },
      ]);
      expect(await w.rows('q', 'select file, line, reason, field from quarantine order by line')).toEqual([
        { file: `${FOLDER}/b.csv`, line: 6, reason: 'duplicate_row', field: null },
        { file: `${FOLDER}/b.csv`, line: 15, reason: 'duplicate_row', field: null },
      ]);
      expect(await counts(w)).toEqual({ staged: 38, quarantined: 2 });
      expect(await w.one('t', 'select count(distinct person_id)::int as people from stg_provident_fund')).toEqual({ people: 38 });
    }, dataDir);
  });

  it('records found in another file do not count towards the quarantine-share gate: 5 of 20 (25% > 10%) still stage the rest', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'provident-fund', '2026-10', 'a.csv', csv([HEADER, ...accounts(0, 20)]));
    await putInbox(dataDir, 'provident-fund', '2026-10', 'b.csv', csv([HEADER, ...accounts(100, 115), ...accounts(0, 5)]));
    await withWarehouse(async (w) => {
      expect((await load(w, dataDir)).loaded[1]).toMatchObject({ status: 'staged', rowsStaged: 15, rowsQuarantined: 5 });
    }, dataDir);
  });

  it('the share is a parameter: with max_resent_share 0.1 the same 2 of 20 reject the file', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'provident-fund', '2026-10', 'a.csv', csv([HEADER, ...accounts(0, 20)]));
    await putInbox(dataDir, 'provident-fund', '2026-10', 'b.csv', csv([HEADER, ...accounts(100, 118), account(3), account(17)]));
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir, 0.1);
      expect(report.loaded.map((o) => o.status)).toEqual(['staged', 'rejected']);
      expect(report.loaded[1].reason).toMatch(/^重复报送：与已入库文件 inbox\/provident-fund\/2026-10\/a\.csv 的记录重复 \(2\/20 行, 10\.0%\)/);
    }, dataDir);
  });

  it('does not reject a corrected file that replaces the old one, nor a second file with other records, nor the same records of another period', async () => {
    const dataDir = await makeDataDir();
    const old = await putInbox(dataDir, 'provident-fund', '2026-10', 'a.csv', csv([HEADER, ...accounts(0, 20)]));
    await putInbox(dataDir, 'provident-fund', '2026-09', 'a.csv', csv([HEADER, ...accounts(0, 20)]));
    await withWarehouse(async (w) => {
      expect((await load(w, dataDir)).loaded.map((o) => o.status)).toEqual(['staged', 'staged']);
      // the corrected file: 19 of the same records and one corrected
      await rm(old);
      const corrected = accounts(0, 20);
      corrected[7][4] = '3500';
      await putInbox(dataDir, 'provident-fund', '2026-10', 'a-更正.csv', csv([HEADER, ...corrected]));
      // another league's file of the same month
      await putInbox(dataDir, 'provident-fund', '2026-10', 'c.csv', csv([HEADER, ...accounts(200, 210)]));
      const report = await load(w, dataDir);
      expect(report.superseded).toEqual([`${FOLDER}/a.csv`]);
      expect(report.loaded).toMatchObject([
        { file: `${FOLDER}/a-更正.csv`, status: 'staged', rowsStaged: 20, rowsQuarantined: 0 },
        { file: `${FOLDER}/c.csv`, status: 'staged', rowsStaged: 10, rowsQuarantined: 0 },
      ]);
      expect(await counts(w)).toEqual({ staged: 50, quarantined: 0 });
    }, dataDir);
  });
});
