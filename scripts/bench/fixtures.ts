/**
 * The benchmark's cached fixtures: `bench/cache/<scale>-<fraction>/` (gitignored), generated once
 * with seed 1 for 2026-10 and reused while its answer-key/summary.json is there. A generation is
 * written to a hidden sibling folder and renamed when complete, so a killed generation is never
 * taken for a cache.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generateFixtures, type FixtureSummary, type Scale } from '../../fixtures/generate/index.ts';

export const SEED = 1;
export const PERIOD = '2026-10';

export interface CachedFixtures {
  name: string;
  dir: string;
  fraction: number;
  summary: FixtureSummary;
  /** seconds spent generating now (undefined: taken from the cache) */
  generatedSeconds?: number;
}

export const cacheName = (scale: Scale, fraction: number) => `${scale}-${fraction.toFixed(2)}`;

export async function ensureFixtures(cacheDir: string, scale: Scale, fraction: number, log: (s: string) => void): Promise<CachedFixtures> {
  const name = cacheName(scale, fraction);
  const dir = join(cacheDir, name);
  const summaryPath = join(dir, 'answer-key', 'summary.json');
  if (existsSync(summaryPath)) {
    return { name, dir, fraction, summary: JSON.parse(await readFile(summaryPath, 'utf8')) as FixtureSummary };
  }
  const tmp = join(cacheDir, `.${name}.tmp`);
  await rm(tmp, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
  log(`generating fixtures ${name} (seed ${SEED}, ${PERIOD}) — a province takes about 1 min, 4 × about 4 min …`);
  const t0 = performance.now();
  // fraction 1 is the scale itself: no fraction passed, so the files are the scale's own bytes
  const summary = await generateFixtures({ scale, seed: SEED, period: PERIOD, out: tmp, fraction: fraction === 1 ? undefined : fraction });
  const generatedSeconds = (performance.now() - t0) / 1000;
  await rename(tmp, dir);
  log(`  generated in ${generatedSeconds.toFixed(1)} s`);
  return { name, dir, fraction, summary, generatedSeconds };
}
