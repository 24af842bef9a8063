import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { writeCountyWorkbook } from './county-workbook.ts';
import { sampleCountyData, syntheticCountyData } from './test-data.ts';
import { WorkbookJobError, createWorkbookPool, writeCountyWorkbooks } from './workbook-pool.ts';

const dir = await mkdtemp(join(tmpdir(), 'hedui-pool-'));
const counties = ['150102', '150103', '150104', '150105', '150121', '150122'];
const dataFor = (code: string, i: number) => syntheticCountyData(code, 200 + 37 * i, 300 + 41 * i);

describe('workbook pool', () => {
  it('writes 6 workbooks on 2 workers, byte-identical to sequential writes', async () => {
    const sequential: string[] = [];
    for (const [i, code] of counties.entries()) {
      sequential.push((await writeCountyWorkbook(join(dir, `seq-${code}.xlsx`), dataFor(code, i))).sha256);
    }
    const pool = createWorkbookPool({ size: 2 });
    expect(pool.size).toBe(2);
    const results = await Promise.all(counties.map((code, i) => pool.write(join(dir, `pool-${code}.xlsx`), dataFor(code, i))));
    await pool.close();
    expect(results.map((r) => r.sha256)).toEqual(sequential);
    expect(results[5].rows.households).toBe(200 + 37 * 5);
  });

  it('applies back-pressure: ready() waits while maxPending jobs are queued or running', async () => {
    const pool = createWorkbookPool({ size: 2, maxPending: 3 });
    let alive = 0; // datasets built and not yet written
    let maxAlive = 0;
    const results = [];
    for (const [i, code] of counties.entries()) {
      await pool.ready();
      const data = dataFor(code, i);
      alive += 1;
      maxAlive = Math.max(maxAlive, alive);
      results.push(pool.write(join(dir, `bp-${code}.xlsx`), data).finally(() => (alive -= 1)));
    }
    await Promise.all(results);
    await pool.close();
    expect(maxAlive).toBe(3);
  });

  it('writeCountyWorkbooks pulls a lazy job source and reports every outcome in order', async () => {
    let pulled = 0;
    async function* jobs() {
      for (const [i, code] of counties.entries()) {
        pulled += 1;
        yield { path: join(dir, `lazy-${code}.xlsx`), data: i === 2 ? { ...sampleCountyData(), households: [] } : dataFor(code, i) };
      }
    }
    const outcomes = await writeCountyWorkbooks(jobs(), { size: 2, maxPending: 4 });
    expect(pulled).toBe(6);
    expect(outcomes.map((o) => o.countyCode)).toEqual(['150102', '150103', '150102', '150105', '150121', '150122']);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, true, true, true]);
    const failed = outcomes[2];
    expect(!failed.ok && failed.error.message).toMatch(/^county workbook 150102 \(lazy-150104.xlsx\) failed: meta.counts.households is 3 but 0/);
  });

  it('rejects a failed job with county code and file name only, and keeps working', async () => {
    const pool = createWorkbookPool({ size: 2 });
    const bad = sampleCountyData();
    bad.households[0].monthlyAmount = 'twelve';
    const good = sampleCountyData();
    const [failed, missingFolder, ok] = await Promise.allSettled([
      pool.write(join(dir, '150102_新城区_2026-10_核对疑点.xlsx'), bad),
      pool.write(join(dir, 'nowhere', '150102_x.xlsx'), good),
      pool.write(join(dir, 'after-failure.xlsx'), good),
    ]);
    expect(failed.status).toBe('rejected');
    const error = (failed as PromiseRejectedResult).reason as WorkbookJobError;
    expect(error).toBeInstanceOf(WorkbookJobError);
    expect(error.message).toBe('county workbook 150102 (150102_新城区_2026-10_核对疑点.xlsx) failed: 疑点家庭 row 2 monthlyAmount: not a decimal amount');
    for (const secret of [bad.households[0].headId, bad.households[0].headName, 'twelve']) expect(error.message).not.toContain(secret);
    expect(((missingFolder as PromiseRejectedResult).reason as Error).message).toBe('county workbook 150102 (150102_x.xlsx) failed: Error ENOENT');
    expect(ok.status).toBe('fulfilled');
    // still usable afterwards
    const again = await pool.write(join(dir, 'again.xlsx'), good);
    expect(again.sha256).toBe((ok as PromiseFulfilledResult<{ sha256: string }>).value.sha256);
    await pool.close();
    await expect(pool.write(join(dir, 'closed.xlsx'), good)).rejects.toThrow(/pool is closed/);
  });

  it('works when the parent runs under `node --import tsx -e` with V8 heap flags too', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const script = `
      const { createWorkbookPool } = await import('./pipeline/publish/workbook-pool.ts');
      const { sampleCountyData } = await import('./pipeline/publish/test-data.ts');
      const pool = createWorkbookPool({ size: 2 });
      const r = await Promise.all([1, 2, 3].map((n) => pool.write(${JSON.stringify(dir)} + '/tsx-' + n + '.xlsx', sampleCountyData())));
      await pool.close();
      console.log(JSON.stringify(r.map((x) => x.sha256)));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=4096', '--stack-size=2000', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root });
    const expected = (await writeCountyWorkbook(join(dir, 'tsx-reference.xlsx'), sampleCountyData())).sha256;
    expect(JSON.parse(stdout.trim())).toEqual([expected, expected, expected]);
  });
});
