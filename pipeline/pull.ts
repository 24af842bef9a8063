/**
 * Pull: fetch new department files into `inbox/<feed>/<period>/` from where departments put them —
 * a local or mounted exchange folder (前置机) laid out as `<period>/<file>`, or an HTTP(S) URL that
 * publishes an index. A file is written as `.<name>.part` beside its final place and renamed only
 * when complete and verified, so the loader (which ignores dot-files and .part) never sees half a
 * file. Files already in the inbox with the same sha256 are not fetched again.
 *
 * Control files (`<file>.ok` / `<file>.chk`, pipeline/load/control.ts) go along with their data
 * file and are written into the inbox first, so the loader never sees the data file without its
 * control file. A source with `control_file: true` writes them once a file is complete: a data file
 * without one is not taken yet (`waiting`, not failed). A control file without its data file is not
 * taken.
 *
 * HTTP index format (JSON at the source's url):
 *   { "files": [ { "period": "2026-10", "name": "公积金_2026-10.csv", "url": "relative or absolute",
 *                  "sha256": "optional hex; checked when given" } ] }
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pLimit from 'p-limit';
import type { Config, FeedSource } from '../config/config.ts';
import { isPeriodName } from './period.ts';
import { dataFileNameOf, isControlFileName } from './load/control.ts';
import { HeduiError } from '../base/errors.ts';
import { logger } from '../base/log.ts';
import type { Warehouse } from './warehouse.ts';

export interface PulledFile {
  feed: string;
  period: string;
  name: string;
  sha256: string;
  bytes: number;
}

export interface PullReport {
  pulled: PulledFile[];
  unchanged: number;
  failed: { feed: string; file: string; reason: string }[];
  /** data files a `control_file` source has not written the control file of yet: not taken this time */
  waiting: { feed: string; file: string }[];
}

interface Candidate {
  feed: string;
  period: string;
  name: string;
  /** opens the content */
  open: () => Promise<Readable>;
  expectedSha256?: string;
  size?: number;
}

/** A file name as it may land in the inbox: no path, no hidden file. */
const safeName = (name: string) => basename(name) === name && !name.startsWith('.') && name.length > 0 && !/[\\/\0]/.test(name);

async function folderCandidates(feed: string, source: Extract<FeedSource, { type: 'folder' }>): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const period of (await readdir(source.path).catch(() => [] as string[])).filter(isPeriodName).sort()) {
    const dir = join(source.path, period);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!entry.isFile() || !safeName(entry.name) || /\.(part|tmp)$/i.test(entry.name)) continue;
      const path = join(dir, entry.name);
      out.push({ feed, period, name: entry.name, size: (await stat(path)).size, open: async () => createReadStream(path) });
    }
  }
  return out;
}

async function httpCandidates(feed: string, source: Extract<FeedSource, { type: 'http' }>): Promise<Candidate[]> {
  const response = await fetch(source.url, { headers: source.headers });
  if (!response.ok) throw new HeduiError(`${feed}: the index at ${new URL(source.url).host} answered ${response.status}`);
  const index = (await response.json()) as { files?: { period: string; name: string; url: string; sha256?: string }[] };
  return (index.files ?? [])
    .filter((f) => isPeriodName(f.period) && safeName(f.name))
    .map((f) => ({
      feed,
      period: f.period,
      name: f.name,
      expectedSha256: f.sha256?.toLowerCase(),
      open: async () => {
        const r = await fetch(new URL(f.url, source.url), { headers: source.headers });
        if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
        return Readable.fromWeb(r.body as never);
      },
    }));
}

async function sha256Of(path: string): Promise<string | undefined> {
  try {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

/** Downloads one candidate to `.name.part`, checks it, renames it into place. */
async function fetchOne(dataDir: string, c: Candidate): Promise<PulledFile | 'unchanged'> {
  const dir = join(dataDir, 'inbox', c.feed, c.period);
  await mkdir(dir, { recursive: true });
  const target = join(dir, c.name);
  const existing = await stat(target).catch(() => undefined);
  // a folder source gives the size up front: same name and size in the inbox means already pulled
  // (not for a control file: a corrected count can have the same length; it is a few bytes to compare)
  if (existing && c.size !== undefined && existing.size === c.size && !c.expectedSha256 && !isControlFileName(c.name)) return 'unchanged';
  if (existing && c.expectedSha256 && (await sha256Of(target)) === c.expectedSha256) return 'unchanged';
  const part = join(dir, `.${c.name}.part`);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      await c.open(),
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          bytes += chunk.length;
          done(null, chunk);
        },
      }),
      createWriteStream(part),
    );
    const sha256 = hash.digest('hex');
    if (c.expectedSha256 && sha256 !== c.expectedSha256) throw new Error('sha256 differs from the one the index gives');
    if (existing && (await sha256Of(target)) === sha256) {
      await rm(part, { force: true });
      return 'unchanged';
    }
    await rename(part, target);
    return { feed: c.feed, period: c.period, name: c.name, sha256, bytes };
  } catch (e) {
    await rm(part, { force: true });
    throw e;
  }
}

/**
 * What to fetch, each group in order: a data file's control file first, then the data file. A data
 * file of a `control_file` source without its control file waits; a control file without its data
 * file is left where it is.
 */
function deliveries(candidates: Candidate[], requireControl: boolean, report: PullReport): Candidate[][] {
  const controls = new Map(candidates.filter((c) => isControlFileName(c.name)).map((c) => [`${c.period}/${dataFileNameOf(c.name)}`, c]));
  const groups: Candidate[][] = [];
  for (const c of candidates) {
    if (isControlFileName(c.name)) continue;
    const control = controls.get(`${c.period}/${c.name}`);
    if (control) groups.push([control, c]);
    else if (requireControl) report.waiting.push({ feed: c.feed, file: `${c.period}/${c.name}` });
    else groups.push([c]);
  }
  return groups;
}

export async function pull(w: Warehouse, dataDir: string, config: Config, concurrency = 4): Promise<PullReport> {
  const report: PullReport = { pulled: [], unchanged: 0, failed: [], waiting: [] };
  const groups: Candidate[][] = [];
  for (const [feed, source] of Object.entries(config.sources ?? {})) {
    try {
      const candidates = source.type === 'folder' ? await folderCandidates(feed, source) : await httpCandidates(feed, source);
      groups.push(...deliveries(candidates, source.control_file === true, report));
    } catch (e) {
      report.failed.push({ feed, file: '(index)', reason: e instanceof HeduiError ? e.message : (e as Error).name });
    }
  }
  const limit = pLimit(concurrency);
  await Promise.all(
    groups.map((group) =>
      limit(async () => {
        // the control file lands before its data file; when it cannot be fetched, the data file is not taken either
        for (const c of group) {
          try {
            const result = await fetchOne(dataDir, c);
            if (result === 'unchanged') report.unchanged++;
            else report.pulled.push(result);
          } catch (e) {
            report.failed.push({ feed: c.feed, file: `${c.period}/${c.name}`, reason: (e as Error).message.slice(0, 200) });
            break;
          }
        }
      }),
    ),
  );
  report.waiting.sort((a, b) => `${a.feed}/${a.file}`.localeCompare(`${b.feed}/${b.file}`));
  report.pulled.sort((a, b) => `${a.feed}/${a.period}/${a.name}`.localeCompare(`${b.feed}/${b.period}/${b.name}`));
  for (const p of report.pulled) {
    await w.exec('pull:record', 'insert into pulls values ($feed, $period, $name, $sha256, $bytes, now())', { ...p });
  }
  logger().info({ pulled: report.pulled.length, unchanged: report.unchanged, failed: report.failed.length, waiting: report.waiting.length }, 'pulled');
  return report;
}

