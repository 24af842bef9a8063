/**
 * What each feed adapter declares. The loading itself is shared (pipeline/load/stage.ts):
 * a feed is its columns, its staging SQL, its schedule and its table.
 */
import { readFileSync } from 'node:fs';
import type { ColumnSpec, FeedId } from './columns.ts';

export type Schedule = 'monthly' | 'quarterly';

export interface FeedAdapter {
  id: FeedId;
  /** Chinese title, for workbooks */
  title: string;
  /** staged table: stg_<feed> */
  table: string;
  schedule: Schedule;
  columns: readonly ColumnSpec[];
  /** SELECT over typed_<feed> giving the staged columns, row_hash and problem ('reason|field' or NULL) */
  stagingSql: string;
}

export function defineFeed(def: Omit<FeedAdapter, 'stagingSql' | 'table'>, stagingSqlUrl: URL): FeedAdapter {
  return { ...def, table: `stg_${def.id.replaceAll('-', '_')}`, stagingSql: readFileSync(stagingSqlUrl, 'utf8') };
}
