import { describe, expect, it } from 'vitest';
import { creditCodeCheckChar, isValidCreditCode } from './credit-code.ts';
import { withWarehouse } from '../pipeline/warehouse.ts';

const cases: [string, boolean, string][] = [
  ['91350100M000100Y43', true, 'a published enterprise code'],
  ['91110000600037341L', true, 'another published code'],
  ['91350100M000100Y44', false, 'wrong check character'],
  ['91350100M000100Y4', false, '17 characters'],
  ['91350100I000100Y43', false, 'I is not in the alphabet'],
  ['', false, 'empty'],
];

describe('unified social credit code (GB 32100)', () => {
  it.each(cases)('%s → %s (%s)', (code, ok) => expect(isValidCreditCode(code)).toBe(ok));
  it('computes the check character of a generated code', () => {
    const first17 = '92150102MA0N1234' + '5';
    expect(isValidCreditCode(first17 + creditCodeCheckChar(first17))).toBe(true);
  });
  it('the DuckDB macro agrees', async () => {
    await withWarehouse(async (w) => {
      for (const [code, ok] of cases) {
        const row = await w.one<{ ok: boolean }>('credit-case', 'select coalesce(hedui_credit_code_ok($c), false) as ok', { c: code });
        expect([code, row?.ok]).toEqual([code, ok]);
      }
    });
  });
});
