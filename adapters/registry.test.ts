/**
 * Meta-tests: a feed is one folder and one registry line (docs/adding-a-feed.md). Each check says
 * what a feed is missing and where it goes.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { FEEDS, type FeedId } from './index.ts';
import type { FeedAdapter } from './feed.ts';
import type { ColumnSpec } from './columns.ts';
import { QUARANTINE_REASON_TEXTS } from '../pipeline/quarantine-reasons.ts';
import { withWarehouse } from '../pipeline/warehouse.ts';
import { loadConfig } from '../config/config.ts';
import { LINKED_FEEDS } from '../fixtures/generate/index.ts';

const here = (path: string) => new URL(path, import.meta.url);
const dirs = readdirSync(here('.'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

/** The README row of a column, as the table writes it. */
function readmeRow(col: ColumnSpec): string {
  const required = col.required ? 'yes' : col.columnRequired ? 'column required, value may be blank' : 'no';
  return `| \`${col.name}\` | ${col.headers.join(' / ')} | ${required} | ${col.kind} |`;
}

/** The rows of the README's "staged column | headers | required | kind" table. */
function readmeRows(readme: string): string[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| staged column |'));
  if (start < 0) return [];
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.trim());
  }
  return rows;
}

const FILES = ['adapter.ts', 'columns.ts', 'staging.sql', 'README.md'];

describe('feed registry (meta)', () => {
  it('every feed folder is registered and every registered feed has its folder', () => {
    for (const dir of dirs) expect(FEEDS.map((f) => f.id as string), `adapters/${dir}/ is not registered: add it to FEEDS in adapters/index.ts`).toContain(dir);
    for (const feed of FEEDS) expect(dirs, `${feed.id} is registered but has no folder adapters/${feed.id}/`).toContain(feed.id);
  });

  it.each(FEEDS.map((f) => [f.id, f] as [FeedId, FeedAdapter]))('%s has the files of a feed folder', (id, feed) => {
    expect(id, 'a feed id is kebab-case (it names the inbox folder and the config keys)').toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    for (const file of FILES) expect(existsSync(here(`./${id}/${file}`)), `adapters/${id}/${file} is missing`).toBe(true);
    const tests = readdirSync(here(`./${id}/`)).filter((f) => f.endsWith('.test.ts'));
    expect(tests.length, `adapters/${id}/ has no test (<feed>.test.ts: rows that stage and rows that are quarantined)`).toBeGreaterThan(0);
    expect(feed.stagingSql.startsWith(`-- ${feed.table}:`), `adapters/${id}/staging.sql opens with a header comment "-- ${feed.table}: one row per …"`).toBe(true);
    expect(feed.columns.length, `adapters/${id}/columns.ts declares no column`).toBeGreaterThan(0);
    expect(new Set(feed.columns.map((c) => c.name)).size, `adapters/${id}/columns.ts names a column twice`).toBe(feed.columns.length);
  });

  it.each(FEEDS.map((f) => [f.id, f] as [FeedId, FeedAdapter]))("%s: the README's column table is its columns.ts", (id, feed) => {
    expect(existsSync(here(`./${id}/README.md`)), `adapters/${id}/README.md is missing (copy a neighbour's)`).toBe(true);
    const readme = readFileSync(here(`./${id}/README.md`), 'utf8');
    for (const key of ['file pattern', 'grain', 'schedule', 'table']) expect(readme, `adapters/${id}/README.md: the "${key}" row of its header table`).toContain(`| ${key} |`);
    expect(readme, `adapters/${id}/README.md: schedule`).toContain(`| schedule | ${feed.schedule} |`);
    const expected = feed.columns.map(readmeRow);
    expect(readmeRows(readme), `adapters/${id}/README.md's table "| staged column | headers | required | kind |" must list, in order:\n${expected.join('\n')}`).toEqual(expected);
  });

  it.each(FEEDS.map((f) => [f.id, f] as [FeedId, FeedAdapter]))('%s: its staged shape derives from its columns and staging.sql', async (id, feed) => {
    await withWarehouse(async (w) => {
      const shape = await w.rows<{ name: string }>('t', `select column_name as name from duckdb_columns() where table_name = $t order by column_index`, { t: `shape_${feed.table}` });
      const names = shape.map((c) => c.name);
      expect(names.slice(0, 2), `shape_${feed.table}: adapters/${id}/staging.sql selects line first`).toEqual(['load_id', 'line']);
      for (const col of feed.columns) expect(names, `adapters/${id}/staging.sql keeps the staged column ${col.name} (columns.ts)`).toContain(col.name);
      expect(names, `adapters/${id}/staging.sql's row_hash and problem are not staged columns`).not.toContain('problem');
    });
  });

  it.each(FEEDS.map((f) => [f.id, f] as [FeedId, FeedAdapter]))('%s has its config defaults and a sample-data generator', async (id, feed) => {
    const { max_age_months, due_day } = feed.defaults;
    expect(Number.isInteger(max_age_months) && max_age_months >= 0 && max_age_months <= 36, `adapters/${id}/adapter.ts: defaults.max_age_months, an integer from 0 to 36`).toBe(true);
    expect(Number.isInteger(due_day) && due_day >= 1 && due_day <= 28, `adapters/${id}/adapter.ts: defaults.due_day, an integer from 1 to 28`).toBe(true);
    expect(Object.keys(loadConfig().config.feeds), 'config.feeds holds every registered feed').toContain(id);
    const module = `fixtures/generate/feeds/${id}.ts`;
    expect(existsSync(here(`../${module}`)), `${module} is missing: the sample data's generator for ${id} (docs/adding-a-feed.md)`).toBe(true);
    if (!(LINKED_FEEDS as readonly string[]).includes(id)) {
      const generator = (await import(`../fixtures/generate/feeds/${id}.ts`)) as { generateFeed?: unknown };
      expect(typeof generator.generateFeed, `${module} exports generateFeed(ctx, partsDir) (fixtures/generate/feeds/common.ts, FeedGenerator)`).toBe('function');
    }
  });

  it('the adapters README documents every reason code', () => {
    const readme = readFileSync(here('./README.md'), 'utf8');
    for (const r of Object.keys(QUARANTINE_REASON_TEXTS)) expect(readme, `adapters/README.md names ${r}`).toContain(`\`${r}\``);
  });
});
