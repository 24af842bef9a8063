import { describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runMonth, withSession } from './run.ts';
import { GateHeldError } from '../base/errors.ts';
import { csv, makeDataDir, makeId, putInbox } from './load/test-support.ts';

const HEADER = ['户编号', '户主身份证号', '身份证号', '姓名', '与户主关系', '是否保障对象', '保障类别', '区划代码', '保障人数', '月保障金', '保障起始日期', '核对授权书签署日期', '授权书有效期至', '人户分离', '单人保'];
const roster = (n: number) =>
  csv([
    HEADER,
    ...Array.from({ length: n }, (_, i) => {
      const id = makeId('150102', '19700101', String(i * 2 + 1).padStart(3, '0'));
      return [`15010200${String(i).padStart(5, '0')}`, id, id, '某某', '户主', '是', '城市低保', '150102001', '1', '800', '2022-01-01', '2025-01-01', '2028-01-01', '否', '否'];
    }),
  ]);

const run = (dataDir: string, period: string, acceptDrift?: string[]) => withSession({ dataDir, command: 'test' }, (s) => runMonth(s, period, { acceptDrift }));

describe('gates', () => {
  it('holds a month whose roster moved more than 30%, until an operator accepts it; publishing nothing meanwhile', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-09', 'r.csv', roster(10));
    await run(dataDir, '2026-09');
    await putInbox(dataDir, 'roster', '2026-10', 'r.csv', roster(14));
    const held = run(dataDir, '2026-10');
    await expect(held).rejects.toBeInstanceOf(GateHeldError);
    await expect(held).rejects.toThrow(/row_count_drift: roster: roster 2026-10: 14 rows vs 10 in 2026-09 \(40\.0% > 30%\); accept with --accept-drift roster/);
    expect(existsSync(join(dataDir, 'out/2026-09/manifest.json'))).toBe(true);
    expect(existsSync(join(dataDir, 'out/2026-10'))).toBe(false);
    const report = await run(dataDir, '2026-10', ['roster']);
    expect(report.published.counties).toBeGreaterThan(100);
    expect((await run(dataDir, '2026-10')).period).toBe('2026-10'); // accepted once, for that snapshot
  });

  it('a 25% move passes', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-09', 'r.csv', roster(8));
    await putInbox(dataDir, 'roster', '2026-10', 'r.csv', roster(10));
    await run(dataDir, '2026-09');
    await expect(run(dataDir, '2026-10')).resolves.toMatchObject({ period: '2026-10' });
  });

  it('holds a month without a roster', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-11', 'r.csv', roster(3));
    await expect(run(dataDir, '2026-10')).rejects.toThrow(/missing_roster: roster: no roster delivered on or before 2026-10-31/);
    await rm(join(dataDir, 'inbox'), { recursive: true });
  });
});
