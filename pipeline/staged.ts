/**
 * Staged feeds as Parquet: each load is one file, `staged/<feed>/<load>.parquet` in the data
 * folder, named in `loads.staged_file`. It holds every row read with its `problem` (NULL when
 * clean), written in the check's single pass. Two kinds of view read the clean rows:
 *   stg_<feed>   every staged load of the feed (what operators and tests query)
 *   snap_<feed>  the loads of the snapshot a month uses (what rules read; pipeline/match.ts)
 * A view over no file reads the empty shape table, so it always has the feed's columns and types.
 */
import { createHash } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FEEDS } from '../adapters/index.ts';
import type { FeedAdapter } from '../adapters/feed.ts';
import type { Warehouse } from './warehouse.ts';
import { ident, literal } from './sql.ts';
import { genericChecksSql } from './load/checks.ts';
import { HeduiError } from '../base/errors.ts';
import { parsePeriod } from './period.ts';

/**
 * shape_<table> (shape_stg_<feed>): the columns and types of a feed's staged rows, for the views
 * over no file. Derived from the feed's declaration as the loader writes a staged file
 * (pipeline/load/stage.ts): the generic checks of its column kinds (typed_<feed>), then its
 * staging.sql; `load_id` first, without row_hash and problem. A new feed, or a column added to one,
 * needs no schema change.
 *
 * Deriving a shape binds the feed's checks, too slow to repeat on every open (docs/measured-choices.md),
 * so it is done only when its SQL changed: each table carries the sha256 of the SQL that derived it
 * as its comment. A warehouse of an earlier version (hand-written shape tables, no comment) gets derived
 * ones on its first open; that is the whole migration.
 */
export async function createShapeTables(w: Warehouse): Promise<void> {
  const current = new Map(
    (await w.rows<{ table_name: string; comment: string | null }>('shape:check', "select table_name, comment from duckdb_tables() where schema_name = 'main' and starts_with(table_name, 'shape_')"))
      .map((t) => [t.table_name, t.comment]),
  );
  for (const feed of FEEDS) {
    const table = `shape_${feed.table}`;
    const typed = ident(`typed_${feed.table.slice(4)}`);
    // the rows the loader's raw_feed gives (line, row_hash, each column as text), none of them
    const empty = `(select null::integer as line, null::ubigint as row_hash, ${feed.columns.map((c) => `null::varchar as ${ident(c.name)}`).join(', ')} where false)`;
    const derive = `create or replace temp view ${typed} as ${genericChecksSql(feed.columns, empty)};
       create or replace table ${ident(table)} as
         select null::varchar as load_id, staged.* exclude (problem, row_hash) from (${feed.stagingSql}) staged where false;
       drop view ${typed}`;
    const fingerprint = `derived ${createHash('sha256').update(derive).digest('hex').slice(0, 16)}`;
    if (current.get(table) === fingerprint) continue;
    const known = derivedColumns.get(fingerprint);
    if (known) await w.exec(`shape:${feed.id}`, `create or replace table ${ident(table)} (${known})`);
    else {
      await w.exec(`shape:${feed.id}`, derive);
      const columns = await w.rows<{ name: string; type: string }>(
        'shape:columns',
        'select column_name as name, data_type as type from duckdb_columns() where schema_name = $schema and table_name = $table order by column_index',
        { schema: 'main', table },
      );
      derivedColumns.set(fingerprint, columns.map((c) => `${ident(c.name)} ${c.type}`).join(', '));
    }
    await w.exec(`shape:${feed.id}`, `comment on table ${ident(table)} is ${literal(fingerprint)}`);
  }
}

/** Shapes derived in this process (fingerprint → column definitions): a new warehouse (tests open hundreds) copies them. */
const derivedColumns = new Map<string, string>();

/**
 * How staged files are written. zstd at level 1 rather than DuckDB's default 3: writing the
 * province's vehicles took 4.2 s instead of 5.8 s for files 3% larger (docs/measured-choices.md).
 */
export const STAGED_PARQUET = '(format parquet, compression zstd, compression_level 1)';

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
  // a staged file holds every row read, the quarantined ones with their problem (pipeline/load/stage.ts);
  // read by name against the feed's current shape, so a file staged before a column was added to the
  // feed (roster 城乡属性, issue 14) reads NULL in it instead of failing every query that names it
  return `select * from ${ident(`shape_${feed.table}`)} union all by name
    select * exclude (problem) from read_parquet([${paths}], union_by_name = true) where problem is null`;
}

/** Every staged load's file (of the given loads only, when given), in file order: one query for all feeds. */
async function stagedLoads(w: Warehouse, loadIds?: string[]): Promise<{ feed: string; load_id: string; staged_file: string }[]> {
  return w.rows(
    'staged:files',
    `select feed, load_id, staged_file from loads where status = 'staged' and staged_file is not null ${loadIds === undefined ? '' : 'and list_contains($loads, load_id)'} order by staged_file`,
    loadIds === undefined ? undefined : { loads: loadIds },
  );
}

/**
 * (Re)creates stg_<feed> over every staged load: one query and one batch of statements for all
 * feeds, since every command pays for it at its start (two round trips per feed were ~10 % of a
 * nightly run with nothing new).
 */
export async function createStagedViews(w: Warehouse): Promise<void> {
  const loads = await stagedLoads(w);
  const views = FEEDS.map((feed) => {
    const files = loads.filter((l) => l.feed === feed.id).map((l) => l.staged_file);
    return `create or replace temp view ${ident(feed.table)} as ${stagedSelect(w, feed, files)}`;
  });
  await w.exec('staged:views', views.join(';\n'));
}

/** (Re)creates snap_<feed> over the given loads of each feed (none given: empty), as createStagedViews does. */
export async function createSnapshotViews(w: Warehouse, loads: Partial<Record<string, string[]>>): Promise<void> {
  const staged = await stagedLoads(w, FEEDS.flatMap((feed) => loads[feed.id] ?? []));
  const views = FEEDS.map((feed) => {
    const ids = loads[feed.id] ?? [];
    const files = staged.filter((l) => l.feed === feed.id && ids.includes(l.load_id)).map((l) => l.staged_file);
    return `create or replace temp view snap_${feed.table.slice(4)} as ${stagedSelect(w, feed, files)}`;
  });
  await w.exec('snapshot:views', views.join(';\n'));
}

/**
 * hist_<feed>: every staged load of the feed whose period ends on or before `through`
 * ('YYYY-MM-DD'), each row with its `snapshot_period`. What a rule reads when it must know a feed
 * as it stood in an earlier month (a back-payment judged by the roster of the month it pays for).
 */
export async function createHistoryView(w: Warehouse, feed: FeedAdapter, through: string): Promise<void> {
  const loads = await w.rows<{ period: string; staged_file: string }>(
    'history:files',
    "select period, staged_file from loads where feed = $feed and status = 'staged' and staged_file is not null order by staged_file",
    { feed: feed.id },
  );
  const files = loads.filter((l) => parsePeriod(l.period).end <= through).map((l) => l.staged_file);
  await w.exec(
    `history:${feed.id}`,
    `create or replace temp view hist_${feed.table.slice(4)} as
     select l.period as snapshot_period, r.* from (${stagedSelect(w, feed, files)}) r join loads l using (load_id)`,
  );
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
