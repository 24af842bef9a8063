import { describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { withWarehouse } from './warehouse.ts';
import { runMonth, withSession } from './run.ts';
import { loadConfig } from '../config/config.ts';
import { monthInputs } from './inputs.ts';
import { createSnapshotViews } from './match.ts';
import { parseMonth } from './period.ts';
import { csv, load, makeDataDir, makeId, putInbox } from './load/test-support.ts';

// event feeds (deaths, payments): a month reads every period delivered up to it, not one snapshot
const HEADER = ['公民身份号码', '姓名', '死亡日期', '注销日期', '注销类别', '户籍地区划'];
const deaths = (n: number, month: string, from = 0) =>
  csv([HEADER, ...Array.from({ length: n }, (_, i) => [makeId('150102', '19400101', String(from + i + 1).padStart(3, '0')), '某某', `${month}-05`, `${month}-06`, '死亡', '150102'])]);

describe('event feeds', () => {
  it('a month reads every delivered period up to its end; a re-delivered period replaces its events; no drift gate', async () => {
    const dataDir = await makeDataDir();
    const { config } = loadConfig();
    await putInbox(dataDir, 'deaths', '2026-08', 'd.csv', deaths(2, '2026-08'));
    await putInbox(dataDir, 'deaths', '2026-09', 'd.csv', deaths(3, '2026-09', 10));
    // ten times September's count: a snapshot feed would be held by the drift gate
    await putInbox(dataDir, 'deaths', '2026-10', 'd.csv', deaths(30, '2026-10', 20));
    await putInbox(dataDir, 'deaths', '2026-11', 'd.csv', deaths(1, '2026-11', 60));
    await withWarehouse(async (w) => {
      await load(w, dataDir);
      // (no roster here: only what the month holds of deaths matters)
      const read = async (period: string) => {
        const month = parseMonth(period);
        const inputs = await monthInputs(w, month, config);
        await createSnapshotViews(w, inputs.snapshots, month);
        const n = await w.one<{ n: number }>('t', 'select count(*)::integer as n from snap_deaths');
        const snapshot = inputs.snapshots.find((s) => s.feed.id === 'deaths')!;
        return { period: snapshot.period, rows: snapshot.rows, read: n!.n, loads: snapshot.loadIds.split(',').length, held: inputs.held.map((h) => h.gate).filter((g) => g !== 'missing_roster') };
      };
      expect(await read('2026-09')).toEqual({ period: '2026-09', rows: 5, read: 5, loads: 2, held: [] });
      expect(await read('2026-10')).toEqual({ period: '2026-10', rows: 35, read: 35, loads: 3, held: [] });

      // September re-delivered with one record: it replaces September's three
      await rm(join(dataDir, 'inbox/deaths/2026-09/d.csv'));
      await putInbox(dataDir, 'deaths', '2026-09', 'd2.csv', deaths(1, '2026-09', 10));
      await load(w, dataDir);
      expect(await read('2026-10')).toEqual({ period: '2026-10', rows: 33, read: 33, loads: 3, held: [] });
    }, dataDir);
  });
});

describe('a lead about a payee on no roster', () => {
  const ROSTER = ['户编号', '户主身份证号', '身份证号', '姓名', '与户主关系', '是否保障对象', '保障类别', '区划代码', '保障人数', '月保障金', '保障起始日期', '核对授权书签署日期', '授权书有效期至', '人户分离', '单人保'];
  const PAYMENTS = ['补贴项目名称', '发放批次号', '所属期', '发放日期', '补贴对象姓名', '补贴对象身份证号', '户主身份证号', '代理金融机构', '账号', '发放金额', '发放状态', '区划代码'];
  const head = makeId('150102', '19700101', '001');
  const ghost = makeId('150102', '19500505', '009');
  const roster = csv([ROSTER, ['1501020001', head, head, '某某', '户主', '是', '城市低保', '150102001', '1', '800', '2022-01-01', '2025-01-01', '2028-01-01', '否', '否']]);
  const payment = (id: string, month: string) => [
    '城市低保金', `B${month}`, month.replace('-', ''), `${month}-10`, '某某', id, id, '某银行', '6222020200112233445', '800', '成功', '150102',
  ];

  it('is carried over, open, after its payment has left the rules’ lookback: the county still owes its answer', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-07', 'r.csv', roster);
    await putInbox(dataDir, 'payments', '2026-07', 'p.csv', csv([PAYMENTS, payment(head, '2026-07'), payment(ghost, '2026-07')]));
    await putInbox(dataDir, 'roster', '2026-11', 'r.csv', roster);
    await putInbox(dataDir, 'payments', '2026-11', 'p.csv', csv([PAYMENTS, payment(head, '2026-11')]));
    const flags = (period: string) =>
      withSession({ dataDir, command: 'test' }, async (s) => {
        await runMonth(s, period);
        return s.w.rows<{ rule_id: string; household_id: string; carried_over: boolean; first_issued_period: string }>(
          't',
          'select rule_id, household_id, carried_over, first_issued_period from flags where period = $period and status = $issued',
          { period, issued: 'issued' },
        );
      });
    const [july] = await flags('2026-07');
    expect(july).toMatchObject({ rule_id: 'payment-not-enrolled', carried_over: false, first_issued_period: '2026-07' });
    expect(july.household_id).toMatch(/^PAY-150102-[0-9A-F]{10}$/);
    // November judges 所属期 from 2026-09 (lookback 3): July's payment is not found again
    expect(await flags('2026-11')).toEqual([{ ...july, carried_over: true }]);
  });
});
