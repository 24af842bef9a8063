import { describe, it } from 'vitest';
import { cellsOf, expectDeliveries, makeId, type LineCase } from '../../pipeline/load/test-support.ts';

const person = makeId('150102', '19800101', '011');
const legacy = person.slice(0, 6) + person.slice(8, 17);
const other = makeId('130102', '19900909', '024');

interface Case extends LineCase {
  row: Record<string, string>;
}

// the 居住证 system's export headers, UTF-8
const HEADER = ['身份证号', '居住地址区划', '签发日期', '有效期至', '户籍地区划'];
const base: Record<string, string> = { 身份证号: person, 居住地址区划: '150203001002', 签发日期: '2026-03-01', 有效期至: '2027-02-28', 户籍地区划: '150102001' };
const row = (over: Record<string, string> = {}) => ({ ...base, ...over });

const october: Case[] = [
  {
    description: 'a 12-digit 居住地 staged whole, its county its first six; dates read',
    row: row(),
    staged: { person_id: person, residence_division: '150203001002', residence_county: '150203', issued_on: '2026-03-01', valid_until: '2027-02-28', hukou_division: '150102001' },
  },
  { description: 'no 有效期至: no end stated; no 户籍地', row: row({ 有效期至: '', 户籍地区划: '' }), staged: { valid_until: null, hukou_division: null } },
  { description: 'a 6-digit 居住地 of another province; a 15-digit ID upgraded', row: row({ 身份证号: legacy, 居住地址区划: '110101', 签发日期: '2025/6/1', 有效期至: '20260531' }), staged: { person_id: person, residence_division: '110101', residence_county: '110101', issued_on: '2025-06-01', valid_until: '2026-05-31' } },
  { description: 'a 户籍地 of another province, 12 digits', row: row({ 身份证号: other, 户籍地区划: '130102001001' }), staged: { hukou_division: '130102001001' } },
  { description: 'a 居住地 of no province', row: row({ 居住地址区划: '990101' }), reason: ['unknown_code', 'residence_division'] },
  { description: 'a 居住地 of 5 digits', row: row({ 居住地址区划: '15020' }), reason: ['unknown_code', 'residence_division'] },
  { description: 'no 居住地', row: row({ 居住地址区划: '' }), reason: ['missing_value', 'residence_division'] },
  { description: 'a 户籍地 that is a name', row: row({ 户籍地区划: '新城区' }), reason: ['unknown_code', 'hukou_division'] },
  { description: 'no 签发日期', row: row({ 签发日期: '' }), reason: ['missing_value', 'issued_on'] },
  { description: 'a 有效期至 that is not a date', row: row({ 有效期至: '长期有效' }), reason: ['bad_date', 'valid_until'] },
  { description: 'a masked ID', row: row({ 身份证号: person.slice(0, 6) + '********' + person.slice(14) }), reason: ['id_masked', 'person_id'] },
];

// the 流动人口 system's export: alias headers, another order, no 户籍地 column
const ALIAS_HEADER = ['发证日期', '公民身份号码', '居住地行政区划', '有效期截止日期'];
const september: Case[] = [
  { description: 'alias headers; no 户籍地 column: NULL', row: { 发证日期: '2026年9月1日', 公民身份号码: other, 居住地行政区划: '150102001', 有效期截止日期: '' }, staged: { person_id: other, residence_division: '150102001', residence_county: '150102', issued_on: '2026-09-01', valid_until: null, hukou_division: null } },
  { description: 'a 9-digit 居住地', row: { 发证日期: '2026-09-02', 公民身份号码: person, 居住地行政区划: '150203002', 有效期截止日期: '2027-09-01' }, staged: { residence_county: '150203', valid_until: '2027-09-01' } },
];

// dates as text
const RESIDENCE_COLUMNS = 's.* exclude (issued_on, valid_until), s.issued_on::varchar as issued_on, s.valid_until::varchar as valid_until';

describe('residence adapter', () => {
  it('stages the 居住地 whole and its county, any province; quarantines each dirty row with its reason and field', async () => {
    await expectDeliveries(
      'residence',
      '居住证.csv',
      [
        { period: '2026-10', header: HEADER, rows: cellsOf(HEADER, october), cases: october },
        { period: '2026-09', header: ALIAS_HEADER, rows: cellsOf(ALIAS_HEADER, september), cases: september },
      ],
      RESIDENCE_COLUMNS,
    );
  });
});
