import { defineFeed } from '../feed.ts';
import { businessColumns } from './columns.ts';

export const business = defineFeed(
  { id: 'business', title: '市场主体登记', schedule: 'monthly', columns: businessColumns, defaults: { max_age_months: 3, due_day: 10 } },
  new URL('./staging.sql', import.meta.url),
);
