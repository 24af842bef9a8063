import { defineFeed } from '../feed.ts';
import { residenceColumns } from './columns.ts';

export const residence = defineFeed(
  { id: 'residence', title: '居住证登记', schedule: 'monthly', kind: 'snapshot', columns: residenceColumns, defaults: { max_age_months: 2, due_day: 10 } },
  new URL('./staging.sql', import.meta.url),
);
