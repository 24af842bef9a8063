/**
 * The registry of feeds, in the order they load (the roster first). Adding a feed: its folder
 * and one line here (docs/adding-a-feed.md); FeedId and everything keyed by feed derive from it.
 */
import type { FeedAdapter } from './feed.ts';
import { roster } from './roster/adapter.ts';
import { providentFund } from './provident-fund/adapter.ts';
import { vehicles } from './vehicles/adapter.ts';
import { business } from './business/adapter.ts';
import { deaths } from './deaths/adapter.ts';
import { payments } from './payments/adapter.ts';
import { obligors } from './obligors/adapter.ts';
import { marriages } from './marriages/adapter.ts';
import { hukou } from './hukou/adapter.ts';
import { residence } from './residence/adapter.ts';

export const FEEDS = [roster, providentFund, vehicles, business, deaths, payments, obligors, marriages, hukou, residence] as const satisfies readonly FeedAdapter[];

/** 'roster' | 'provident-fund' | …: the id of a registered feed. */
export type FeedId = (typeof FEEDS)[number]['id'];

export const FEED_IDS: readonly FeedId[] = FEEDS.map((f) => f.id);

export function feedById(id: string): FeedAdapter<FeedId> | undefined {
  return FEEDS.find((f) => f.id === id);
}
