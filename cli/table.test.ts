import { describe, expect, it } from 'vitest';
import { displayWidth, formatTable } from './table.ts';

describe('formatTable', () => {
  const cases: { description: string; given: string; expect: number }[] = [
    { description: 'ASCII counts one column each', given: 'abc', expect: 3 },
    { description: 'CJK counts two columns each', given: '机动车', expect: 6 },
    { description: 'full-width forms count two', given: '（１）', expect: 6 },
    { description: 'mixed text', given: '2026Q3 机动车登记', expect: 7 + 10 },
    { description: 'a combining mark and a zero-width space count none', given: 'e\u0301\u200b', expect: 1 },
    { description: 'a character outside the BMP (CJK extension B) counts two', given: '𠀀', expect: 2 },
  ];
  for (const c of cases) it(`display width: ${c.description}`, () => expect(displayWidth(c.given)).toBe(c.expect));

  it('aligns columns by display width, numbers to the right, with no box drawing', () => {
    const text = formatTable([
      { feed: '机动车登记', file: 'a.csv', rows: 5 },
      { feed: 'roster', file: '低保名册.xlsx', rows: 12345 },
    ]);
    expect(text).toBe(
      [
        'feed        file            rows',
        '----------  -------------  -----',
        '机动车登记  a.csv              5',
        'roster      低保名册.xlsx  12345',
        '',
      ].join('\n'),
    );
    expect(text).not.toMatch(/[\u2500-\u257f]/);
    // every line but the rule ends at the same display column when the last column is right-aligned
    const widths = text.trimEnd().split('\n').map(displayWidth);
    expect(new Set(widths).size).toBe(1);
  });

  it('prints (none) for no rows', () => {
    expect(formatTable([])).toBe('(none)\n');
  });

  it('takes columns with headers, shows null as empty and keeps a row on one line', () => {
    const text = formatTable(
      [
        { a: null, b: 'two\nlines', c: 1 },
        { a: 'x', b: 'y', c: null },
      ],
      [{ key: 'b', header: '原因' }, 'a', { key: 'c', align: 'left' }],
    );
    expect(text.split('\n')).toEqual(['原因       a  c', '---------  -  -', 'two lines     1', 'y          x', '']);
  });
});
