/**
 * The limit: DuckDB alone reading every input file of the month, in memory, every column VARCHAR.
 *
 * This is a measuring tool, not the product: the rule "only pipeline/warehouse.ts runs SQL" holds
 * for hedui itself; the benchmark talks to @duckdb/node-api directly so that the figure owes
 * nothing to the warehouse's code (logging, parameters, persistence).
 *
 * GBK files are decoded once to a temporary UTF-8 file outside the timing (iconv-lite, streamed,
 * gb18030 as the pipeline does); the decode is timed on its own.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { DuckDBInstance } from '@duckdb/node-api';
import type { FileSummary } from '../../fixtures/generate/types.ts';

export interface LimitFile {
  feed: string;
  /** the file DuckDB reads (the decoded copy for GBK) */
  csvPath: string;
  bytes: number;
  dataRows: number;
  encoding: string | null;
}

export interface DecodeResult {
  feed: string;
  bytes: number;
  seconds: number;
  csvPath: string;
}

/** iconv-lite, streamed, GB18030 → UTF-8 into `outPath` (the pipeline's own decode path). */
export async function decodeGbk(path: string, outPath: string): Promise<number> {
  const t0 = performance.now();
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), iconv.decodeStream('gb18030'), iconv.encodeStream('utf8'), createWriteStream(outPath));
  return (performance.now() - t0) / 1000;
}

/** The month's CSV inputs, GBK ones decoded (once, timed) into `tmpDir`; xlsx files are left out (DuckDB reads CSV). */
export async function prepareLimitFiles(fixturesDir: string, files: FileSummary[], tmpDir: string): Promise<{ files: LimitFile[]; decodes: DecodeResult[]; skipped: string[] }> {
  const out: LimitFile[] = [];
  const decodes: DecodeResult[] = [];
  const skipped: string[] = [];
  for (const [i, f] of files.entries()) {
    const path = join(fixturesDir, f.path);
    if (f.format !== 'csv') {
      skipped.push(`${f.feed} (${f.format})`);
      continue;
    }
    let csvPath = path;
    if (f.encoding === 'gbk') {
      // by index: a feed may deliver several files (deaths: 公安 and 殡葬)
      csvPath = join(tmpDir, `${i}-${f.feed}.utf8.csv`);
      const seconds = await decodeGbk(path, csvPath);
      decodes.push({ feed: f.feed, bytes: f.bytes, seconds, csvPath });
    }
    out.push({ feed: f.feed, csvPath, bytes: f.bytes, dataRows: f.data_rows, encoding: f.encoding });
  }
  return { files: out, decodes, skipped };
}

export async function removeDecoded(decodes: DecodeResult[]): Promise<void> {
  for (const d of decodes) await rm(d.csvPath, { force: true });
}

export interface LimitRun {
  /** seconds per feed, count(*) */
  count: Record<string, number>;
  countTotal: number;
  /** seconds per feed, create temp table as select * (information: what materialising costs) */
  table: Record<string, number>;
  tableTotal: number;
  rows: number;
  rowsMismatch: string[];
}

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
const readCsv = (path: string) =>
  `read_csv(${literal(path)}, all_varchar = true, header = true, delim = ',', quote = '"', escape = '"', strict_mode = true, null_padding = false)`;

/** One run: a fresh in-memory DuckDB, count(*) over every file, then each file into a temp table. */
export async function measureLimit(files: LimitFile[]): Promise<LimitRun> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const run: LimitRun = { count: {}, countTotal: 0, table: {}, tableTotal: 0, rows: 0, rowsMismatch: [] };
  try {
    for (const f of files) {
      const t0 = performance.now();
      const reader = await connection.runAndReadAll(`select count(*)::bigint as n from ${readCsv(f.csvPath)}`);
      const seconds = (performance.now() - t0) / 1000;
      const n = Number(reader.getRows()[0]?.[0] ?? -1);
      run.count[f.feed] = (run.count[f.feed] ?? 0) + seconds;
      run.countTotal += seconds;
      run.rows += n;
      if (n !== f.dataRows) run.rowsMismatch.push(`${f.feed}: DuckDB counted ${n}, the generator wrote ${f.dataRows}`);
    }
    for (const f of files) {
      const t0 = performance.now();
      await connection.run(`create or replace temp table limit_t as select * from ${readCsv(f.csvPath)}`);
      const seconds = (performance.now() - t0) / 1000;
      await connection.run('drop table limit_t');
      run.table[f.feed] = (run.table[f.feed] ?? 0) + seconds;
      run.tableTotal += seconds;
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return run;
}

export async function duckdbVersion(): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll('select version()');
    return String(reader.getRows()[0]?.[0]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
