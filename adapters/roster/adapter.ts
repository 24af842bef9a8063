import { defineFeed } from '../feed.ts';
import { rosterColumns } from './columns.ts';

export const roster = defineFeed(
  { id: 'roster', title: '在保名册', schedule: 'monthly', columns: rosterColumns },
  new URL('./staging.sql', import.meta.url),
);
