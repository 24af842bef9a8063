import { describe, expect, it } from 'vitest';
import { rosterColumns } from '../../adapters/roster/columns.ts';
import { findHeader, footerCount, isFooterLike, numberText, writeSheets, type SheetRow } from './sheets.ts';

const HEADER = ['户编号', '户主身份证号', '身份证号', '姓名', '与户主关系', '是否保障对象', '保障类别', '区划代码', '保障人数', '月保障金', '保障起始日期', '核对授权书签署日期', '授权书有效期至'];
const rows = (...cells: string[][]): SheetRow[] => cells.map((c, i) => ({ number: i + 1, cells: c }));

describe('findHeader', () => {
  const cases: { description: string; given: SheetRow[]; expect: { row: number; groupRow: number | null; missing: number } | null }[] = [
    { description: 'a header on row 1', given: rows(HEADER, ['1']), expect: { row: 1, groupRow: null, missing: 0 } },
    { description: 'a title, a blank row and a unit note above the header', given: rows(['2026年10月 在保名册'], [], ['单位：元'], HEADER), expect: { row: 4, groupRow: null, missing: 0 } },
    {
      description: 'a two-row header: a group row, and vertically merged cells whose value is in the top cell',
      given: rows(['户编号', '户主身份证号', '成员信息', '', '', '保障信息', ...HEADER.slice(6)], ['', '', '身份证号', '姓名', '与户主关系', '是否保障对象', ...HEADER.slice(6).map(() => '')]),
      expect: { row: 2, groupRow: 1, missing: 0 },
    },
    { description: 'a header lacking two required columns', given: rows(['标题'], HEADER.filter((h) => h !== '姓名' && h !== '保障类别')), expect: { row: 2, groupRow: null, missing: 2 } },
    { description: 'no header at all', given: rows(['2026年10月'], ['a', 'b'], ['1', '2']), expect: null },
  ];
  for (const c of cases) {
    it(c.description, () => {
      const m = findHeader(rosterColumns, c.given);
      expect(m && { row: m.row, groupRow: m.groupRow, missing: m.missing.length }).toEqual(c.expect);
    });
  }
});

describe('footer rows', () => {
  const cases: { given: string[]; footer: boolean; count: number | null }[] = [
    { given: ['合计', '', '', '1234.00'], footer: true, count: null },
    { given: ['', '合  计：共 1,234 条'], footer: true, count: 1234 },
    { given: ['总计', '共12人'], footer: true, count: 12 },
    { given: ['制表人：张三', '', '审核人：李四'], footer: true, count: null },
    { given: ['填报日期：2026-11-02'], footer: true, count: null },
    { given: ['共 88 条记录'], footer: true, count: 88 },
    { given: ['合计商贸有限公司', '91150102MA0000000X'], footer: false, count: null },
    { given: ['1501020000001', '150102197001010012'], footer: false, count: null },
  ];
  for (const c of cases) {
    it(`${c.given.join('|')}: ${c.footer ? 'a footer' : 'data'}`, () => {
      expect(isFooterLike(c.given)).toBe(c.footer);
      if (c.footer) expect(footerCount(c.given)).toBe(c.count);
    });
  }
});

describe('numberText', () => {
  it('keeps integers below 2^53 whole and writes larger ones as Excel shows them, so no rounded digit string passes as an ID', () => {
    expect(numberText(150102197001011)).toBe('150102197001011');
    expect(numberText(1234.5)).toBe('1234.5');
    expect(numberText(150102197001011234)).toBe('1.50102197001011E+17');
    expect(numberText(2 ** 53)).toBe('9.00719925474099E+15');
    expect(numberText(1e20)).toBe('1E+20');
  });
});

describe('writeSheets', () => {
  const write = async (sheets: { name: string; rows: SheetRow[]; hidden?: boolean }[]) => {
    const out: string[] = [];
    const read = await writeSheets(
      sheets.map((s) => ({ name: s.name, hidden: s.hidden ?? false, rows: s.rows })),
      rosterColumns,
      'a.xlsx',
      (l) => void out.push(l),
    );
    return { read, lines: out };
  };
  const data = (n: number) => Array.from({ length: HEADER.length }, (_, i) => `${n}-${i}`);

  it('sets trailing footers aside, keeps a footer-like row followed by data, and notes a count that disagrees', async () => {
    const { read, lines } = await write([{ name: '名册', rows: rows(['标题'], HEADER, data(1), ['合计', '共 9 条'], data(2), [], ['合计', '共 9 条'], ['制表人：某']) }]);
    expect(lines.map((l) => l.split(',')[0])).toEqual(['"__line"', '"3"', '"4"', '"5"']);
    expect(read).toMatchObject({ dataRows: 3, rowsAboveHeader: 1, footerRows: 2, sheets: ['名册 (rows 3–5)'] });
    expect(read.notes).toEqual(['工作表「名册」合计行记录数 9 与读取的 3 行不符 (sheet 名册: the footer states 9 records, 3 rows were read)']);
  });

  it('reads every matching sheet, in the canonical order, and skips hidden and non-matching ones', async () => {
    const reordered = [HEADER[3], ...HEADER.filter((h) => h !== HEADER[3]), '备注'];
    const { read, lines } = await write([
      { name: '说明', rows: rows(['本表说明'], ['字段', '含义']) },
      { name: 'A', rows: rows(HEADER, data(1)) },
      { name: 'B', rows: rows(reordered, ['张三', ...data(2).filter((_, i) => i !== 3), '备注内容']) },
      { name: '模板', hidden: true, rows: rows(HEADER, data(3)) },
    ]);
    expect(read.sheets).toEqual(['A (rows 2–2)', 'B (rows 2–2)']);
    expect(lines[2].split(',').slice(3, 5)).toEqual(['"2-2"', '"张三"']);
    expect(lines[2].endsWith(',"备注内容"\n')).toBe(true);
  });

  it('rejects a workbook whose best header lacks required columns, naming the sheet, row and columns', async () => {
    await expect(write([{ name: '名册', rows: rows(['标题'], HEADER.filter((h) => h !== '姓名'), data(1)) }])).rejects.toThrow(/工作表「名册」第 2 行.*「姓名」\(name\)/);
    await expect(write([{ name: 'S', rows: rows(['x'], ['y']) }])).rejects.toThrow(/no header row recognised in the first 10 rows/);
  });
});
