import { defineFeed } from '../feed.ts';
import { hukouColumns } from './columns.ts';

export const hukou = defineFeed(
  { id: 'hukou', title: '常住人口登记', schedule: 'monthly', kind: 'snapshot', columns: hukouColumns, defaults: { max_age_months: 2, due_day: 10 } },
  new URL('./staging.sql', import.meta.url),
);
