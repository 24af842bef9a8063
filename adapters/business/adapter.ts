import { defineFeed } from '../feed.ts';
import { businessColumns } from './columns.ts';

export const business = defineFeed(
  { id: 'business', title: '市场主体登记', schedule: 'monthly', columns: businessColumns },
  new URL('./staging.sql', import.meta.url),
);
