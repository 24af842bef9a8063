import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withWarehouse } from './warehouse.ts';
import { pull } from './pull.ts';
import { loadConfig, validateConfig, type Config } from '../config/config.ts';
import { makeDataDir } from './load/test-support.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const GOOD = '证件号码,姓名\n1,2\n'.repeat(2000);
const OTHER = 'a,b\n3,4\n';
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/index.json') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          files: [
            { period: '2026-10', name: '公积金_2026-10.csv', url: 'files/good.csv', sha256: sha(GOOD) },
            { period: '2026-10', name: 'wrong.csv', url: 'files/other.csv', sha256: sha(GOOD) },
            { period: '2026-10', name: 'cut.csv', url: 'files/cut.csv' },
            { period: '2026-10', name: '../escape.csv', url: 'files/other.csv' },
            { period: '../..', name: 'x.csv', url: 'files/other.csv' },
          ],
        }),
      );
    } else if (req.url === '/controlled.json') {
      // a platform that writes <file>.ok once a file is complete: b.csv is not complete yet
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          files: [
            { period: '2026-10', name: 'a.csv', url: 'files/good.csv' },
            { period: '2026-10', name: 'a.csv.ok', url: 'files/good.ok' },
            { period: '2026-10', name: 'b.csv', url: 'files/other.csv' },
          ],
        }),
      );
    } else if (req.url === '/files/good.ok') res.end(`count=4000\nsha256=${sha(GOOD)}\n`);
    else if (req.url === '/files/good.csv') res.end(GOOD);
    else if (req.url === '/files/other.csv') res.end(OTHER);
    else if (req.url === '/files/cut.csv') {
      // promises 1 MB, sends a little, then drops the connection: a partial download
      res.writeHead(200, { 'content-length': String(1 << 20) });
      res.write('a,b\n1,2\n');
      setTimeout(() => res.destroy(), 50);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const withSources = (sources: Config['sources']): Config => validateConfig({ ...structuredClone(loadConfig().config), sources });

describe('pull', () => {
  it('fetches new files over HTTP, checks sha256, never leaves a partial or misplaced file, and is a no-op the second time', async () => {
    const dataDir = await makeDataDir();
    const config = withSources({ 'provident-fund': { type: 'http', url: `${base}/index.json` } });
    await withWarehouse(async (w) => {
      const first = await pull(w, dataDir, config);
      expect(first.pulled).toEqual([{ feed: 'provident-fund', period: '2026-10', name: '公积金_2026-10.csv', sha256: sha(GOOD), bytes: Buffer.byteLength(GOOD) }]);
      expect(first.failed.map((f) => f.file).sort()).toEqual(['2026-10/cut.csv', '2026-10/wrong.csv']);
      expect(await readdir(join(dataDir, 'inbox/provident-fund/2026-10'))).toEqual(['公积金_2026-10.csv']);
      expect(await readdir(join(dataDir, 'inbox/provident-fund'))).toEqual(['2026-10']);
      const second = await pull(w, dataDir, config);
      expect(second.pulled).toEqual([]);
      expect(second.unchanged).toBe(1);
      expect(await w.one('t', 'select count(*)::integer as n from pulls')).toEqual({ n: 1 });
    });
  });

  it('copies from an exchange folder laid out as <period>/<file>, skipping hidden and partial files', async () => {
    const dataDir = await makeDataDir();
    const exchange = await makeDataDir();
    await mkdir(join(exchange, '2026Q3'), { recursive: true });
    await writeFile(join(exchange, '2026Q3', '机动车.csv'), OTHER);
    await writeFile(join(exchange, '2026Q3', '.hidden.csv'), OTHER);
    await writeFile(join(exchange, '2026Q3', 'late.csv.part'), OTHER);
    await mkdir(join(exchange, 'notes'), { recursive: true });
    const config = withSources({ vehicles: { type: 'folder', path: exchange } });
    await withWarehouse(async (w) => {
      expect((await pull(w, dataDir, config)).pulled.map((p) => `${p.period}/${p.name}`)).toEqual(['2026Q3/机动车.csv']);
      expect((await pull(w, dataDir, config)).unchanged).toBe(1);
    });
  });

  it('a configuration refuses a source of an unknown kind, naming the key', () => {
    expect(() => withSources({ vehicles: { type: 'ftp', url: 'x' } as never })).toThrow(/config\.sources\.vehicles\.type: expected folder or http/);
    expect(() => withSources({ vehicles: { type: 'folder', path: '/x', control_file: 'yes' } as never })).toThrow(/config\.sources\.vehicles\.control_file: expected true or false/);
  });
});

describe('pull with control files', () => {
  it('a control_file folder source: a data file waits for its control file, then both are taken, the control file first', async () => {
    const dataDir = await makeDataDir();
    const exchange = await makeDataDir();
    await mkdir(join(exchange, '2026-10'), { recursive: true });
    await writeFile(join(exchange, '2026-10', '公积金_2026-10.csv'), GOOD);
    const config = withSources({ 'provident-fund': { type: 'folder', path: exchange, control_file: true } });
    await withWarehouse(async (w) => {
      const early = await pull(w, dataDir, config);
      expect(early).toMatchObject({ pulled: [], unchanged: 0, failed: [], waiting: [{ feed: 'provident-fund', file: '2026-10/公积金_2026-10.csv' }] });
      expect(await readdir(join(dataDir, 'inbox')).catch(() => [])).toEqual([]);

      await writeFile(join(exchange, '2026-10', '公积金_2026-10.csv.ok'), 'count=4000\n');
      const complete = await pull(w, dataDir, config);
      expect(complete.waiting).toEqual([]);
      expect(complete.pulled.map((p) => p.name)).toEqual(['公积金_2026-10.csv', '公积金_2026-10.csv.ok']);
      const inbox = join(dataDir, 'inbox/provident-fund/2026-10');
      expect((await readdir(inbox)).sort()).toEqual(['公积金_2026-10.csv', '公积金_2026-10.csv.ok']);
      expect((await stat(join(inbox, '公积金_2026-10.csv.ok'))).mtimeMs).toBeLessThanOrEqual((await stat(join(inbox, '公积金_2026-10.csv'))).mtimeMs);
      expect((await pull(w, dataDir, config)).unchanged).toBe(2);

      // a corrected control file of the same length is taken again
      await writeFile(join(exchange, '2026-10', '公积金_2026-10.csv.ok'), 'count=4001\n');
      expect((await pull(w, dataDir, config)).pulled.map((p) => p.name)).toEqual(['公积金_2026-10.csv.ok']);
      expect(await readFile(join(inbox, '公积金_2026-10.csv.ok'), 'utf8')).toBe('count=4001\n');
    });
  });

  it('a control_file HTTP source takes the complete file with its control file and leaves the other waiting', async () => {
    const dataDir = await makeDataDir();
    const config = withSources({ 'provident-fund': { type: 'http', url: `${base}/controlled.json`, control_file: true } });
    await withWarehouse(async (w) => {
      const report = await pull(w, dataDir, config);
      expect(report.pulled.map((p) => p.name)).toEqual(['a.csv', 'a.csv.ok']);
      expect(report.waiting).toEqual([{ feed: 'provident-fund', file: '2026-10/b.csv' }]);
      expect(report.failed).toEqual([]);
      expect((await readdir(join(dataDir, 'inbox/provident-fund/2026-10'))).sort()).toEqual(['a.csv', 'a.csv.ok']);
    });
  });

  it('a source without the option takes data files as before and copies their control files along, not a control file alone', async () => {
    const dataDir = await makeDataDir();
    const exchange = await makeDataDir();
    await mkdir(join(exchange, '2026Q3'), { recursive: true });
    await writeFile(join(exchange, '2026Q3', '机动车.csv'), OTHER);
    await writeFile(join(exchange, '2026Q3', '机动车.csv.chk'), '1\n');
    await writeFile(join(exchange, '2026Q3', '单独.csv'), OTHER);
    await writeFile(join(exchange, '2026Q3', '缺数据.csv.ok'), '1\n');
    const config = withSources({ vehicles: { type: 'folder', path: exchange } });
    await withWarehouse(async (w) => {
      const report = await pull(w, dataDir, config);
      expect(report.waiting).toEqual([]);
      expect(report.pulled.map((p) => p.name)).toEqual(['单独.csv', '机动车.csv', '机动车.csv.chk']);
      expect((await readdir(join(dataDir, 'inbox/vehicles/2026Q3'))).sort()).toEqual(['单独.csv', '机动车.csv', '机动车.csv.chk']);
    });
  });
});
