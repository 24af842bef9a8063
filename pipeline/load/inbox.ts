/**
 * Loads the inbox: for every feed folder `inbox/<feed>/<period>/`, the files there are the feed's
 * snapshot for that period. Files already loaded (same sha256) are skipped; new files are staged;
 * staged files that left the folder (a corrected file replaced them) are superseded: their staged
 * rows are removed and their loads row stays as history. Each folder's loads change in one
 * transaction; staged Parquet files are written before it and removed after it when superseded.
 *
 * A control file (`<file>.ok` / `<file>.chk`, pipeline/load/control.ts) is never a data file: it
 * goes with its data file, is checked against it, and is part of the file's identity (loadIdOf),
 * so one that arrives or changes later has the file checked again. A new file is compared with the
 * other files staged for its feed and period (pipeline/load/resent.ts): a re-sent file is
 * rejected, single records already staged are quarantined.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { FEEDS } from '../../adapters/index.ts';
import type { FeedAdapter } from '../../adapters/feed.ts';
import { commitFile, dropPrepared, loadIdOf, prepareFile, startDecode, writeStagedFile, type PreparedFile, type SourceFile, type StageOutcome } from './stage.ts';
import { dataFileNameOf, isControlFileName, type ControlFileRef } from './control.ts';
import { DEFAULT_MAX_RESENT_SHARE, type StagedPeer } from './resent.ts';
import type { Warehouse } from '../warehouse.ts';
import { collectStagedGarbage, createStagedViews, stagedRoot } from '../staged.ts';
import { isPeriodName, parsePeriod } from '../period.ts';
import { logger } from '../../base/log.ts';
import pLimit from 'p-limit';

export interface LoadReport {
  loaded: StageOutcome[];
  superseded: string[];
  skipped: number;
}

export interface LoadOptions {
  /** load only folders whose period ends on or before this day ('YYYY-MM-DD') */
  upTo?: string;
  maxQuarantineShare: number;
  /**
   * a new file whose rows are at least this share of records already staged for its feed and
   * period is rejected as re-sent (gates.max_resent_share; default 0.5)
   */
  maxResentShare?: number;
}

export interface InboxFolder {
  feed: FeedAdapter;
  period: string;
  /** data files (absolute paths), sorted; control files are not among them */
  files: string[];
  /** data file → its control file (absolute paths) */
  controls: Map<string, string>;
}

/** Files a department has finished delivering: not hidden, not a partial download. */
export const isDeliveredFile = (name: string) => !name.startsWith('.') && !/\.(part|partial|tmp|crdownload)$/i.test(name);

export async function listInbox(dataDir: string, upTo?: string): Promise<InboxFolder[]> {
  const result: InboxFolder[] = [];
  for (const feed of FEEDS) {
    const feedDir = join(dataDir, 'inbox', feed.id);
    const periods = (await readdir(feedDir).catch(() => [] as string[])).filter(isPeriodName).sort();
    for (const period of periods) {
      if (upTo && parsePeriod(period).end > upTo) continue;
      const dir = join(feedDir, period);
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      const names = entries.filter((e) => e.isFile() && isDeliveredFile(e.name)).map((e) => e.name).sort();
      const dataNames = new Set(names.filter((n) => !isControlFileName(n)));
      const controls = new Map<string, string>();
      for (const name of names.filter(isControlFileName)) {
        const data = dataFileNameOf(name);
        if (!dataNames.has(data)) logger().warn({ feed: feed.id, period, file: name }, 'control file without its data file: ignored');
        else if (controls.has(join(dir, data))) logger().warn({ feed: feed.id, period, file: name }, 'a second control file for the same data file: ignored');
        else controls.set(join(dir, data), join(dir, name));
      }
      result.push({ feed, period, files: [...dataNames].map((n) => join(dir, n)), controls });
    }
  }
  return result;
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** What the warehouse already knows of the inbox: recorded hashes, and the current loads per folder. */
async function knownLoads(w: Warehouse) {
  const hashes = await w.rows<{ file: string; bytes: string; mtime_ms: string | null; sha256: string }>(
    'known-shas',
    'select file, bytes, mtime_ms, sha256 from loads order by loaded_at',
  );
  const current = await w.rows<{ load_id: string; feed: string; period: string; file: string; status: string; staged_file: string | null }>(
    'current-loads',
    "select load_id, feed, period, file, status, staged_file from loads where status <> 'superseded'",
  );
  return { sha: new Map(hashes.map((h) => [`${h.file}|${h.bytes}|${h.mtime_ms}`, h.sha256])), current };
}

/**
 * The sha256 of a file, reusing the one recorded when its path, size and mtime are unchanged; and
 * of its control file, when it has one (a few bytes, hashed every time).
 */
async function describe(known: Map<string, string>, dataDir: string, feed: FeedAdapter, period: string, path: string, controlPath?: string): Promise<SourceFile> {
  const s = await stat(path);
  const relPath = relative(dataDir, path);
  const recorded = known.get(`${relPath}|${s.size}|${Math.round(s.mtimeMs)}`);
  const control: ControlFileRef | undefined = controlPath ? { path: controlPath, name: basename(controlPath), sha256: await sha256Of(controlPath) } : undefined;
  const file: SourceFile = { feed, period, path, relPath, bytes: s.size, mtimeMs: s.mtimeMs, sha256: recorded ?? '', control };
  if (!recorded) file.sha256 = await timed('hashed', file, () => sha256Of(path));
  return file;
}

/** Background work (hashing, decoding) is logged with its duration: the benchmark reads it. */
async function timed<T>(msg: string, file: SourceFile, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  logger().debug({ feed: file.feed.id, file: file.relPath, bytes: file.bytes, ms: Math.round(performance.now() - started) }, msg);
  return result;
}

export async function loadInbox(w: Warehouse, dataDir: string, options: LoadOptions): Promise<LoadReport> {
  const report: LoadReport = { loaded: [], superseded: [], skipped: 0 };
  const started = performance.now();
  logger().info('loading inbox');
  const tmpDir = join(dataDir, 'tmp');
  await mkdir(tmpDir, { recursive: true });
  const plans: Promise<unknown>[] = [];
  const decodes: Promise<unknown>[] = [];
  try {
    // Hashing and decoding are JS work: they run in the background, one file at a time each,
    // while DuckDB checks the folders before them. Nothing in the background touches the warehouse.
    const known = await knownLoads(w);
    const hashOneAtATime = pLimit(1);
    const decodeOneAtATime = pLimit(1);
    const planned = (await listInbox(dataDir, options.upTo)).map(async (folder) => {
      const files = await Promise.all(
        folder.files.map((p) => hashOneAtATime(() => describe(known.sha, dataDir, folder.feed, folder.period, p, folder.controls.get(p)))),
      );
      const current = known.current.filter((l) => l.feed === folder.feed.id && l.period === folder.period);
      const currentIds = new Set(current.map((l) => l.load_id));
      const presentIds = new Set(files.map(loadIdOf));
      const fresh = files.filter((f, i) => !currentIds.has(loadIdOf(f)) && files.findIndex((g) => g.sha256 === f.sha256) === i);
      const gone = current.filter((l) => !presentIds.has(l.load_id));
      // what a new file is compared with: the staged loads that stay (a corrected file is not compared with the one it replaces)
      const peers: StagedPeer[] = current
        .filter((l) => presentIds.has(l.load_id) && l.status === 'staged' && l.staged_file)
        .map((l) => ({ file: l.file, path: join(stagedRoot(w), l.staged_file!) }));
      const decoding = new Map(fresh.map((file) => [file, decodeOneAtATime(() => timed('decoded', file, () => startDecode(file, tmpDir)))]));
      decodes.push(...[...decoding.values()].map((d) => d.catch(() => undefined)));
      return { ...folder, files, fresh, gone, peers, decoding };
    });
    plans.push(...planned.map((p) => p.catch(() => undefined))); // handled here, thrown where awaited

    for (const next of planned) {
      const folder = await next;
      report.skipped += folder.files.length - folder.fresh.length;
      if (folder.fresh.length === 0 && folder.gone.length === 0) continue;
      const prepared: PreparedFile[] = [];
      try {
        for (const file of folder.fresh) {
          // and the files of this folder prepared before it: of two copies delivered together, the second is re-sent
          const earlier = prepared.filter((p) => p.outcome.status === 'staged' && p.checkedPath).map((p) => ({ file: p.outcome.file, path: p.checkedPath! }));
          const resent = { maxShare: options.maxResentShare ?? DEFAULT_MAX_RESENT_SHARE, peers: [...folder.peers, ...earlier] };
          prepared.push(await prepareFile(w, file, folder.decoding.get(file)!, options.maxQuarantineShare, resent));
        }
        for (const p of prepared) await writeStagedFile(w, p);
        await w.transaction(`load:${folder.feed.id}:${folder.period}`, async () => {
          for (const old of folder.gone) {
            await w.exec('supersede-load', "update loads set status = 'superseded', superseded_at = now() where load_id = $id", { id: old.load_id });
          }
          for (const p of prepared) await commitFile(w, p);
        });
      } finally {
        for (const p of prepared) await dropPrepared(p);
      }
      report.superseded.push(...folder.gone.map((g) => g.file));
      for (const { outcome: o } of prepared) {
        logger().info(
          { feed: folder.feed.id, period: folder.period, file: o.file, status: o.status, read: o.rowsRead, staged: o.rowsStaged, quarantined: o.rowsQuarantined },
          o.status === 'staged' ? 'file staged' : 'file rejected',
        );
        report.loaded.push(o);
      }
    }
  } finally {
    // no hash or decode may still run once tmp is removed: first the plans (which start decodes), then the decodes
    await Promise.all(plans);
    await Promise.all(decodes);
    await rm(tmpDir, { recursive: true, force: true });
  }
  await collectStagedGarbage(w);
  await createStagedViews(w);
  logger().info({ ms: Math.round(performance.now() - started), files: report.loaded.length, skipped: report.skipped, superseded: report.superseded.length }, 'inbox loaded');
  return report;
}
