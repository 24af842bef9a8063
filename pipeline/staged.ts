/**
 * Staged feeds as Parquet: each load is one file, `staged/<feed>/<load>.parquet` in the data
 * folder, named in `loads.staged_file`. It holds every row read with its `problem` (NULL when
 * clean), written in the check's single pass. Two kinds of view read the clean rows:
 *   stg_<feed>   every staged load of the feed (what operators and tests query)
 *   snap_<feed>  the loads of the snapshot a month uses (what rules read; pipeline/match.ts)
 * A view over no file reads the empty shape table, so it always has the feed's columns and types.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FEEDS } from '../adapters/index.ts';
import type { FeedAdapter } from '../adapters/feed.ts';
import type { Warehouse } from './warehouse.ts';
import { ident, literal } from './sql.ts';
import { HeduiError } from '../base/errors.ts';

/** Where a load's staged rows go, relative to the data folder. */
export const stagedFileOf = (feed: FeedAdapter, loadId: string) => join('staged', feed.id, `${loadId.replaceAll(':', '_')}.parquet`);

export function stagedRoot(w: Warehouse): string {
  if (!w.dataDir) throw new HeduiError('this warehouse has no data folder for its staged files');
  return w.dataDir;
}

/** A SELECT over the given staged files of a feed, or over its empty shape when there are none. */
export function stagedSelect(w: Warehouse, feed: FeedAdapter, files: string[]): string {
  if (files.length === 0) return `select * from ${ident(`shape_${feed.table}`)}`;
  const paths = files.map((f) => literal(join(stagedRoot(w), f))).join(', ');
  // a staged file holds every row read, the quarantined ones with their problem (pipeline/load/stage.ts)
  return `select * exclude (problem) from read_parquet([${paths}]) where problem is null`;
}

async function stagedFiles(w: Warehouse, feedId: string, period?: string): Promise<string[]> {
  const rows = await w.rows<{ staged_file: string }>(
    'staged:files',
    `select staged_file from loads where feed = $feed and status = 'staged' and staged_file is not null ${period === undefined ? '' : 'and period = $period'} order by staged_file`,
    period === undefined ? { feed: feedId } : { feed: feedId, period },
  );
  return rows.map((r) => r.staged_file);
}

/** (Re)creates stg_<feed> over every staged load. */
export async function createStagedViews(w: Warehouse): Promise<void> {
  for (const feed of FEEDS) {
    await w.exec(`staged:${feed.id}`, `create or replace temp view ${ident(feed.table)} as ${stagedSelect(w, feed, await stagedFiles(w, feed.id))}`);
  }
}

/** (Re)creates snap_<feed> over the loads of one period of each feed (no period: empty). */
export async function createSnapshotViews(w: Warehouse, periods: Partial<Record<string, string>>): Promise<void> {
  for (const feed of FEEDS) {
    const period = periods[feed.id];
    const files = period === undefined ? [] : await stagedFiles(w, feed.id, period);
    await w.exec(`snapshot:${feed.id}`, `create or replace temp view snap_${feed.table.slice(4)} as ${stagedSelect(w, feed, files)}`);
  }
}

/** Removes staged files no staged load names (superseded ones, or left by a killed run). */
export async function collectStagedGarbage(w: Warehouse): Promise<number> {
  if (!w.dataDir) return 0;
  const live = new Set((await w.rows<{ staged_file: string }>('staged:live', "select staged_file from loads where status = 'staged' and staged_file is not null")).map((r) => r.staged_file));
  let removed = 0;
  for (const feed of FEEDS) {
    const dir = join('staged', feed.id);
    for (const name of await readdir(join(w.dataDir, dir)).catch(() => [] as string[])) {
      if (live.has(join(dir, name))) continue;
      await rm(join(w.dataDir, dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}
