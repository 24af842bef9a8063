/**
 * resolveAnswers, data-shaped: which answer each flag gets from a returned workbook's 疑点家庭 and
 * 疑点明细 rows (no warehouse: the flags are given).
 */
import { describe, expect, it } from 'vitest';
import { resolveAnswers, type ReturnedDetailRow, type ReturnedRow } from './feedback.ts';
import { DETAILS, HOUSEHOLDS } from './publish/workbook-contract.ts';

const FLAGS = new Map([
  ['a1', { household_id: 'H1', issued_on: '2026-12-03' }],
  ['a2', { household_id: 'H1', issued_on: '2026-12-03' }],
  ['b1', { household_id: 'H2', issued_on: '2026-12-03' }],
]);
const ALLOWED = new Set(['属实-已整改', '不属实-数据源错误', '核实中']);
const RECEIVED = '2026-12-10';

const household = (row: number, householdId: string, flagIds: string[], disposition = '', verifiedBy = '甲', verifiedOn = '2026-12-05'): ReturnedRow => ({
  row,
  householdId,
  flagIds,
  disposition,
  note: '',
  verifiedBy: disposition ? verifiedBy : '',
  verifiedOn: disposition ? verifiedOn : '',
});
const detail = (row: number, flagId: string, householdId: string, disposition = '', verifiedBy = '乙', verifiedOn = '2026-12-06'): ReturnedDetailRow => ({
  row,
  flagId,
  householdId,
  disposition,
  note: '',
  verifiedBy: disposition ? verifiedBy : '',
  verifiedOn: disposition ? verifiedOn : '',
});
const BLANK_DETAILS = [detail(2, 'a1', 'H1'), detail(3, 'a2', 'H1'), detail(4, 'b1', 'H2')];

const cases: {
  description: string;
  given: { rows: ReturnedRow[]; details: ReturnedDetailRow[] };
  expect: { answers: Record<string, [string, string]>; rejected: [string, number][]; unanswered: number };
}[] = [
  {
    description: "the household's answer applies to every flag left blank",
    given: { rows: [household(2, 'H1', ['a1', 'a2'], '属实-已整改'), household(3, 'H2', ['b1'])], details: BLANK_DETAILS },
    expect: { answers: { a1: ['属实-已整改', '甲'], a2: ['属实-已整改', '甲'] }, rejected: [], unanswered: 1 },
  },
  {
    description: "a flag's own answer wins over its household's",
    given: {
      rows: [household(2, 'H1', ['a1', 'a2'], '属实-已整改'), household(3, 'H2', ['b1'])],
      details: [detail(2, 'a1', 'H1'), detail(3, 'a2', 'H1', '不属实-数据源错误'), detail(4, 'b1', 'H2')],
    },
    expect: { answers: { a1: ['属实-已整改', '甲'], a2: ['不属实-数据源错误', '乙'] }, rejected: [], unanswered: 1 },
  },
  {
    description: 'answers per flag alone, the household row blank',
    given: {
      rows: [household(2, 'H1', ['a1', 'a2']), household(3, 'H2', ['b1'])],
      details: [detail(2, 'a1', 'H1', '属实-已整改'), detail(3, 'a2', 'H1', '不属实-数据源错误'), detail(4, 'b1', 'H2')],
    },
    expect: { answers: { a1: ['属实-已整改', '乙'], a2: ['不属实-数据源错误', '乙'] }, rejected: [], unanswered: 1 },
  },
  {
    description: "a bad flag row is rejected and does not fall back to the household's answer",
    given: {
      rows: [household(2, 'H1', ['a1', 'a2'], '属实-已整改'), household(3, 'H2', ['b1'])],
      details: [detail(2, 'a1', 'H1', '已处理'), detail(3, 'a2', 'H1'), detail(4, 'b1', 'H2')],
    },
    expect: { answers: { a2: ['属实-已整改', '甲'] }, rejected: [[DETAILS.sheet, 2]], unanswered: 1 },
  },
  {
    description: 'a flag row naming another household, or a date before the issue, is rejected',
    given: {
      rows: [household(2, 'H1', ['a1', 'a2']), household(3, 'H2', ['b1'])],
      details: [detail(2, 'a1', 'H2', '属实-已整改'), detail(3, 'a2', 'H1', '属实-已整改', '乙', '2026-12-01'), detail(4, 'b1', 'H2', '核实中')],
    },
    // rejected rows are reported as rejected, not counted as unanswered
    expect: { answers: { b1: ['核实中', '乙'] }, rejected: [[DETAILS.sheet, 2], [DETAILS.sheet, 3]], unanswered: 0 },
  },
  {
    description: "a bad household row leaves its blank flags unanswered, not its flags' own answers",
    given: {
      rows: [household(2, 'H1', ['a1', 'a2'], '属实-已整改', ''), household(3, 'H2', ['b1'])],
      details: [detail(2, 'a1', 'H1', '属实-已整改'), detail(3, 'a2', 'H1'), detail(4, 'b1', 'H2')],
    },
    expect: { answers: { a1: ['属实-已整改', '乙'] }, rejected: [[HOUSEHOLDS.sheet, 2]], unanswered: 1 },
  },
  {
    description: 'the former format (no answers on 疑点明细): households alone',
    given: { rows: [household(2, 'H1', ['a1', 'a2'], '不属实-数据源错误'), household(3, 'H2', ['b1'], '属实-已整改')], details: [] },
    expect: { answers: { a1: ['不属实-数据源错误', '甲'], a2: ['不属实-数据源错误', '甲'], b1: ['属实-已整改', '甲'] }, rejected: [], unanswered: 0 },
  },
];

describe('resolveAnswers', () => {
  for (const c of cases) {
    it(c.description, () => {
      const got = resolveAnswers(c.given, FLAGS, ALLOWED, RECEIVED);
      expect(Object.fromEntries([...got.byFlag].map(([id, a]) => [id, [a.disposition, a.verifiedBy]]))).toEqual(c.expect.answers);
      expect(got.rejected.map((r) => [r.sheet, r.row])).toEqual(c.expect.rejected);
      expect(got.unanswered).toBe(c.expect.unanswered);
    });
  }
});
