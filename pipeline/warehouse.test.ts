/**
 * The warehouse's DuckDB settings that depend on the machine: the memory ceiling of
 * HEDUI_MEMORY_LIMIT, how the allocator frees under it, and where DuckDB spills.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withWarehouse } from './warehouse.ts';

/** DuckDB's settings of a warehouse opened with HEDUI_MEMORY_LIMIT set to `limit` ('' for none), and its folder. */
async function settingsOf(limit: string): Promise<Record<string, string> & { dir: string }> {
  vi.stubEnv('HEDUI_MEMORY_LIMIT', limit);
  const dir = await mkdtemp(join(tmpdir(), 'hedui-warehouse-'));
  const rows = await withWarehouse(
    (w) =>
      w.rows<{ name: string; value: string }>(
        'settings',
        `select name, value from duckdb_settings()
         where name in ('memory_limit', 'allocator_background_threads', 'allocator_flush_threshold', 'temp_directory')`,
      ),
    dir,
  );
  return { ...Object.fromEntries(rows.map((r) => [r.name, r.value])), dir };
}

describe('warehouse memory settings', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('under HEDUI_MEMORY_LIMIT: that ceiling, freed memory given back soon, spilling into the data folder', async () => {
    const s = await settingsOf('1GB');
    expect(s.memory_limit).toBe('953.6 MiB'); // DuckDB's GB is 10^9 bytes
    expect(s.allocator_background_threads).toBe('true');
    expect(s.allocator_flush_threshold).toBe('30.5 MiB'); // '32MB'
    expect(s.temp_directory).toBe(join(s.dir, '.duckdb-tmp'));
  });

  it("without it: DuckDB's own ceiling and allocator, spilling into the data folder all the same", async () => {
    const s = await settingsOf('');
    expect(s.memory_limit).not.toBe('953.6 MiB');
    expect(s.allocator_background_threads).toBe('false');
    expect(s.allocator_flush_threshold).toBe('128.0 MiB');
    expect(s.temp_directory).toBe(join(s.dir, '.duckdb-tmp'));
  });
});
