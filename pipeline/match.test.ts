import { describe, expect, it } from 'vitest';
import { withWarehouse } from './warehouse.ts';
import { checkFlagIdsUnique } from './match.ts';

describe('checkFlagIdsUnique', () => {
  it('refuses a period whose flag ids repeat, and passes one whose ids do not', async () => {
    await withWarehouse(async (w) => {
      const flag = (period: string, id: string) =>
        `('${period}', '${id}', 'vehicle-owned', 'p', 'h', '150102', 'high', null, 'e', '{}', 'x', 'vehicles', '2026Q2', 'issued', null, '${period}', '2026-10-01', '2026-10-16', false)`;
      await w.exec('plant', `insert into flags values ${[flag('2026-09', 'a'), flag('2026-09', 'b'), flag('2026-10', 'a'), flag('2026-10', 'a')].join(', ')}`);
      await expect(checkFlagIdsUnique(w, '2026-09')).resolves.toBeUndefined();
      await expect(checkFlagIdsUnique(w, '2026-10')).rejects.toThrow(/1 flag id\(s\) of 2026-10 repeat/);
    });
  });
});
