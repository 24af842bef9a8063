import { defineFeed } from '../feed.ts';
import { providentFundColumns } from './columns.ts';

export const providentFund = defineFeed(
  { id: 'provident-fund', title: '住房公积金', schedule: 'monthly', columns: providentFundColumns, defaults: { max_age_months: 2, due_day: 10 } },
  new URL('./staging.sql', import.meta.url),
);
