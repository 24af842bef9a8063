/**
 * The province-scale benchmark (issue 7): `make bench` = `node --import tsx scripts/bench.ts`.
 *
 *   --runs N            runs of each measurement at full size (default 3): median and min–max
 *   --scale S           province (default) or county (a quick try; writes bench/cache/RESULTS-county.md);
 *                       a number N (2 or 4): the province at 1 ×, then its scaling runs at 2 × … N × instead of ¼ and ½
 *   --memory-limit M    DuckDB's memory ceiling for every hedui run (HEDUI_MEMORY_LIMIT, e.g. 2GB); with --scale N it
 *                       defaults to 1.5GB: 4 × the province peaked at 2.13 GiB of RSS under it, 3.03 GiB under 2GB
 *   --skip-scaling      no scaling runs
 *   --scaling-runs N    runs of each scaling size (default 1)
 *   --keep              keep the run data folders (bench/cache/runs/…) instead of removing them
 *   --live              run hedui from the checkout itself instead of a copy of it taken at the start
 *
 * What it measures, for the month 2026-10 of the cached fixtures (seed 1; bench/cache/<scale>-<size>/):
 *   (a) the limit: DuckDB alone, in memory, count(*) of read_csv(all_varchar) over every input file
 *       (GBK decoded beforehand, outside the timing; the decode is reported on its own)
 *   (b) cold month: `hedui run --period 2026-10` on a fresh data folder whose inbox links the fixtures
 *   (c) warm re-run: the same command again on that folder (feeds already loaded)
 *   (d) nightly no-op: `hedui nightly` after it (nothing new; it opens the warehouse to find that out)
 *   (d′) quiet night: `hedui nightly` once more, nothing changed since (d): answered from (d)'s record
 *        without opening the warehouse (pipeline/quiet-night.ts), as on every quiet night of a cron
 *   (e) `hedui requests run` before (d): the fixtures' sample check requests answered against the month's snapshots
 * The hedui commands run from a copy of the working tree taken at the start ($TMPDIR/hedui-bench-code,
 * scripts/bench/code.ts), since others change the code in this checkout while the benchmark runs.
 * Each hedui command runs as a child process under `/usr/bin/time -v` (peak RSS) with
 * HEDUI_LOG_LEVEL=debug; the per-stage times come from its log (scripts/bench/stages.ts).
 *
 * Timings never go into `make test`: this script is not a test and asserts nothing; it writes
 * bench/RESULTS.md and prints the same table.
 */
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scale } from '../fixtures/generate/index.ts';
import { ensureFixtures, PERIOD, type CachedFixtures } from './bench/fixtures.ts';
import { duckdbVersion, measureLimit, prepareLimitFiles, removeDecoded, type LimitRun } from './bench/limit.ts';
import { runHedui, TIME_BIN, type ChildResult } from './bench/child.ts';
import { analyseLog, topSteps, type StageTimes } from './bench/stages.ts';
import { describeCode, snapshotCode } from './bench/code.ts';

/**
 * The day (China Standard Time) every measured command runs as: after the month, before any of
 * the next month's deliveries is due, so that the nightly run has nothing to do. Run on the real
 * day, the nightly began to report roster 2026-11 past due (exit 3) from 2026-12-05 on.
 */
const DAY = '2026-12-01';

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const CACHE = join(REPO, 'bench', 'cache');
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

// ---------------------------------------------------------------- options

interface Options {
  runs: number;
  scale: Scale;
  /** the scaling sizes, as fractions of the scale (¼ and ½ by default; 2 × … N × with --scale N) */
  sizes: number[];
  memoryLimit?: string;
  skipScaling: boolean;
  scalingRuns: number;
  keep: boolean;
  live: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 3, scale: 'province', sizes: [0.25, 0.5], skipScaling: false, scalingRuns: 1, keep: false, live: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--runs') o.runs = Number(value());
    else if (a === '--scale') {
      const v = value();
      const times = Number(v);
      if (Number.isInteger(times) && times >= 2) {
        // 2 × … N × in doublings: the sizes whose times must grow linearly from 1 ×
        o.sizes = [];
        for (let f = 2; f <= times; f *= 2) o.sizes.push(f);
        if (o.sizes.at(-1) !== times) o.sizes.push(times);
        o.memoryLimit ??= '1.5GB';
      } else o.scale = v as Scale;
    } else if (a === '--memory-limit') o.memoryLimit = value();
    else if (a === '--skip-scaling') o.skipScaling = true;
    else if (a === '--scaling-runs') o.scalingRuns = Number(value());
    else if (a === '--keep') o.keep = true;
    else if (a === '--live') o.live = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(readHelp());
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs must be a positive integer');
  if (!Number.isInteger(o.scalingRuns) || o.scalingRuns < 1) throw new Error('--scaling-runs must be a positive integer');
  if (o.scale !== 'province' && o.scale !== 'county') throw new Error('--scale must be province or county');
  return o;
}

function readHelp(): string {
  return 'usage: node --import tsx scripts/bench.ts [--runs N] [--scale province|county|N] [--memory-limit M] [--skip-scaling] [--scaling-runs N] [--keep] [--live]\n';
}

// ---------------------------------------------------------------- small helpers

const log = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}

function stat(values: number[]): Stat | undefined {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

const sec = (x: number | undefined) => (x === undefined ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const fmtStat = (s: Stat | undefined, f: (x: number) => string = (x) => `${sec(x)} s`) =>
  s === undefined ? ['—', '—', '0'] : [f(s.median), s.n > 1 ? `${f(s.min)} – ${f(s.max)}` : '(1 run)', String(s.n)];
const mib = (b: number) => `${Math.round(b / MiB)} MiB`;
const gib = (b: number) => `${(b / GiB).toFixed(2)} GiB`;
const int = (n: number) => Math.round(n).toLocaleString('en-US').replace(/,/g, ' ');

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const e of await readdir(from, { withFileTypes: true })) {
    const src = join(from, e.name);
    const dst = join(to, e.name);
    if (e.isDirectory()) await linkTree(src, dst);
    else if (e.isFile()) await link(src, dst).catch(() => copyFile(src, dst)); // hard link; copy across devices
  }
}

const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');

// ---------------------------------------------------------------- one size: limit and month runs

interface MonthRun {
  index: number;
  loadavgAtStart: number;
  cold: ChildResult;
  coldStages: StageTimes;
  warm?: ChildResult;
  warmStages?: StageTimes;
  nightly?: ChildResult;
  nightlyStages?: StageTimes;
  /** (d′) the next nightly run, nothing changed since (d) */
  quiet?: ChildResult;
  /** `hedui requests run`: the sample's check requests answered against the month's snapshots */
  requests?: ChildResult;
}

interface SizeResult {
  fixtures: CachedFixtures;
  inputBytes: number;
  inputRows: number;
  limitRuns: LimitRun[];
  decodes: { feed: string; bytes: number; seconds: number }[];
  limitSkipped: string[];
  months: MonthRun[];
}

async function measureSize(fx: CachedFixtures, runs: number, withWarm: boolean, opts: Options, codeDir: string): Promise<SizeResult> {
  const files = fx.summary.files;
  const result: SizeResult = {
    fixtures: fx,
    inputBytes: files.reduce((a, f) => a + f.bytes, 0),
    inputRows: files.reduce((a, f) => a + f.data_rows, 0),
    limitRuns: [],
    decodes: [],
    limitSkipped: [],
    months: [],
  };
  const tmp = join(CACHE, 'tmp');
  await mkdir(tmp, { recursive: true });
  for (let i = 1; i <= runs; i++) {
    // (a) the limit — the GBK decode is redone each run (timed on its own, outside the limit)
    log(`${fx.name} run ${i}/${runs}: limit (decode, then DuckDB count(*) and read into a table)`);
    const prepared = await prepareLimitFiles(fx.dir, files, tmp);
    // one figure per run: a month may hold several GBK files (deaths' 殡葬 delivery beside the roster)
    if (prepared.decodes.length) result.decodes.push({
      feed: prepared.decodes.map((d) => d.feed).join(' + '),
      bytes: prepared.decodes.reduce((a, d) => a + d.bytes, 0),
      seconds: prepared.decodes.reduce((a, d) => a + d.seconds, 0),
    });
    result.limitSkipped = prepared.skipped;
    const limit = await measureLimit(prepared.files);
    await removeDecoded(prepared.decodes);
    result.limitRuns.push(limit);
    log(`  limit count(*) ${sec(limit.countTotal)} s, into tables ${sec(limit.tableTotal)} s${limit.rowsMismatch.length ? `; ${limit.rowsMismatch.join('; ')}` : ''}`);

    // (b) cold month on a fresh data folder whose inbox hard-links the fixtures
    const runDir = join(CACHE, 'runs', `${fx.name}-${i}`);
    const dataDir = join(runDir, 'data');
    await rm(runDir, { recursive: true, force: true });
    await linkTree(join(fx.dir, 'inbox'), join(dataDir, 'inbox'));
    const loadavgAtStart = os.loadavg()[0];
    log(`${fx.name} run ${i}/${runs}: cold month (load average ${loadavg()})`);
    const common = { repoDir: codeDir, dataDir, outDir: runDir, env: opts.memoryLimit ? { HEDUI_MEMORY_LIMIT: opts.memoryLimit } : undefined };
    const cold = await runHedui({ ...common, label: 'cold', args: ['run', '--period', PERIOD, '--today', DAY] });
    const run: MonthRun = { index: i, loadavgAtStart, cold, coldStages: analyseLog(cold.log, cold.spawnedAt, cold.endedAt) };
    log(`  cold ${sec(cold.seconds)} s, exit ${cold.exitCode}, peak RSS ${cold.peakRss === null ? '?' : mib(cold.peakRss)}`);
    if (cold.exitCode !== 0) log(`  cold run failed:\n${cold.stderrTail}`);
    if (withWarm) {
      // (c) warm re-run, (d) nightly no-op
      const warm = await runHedui({ ...common, label: 'warm', args: ['run', '--period', PERIOD, '--today', DAY] });
      run.warm = warm;
      run.warmStages = analyseLog(warm.log, warm.spawnedAt, warm.endedAt);
      log(`  warm ${sec(warm.seconds)} s, exit ${warm.exitCode}, peak RSS ${warm.peakRss === null ? '?' : mib(warm.peakRss)}`);
      if (warm.exitCode !== 0) log(`  warm run failed:\n${warm.stderrTail}`);
      // (e) the fixtures' check requests, answered before the nightly, which then has nothing new
      const requests = await runHedui({ ...common, label: 'requests', args: ['requests', 'run', '--today', DAY] });
      run.requests = requests;
      log(`  requests ${sec(requests.seconds)} s, exit ${requests.exitCode}, peak RSS ${requests.peakRss === null ? '?' : mib(requests.peakRss)}`);
      if (requests.exitCode !== 0) log(`  requests run failed:\n${requests.stderrTail}`);
      const nightly = await runHedui({ ...common, label: 'nightly', args: ['nightly', '--today', DAY] });
      run.nightly = nightly;
      run.nightlyStages = analyseLog(nightly.log, nightly.spawnedAt, nightly.endedAt);
      log(`  nightly ${sec(nightly.seconds)} s, exit ${nightly.exitCode}, peak RSS ${nightly.peakRss === null ? '?' : mib(nightly.peakRss)}`);
      if (nightly.exitCode !== 0) log(`  nightly failed:\n${nightly.stderrTail}`);
      const quiet = await runHedui({ ...common, label: 'quiet', args: ['nightly', '--today', DAY] });
      run.quiet = quiet;
      log(`  quiet night ${sec(quiet.seconds)} s, exit ${quiet.exitCode}, peak RSS ${quiet.peakRss === null ? '?' : mib(quiet.peakRss)}`);
      if (quiet.exitCode !== 0) log(`  quiet night failed:\n${quiet.stderrTail}`);
    }
    // keep the logs and child outputs; drop the warehouse, the inbox links and the published month
    await writeFile(join(runDir, 'cold.log.jsonl'), cold.log.map((l) => JSON.stringify(l)).join('\n') + '\n');
    if (!opts.keep) await rm(dataDir, { recursive: true, force: true });
    result.months.push(run);
  }
  return result;
}

// ---------------------------------------------------------------- report

interface Env {
  date: string;
  cores: number;
  memory: number;
  cpu: string;
  node: string;
  duckdb: string;
  nodeApi: string;
  loadStart: string;
  loadEnd?: string;
  commit: string;
  dirty: string[];
  codeRun: string;
  rssSource: string;
}

function okMark(ok: boolean | undefined): string {
  return ok === undefined ? 'n/a' : ok ? 'PASS' : 'FAIL';
}

function report(env: Env, opts: Options, main: SizeResult, scaling: SizeResult[], generated: string[]): string {
  const m = main;
  const limitCount = stat(m.limitRuns.map((r) => r.countTotal));
  const limitTable = stat(m.limitRuns.map((r) => r.tableTotal));
  const decode = stat(m.decodes.map((d) => d.seconds));
  const decodeBytes = m.decodes[0]?.bytes ?? 0;
  const okRuns = m.months.filter((r) => r.cold.exitCode === 0);
  const cold = stat(okRuns.map((r) => r.cold.seconds));
  const warm = stat(m.months.filter((r) => r.warm?.exitCode === 0).map((r) => r.warm!.seconds));
  const nightly = stat(m.months.filter((r) => r.nightly?.exitCode === 0).map((r) => r.nightly!.seconds));
  const quiet = stat(m.months.filter((r) => r.quiet?.exitCode === 0).map((r) => r.quiet!.seconds));
  const requests = stat(m.months.filter((r) => r.requests?.exitCode === 0).map((r) => r.requests!.seconds));
  // peak RSS of runs that finished (a run that failed at startup says nothing about memory)
  const rssOf = (c: ChildResult | undefined) => (c && c.exitCode === 0 ? (c.peakRss ?? NaN) : NaN);
  const rssCold = stat(m.months.map((r) => rssOf(r.cold)));
  const rssWarm = stat(m.months.map((r) => rssOf(r.warm)));
  const rssNightly = stat(m.months.map((r) => rssOf(r.nightly)));
  const rowsRead = okRuns[0]?.coldStages.rowsRead ?? 0;
  const rowsPerSec = stat(okRuns.map((r) => r.coldStages.rowsRead / r.cold.seconds));
  const ratio = cold && limitCount ? cold.median / limitCount.median : undefined;
  const ratioTable = cold && limitTable ? cold.median / limitTable.median : undefined;
  const st = (f: (s: StageTimes) => number) => stat(okRuns.map((r) => f(r.coldStages)));
  const peakAll = Math.max(...[m, ...scaling].flatMap((s) => s.months.flatMap((r) => [r.cold.peakRss ?? 0, r.warm?.peakRss ?? 0, r.nightly?.peakRss ?? 0])));

  const out: string[] = [];
  out.push(`# hedui benchmark — ${opts.scale} month ${PERIOD}`);
  out.push('');
  out.push('Written by `make bench` (`node --import tsx scripts/bench.ts`); do not edit by hand. Not part of `make test`.');
  out.push('');
  out.push(table(['machine and run', ''], [
    ['date', env.date],
    ['cores (`os.availableParallelism()`)', String(env.cores)],
    ['memory (`os.totalmem()`)', gib(env.memory)],
    ['cpu', env.cpu],
    ['load average 1/5/15 min at start', env.loadStart],
    ['load average 1/5/15 min at end', env.loadEnd ?? '—'],
    ['Node', env.node],
    ['DuckDB', `${env.duckdb} (@duckdb/node-api ${env.nodeApi})`],
    ['code', `${env.commit}${env.dirty.length ? ` + uncommitted changes in ${env.dirty.length} file(s): ${env.dirty.slice(0, 12).join(', ')}${env.dirty.length > 12 ? ', …' : ''}` : ''}`],
    ['hedui ran from', env.codeRun],
    ['fixtures', `${m.fixtures.name}: seed 1, ${PERIOD}, ${m.fixtures.summary.files.length} input files, ${int(m.inputRows)} data rows, ${mib(m.inputBytes)}${generated.length ? `; generated in this run: ${generated.join(', ')}` : ' (cached)'}`],
    ['runs', `${opts.runs} at full size${opts.skipScaling ? '; scaling skipped' : `; ${opts.scalingRuns} per scaling size`}`],
    ['DuckDB memory limit (HEDUI_MEMORY_LIMIT)', opts.memoryLimit ?? "none set (DuckDB's default, 80% of memory)"],
    ['peak RSS from', env.rssSource],
  ]));
  out.push('');
  out.push('## Figures');
  out.push('');
  out.push(table(['measure', 'median', 'min – max', 'runs'], [
    ['(a) limit: DuckDB reading every input file into tables (in memory, all_varchar)', ...fmtStat(limitTable)],
    ['    count(*) over the same files (information: no values built)', ...fmtStat(limitCount)],
    [`    GBK decode, iconv-lite streamed (${mib(decodeBytes)}; outside the limit)`, ...fmtStat(decode)],
    ['    GBK decode throughput', ...fmtStat(stat(m.decodes.map((d) => d.bytes / MiB / d.seconds)), (x) => `${x.toFixed(0)} MiB/s`)],
    ['(b) cold month `hedui run`', ...fmtStat(cold)],
    ['(c) warm re-run `hedui run` (feeds loaded)', ...fmtStat(warm)],
    ['(d) nightly no-op `hedui nightly` (first with nothing new: opens the warehouse)', ...fmtStat(nightly)],
    ["(d′) quiet night: `hedui nightly` again, nothing changed since (d) (answered from (d)'s record)", ...fmtStat(quiet)],
    ["(e) check requests `hedui requests run` (the fixtures' sample requests, after (c))", ...fmtStat(requests)],
    ['peak RSS, cold', ...fmtStat(rssCold, mib)],
    ['peak RSS, warm', ...fmtStat(rssWarm, mib)],
    ['peak RSS, nightly', ...fmtStat(rssNightly, mib)],
    [`rows read (cold; ${int(rowsRead)}) per second of cold wall time`, ...fmtStat(rowsPerSec, (x) => `${int(x)} rows/s`)],
    ['ratio (b) / limit read into tables', ratioTable === undefined ? '—' : `${ratioTable.toFixed(1)} ×`, '', ''],
    ['ratio (b) / count(*) (information)', ratio === undefined ? '—' : `${ratio.toFixed(1)} ×`, '', ''],
    ['load average (1 min) at the start of each cold run', m.months.map((r) => r.loadavgAtStart.toFixed(2)).join(', '), '', ''],
  ]));
  out.push('');
  out.push('### By stage (from the debug log; medians, cold min – max)');
  out.push('');
  const okWarm = m.months.filter((r) => r.warm?.exitCode === 0).map((r) => r.warmStages!);
  const okNightly = m.months.filter((r) => r.nightly?.exitCode === 0).map((r) => r.nightlyStages!);
  const stageRow = (label: string, f: (s: StageTimes) => number, what: string) => {
    const c = st(f);
    return [label, sec(c?.median), c && c.n > 1 ? `${sec(c.min)} – ${sec(c.max)}` : '', sec(stat(okWarm.map(f))?.median), sec(stat(okNightly.map(f))?.median), what];
  };
  out.push(table(['stage', 'cold s', 'cold min – max', 'warm s', 'nightly s', 'what'], [
    stageRow('startup', (s) => s.startup, "spawn → 'loading inbox': node, imports (compiled dist/), lock, warehouse open, macros, schema"),
    stageRow('  sha256 (background)', (s) => s.hash, "hashing new inbox files, overlapping DuckDB's work (debug 'hashed')"),
    stageRow('  decode (background)', (s) => s.decode, "GBK → UTF-8 (system iconv), xlsx → CSV, header reads, overlapping DuckDB's work (debug 'decoded')"),
    stageRow('  wait for files', (s) => s.waitForFiles, "the load phase idle before a file's 'file ready', waiting for its background hash/decode"),
    stageRow('  read_csv', (s) => s.readCsv, '`<feed>:read_csv` into a temp table, with each row\'s hash for the duplicates check (compare with the limit)'),
    stageRow('  validate', (s) => s.validate, '`<feed>:check` (every ID, date, amount and code, duplicates; every row to Parquet in the same pass) + `:count`, `:typed`, `:counts`'),
    stageRow('load (all)', (s) => s.load, "'loading inbox' → 'inbox loaded': the above, quarantine inserts, bookkeeping"),
    stageRow('rules', (s) => s.rules, "'inbox loaded' → 'matched': snapshots, gates, households, `rule:*`, `flags:*`"),
    stageRow('workbooks', (s) => s.workbooks, "'matched' → 'published' minus publish SQL: row reads (`pub:*`) and exceljs in 2 workers"),
    stageRow('publish SQL', (s) => s.publishSql, '`publish:*`, `snapshot:*`, `manifest:*` inside the publish phase'),
    stageRow('publish (all)', (s) => s.publish, "'matched' → 'published'"),
    stageRow('end', (s) => s.end, 'run history, `checkpoint` (of which below), close, exit'),
    stageRow('  checkpoint', (s) => s.checkpoint, 'DuckDB checkpoint of the warehouse file'),
    stageRow('total', (s) => s.total, 'spawn → exit'),
  ]));
  out.push('');

  // per feed: limit vs pipeline
  const lastOk = okRuns[Math.floor(okRuns.length / 2)] ?? m.months[0];
  // one row per feed, its files summed (deaths delivers two)
  const feeds = [...new Set(m.fixtures.summary.files.map((f) => f.feed))];
  const stepMs = (name: string) => stat(okRuns.map((r) => (r.coldStages.steps.get(name)?.ms ?? NaN) / 1000));
  out.push('### Per input file: the limit against the pipeline (cold, medians)');
  out.push('');
  out.push(table(['feed', 'MiB', 'rows', 'limit count(*)', 'limit into table', 'decode (background)', '`read_csv`', '`check` (+ Parquet)', '`quarantine`'], feeds.map((feed) => {
    const files = m.fixtures.summary.files.filter((x) => x.feed === feed);
    return [
      `${feed} (${[...new Set(files.map((f) => `${f.format}, ${f.encoding ?? 'xlsx'}`))].join('; ')})`,
      String(Math.round(files.reduce((n, f) => n + f.bytes, 0) / MiB)),
      int(files.reduce((n, f) => n + f.data_rows, 0)),
      `${sec(stat(m.limitRuns.map((r) => r.count[feed] ?? NaN))?.median)} s`,
      `${sec(stat(m.limitRuns.map((r) => r.table[feed] ?? NaN))?.median)} s`,
      `${sec(stepMs(`(decode ${feed}, background)`)?.median)} s`,
      `${sec(stepMs(`${feed}:read_csv`)?.median)} s`,
      `${sec(stepMs(`${feed}:check`)?.median)} s`,
      `${sec(stepMs(`${feed}:quarantine`)?.median)} s`,
    ];
  })));
  if (m.limitSkipped.length) out.push('', `Not in the limit (DuckDB reads CSV only): ${m.limitSkipped.join(', ')}.`);
  const mismatches = [...new Set(m.limitRuns.flatMap((r) => r.rowsMismatch))];
  if (mismatches.length) out.push('', `Row counts: ${mismatches.join('; ')}.`);
  out.push('');

  if (lastOk) {
    out.push(`### Top steps of cold run ${lastOk.index} (SQL steps by name, JS gaps in parentheses)`);
    out.push('');
    out.push(table(['step', 's', 'calls', 'rows'], topSteps(lastOk.coldStages, 20).map((s) => [s.step, (s.ms / 1000).toFixed(2), String(s.count), s.rows ? int(s.rows) : ''])));
    out.push('');
  }

  // scaling
  const sizes = [...scaling, m].sort((a, b) => a.fixtures.fraction - b.fixtures.fraction);
  if (sizes.length > 1) {
    const one = stat(m.months.filter((r) => r.cold.exitCode === 0).map((r) => r.cold.seconds));
    out.push(`## Scaling: the cold month at ${sizes.map((s) => `${s.fixtures.fraction} ×`).join(', ')} size`);
    out.push('');
    out.push('Linear growth means the same rows/s and a cold month of size × the 1 × month (column "vs linear").');
    out.push('');
    out.push(table(['size', 'input', 'rows', 'limit into tables', 'cold month', 'vs linear', 'cold / limit', 'rows/s', 'peak RSS', 'runs'], sizes.map((s) => {
      const okCold = s.months.filter((r) => r.cold.exitCode === 0);
      const c = stat(okCold.map((r) => r.cold.seconds));
      const l = stat(s.limitRuns.map((r) => r.tableTotal));
      const rss = stat(s.months.map((r) => r.cold.peakRss ?? NaN));
      const rows = okCold[0]?.coldStages.rowsRead ?? s.inputRows;
      return [
        `${s.fixtures.fraction} × (${s.fixtures.name})`,
        mib(s.inputBytes),
        int(s.inputRows),
        `${sec(l?.median)} s`,
        c ? `${sec(c.median)} s${c.n > 1 ? ` (${sec(c.min)} – ${sec(c.max)})` : ''}` : `failed (exit ${s.months[0]?.cold.exitCode})`,
        c && one ? `${(c.median / (one.median * s.fixtures.fraction)).toFixed(2)} ×` : '—',
        c && l ? `${(c.median / l.median).toFixed(1)} ×` : '—',
        c ? int(rows / c.median) : '—',
        rss ? mib(rss.median) : '—',
        String(s.months.length),
      ];
    })));
    out.push('');
  }

  // targets
  const isProvince = opts.scale === 'province';
  out.push(`## Targets${isProvince ? '' : ' (set for province size; shown for information)'}`);
  out.push('');
  out.push(table(['target', 'measured (median)', 'result'], [
    ['cold month ≤ 4 × the limit read into tables (issue 18)', ratioTable === undefined ? '—' : `${ratioTable.toFixed(1)} × (${sec(cold?.median)} s vs ${sec(limitTable?.median)} s)`, okMark(ratioTable === undefined ? undefined : ratioTable <= 4)],
    ['cold month < 45 s', `${sec(cold?.median)} s`, okMark(cold && cold.median < 45)],
    ['warm re-run < 15 s', `${sec(warm?.median)} s`, okMark(warm && warm.median < 15)],
    ['nightly no-op ≤ 0.4 s (issue 18): a night with nothing changed since the last (d′)', `${sec(quiet?.median)} s (the first such night (d): ${sec(nightly?.median)} s)`, okMark(quiet && quiet.median <= 0.4)],
    ['peak RSS ≤ 3 GiB (every run, scaling runs too)', peakAll ? gib(peakAll) : '—', okMark(peakAll ? peakAll <= 3 * GiB : undefined)],
  ]));
  const failed = m.months.flatMap((r) => [r.cold, r.warm, r.nightly, r.quiet]).filter((c): c is ChildResult => !!c && c.exitCode !== 0);
  for (const s of scaling) failed.push(...s.months.map((r) => r.cold).filter((c) => c.exitCode !== 0));
  if (failed.length) {
    out.push('', `Failed runs (left out of the medians): ${failed.map((c) => `${relative(REPO, dirname(c.stdoutPath))}/${c.label} exit ${c.exitCode}`).join('; ')}.`);
  }
  out.push('');
  out.push('Notes:');
  out.push('');
  out.push('- Times are wall clock of the child process as seen by the bench (spawn → exit), so they include node\'s start and the imports of the compiled program (dist/).');
  out.push('- The limit is an in-memory DuckDB reading every input file into tables with every column VARCHAR (issue 18): the figure DESIGN.md quotes (250–330 MB/s). ' +
    '`count(*)` over the same files lets DuckDB skip building the column values, so it is far below what any load can reach, and is given for information. ' +
    'The pipeline also writes a persistent warehouse (DESIGN.md: ~4× slower than memory).');
  out.push('- The load average at the start of a cold run includes the bench\'s own previous step (the limit); ' +
    'other engineers\' processes on this 2-core machine inflate every figure — compare the min – max spreads.');
  out.push('- Per-stage figures come from the debug log: SQL steps by their logged `ms`; the gaps between steps are JS work ' +
    '(waiting for background hashing and decoding before \'file ready\', workbooks between \'matched\' and \'published\'); ' +
    'phases follow hedui\'s info messages \'loading inbox\', \'inbox loaded\', \'matched\', \'published\'.');
  out.push('- How to run: `make bench` (`--runs N`, `--skip-scaling`, `--scaling-runs N`, `--scale county` for a quick try, `--keep`, `--live`); ' +
    '`make bench BENCH="--scale 4"` adds the 2 × and 4 × province under a 1.5GB DuckDB memory limit (`--memory-limit M` to change it). ' +
    'Logs of every run stay in `bench/cache/runs/<size>-<run>/` (cold.log.jsonl, *.stdout, *.stderr, *.time).');
  out.push('');
  return out.join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const env: Env = {
    date: new Date().toISOString().replace('T', ' ').slice(0, 19) + ' UTC',
    cores: os.availableParallelism(),
    memory: os.totalmem(),
    cpu: `${os.cpus()[0]?.model ?? '?'}`,
    node: process.version,
    duckdb: await duckdbVersion(),
    nodeApi: (JSON.parse(await readFile(join(REPO, 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8')) as { version: string }).version,
    loadStart: loadavg(),
    commit: '',
    dirty: [],
    codeRun: '',
    rssSource: existsSync(TIME_BIN) ? '`/usr/bin/time -v` "Maximum resident set size" of the hedui process' : 'unavailable: /usr/bin/time is missing (apt-get install -y time)',
  };
  log(`${env.cores} cores, ${gib(env.memory)}, node ${env.node}, duckdb ${env.duckdb}, load average ${env.loadStart}`);
  await mkdir(CACHE, { recursive: true });

  const generated: string[] = [];
  const noteGen = (fx: CachedFixtures) => {
    if (fx.generatedSeconds !== undefined) generated.push(`${fx.name} ${fx.generatedSeconds.toFixed(0)} s`);
    return fx;
  };
  const mainFx = noteGen(await ensureFixtures(CACHE, opts.scale, 1, log));
  const scalingFx: CachedFixtures[] = [];
  if (!opts.skipScaling) for (const f of opts.sizes) scalingFx.push(noteGen(await ensureFixtures(CACHE, opts.scale, f, log)));

  // the code under test: frozen at this point (after the fixtures, which take minutes when missing)
  let codeDir = REPO;
  if (opts.live) {
    Object.assign(env, describeCode(REPO));
    env.codeRun = 'the checkout itself (--live): the code may change between runs';
  } else {
    const snap = await snapshotCode(REPO, join(os.tmpdir(), 'hedui-bench-code'));
    codeDir = snap.dir;
    Object.assign(env, { commit: snap.commit, dirty: snap.dirty });
    env.codeRun = `a copy of the working tree taken at ${new Date().toISOString().slice(11, 19)} UTC (${snap.files} files, ${snap.dir})`;
  }
  log(`code ${env.commit}${env.dirty.length ? ` + ${env.dirty.length} uncommitted file(s)` : ''}; running from ${codeDir}`);

  const main = await measureSize(mainFx, opts.runs, true, opts, codeDir);
  const scaling: SizeResult[] = [];
  for (const fx of scalingFx) scaling.push(await measureSize(fx, opts.scalingRuns, false, opts, codeDir));
  env.loadEnd = loadavg();

  const text = report(env, opts, main, scaling, generated);
  const resultsPath = opts.scale === 'province' ? join(REPO, 'bench', 'RESULTS.md') : join(CACHE, `RESULTS-${opts.scale}.md`);
  await writeFile(resultsPath, text);
  await writeFile(join(CACHE, `last-${opts.scale}.json`), JSON.stringify({ env, opts, main, scaling }, (k, v) => (v instanceof Map ? Object.fromEntries(v) : k === 'log' ? undefined : v), 2));
  process.stdout.write(text + '\n');
  log(`written to ${relative(REPO, resultsPath)}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
