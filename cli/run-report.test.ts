/**
 * What an operator sees when a delivery is rejected: `run` exits 3 with the report on stdout (the
 * feed table, the rejected file and its reason, the gate), `status` shows the same, `nightly`
 * names the file as rejected, and the cron wrapper's last line says which feed and file to look at.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/hedui.js');
const hedui = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

/** The tiny month with its business delivery cut to the header line. */
async function brokenMonth(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hedui-held-'));
  await cp(join(ROOT, 'fixtures/tiny'), dir, { recursive: true });
  const folder = join(dir, 'inbox/business/2026-10');
  for (const f of await readdir(folder)) await rm(join(folder, f));
  await writeFile(join(folder, '市场主体_2026-10.csv'), '统一信用代码,市场主体名称,市场主体类型,登记状态,注册资本,成立日期,人员证件号码,人员姓名,人员角色,认缴出资额\n');
  return dir;
}

describe('a held month, as the operator sees it', () => {
  it('run: exit 3, the report names the rejected file and its reason, nothing published, no stack', async () => {
    const dir = await brokenMonth();
    const r = hedui(['run', '--period', '2026-10', '--data-dir', dir]);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^2026-10: HELD — nothing published, the previous publication is kept/);
    expect(r.stdout).toMatch(/business\s+2026-10\s+-\s+1\s+0\s+0\s+0\s+1/);
    expect(r.stdout).toMatch(/rejected files:\n {2}inbox\/business\/2026-10\/市场主体_2026-10\.csv: 没有数据行/);
    expect(r.stdout).toMatch(/rules skipped: business-role \(no business snapshot\)/);
    expect(r.stderr).toMatch(/rejected_file: inbox\/business\/2026-10\/市场主体_2026-10\.csv: business 2026-10: 没有数据行/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'out/2026-10'))).toBe(false);

    const status = hedui(['status', '--period', '2026-10', '--data-dir', dir]);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/^2026-10: HELD/);
    expect(status.stdout).toMatch(/held\s+rejected_file\s+inbox\/business\/2026-10\/市场主体_2026-10\.csv/);
    const quarter = JSON.parse(hedui(['status', '--period', '2026Q3', '--data-dir', dir, '--json']).stdout);
    expect(quarter.report.feeds).toEqual([expect.objectContaining({ feed: 'vehicles', delivered: '2026Q3', snapshot: '2026Q3', files: [expect.objectContaining({ status: 'staged', rowsRead: 801 })] })]);

    const json = hedui(['run', '--period', '2026-10', '--data-dir', dir, '--json']);
    expect(json.status).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ period: '2026-10', outcome: 'held', gates: [{ gate: 'rejected_file', outcome: 'held' }] });
  });

  it('run: an .xls that is an HTML page holds the month through the rejected_file gate, naming the file and why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hedui-held-'));
    await cp(join(ROOT, 'fixtures/tiny'), dir, { recursive: true });
    const folder = join(dir, 'inbox/provident-fund/2026-10');
    for (const f of await readdir(folder)) await rm(join(folder, f));
    await writeFile(join(folder, '公积金缴存_2026-10.xls'), '<html><body><table><tr><td>证件号码</td></tr></table></body></html>');
    const r = hedui(['run', '--period', '2026-10', '--data-dir', dir]);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/rejected files:\n {2}inbox\/provident-fund\/2026-10\/公积金缴存_2026-10\.xls: 文件是网页或 XML \(HTML\/XML\) 而不是 Excel 工作簿/);
    expect(r.stderr).toMatch(/rejected_file: inbox\/provident-fund\/2026-10\/公积金缴存_2026-10\.xls/);
    expect(existsSync(join(dir, 'out/2026-10'))).toBe(false);
  });

  it('the cron wrapper: nightly names the file as rejected, and its exit-3 line says which feed and file', async () => {
    const dir = await brokenMonth();
    const r = spawnSync('bash', [join(ROOT, 'scripts/hedui-nightly.sh'), '--today', '2026-11-20'], { encoding: 'utf8', env: { ...process.env, HEDUI_DATA_DIR: dir } });
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/rejected deliveries \(a person must look at these files\):\n {2}business 2026-10: inbox\/business\/2026-10\/市场主体_2026-10\.csv: 没有数据行/);
    expect(r.stderr).not.toMatch(/is not in the inbox/);
    const last = r.stderr.trimEnd().split('\n').at(-1);
    expect(last).toMatch(/^hedui nightly: a person must act: rejected_file: inbox\/business\/2026-10\/市场主体_2026-10\.csv: business 2026-10: 没有数据行/);
    expect(existsSync(join(dir, 'out/2026-10'))).toBe(false);
  });

  it('a month that has not ended: exit 2, nothing created', async () => {
    const dir = await brokenMonth();
    const r = hedui(['run', '--period', '2099-01', '--data-dir', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/2099-01 has not ended/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
