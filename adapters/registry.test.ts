import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { FEEDS } from './index.ts';
import { QUARANTINE_REASON_TEXTS } from '../pipeline/quarantine-reasons.ts';

const dirs = readdirSync(new URL('.', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe('feed registry (meta)', () => {
  it('every feed folder is registered and every registered feed has its folder', () => {
    expect(FEEDS.map((f) => f.id).sort()).toEqual(dirs.sort());
  });

  it('every feed has a README naming every accepted header, a staging.sql with a header comment, and a test', () => {
    for (const feed of FEEDS) {
      const readme = readFileSync(new URL(`./${feed.id}/README.md`, import.meta.url), 'utf8');
      for (const col of feed.columns) for (const h of col.headers) expect(readme, `${feed.id}: ${h}`).toContain(h);
      expect(feed.stagingSql.startsWith(`-- ${feed.table}:`), feed.id).toBe(true);
      const tests = readdirSync(new URL(`./${feed.id}/`, import.meta.url)).filter((f) => f.endsWith('.test.ts'));
      expect(tests.length, `${feed.id} has a test`).toBeGreaterThan(0);
    }
  });

  it('the adapters README documents every reason code', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    for (const r of Object.keys(QUARANTINE_REASON_TEXTS)) expect(readme, `adapters/README.md names ${r}`).toContain(`\`${r}\``);
  });
});
