/** The registry of feeds, in the order they load (the roster first). */
import type { FeedAdapter } from './feed.ts';
import type { FeedId } from './columns.ts';
import { roster } from './roster/adapter.ts';
import { providentFund } from './provident-fund/adapter.ts';
import { vehicles } from './vehicles/adapter.ts';
import { business } from './business/adapter.ts';

export const FEEDS: readonly FeedAdapter[] = [roster, providentFund, vehicles, business];

export function feedById(id: string): FeedAdapter | undefined {
  return FEEDS.find((f) => f.id === (id as FeedId));
}
