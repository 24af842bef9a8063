import { defineFeed } from '../feed.ts';
import { paymentColumns } from './columns.ts';

export const payments = defineFeed(
  { id: 'payments', title: '一卡通发放', schedule: 'monthly', kind: 'events', columns: paymentColumns, defaults: { max_age_months: 2, due_day: 10 } },
  new URL('./staging.sql', import.meta.url),
);
