import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { csvField, formatCsv } from './csv.ts';

describe('formatCsv', () => {
  const cases: { description: string; given: unknown; expect: string }[] = [
    { description: 'plain text stays as it is', given: '身份证号校验位错误 (id_bad_checksum)', expect: '身份证号校验位错误 (id_bad_checksum)' },
    { description: 'a comma is quoted', given: 'a,b', expect: '"a,b"' },
    { description: 'a quote is quoted and doubled', given: 'say "x"', expect: '"say ""x"""' },
    { description: 'a line feed is quoted', given: 'a\nb', expect: '"a\nb"' },
    { description: 'a carriage return is quoted', given: 'a\rb', expect: '"a\rb"' },
    { description: 'null is empty', given: null, expect: '' },
    { description: 'a number is its digits', given: 52, expect: '52' },
  ];
  for (const c of cases) it(`field: ${c.description}`, () => expect(csvField(c.given)).toBe(c.expect));

  it('starts with the BOM, ends lines with CRLF, and parses back to the same values', () => {
    const rows = [
      { file: 'inbox/business/2026-10/补充,"二".csv', line: null, reason: 'two\r\nlines' },
      { file: 'a.csv', line: 7, reason: '必填项为空 (missing_value)' },
    ];
    const text = formatCsv(rows, [
      { key: 'file', header: '文件' },
      { key: 'line', header: '行号' },
      { key: 'reason', header: '原因' },
    ]);
    expect(text.startsWith('\uFEFF文件,行号,原因\r\n')).toBe(true);
    expect(parse(text, { bom: true, columns: true })).toEqual([
      { 文件: rows[0].file, 行号: '', 原因: 'two\r\nlines' },
      { 文件: 'a.csv', 行号: '7', 原因: '必填项为空 (missing_value)' },
    ]);
  });
});
