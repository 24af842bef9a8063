import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runHedui } from './child.ts';
import { analyseLog } from './stages.ts';
import { FEED_IDS } from '../../adapters/index.ts';

// The benchmark's per-stage table reads hedui's own log. This holds the two together on a real
// run of the tiny month: when a log message or step name changes, this fails instead of the
// benchmark silently putting the load phase's time under "rules".
const REPO = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('analyseLog on a real cold run of the tiny month', () => {
  it('puts every second of the run in exactly one phase, and each stage where it happened', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hedui-stages-'));
    dirs.push(dir);
    const dataDir = join(dir, 'data');
    await cp(join(REPO, 'fixtures', 'tiny', 'inbox'), join(dataDir, 'inbox'), { recursive: true });
    const run = await runHedui({ label: 'cold', repoDir: REPO, dataDir, outDir: dir, args: ['run', '--period', '2026-10'] });
    expect(run.exitCode, run.stderrTail).toBe(0);
    const t = analyseLog(run.log, run.spawnedAt, run.endedAt);

    expect(t.startup + t.load + t.rules + t.publish + t.end).toBeCloseTo(t.total, 2);
    for (const phase of ['startup', 'load', 'rules', 'publish'] as const) expect(t[phase], phase).toBeGreaterThan(0);
    expect(t.readCsv + t.validate + t.waitForFiles).toBeLessThanOrEqual(t.load + 1e-9);
    for (const stage of ['readCsv', 'validate', 'hash', 'decode', 'workbooks'] as const) expect(t[stage], stage).toBeGreaterThan(0);
    for (const feed of FEED_IDS) {
      // once per file the feed delivered (deaths: 公安 and 殡葬)
      const files = (await readdir(join(dataDir, 'inbox', feed), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;
      expect(t.steps.get(`${feed}:read_csv`)?.count, feed).toBe(files);
      expect(t.steps.get(`${feed}:check`)?.count, feed).toBe(files);
      expect(t.steps.get(`(decode ${feed}, background)`)?.count, feed).toBe(files);
    }
    expect(t.steps.get('(wait for roster file: hash, decode)')?.count).toBe(1);
    expect(t.rowsRead).toBeGreaterThan(0);
  });
});
