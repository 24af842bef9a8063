/**
 * Benchmark of the workbook writers (not a test: no assertions, figures to the console).
 *
 *   node --import tsx pipeline/publish/bench-workbooks.ts big     # one county: 50 000 households, 80 000 flags
 *   node --import tsx pipeline/publish/bench-workbooks.ts many    # 100 counties × 2 000 households: sequential vs pool
 *
 * Run each mode in its own process: peak RSS (maxRSS) is per process and never goes down.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCountyWorkbook } from './county-workbook.ts';
import { syntheticCountyData } from './test-data.ts';
import { writeCountyWorkbooks } from './workbook-pool.ts';

const mb = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MB`;
const peak = (): string => mb(process.resourceUsage().maxRSS * 1024);
const seconds = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(2)} s`;

const mode = process.argv[2] ?? 'big';
const dir = await mkdtemp(join(tmpdir(), 'hedui-bench-'));

if (mode === 'big') {
  let t = performance.now();
  const data = syntheticCountyData('150102', 50_000, 80_000, 1_000);
  console.log(`data built in ${seconds(t)}; rss ${mb(process.memoryUsage().rss)}, peak ${peak()}`);
  t = performance.now();
  const result = await writeCountyWorkbook(join(dir, 'big.xlsx'), data);
  console.log(`big workbook ${JSON.stringify(result.rows)} written in ${seconds(t)}; peak rss ${peak()}`);
} else {
  const counties = Array.from({ length: Number(process.argv[3] ?? 100) }, (_, i) => String(150000 + i));
  const households = Number(process.argv[4] ?? 2_000);
  const flags = Math.round(households * 1.6);
  let t = performance.now();
  for (const code of counties) syntheticCountyData(code, households, flags);
  const build = performance.now() - t;
  console.log(`building ${counties.length} datasets alone: ${seconds(t)}`);
  if (mode !== 'pool') {
    t = performance.now();
    for (const code of counties) await writeCountyWorkbook(join(dir, `seq-${code}.xlsx`), syntheticCountyData(code, households, flags));
    console.log(`sequential: ${seconds(t)} (writing ≈ ${((performance.now() - t - build) / 1000).toFixed(2)} s); peak rss ${peak()}`);
  }
  if (mode !== 'seq') {
    t = performance.now();
    const outcomes = await writeCountyWorkbooks(
      (function* () {
        for (const code of counties) yield { path: join(dir, `pool-${code}.xlsx`), data: syntheticCountyData(code, households, flags) };
      })(),
    );
    const failed = outcomes.filter((o) => !o.ok).length;
    console.log(`pool (2 workers): ${seconds(t)}; ${failed} failed; peak rss ${peak()}`);
  }
}
await rm(dir, { recursive: true, force: true });
