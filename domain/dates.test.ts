import { describe, expect, it } from 'vitest';
import { parseDepartmentDate, parseYearMonth } from './dates.ts';
import { withWarehouse } from '../pipeline/warehouse.ts';

const dateCases: [string, string | null][] = [
  ['2022-03-03', '2022-03-03'],
  ['2022/3/3', '2022-03-03'],
  ['2022.3.3', '2022-03-03'],
  ['20220303', '2022-03-03'],
  ['2022年3月3日', '2022-03-03'],
  ['2022-03-03 00:00:00', '2022-03-03'],
  [' ２０２２-０３-０３ ', '2022-03-03'],
  ['44621', '2022-03-01'],
  ['45000.0', '2023-03-15'],
  ['2022-13-45', null],
  ['2022-02-30', null],
  ['无', null],
  ['3/3/2022', null],
  ['2022-3/3', '2022-03-03'],
  ['2024-02-29', '2024-02-29'],
  ['1900/2/29', null],
  ['1879-12-31', null],
  ['2022-03-003', null],
  ['2022-03-03x', null],
];

const monthCases: [string, string | null][] = [
  ['202610', '2026-10'],
  ['2026-10', '2026-10'],
  ['2026/9', '2026-09'],
  ['2026年10月', '2026-10'],
  ['2026-10-15', '2026-10'],
  ['202613', null],
  ['abc', null],
];

describe('department dates', () => {
  it.each(dateCases)('%s → %s', (raw, expected) => expect(parseDepartmentDate(raw)).toBe(expected));
  it.each(monthCases)('year-month %s → %s', (raw, expected) => expect(parseYearMonth(raw)).toBe(expected));

  it('the DuckDB macros agree on every case', async () => {
    await withWarehouse(async (w) => {
      for (const [raw, expected] of dateCases) {
        const row = await w.one<{ d: string | null }>('date-case', 'select hedui_date($raw)::varchar as d', { raw });
        expect([raw, row?.d]).toEqual([raw, expected]);
      }
      for (const [raw, expected] of monthCases) {
        const row = await w.one<{ d: string | null }>('month-case', "select strftime(hedui_year_month($raw), '%Y-%m') as d", { raw });
        expect([raw, row?.d]).toEqual([raw, expected]);
      }
    });
  });
});
