/**
 * The benchmark's cached fixtures: `bench/cache/<scale>-<fraction>/` (gitignored), generated once
 * with seed 1 for 2026-10 and reused while its answer-key/summary.json is there and it was made by
 * the same generator (its sources' sha256, in generator.sha256: a cache made before a feed was added
 * would silently leave the feed out of the benchmark). A generation is written to a hidden sibling
 * folder and renamed when complete, so a killed generation is never taken for a cache.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

const REPO = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** sha256 of what makes the fixtures: the generator's sources, the feeds' columns, the region config. */
async function generatorHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const dir of ['fixtures/generate', 'adapters', 'config']) {
    const files = (await readdir(join(REPO, dir), { recursive: true })).filter((f) => /\.(ts|json|sql)$/.test(f) && !f.endsWith('.test.ts')).sort();
    for (const f of files) hash.update(f).update(await readFile(join(REPO, dir, f)));
  }
  return hash.digest('hex');
}

export async function ensureFixtures(cacheDir: string, scale: Scale, fraction: number, log: (s: string) => void): Promise<CachedFixtures> {
  const name = cacheName(scale, fraction);
  const dir = join(cacheDir, name);
  const summaryPath = join(dir, 'answer-key', 'summary.json');
  const hashPath = join(dir, 'generator.sha256');
  const generator = await generatorHash();
  if (existsSync(summaryPath) && (await readFile(hashPath, 'utf8').catch(() => '')) === generator) {
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
  await writeFile(join(tmp, 'generator.sha256'), generator);
  await rename(tmp, dir);
  log(`  generated in ${generatedSeconds.toFixed(1)} s`);
  return { name, dir, fraction, summary, generatedSeconds };
}
