import { defineFeed } from '../feed.ts';
import { vehicleColumns } from './columns.ts';

export const vehicles = defineFeed(
  { id: 'vehicles', title: '机动车登记', schedule: 'quarterly', columns: vehicleColumns, defaults: { max_age_months: 6, due_day: 15 } },
  new URL('./staging.sql', import.meta.url),
);
