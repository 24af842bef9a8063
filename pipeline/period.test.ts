import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, isMonthName, lastDuePeriod, monthsBetween, parsePeriod, shiftMonth } from './period.ts';

describe('periods', () => {
  it('parses months and quarters as half-open calendar ranges', () => {
    expect(parsePeriod('2026-02')).toEqual({ name: '2026-02', kind: 'month', start: '2026-02-01', end: '2026-02-28' });
    expect(parsePeriod('2024Q1')).toEqual({ name: '2024Q1', kind: 'quarter', start: '2024-01-01', end: '2024-03-31' });
    expect(() => parsePeriod('2026-13')).toThrow(/not a period/);
  });
  it('tells a month name from anything else, as parseMonth does', () => {
    expect(['2026-10', '2026-01', '2026-12'].map(isMonthName)).toEqual([true, true, true]);
    expect(['2026-13', '2026-00', '2026Q3', '2026-1', '.releases', '2026-10x', ''].map(isMonthName)).toEqual(Array(7).fill(false));
  });
  it('shifts months, counts months and days', () => {
    expect(shiftMonth('2026-01', 1)).toBe('2025-12');
    expect(shiftMonth('2026-12', -1)).toBe('2027-01');
    expect(monthsBetween('2026-09-30', '2026-10-31')).toBe(1);
    expect(addDays('2026-10-31', 16)).toBe('2026-11-16');
    expect(daysBetween('2026-11-16', '2026-12-01')).toBe(15);
  });
  it('knows which period of a feed is due by a day', () => {
    expect(lastDuePeriod('monthly', '2026-11-30', 10)).toEqual({ period: '2026-10', dueOn: '2026-11-10' });
    expect(lastDuePeriod('monthly', '2026-11-09', 10)).toEqual({ period: '2026-09', dueOn: '2026-10-10' });
    expect(lastDuePeriod('quarterly', '2026-11-30', 15)).toEqual({ period: '2026Q3', dueOn: '2026-10-15' });
    expect(lastDuePeriod('quarterly', '2026-10-14', 15)).toEqual({ period: '2026Q2', dueOn: '2026-07-15' });
    expect(lastDuePeriod('quarterly', '2027-01-20', 15)).toEqual({ period: '2026Q4', dueOn: '2027-01-15' });
  });
});
