import { defineFeed } from '../feed.ts';
import { providentFundColumns } from './columns.ts';

export const providentFund = defineFeed(
  { id: 'provident-fund', title: '住房公积金', schedule: 'monthly', columns: providentFundColumns },
  new URL('./staging.sql', import.meta.url),
);
