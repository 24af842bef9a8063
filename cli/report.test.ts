import { describe, expect, it } from 'vitest';
import { formatMonthReport } from './report.ts';

describe('formatMonthReport', () => {
  it('lists the notes on files read (a workbook footer whose count disagrees), and no such section when there are none', () => {
    const file = { file: 'inbox/business/2026-10/市场主体.xlsx', period: '2026-10', status: 'staged' as const, rowsRead: 3, rowsStaged: 3, rowsQuarantined: 0, reason: null };
    const report = (note?: string) =>
      formatMonthReport({ period: '2026-10', outcome: 'not run', feeds: [{ feed: 'business', delivered: '2026-10', snapshot: '2026-10', fallback: false, stale: false, files: [{ ...file, note }] }], rulesSkipped: [], gates: [] });
    expect(report('工作表「市场主体」合计行记录数 4 与读取的 3 行不符 (sheet 市场主体: the footer states 4 records, 3 rows were read)')).toContain(
      'notes on files read:\n  inbox/business/2026-10/市场主体.xlsx: 工作表「市场主体」合计行记录数 4 与读取的 3 行不符',
    );
    expect(report()).not.toContain('notes on files read');
  });
});
