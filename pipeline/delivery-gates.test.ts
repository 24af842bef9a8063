/**
 * A month is published only when it is complete: a rejected delivery of the period the month must
 * use holds it (whatever older snapshot is on hand), an older snapshot is used only on the
 * operator's word, the roster must be the month's own, the month must have ended, and the share of
 * households waiting for authorization may not jump. Held runs change nothing that was published.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { runMonth, withSession, type RunOptions } from './run.ts';
import { GateHeldError, UsageError } from '../base/errors.ts';
import { csv, makeDataDir, makeId, putInbox } from './load/test-support.ts';
import type { MonthReport } from './run.ts';

const ROSTER_HEADER = ['户编号', '户主身份证号', '身份证号', '姓名', '与户主关系', '是否保障对象', '保障类别', '区划代码', '保障人数', '月保障金', '保障起始日期', '核对授权书签署日期', '授权书有效期至'];
const idOf = (i: number) => makeId('150102', '19700101', String(i * 2 + 1).padStart(3, '0'));
/** n one-person households; the first `unauthorized` have no authorization. */
const roster = (n: number, unauthorized = 0, header = ROSTER_HEADER) =>
  csv([
    header,
    ...Array.from({ length: n }, (_, i) => {
      const row = [`15010200${String(i).padStart(5, '0')}`, idOf(i), idOf(i), '某某', '户主', '是', '城市低保', '150102001', '1', '800', '2022-01-01', i < unauthorized ? '' : '2025-01-01', i < unauthorized ? '' : '2028-01-01'];
      return row.slice(0, header.length);
    }),
  ]);
const FUND_HEADER = ['证件号码', '姓名', '单位名称', '个人缴存基数', '个人账户状态', '最近缴存年月'];
const fund = (n: number, lastMonth = '202610') => csv([FUND_HEADER, ...Array.from({ length: n }, (_, i) => [idOf(i), '某某', '某单位', '3000', '正常', lastMonth])]);

const run = (dataDir: string, period: string, options: RunOptions = {}) => withSession({ dataDir, command: 'test' }, (s) => runMonth(s, period, { today: '2026-12-03', ...options }));

async function held(p: Promise<unknown>): Promise<{ message: string; report: MonthReport }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, 'the run is held').toBeInstanceOf(GateHeldError);
  return { message: (e as GateHeldError).message, report: (e as GateHeldError).report as MonthReport };
}

/** Broken deliveries as departments send them; each must hold the month naming the file. */
const BROKEN: Record<string, string | Buffer> = {
  empty: '',
  'header only': csv([FUND_HEADER]),
  binary: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00, 0x13, 0x37, 0x00, 0x00, 0xfe, 0xfe]),
  'wrong delimiter': fund(5).replaceAll(',', ';'),
  'missing required column': csv([FUND_HEADER.slice(0, 5), ...Array.from({ length: 5 }, (_, i) => [idOf(i), '某某', '某单位', '3000', '正常'])]),
  'cut mid-row': fund(5).slice(0, -12),
  'undecodable bytes': Buffer.concat([Buffer.from(fund(2)), Buffer.from([0xff, 0xfe, 0x81, 0x0a])]),
  'more than 10 % bad rows': csv([FUND_HEADER, ...Array.from({ length: 10 }, (_, i) => [i < 3 ? '15010219700101123X' : idOf(i), '某某', '某单位', '3000', '正常', '202610'])]),
};

describe('a rejected delivery holds the month', () => {
  it.each(Object.entries(BROKEN))('%s: held, the file named, nothing published', async (_kind, content) => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-10', 'r.csv', roster(4));
    await putInbox(dataDir, 'provident-fund', '2026-10', '公积金.csv', content);
    const { message, report } = await held(run(dataDir, '2026-10'));
    expect(message).toMatch(/rejected_file: inbox\/provident-fund\/2026-10\/公积金\.csv: provident-fund 2026-10: /);
    expect(report.outcome).toBe('held');
    expect(report.feeds.find((f) => f.feed === 'provident-fund')).toMatchObject({ delivered: '2026-10', snapshot: null, files: [{ status: 'rejected' }] });
    expect(report.load?.rejected).toBe(1);
    expect(existsSync(join(dataDir, 'out/2026-10'))).toBe(false);
  });

  it('with an older snapshot on hand: held all the same; --use-previous publishes the older one, recorded and shown, until the delivery is corrected', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-09', 'r.csv', roster(4));
    await putInbox(dataDir, 'roster', '2026-10', 'r.csv', roster(4));
    await putInbox(dataDir, 'provident-fund', '2026-09', '公积金.csv', fund(4, '202609'));
    await putInbox(dataDir, 'provident-fund', '2026-10', '公积金.csv', BROKEN['missing required column']);
    await run(dataDir, '2026-09');
    const first = await held(run(dataDir, '2026-10'));
    expect(first.message).toMatch(/to publish with provident-fund 2026-09 instead: --use-previous provident-fund/);
    expect(existsSync(join(dataDir, 'out/2026-10'))).toBe(false);
    expect(existsSync(join(dataDir, 'out/2026-09/manifest.json'))).toBe(true);

    const report = await run(dataDir, '2026-10', { usePrevious: ['provident-fund'], by: '张科长' });
    expect(report.feeds.find((f) => f.feed === 'provident-fund')).toMatchObject({ delivered: '2026-10', snapshot: '2026-09', fallback: true });
    expect(report.gates).toContainEqual(expect.objectContaining({ gate: 'use_previous', outcome: 'accepted', detail: expect.stringMatching(/provident-fund 2026-09 used instead of 2026-10 \(its delivery was rejected\): --use-previous by 张科长 at \d{4}-/) }));
    const summary = new ExcelJS.Workbook();
    await summary.xlsx.readFile(join(dataDir, 'out/2026-10/summary.xlsx'));
    const sources = summary.getWorksheet('数据源')!.getSheetValues().flat().map(String).join('|');
    expect(sources).toMatch(/使用上期数据：2026-10 数据被退回，经 张科长 于 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 确认/);
    const gates = summary.getWorksheet('闸门')!.getSheetValues().flat().map(String).join('|');
    expect(gates).toMatch(/use_previous\|provident-fund\|已人工确认/);

    // the operator's word stands for re-runs while the delivery stays rejected
    expect((await run(dataDir, '2026-10')).feeds.find((f) => f.feed === 'provident-fund')?.snapshot).toBe('2026-09');
    // a corrected file replaces the rejected one: the month uses it
    await rm(join(dataDir, 'inbox/provident-fund/2026-10/公积金.csv'));
    await putInbox(dataDir, 'provident-fund', '2026-10', '公积金_更正.csv', fund(4));
    const corrected = await run(dataDir, '2026-10');
    expect(corrected.feeds.find((f) => f.feed === 'provident-fund')).toMatchObject({ delivered: '2026-10', snapshot: '2026-10', fallback: false });
    expect(corrected.gates.filter((g) => g.gate === 'use_previous')).toEqual([]);
  });

  it('--use-previous for a feed delivered whole, or never delivered, is a usage error', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-10', 'r.csv', roster(4));
    await putInbox(dataDir, 'provident-fund', '2026-10', '公积金.csv', fund(4));
    await expect(run(dataDir, '2026-10', { usePrevious: ['provident-fund'] })).rejects.toThrow(/--use-previous provident-fund: the provident-fund delivery 2026-10 was staged whole/);
    await expect(run(dataDir, '2026-10', { usePrevious: ['vehicles'] })).rejects.toThrow(/--use-previous vehicles: no vehicles delivery on or before 2026-10-31/);
    await expect(run(dataDir, '2026-10', { usePrevious: ['cars'] })).rejects.toBeInstanceOf(UsageError);
  });
});

describe('the month itself', () => {
  it('a month that has not ended (China Standard Time) is refused unless --allow-unfinished', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-10', 'r.csv', roster(2));
    await expect(run(dataDir, '2026-10', { today: '2026-10-31' })).rejects.toThrow(/2026-10 has not ended \(today is 2026-10-31, China Standard Time\)/);
    await expect(run(dataDir, '2026-10', { today: '2026-10-31' })).rejects.toBeInstanceOf(UsageError);
    expect(existsSync(join(dataDir, 'hedui.duckdb.wal')) || existsSync(join(dataDir, 'out'))).toBe(false);
    await expect(run(dataDir, '2026-10', { today: '2026-10-31', allowUnfinished: true })).resolves.toMatchObject({ outcome: 'published' });
  });

  it('a month without a roster of its own period holds, unless --use-previous roster', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-09', 'r.csv', roster(3));
    const { message } = await held(run(dataDir, '2026-10'));
    expect(message).toMatch(/missing_roster: roster: no roster of 2026-10 delivered \(latest: 2026-09\); to use roster 2026-09: --use-previous roster/);
    const report = await run(dataDir, '2026-10', { usePrevious: ['roster'] });
    expect(report.feeds[0]).toMatchObject({ feed: 'roster', delivered: '2026-09', snapshot: '2026-09', fallback: true });
    expect(report.gates).toContainEqual(expect.objectContaining({ gate: 'use_previous', detail: expect.stringMatching(/roster 2026-09 used instead of 2026-10 \(not delivered\)/) }));
  });

  it('a roster without its authorization columns is rejected by name and holds the month', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-10', 'r.csv', roster(3, 0, ROSTER_HEADER.slice(0, 11)));
    const { message } = await held(run(dataDir, '2026-10'));
    expect(message).toMatch(/缺少必需列 「核对授权书签署日期」\(authorization_signed_on\)、「授权书有效期至」\(authorization_valid_until\)/);
  });

  it('the share of households waiting for authorization rising more than 10 points holds; 10 points pass; the operator may accept', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-08', 'r.csv', roster(20, 2)); // 10 %
    await putInbox(dataDir, 'roster', '2026-09', 'r.csv', roster(20, 4)); // 20 %: +10 points passes
    await putInbox(dataDir, 'roster', '2026-10', 'r.csv', roster(20, 7)); // 35 %: +15 points holds
    await run(dataDir, '2026-08');
    await run(dataDir, '2026-09');
    const before = await readFile(join(dataDir, 'out/2026-09/manifest.json'));
    const { message } = await held(run(dataDir, '2026-10'));
    expect(message).toMatch(/unauthorized_rise: roster: households waiting for authorization 35\.0% \(7\/20\) vs 20\.0% in 2026-09: \+15\.0 points > 10/);
    expect(existsSync(join(dataDir, 'out/2026-10'))).toBe(false);
    const flags = await withSession({ dataDir, command: 'test', recordRun: false }, (s) => s.w.one<{ n: number }>('t', "select count(*)::integer as n from pending_authorization where period = '2026-10'"));
    expect(flags!.n, 'a held month keeps nothing of its match').toBe(0);
    const report = await run(dataDir, '2026-10', { acceptUnauthorizedRise: true });
    expect(report.gates).toContainEqual(expect.objectContaining({ gate: 'unauthorized_rise', outcome: 'accepted' }));
    expect(await readFile(join(dataDir, 'out/2026-09/manifest.json'))).toEqual(before);
  });
});
