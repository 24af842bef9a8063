import { defineFeed } from '../feed.ts';
import { marriageColumns } from './columns.ts';

export const marriages = defineFeed(
  { id: 'marriages', title: '婚姻登记', schedule: 'monthly', kind: 'events', columns: marriageColumns, defaults: { max_age_months: 2, due_day: 10 } },
  new URL('./staging.sql', import.meta.url),
);
