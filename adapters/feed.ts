/**
 * What each feed adapter declares. The loading itself is shared (pipeline/load/stage.ts):
 * a feed is its columns, its staging SQL, its schedule, its table and its delivery defaults.
 * Everything else that names feeds derives from the registry (adapters/index.ts): the FeedId type,
 * the config's `feeds` and `sources` keys, the staged shape (pipeline/staged.ts), the rule tests'
 * defaults, the benchmark's stage names. docs/adding-a-feed.md walks through adding one.
 */
import { readFileSync } from 'node:fs';
import type { ColumnSpec } from './columns.ts';

export type Schedule = 'monthly' | 'quarterly';

/**
 * How a month reads a feed. A snapshot feed (roster, provident fund, vehicles, business) is read as
 * of the month: the loads of one period. An event feed (deaths, payments) accumulates: the month
 * reads every period delivered up to its end, a re-delivered period replacing that period's events.
 */
export type FeedKind = 'snapshot' | 'events';

/** When a feed is due and how old its snapshot may be; config.feeds.<id> overrides each key. */
export interface FeedSettings {
  /** a snapshot older than this many months is a warning in summary.xlsx */
  max_age_months: number;
  /** the day of the month after a period ends by which its file should be in the inbox */
  due_day: number;
  /**
   * nightly asks for the feed by its due day (exit 3 when it is missing); false while the department
   * does not deliver it yet: its rules are skipped as for any feed without a snapshot (default true)
   */
  expected?: boolean;
}

export interface FeedAdapter<Id extends string = string> {
  /** the inbox folder's name, kebab-case */
  id: Id;
  /** Chinese title, for workbooks */
  title: string;
  /** staged table: stg_<feed> */
  table: string;
  schedule: Schedule;
  kind: FeedKind;
  columns: readonly ColumnSpec[];
  /** defaults of config.feeds.<id> */
  defaults: FeedSettings;
  /** SELECT over typed_<feed> giving the staged columns, row_hash and problem ('reason|field' or NULL) */
  stagingSql: string;
}

/** A feed declaration; `kind` defaults to 'snapshot'. */
export function defineFeed<const Id extends string>(
  def: Omit<FeedAdapter<Id>, 'stagingSql' | 'table' | 'kind'> & { kind?: FeedKind },
  stagingSqlUrl: URL,
): FeedAdapter<Id> {
  return { ...def, kind: def.kind ?? 'snapshot', table: `stg_${def.id.replaceAll('-', '_')}`, stagingSql: readFileSync(stagingSqlUrl, 'utf8') };
}
