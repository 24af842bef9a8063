import { defineFeed } from '../feed.ts';
import { deathColumns } from './columns.ts';

export const deaths = defineFeed(
  { id: 'deaths', title: '死亡登记', schedule: 'monthly', kind: 'events', columns: deathColumns, defaults: { max_age_months: 2, due_day: 10 } },
  new URL('./staging.sql', import.meta.url),
);
