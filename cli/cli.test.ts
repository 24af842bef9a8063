/**
 * The command line as cron and operators use it, on the tiny fixtures: exit codes, the lock,
 * SIGKILL at random moments, a no-op nightly, and no personal data in anything printed or logged.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmod, cp, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import * as XLSX from '@e965/xlsx';
import { FEEDS } from '../adapters/index.ts';
import { publishedTinyMonth } from '../pipeline/test-support.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const TINY = join(ROOT, 'fixtures/tiny');
const BIN = join(ROOT, 'bin/hedui.js');

function hedui(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hedui-cli-'));
  await cp(TINY, dir, { recursive: true });
  return dir;
}

async function publishedHashes(dir: string): Promise<Record<string, string>> {
  const manifest = JSON.parse(await readFile(join(dir, 'out/2026-10/manifest.json'), 'utf8')) as { outputs: { path: string; sha256: string }[] };
  const out: Record<string, string> = {};
  for (const o of manifest.outputs) {
    const actual = createHash('sha256').update(await readFile(join(dir, 'out/2026-10', o.path))).digest('hex');
    expect(actual, `${o.path} matches its manifest`).toBe(o.sha256);
    out[o.path] = actual;
  }
  out['manifest.json'] = createHash('sha256').update(await readFile(join(dir, 'out/2026-10/manifest.json'))).digest('hex');
  return out;
}

/** The day of the runs whose bytes are compared (China Standard Time): the issue date they print. */
const DAY = '2026-12-03';

/**
 * One clean run of the tiny month, whose publication is the reference for the bytes, and which is
 * also the run the lock test needs: while it holds the data folder, a second run is started
 * (its answer is asserted in that test). The lock test's own run was a second full run before.
 */
let reference: Record<string, string>;
let lockHeld: { firstPid: number | undefined; firstExit: unknown; second: ReturnType<typeof hedui> };
beforeAll(async () => {
  const dir = await freshDataDir();
  const first = spawn(process.execPath, [BIN, 'run', '--period', '2026-10', '--data-dir', dir, '--today', DAY], { stdio: 'ignore' });
  const firstExit = new Promise((r) => first.on('exit', r));
  // wait for its lock (up to 30 s: a start takes seconds on a loaded machine, and without the lock the second run would not be refused)
  for (let i = 0; i < 600 && !(await readdir(dir)).includes('hedui.lock'); i++) await new Promise((r) => setTimeout(r, 50));
  // had it waited, it would have run once the first ended (exit 0): exit 4 is 'at once'
  const second = hedui(['run', '--period', '2026-10', '--data-dir', dir]);
  lockHeld = { firstPid: first.pid, firstExit: await firstExit, second };
  expect(lockHeld.firstExit).toBe(0);
  reference = await publishedHashes(dir);
}, 240_000);

/**
 * The tiny month with one business file refused whole (a semicolon for the delimiter; a comma and
 * quotes in its name, which the quarantine CSV must quote), run once: held, exit 3. Shared by the
 * exit-code test and the quarantine test, which only read it afterwards.
 */
const ODD = 'inbox/business/2026-10/补充,"二".csv';
let held: Promise<{ dir: string; run: ReturnType<typeof hedui> }> | undefined;
const heldMonth = () =>
  (held ??= (async () => {
    const dir = await freshDataDir();
    await writeFile(join(dir, ODD), '统一社会信用代码;企业名称\n1;2\n');
    return { dir, run: hedui(['run', '--period', '2026-10', '--data-dir', dir]) };
  })());

describe('hedui CLI', () => {
  it('exits 2 on bad usage and on a bad configuration, naming the problem', async () => {
    expect(hedui(['run', '--period', '2026-13', '--data-dir', await freshDataDir()]).code).toBe(2);
    expect(hedui(['run']).code).toBe(2);
    expect(hedui(['whitelist', 'add', '--id', 'x']).code).toBe(2);
    expect(hedui(['--help']).code).toBe(0);
    const cfg = join(await freshDataDir(), 'bad.json');
    const shipped = JSON.parse(await readFile(join(ROOT, 'config/inner-mongolia.json'), 'utf8'));
    shipped.gates.max_quarantine_share = 2;
    await writeFile(cfg, JSON.stringify(shipped));
    const r = hedui(['run', '--period', '2026-10', '--config', cfg, '--data-dir', await freshDataDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config key config\.gates\.max_quarantine_share: expected a number from 0 to 1/);
  });

  it('a second run while one holds the data folder exits at once with code 4, naming the holder', () => {
    // both runs were made in beforeAll: the first one's publication is the bytes' reference
    const { second, firstPid, firstExit } = lockHeld;
    expect(second.code).toBe(4);
    expect(second.stderr).toMatch(new RegExp(`another run holds the data folder: pid ${firstPid} \\(run\\), started \\d{4}-`));
    expect(firstExit).toBe(0);
  });

  it('SIGKILL at random moments leaves the last publication whole; a clean run then gives the same bytes', async () => {
    const dir = await freshDataDir();
    for (const delay of [300, 900, 1600, 2300, 3000, 3800]) {
      const child = spawn(process.execPath, [BIN, 'run', '--period', '2026-10', '--data-dir', dir, '--today', DAY], { stdio: 'ignore' });
      const exited = new Promise((r) => child.on('exit', r)); // listen first: a fast run may end before the kill
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await exited;
      if ((await readdir(join(dir, 'out')).catch(() => [] as string[])).includes('2026-10')) expect(await publishedHashes(dir)).toEqual(reference);
    }
    const r = hedui(['run', '--period', '2026-10', '--data-dir', dir, '--today', DAY]);
    expect(r.code, r.stderr).toBe(0);
    expect(await publishedHashes(dir)).toEqual(reference);
  }, 240_000);

  it('nightly publishes new months, then is a no-op (exit 0) when nothing changed', async () => {
    const dir = await freshDataDir();
    const first = hedui(['nightly', '--data-dir', dir, '--json', '--today', '2026-11-30']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).months).toMatchObject([{ period: '2026-10', outcome: 'published' }]);
    // the sample check requests (逢救必核): three answered, one refused; reports written
    expect(JSON.parse(first.stdout).requests.files).toMatchObject([{ status: 'read', open: 3, refused: 1 }]);
    expect(JSON.parse(first.stdout).requests.answered.map((a: { reportFile: string; late: boolean }) => [a.reportFile, a.late])).toEqual(
      ['01', '02', '04'].map((n) => [`out/requests/150102/WT202610-${n}/核对报告_WT202610-${n}.xlsx`, true]),
    );
    const second = hedui(['nightly', '--data-dir', dir, '--today', '2026-11-30']);
    expect(second).toMatchObject({ code: 0, stdout: 'nothing new\n' });
    // nothing changed since a night that found nothing: answered from its record (pipeline/quiet-night.ts)
    const third = hedui(['nightly', '--data-dir', dir, '--today', '2026-11-30']);
    expect(third).toMatchObject({ code: 0, stdout: 'nothing new\n' });
    const logs = await Promise.all((await readdir(join(dir, 'logs'))).map((f) => readFile(join(dir, 'logs', f), 'utf8')));
    expect(logs.join('').match(/answered from its record, warehouse not opened/g)).toHaveLength(1);
    const kpi = hedui(['kpi', '--period', '2026-11', '--requests', '--json', '--as-of', '2026-11-30', '--data-dir', dir]);
    expect(JSON.parse(kpi.stdout).find((r: { county: string }) => r.county === '150102')).toEqual({
      county: '150102',
      countyName: '新城区',
      received: 4,
      answeredOnTime: 0,
      answeredLate: 3,
      open: 0,
      overdue: 0,
      refused: 1,
    });
  });

  it('nightly exits 3 naming a feed past its due day', async () => {
    // the tiny month already published (the portal tests' build, copied): what the nightly run finds
    // past due does not depend on it re-running the month, which 'nightly publishes new months' covers
    const dir = await publishedTinyMonth({ today: '2026-11-01' }, 'hedui-cli-');
    const r = hedui(['nightly', '--data-dir', dir, '--today', '2026-12-11']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/missing_feed: provident-fund 2026-11 was due on 2026-12-10 and is not in the inbox/);
    expect(r.stderr).not.toMatch(/missing_feed: vehicles/);
    // a feed the region does not get yet (feeds.<id>.expected false) is not asked for
    const cfg = join(dir, 'config.json');
    const shipped = JSON.parse(await readFile(join(ROOT, 'config/inner-mongolia.json'), 'utf8'));
    for (const feed of FEEDS) shipped.feeds[feed.id] = { ...shipped.feeds[feed.id], expected: false };
    await writeFile(cfg, JSON.stringify(shipped));
    const quiet = hedui(['nightly', '--data-dir', dir, '--config', cfg, '--today', '2026-12-11']);
    expect(quiet.stderr).not.toMatch(/missing_feed/);
    expect(quiet.code, quiet.stderr).toBe(0);
  }, 120_000);

  it('exits 3 when a gate holds publication, and says which file', async () => {
    const { run: r } = await heldMonth();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/rejected_file: inbox\/business\/2026-10\/补充,"二"\.csv: .*wrong delimiter/);
  }, 180_000);

  // nine CLI processes one after the other, each at the trace log level: past the default 60 s on
  // a loaded 2-core machine (one CI run took 60.4 s; 14–24 s quiet)
  it('prints and logs no ID number and no name, even at the most verbose level', { timeout: 180_000 }, async () => {
    const dir = await freshDataDir();
    const env = { HEDUI_LOG_LEVEL: 'trace' };
    const outputs = [
      hedui(['whitelist', 'import', join(dir, 'whitelist.csv'), '--data-dir', dir], env),
      hedui(['run', '--period', '2026-10', '--data-dir', dir, '--json'], env),
      hedui(['status', '--period', '2026-10', '--data-dir', dir], env),
      hedui(['status', '--data-dir', dir, '--json'], env),
      hedui(['quarantine', '--period', '2026-10', '--data-dir', dir], env),
      hedui(['whitelist', 'list', '--data-dir', dir], env),
      hedui(['nightly', '--data-dir', dir, '--today', '2026-11-30'], env),
      // the nightly run answered the sample check requests
      hedui(['requests', 'status', '--data-dir', dir, '--as-of', '2026-11-30'], env),
      hedui(['requests', 'status', '--data-dir', dir, '--json'], env),
    ];
    for (const o of outputs) expect(o.code, o.stderr).toBe(0);
    expect(outputs.at(-2)!.stdout).toMatch(/WT202610-01 .*逾期出具/); // received 11-06, due 11-20, answered by the run of 11-30
    const logs = await Promise.all((await readdir(join(dir, 'logs'))).map((f) => readFile(join(dir, 'logs', f), 'utf8')));
    const printed = [...outputs.flatMap((o) => [o.stdout, o.stderr]), ...logs].join('\n');
    expect(logs.join('').length).toBeGreaterThan(1000);

    // every ID and name in the inputs, in every form the feeds hold them
    const secrets = new Set<string>();
    const inbox = join(dir, 'inbox');
    const add = (v: unknown) => {
      const s = String(v ?? '').trim();
      if (s.length >= 2) secrets.add(s);
    };
    // every header (aliases too) of every feed's ID and person-name columns, as the registry declares them
    const personal = (name: string, kind: string) => kind === 'id_number' || kind === 'document_number' || /(^|_)name$/.test(name) || name === 'owner_id';
    const nameColumns = [
      ...new Set([
        ...FEEDS.flatMap((f) => f.columns.filter((c) => personal(c.name, c.kind) && c.name !== 'entity_name').flatMap((c) => c.headers)),
        ...['姓名', '所有人', '成员姓名', '职工姓名'],
      ]),
    ];
    for (const feed of await readdir(inbox)) {
      for (const period of await readdir(join(inbox, feed))) {
        for (const file of await readdir(join(inbox, feed, period))) {
          const path = join(inbox, feed, period, file);
          let rows: Record<string, string>[];
          if (/\.xlsx?$/.test(file)) {
            // .xlsx and .xls alike; the header may stand below a title row
            const wb = XLSX.read(await readFile(path), { type: 'buffer' });
            const cells = XLSX.utils.sheet_to_json<string[]>(wb.Sheets[wb.SheetNames[0]], { header: 1, raw: false, defval: '' });
            const at = cells.findIndex((r) => r.some((v) => nameColumns.includes(v)));
            rows = cells.slice(at + 1).map((r) => Object.fromEntries(cells[at].map((h, i) => [h, String(r[i] ?? '')])));
          } else {
            const bytes = await readFile(path);
            // GBK where the bytes are not UTF-8 (vehicles, 公安 deaths, an older marriages delivery …)
            const utf8 = bytes.toString('utf8');
            const text = utf8.includes('\uFFFD') ? iconv.decode(bytes, 'gb18030') : utf8.replace(/^\uFEFF/, '');
            rows = parse(text, { columns: true, relax_column_count: true }) as Record<string, string>[];
          }
          for (const r of rows) for (const c of nameColumns) if (c in r) add(r[c]);
        }
      }
    }
    expect(secrets.size).toBeGreaterThan(1000);
    // `whitelist list` shows who registered an entry: staff, not recipients. A recipient's short name
    // can be part of a staff name (王秀 in 王秀英), so staff names are taken out before searching.
    const staff = (parse(await readFile(join(dir, 'whitelist.csv'), 'utf8'), { columns: true }) as Record<string, string>[]).map((r) => r['登记人']);
    const shown = staff.reduce((text, who) => text.replaceAll(who, '<staff>'), printed);
    const leaks = [...secrets].filter((s) => shown.includes(s));
    expect(leaks).toEqual([]);
  });
});

describe('hedui CLI: the data folder, dates, and what operators and departments read', () => {
  const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

  it('a reader that closes the pipe early (hedui status | head) drops the rest of the output, not the command', async () => {
    const dir = await publishedTinyMonth({ today: '2026-11-01' }, 'hedui-cli-');
    const closed = async (args: string[], closeStderr = false) => {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy(); // the reader is gone before the first line
      let stderr = '';
      if (closeStderr) child.stderr.destroy();
      else child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise((r) => child.on('exit', r));
      return { command: args[0], code, stderr };
    };
    expect(await closed(['--help'])).toEqual({ command: '--help', code: 0, stderr: '' });
    expect(await closed(['status', '--data-dir', dir])).toEqual({ command: 'status', code: 0, stderr: '' });
    // a nightly run whose reader left on both streams still does all it does and ends with its own
    // exit code: here it answers the sample check requests and finds a feed past due (exit 3)
    const requestsIndex = join(dir, 'out', 'requests', 'index.json');
    expect(existsSync(requestsIndex)).toBe(false);
    expect(await closed(['nightly', '--today', '2026-12-11', '--data-dir', dir], true)).toMatchObject({ code: 3 });
    expect(existsSync(requestsIndex)).toBe(true);
  });

  it('refuses a data folder that does not exist, naming it, and creates nothing', async () => {
    const missing = join(await mkdtemp(join(tmpdir(), 'hedui-cli-')), 'no-such-folder');
    for (const args of [['status'], ['run', '--period', '2026-10'], ['quarantine', '--period', '2026-10'], ['accounts', 'list'], ['serve', '--port', '0']]) {
      const r = hedui([...args, '--data-dir', missing]);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(missing);
      noStack(r.stderr);
      expect(existsSync(missing), args[0]).toBe(false);
    }
    const viaEnv = hedui(['status'], { HEDUI_DATA_DIR: missing });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toContain(missing);
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses an existing folder that holds neither inbox/ nor hedui.duckdb, and writes nothing in it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'hedui-cli-empty-'));
    for (const args of [['status'], ['nightly', '--today', '2026-11-30'], ['whitelist', 'list'], ['audit']]) {
      const r = hedui([...args, '--data-dir', empty]);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(empty);
      expect(r.stderr).toMatch(/neither inbox\/ nor hedui\.duckdb/);
      expect(await readdir(empty), args[0]).toEqual([]);
    }
  });

  it('makes the data folder and all it creates owner-only (folders 0700, files 0600), and tightens a data folder open to others', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'hedui-cli-')), 'data');
    expect(hedui(['fixtures', '--scale', 'tiny', '--out', dir]).code).toBe(0);
    expect(hedui(['status', '--data-dir', dir]).code).toBe(0);
    const modes = async () => {
      const out: Record<string, string> = { '.': ((await stat(dir)).mode & 0o777).toString(8) };
      for (const p of await readdir(dir, { recursive: true })) out[p] = ((await stat(join(dir, p))).mode & 0o777).toString(8);
      return out;
    };
    const created = await modes();
    expect(Object.keys(created)).toEqual(expect.arrayContaining(['hedui.duckdb', 'logs', 'inbox']));
    for (const [p, mode] of Object.entries(created)) expect(mode, p).toBe((await stat(join(dir, p))).isDirectory() ? '700' : '600');
    // a data folder made before (or by hand) with group and other bits: tightened, and said so once
    await chmod(dir, 0o755);
    expect(hedui(['status', '--data-dir', dir]).code).toBe(0);
    expect(hedui(['status', '--data-dir', dir]).code).toBe(0);
    expect((await modes())['.']).toBe('700');
    const logs = await Promise.all((await readdir(join(dir, 'logs'))).map((f) => readFile(join(dir, 'logs', f), 'utf8')));
    expect(logs.join('').match(/tightened the data folder to owner-only access/g)).toHaveLength(1);
  });

  it('refuses a date that is not a calendar day YYYY-MM-DD with exit 2, naming the option, without a stack', async () => {
    const dir = await freshDataDir();
    const cases: [string[], string][] = [
      [['kpi', '--period', '2026-10', '--as-of', '2026-02-30'], '--as-of'],
      [['nightly', '--today', '2026-13-01'], '--today'],
      [['feedback', 'import', join(dir, 'x.xlsx'), '--received-on', '20261101'], '--received-on'],
      [['whitelist', 'add', '--id', 'x', '--scope', 'vehicles', '--reason', 'r', '--by', 'b', '--from', '2026-02-29'], '--from'],
      [['whitelist', 'add', '--id', 'x', '--scope', 'vehicles', '--reason', 'r', '--by', 'b', '--until', '2027-1-5'], '--until'],
    ];
    for (const [args, option] of cases) {
      const r = hedui([...args, '--data-dir', dir]);
      expect(r.code, `${option}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(option);
      expect(r.stderr).toMatch(/calendar date YYYY-MM-DD/);
      noStack(r.stderr);
    }
    expect(await readdir(dir)).not.toContain('hedui.duckdb'); // refused while parsing, before any session
  });

  it('quarantine: CSV for Excel with Chinese headers and reasons, files refused whole, quoted; read-only commands leave no run', async () => {
    const { dir, run } = await heldMonth();
    const odd = ODD; // a comma and quotes in the name: the CSV must quote it
    expect(run.code).toBe(3);

    const runs = () => (JSON.parse(hedui(['status', '--json', '--data-dir', dir]).stdout) as { runs: unknown[] }).runs.length;
    const before = runs();
    expect(before).toBe(1);

    const r = hedui(['quarantine', '--period', '2026-10', '--data-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('\uFEFF数据,期别,文件,行号,原因,字段\r\n')).toBe(true);
    expect(r.stdout).toContain('"inbox/business/2026-10/补充,""二"".csv"');
    const rows = parse(r.stdout, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(['数据', '期别', '文件', '行号', '原因', '字段']);
    const refused = rows.filter((x) => x.行号 === '');
    expect(refused).toEqual([{ 数据: '市场主体登记', 期别: '2026-10', 文件: odd, 行号: '', 原因: expect.stringMatching(/^整个文件退回：分隔符不是逗号/), 字段: '' }]);
    const lines = rows.filter((x) => x.行号 !== '');
    expect(lines.length).toBeGreaterThan(20);
    for (const x of lines) {
      expect(x.行号).toMatch(/^\d+$/);
      expect(x.原因, 'Chinese text and the code').toMatch(/^[^a-z]*[\u4e00-\u9fff][^()]* \([a-z_]+\)$/);
    }
    expect(lines.map((x) => x.原因)).toContain('身份证号校验位错误 (id_bad_checksum)');
    expect(lines.map((x) => x.原因)).toContain('重复记录：与本文件前面的一行或已入库的同期文件重复 (duplicate_row)');
    for (const x of lines) expect(FEEDS.map((f) => f.title)).toContain(x.数据);

    const business = parse(hedui(['quarantine', '--period', '2026-10', '--feed', 'business', '--data-dir', dir]).stdout, { bom: true, columns: true }) as Record<string, string>[];
    expect(business.length).toBeGreaterThan(1);
    expect(new Set(business.map((x) => x.数据))).toEqual(new Set(['市场主体登记']));

    const json = JSON.parse(hedui(['quarantine', '--period', '2026-10', '--json', '--data-dir', dir]).stdout) as Record<string, unknown>[];
    expect(json).toContainEqual(expect.objectContaining({ reason: 'id_bad_checksum', reason_text: '身份证号校验位错误 (id_bad_checksum)' }));
    expect(json).toContainEqual(expect.objectContaining({ file: odd, line: null, reason: 'rejected_file' }));

    const unknown = hedui(['quarantine', '--period', '2026-10', '--feed', 'cars', '--data-dir', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/cars/);
    expect(unknown.stderr).toMatch(/roster, provident-fund, vehicles, business/);

    for (const args of [['status'], ['kpi', '--period', '2026-10', '--as-of', '2026-11-30'], ['whitelist', 'list'], ['audit'], ['accounts', 'list']]) {
      expect(hedui([...args, '--data-dir', dir]).code, args[0]).toBe(0);
    }
    expect(runs()).toBe(before);
  }, 180_000);

  it('kpi says how it judges, above its table: each flag by its own due date (JSON stays the rows)', async () => {
    const dir = await freshDataDir();
    const r = hedui(['kpi', '--period', '2026-10', '--as-of', '2026-11-30', '--data-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    const [basis, header] = r.stdout.split('\n');
    expect(basis).toMatch(/^flags first issued in 2026-10, as of 2026-11-30: each flag is judged by its own due date \(the day it first reached its county \+ 15 days, moved to the next working day\)/);
    expect(header).toMatch(/^leagueCode\s+/);
    const json = hedui(['kpi', '--period', '2026-10', '--as-of', '2026-11-30', '--league', '--json', '--data-dir', dir]);
    expect(JSON.parse(json.stdout)).toContainEqual(expect.objectContaining({ leagueCode: '15', issued: 0 }));
  });

  it('prints tables as aligned plain text, not console.table', async () => {
    const dir = await freshDataDir();
    expect(hedui(['whitelist', 'import', join(dir, 'whitelist.csv'), '--data-dir', dir]).code).toBe(0);
    const r = hedui(['whitelist', 'list', '--data-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[┌│└─]|\(index\)/);
    const [header, rule] = r.stdout.split('\n');
    expect(header).toMatch(/^entry_id\s+/);
    expect(rule).toMatch(/^-+(  -+)+$/);
    // sections: a blank line between them, none above the first
    const status = hedui(['status', '--data-dir', dir]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^runs\n/);
    expect(status.stdout).toMatch(/\n\nloads\n/);
  });
});
