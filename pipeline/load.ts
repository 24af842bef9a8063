/**
 * Loads the inbox: for every feed folder `inbox/<feed>/<period>/`, the files there are the feed's
 * snapshot for that period. Files already loaded (same sha256) are skipped; new files are staged;
 * staged files that left the folder (a corrected file replaced them) are superseded: their staged
 * rows are removed and their loads row stays as history. Each folder's loads change in one
 * transaction; staged Parquet files are written before it and removed after it when superseded.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { FEEDS } from '../adapters/index.ts';
import type { FeedAdapter } from '../adapters/feed.ts';
import { commitFile, dropPrepared, loadIdOf, prepareFile, startDecode, writeStagedFile, type PreparedFile, type SourceFile, type StageOutcome } from '../adapters/common/stage.ts';
import type { Warehouse } from './warehouse.ts';
import { collectStagedGarbage, createStagedViews } from './staged.ts';
import { isPeriodName, parsePeriod } from './period.ts';
import { logger } from './log.ts';
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
}

/** Files a department has finished delivering: not hidden, not a partial download. */
const isDeliveredFile = (name: string) => !name.startsWith('.') && !/\.(part|partial|tmp|crdownload)$/i.test(name);

export async function listInbox(dataDir: string, upTo?: string): Promise<{ feed: FeedAdapter; period: string; files: string[] }[]> {
  const result: { feed: FeedAdapter; period: string; files: string[] }[] = [];
  for (const feed of FEEDS) {
    const feedDir = join(dataDir, 'inbox', feed.id);
    const periods = (await readdir(feedDir).catch(() => [] as string[])).filter(isPeriodName).sort();
    for (const period of periods) {
      if (upTo && parsePeriod(period).end > upTo) continue;
      const dir = join(feedDir, period);
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      const files = entries.filter((e) => e.isFile() && isDeliveredFile(e.name)).map((e) => join(dir, e.name)).sort();
      result.push({ feed, period, files });
    }
  }
  return result;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The sha256 of a file, reusing the one recorded when its path, size and mtime are unchanged. */
async function describe(w: Warehouse, dataDir: string, feed: FeedAdapter, period: string, path: string): Promise<SourceFile> {
  const s = await stat(path);
  const relPath = relative(dataDir, path);
  const known = await w.one<{ sha256: string }>(
    'known-sha',
    'select sha256 from loads where file = $file and bytes = $bytes and mtime_ms = $mtime order by loaded_at desc limit 1',
    { file: relPath, bytes: s.size, mtime: Math.round(s.mtimeMs) },
  );
  return { feed, period, path, relPath, bytes: s.size, mtimeMs: s.mtimeMs, sha256: known?.sha256 ?? (await sha256Of(path)) };
}

export async function loadInbox(w: Warehouse, dataDir: string, options: LoadOptions): Promise<LoadReport> {
  const report: LoadReport = { loaded: [], superseded: [], skipped: 0 };
  const tmpDir = join(dataDir, 'tmp');
  await mkdir(tmpDir, { recursive: true });
  const decodes: Promise<unknown>[] = [];
  try {
    // First what changed in every folder, then the work: decoding (GBK, xlsx: JS) is started for
    // every new file at once, one file at a time, so it runs while DuckDB checks earlier files.
    const folders = [];
    for (const folder of await listInbox(dataDir, options.upTo)) {
      const files = await Promise.all(folder.files.map((p) => describe(w, dataDir, folder.feed, folder.period, p)));
      const current = await w.rows<{ load_id: string; file: string; status: string }>(
        'current-loads',
        "select load_id, file, status from loads where feed = $feed and period = $period and status <> 'superseded'",
        { feed: folder.feed.id, period: folder.period },
      );
      const currentIds = new Set(current.map((l) => l.load_id));
      const presentIds = new Set(files.map(loadIdOf));
      const fresh = files.filter((f, i) => !currentIds.has(loadIdOf(f)) && files.findIndex((g) => g.sha256 === f.sha256) === i);
      const gone = current.filter((l) => !presentIds.has(l.load_id));
      report.skipped += files.length - fresh.length;
      if (fresh.length || gone.length) folders.push({ ...folder, fresh, gone });
    }
    const decodeOneAtATime = pLimit(1);
    const decoding = new Map(folders.flatMap((f) => f.fresh).map((file) => [file, decodeOneAtATime(() => startDecode(file, tmpDir))]));
    decodes.push(...[...decoding.values()].map((d) => d.catch(() => undefined)));

    for (const folder of folders) {
      const prepared: PreparedFile[] = [];
      try {
        for (const [slot, file] of folder.fresh.entries()) prepared.push(await prepareFile(w, file, decoding.get(file)!, options.maxQuarantineShare, slot));
        for (const p of prepared) await writeStagedFile(w, p);
        await w.transaction(`load:${folder.feed.id}:${folder.period}`, async () => {
          for (const old of folder.gone) {
            await w.exec('supersede-load', "update loads set status = 'superseded', superseded_at = now() where load_id = $id", { id: old.load_id });
          }
          for (const p of prepared) await commitFile(w, p);
        });
      } finally {
        for (const p of prepared) await dropPrepared(w, p);
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
    await Promise.all(decodes); // no decode may still write into tmp once it is removed
    await rm(tmpDir, { recursive: true, force: true });
  }
  await collectStagedGarbage(w);
  await createStagedViews(w);
  return report;
}
