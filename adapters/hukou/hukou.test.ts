import { describe, it } from 'vitest';
import { cellsOf, expectDeliveries, makeId, type LineCase } from '../../pipeline/load/test-support.ts';

const person = makeId('150102', '19700101', '011');
const legacy = person.slice(0, 6) + person.slice(8, 17);
const wife = makeId('150102', '19720202', '022');
const incomer = makeId('130102', '19880808', '033');
const badCheck = person.slice(0, 17) + (person[17] === '0' ? '1' : '0');

interface Case extends LineCase {
  row: Record<string, string>;
}

// the 公安 常住人口 export's headers, GBK as 公安 exports are
const HEADER = ['公民身份号码', '户号', '与户主关系', '户籍地址区划', '迁入日期', '迁出日期', '迁往地', '注销标识'];
const base: Record<string, string> = {
  公民身份号码: person,
  户号: '150102001000123',
  与户主关系: '户主',
  户籍地址区划: '150102001002',
  迁入日期: '2001-05-06',
  迁出日期: '',
  迁往地: '',
  注销标识: '否',
};
const row = (over: Record<string, string> = {}) => ({ ...base, ...over });

const october: Case[] = [
  {
    description: 'a 12-digit code staged whole, its county its first six; 否 is not cancelled',
    row: row(),
    staged: { person_id: person, household_no: '150102001000123', relation: '户主', division_code: '150102001002', county_code: '150102', moved_in_on: '2001-05-06', moved_out_on: null, moved_to: null, cancelled: false },
  },
  { description: 'a 9-digit code; 0 is not cancelled; a 15-digit ID upgraded', row: row({ 公民身份号码: legacy, 户籍地址区划: '150203001', 注销标识: '0' }), staged: { person_id: person, division_code: '150203001', county_code: '150203', cancelled: false } },
  { description: 'a 6-digit code of another province; 正常 is not cancelled', row: row({ 公民身份号码: incomer, 户籍地址区划: '130102', 注销标识: '正常' }), staged: { division_code: '130102', county_code: '130102', cancelled: false } },
  { description: 'empty 注销标识: not cancelled; no 迁入日期', row: row({ 公民身份号码: wife, 与户主关系: '配偶', 迁入日期: '', 注销标识: '' }), staged: { relation: '配偶', moved_in_on: null, cancelled: false } },
  { description: '是 is cancelled', row: row({ 注销标识: '是' }), staged: { cancelled: true } },
  { description: '1 is cancelled', row: row({ 注销标识: '1' }), staged: { cancelled: true } },
  { description: '已注销 is cancelled; moved out to a place written as text', row: row({ 注销标识: '已注销', 迁出日期: '2024/3/1', 迁往地: '河北省石家庄市长安区' }), staged: { cancelled: true, moved_out_on: '2024-03-01', moved_to: '河北省石家庄市长安区' } },
  { description: 'moved out to a division code, kept as written; not cancelled', row: row({ 迁出日期: '20250101', 迁往地: '130102001' }), staged: { cancelled: false, moved_out_on: '2025-01-01', moved_to: '130102001' } },
  { description: 'a province that does not exist', row: row({ 户籍地址区划: '990101001' }), reason: ['unknown_code', 'division_code'] },
  { description: 'a league code where the county belongs', row: row({ 户籍地址区划: '1501' }), reason: ['unknown_code', 'division_code'] },
  { description: 'a code of 8 digits', row: row({ 户籍地址区划: '15010200' }), reason: ['unknown_code', 'division_code'] },
  { description: 'an address, not a code', row: row({ 户籍地址区划: '新城区' }), reason: ['unknown_code', 'division_code'] },
  { description: 'no division', row: row({ 户籍地址区划: '' }), reason: ['missing_value', 'division_code'] },
  { description: 'a 注销标识 of no table', row: row({ 注销标识: '待定' }), reason: ['unknown_code', 'cancelled'] },
  { description: 'a wrong check character', row: row({ 公民身份号码: badCheck }), reason: ['id_bad_checksum', 'person_id'] },
  { description: 'no ID', row: row({ 公民身份号码: '' }), reason: ['missing_value', 'person_id'] },
  { description: 'a 迁出日期 that is not a date', row: row({ 迁出日期: '2025-02-30' }), reason: ['bad_date', 'moved_out_on'] },
];

// another export: alias headers, another order, no 户号, 迁出 or 迁往地 columns
const ALIAS_HEADER = ['身份证号码', '户籍地区划', '与户主的关系', '是否注销', '迁入日期'];
const september: Case[] = [
  { description: 'alias headers; missing columns are NULL; 注销 is cancelled', row: { 身份证号码: person, 户籍地区划: '150102001', 与户主的关系: '户主', 是否注销: '注销', 迁入日期: '2001年5月6日' }, staged: { person_id: person, household_no: null, division_code: '150102001', county_code: '150102', moved_in_on: '2001-05-06', moved_out_on: null, cancelled: true } },
  { description: '未注销 is not cancelled; a lowercase x', row: { 身份证号码: incomer.toLowerCase(), 户籍地区划: '130102001001', 与户主的关系: '子', 是否注销: '未注销', 迁入日期: '' }, staged: { person_id: incomer, county_code: '130102', cancelled: false } },
];

// dates as text
const HUKOU_COLUMNS = 's.* exclude (moved_in_on, moved_out_on), s.moved_in_on::varchar as moved_in_on, s.moved_out_on::varchar as moved_out_on';

describe('hukou adapter', () => {
  it('stages the division whole and its county, folds 注销标识; quarantines each dirty row with its reason and field', async () => {
    await expectDeliveries(
      'hukou',
      '常住人口.csv',
      [
        { period: '2026-10', header: HEADER, rows: cellsOf(HEADER, october), gbk: true, cases: october },
        { period: '2026-09', header: ALIAS_HEADER, rows: cellsOf(ALIAS_HEADER, september), cases: september },
      ],
      HUKOU_COLUMNS,
    );
  });
});
