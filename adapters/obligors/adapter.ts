import { defineFeed } from '../feed.ts';
import { obligorColumns } from './columns.ts';

export const obligors = defineFeed(
  { id: 'obligors', title: '赡抚养义务人', schedule: 'monthly', kind: 'snapshot', columns: obligorColumns, defaults: { max_age_months: 2, due_day: 10 } },
  new URL('./staging.sql', import.meta.url),
);
