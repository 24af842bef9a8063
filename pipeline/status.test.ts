import { describe, expect, it } from 'vitest';
import { withWarehouse } from './warehouse.ts';
import { status } from './status.ts';

describe('hedui status: the run history', () => {
  it('lists the latest run first, also among runs started within one second (it shows whole seconds)', async () => {
    const runs = await withWarehouse(async (w) => {
      // three runs within one second, their ids in the opposite order of their starts: sorted by the
      // shown text they tie, and came in any order
      await w.exec(
        't',
        `insert into runs values
           ('c-first', 'run', '2026-10', 1, timestamp '2026-12-01 02:00:00.100', timestamp '2026-12-01 02:00:00.200', 'ok', null),
           ('b-second', 'status', null, 1, timestamp '2026-12-01 02:00:00.500', timestamp '2026-12-01 02:00:00.600', 'ok', null),
           ('a-third', 'nightly', null, 1, timestamp '2026-12-01 02:00:00.900', timestamp '2026-12-01 02:00:00.950', 'ok', null),
           ('d-earlier', 'run', '2026-09', 1, timestamp '2026-11-30 23:59:59.999', timestamp '2026-12-01 00:10:00', 'held', null)`,
      );
      return (await status(w)).runs;
    });
    expect(runs.map((r) => [r.run_id, r.started_at])).toEqual([
      ['a-third', '2026-12-01 02:00:00'],
      ['b-second', '2026-12-01 02:00:00'],
      ['c-first', '2026-12-01 02:00:00'],
      ['d-earlier', '2026-11-30 23:59:59'],
    ]);
  });
});
