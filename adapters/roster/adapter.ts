import { defineFeed } from '../feed.ts';
import { rosterColumns } from './columns.ts';

export const roster = defineFeed(
  { id: 'roster', title: '在保名册', schedule: 'monthly', columns: rosterColumns, defaults: { max_age_months: 1, due_day: 5 } },
  new URL('./staging.sql', import.meta.url),
);
