import { defineFeed } from '../feed.ts';
import { vehicleColumns } from './columns.ts';

export const vehicles = defineFeed(
  { id: 'vehicles', title: '机动车登记', schedule: 'quarterly', columns: vehicleColumns },
  new URL('./staging.sql', import.meta.url),
);
