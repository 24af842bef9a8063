import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withWarehouse } from './warehouse.ts';
import { pull } from './pull.ts';
import { loadConfig, validateConfig, type Config } from '../config/config.ts';
import { makeDataDir } from '../adapters/common/test-support.ts';

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
    } else if (req.url === '/files/good.csv') res.end(GOOD);
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
  });
});
