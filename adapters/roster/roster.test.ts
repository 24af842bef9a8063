import { describe, expect, it } from 'vitest';
import { withWarehouse } from '../../pipeline/warehouse.ts';
import { csv, load, makeDataDir, makeId, putInbox } from '../../pipeline/load/test-support.ts';

const HEADER = ['户编号', '户主身份证号', '身份证号', '姓名', '与户主关系', '是否保障对象', '保障类别', '区划代码', '保障人数', '月保障金', '保障起始日期', '核对授权书签署日期', '授权书有效期至', '人户分离', '单人保', '城乡属性'];
const head = makeId('150102', '19700101', '001');
const row = (over: Record<number, string> = {}) => {
  const r = ['1501020000001', head, head, '王芳', '户主', '是', '城市低保', '150102001', '1', '1,200.50', '2022年3月3日', '2025/1/1', '20280101', '', '否', ''];
  for (const [i, v] of Object.entries(over)) r[Number(i)] = v;
  return r;
};

const cases = [
  { description: 'a clean member: amount with a thousands separator, dates in three forms, blank 人户分离 = 否', row: row(), staged: { program: '城市低保', county_code: '150102', monthly_amount: '1200.50', enrolled_on: '2022-03-03', authorization_valid_until: '2028-01-01', registered_elsewhere: false } },
  { description: 'a 12-digit division code', row: row({ 7: '150203001002' }), staged: { county_code: '150203', division_code: '150203001002' } },
  { description: 'an unknown program', row: row({ 6: '城市五保' }), reason: ['unknown_code', 'program'] },
  { description: 'a division outside Inner Mongolia', row: row({ 7: '110101001' }), reason: ['unknown_code', 'division_code'] },
  { description: '是否保障对象 neither 是 nor 否', row: row({ 5: '待定' }), reason: ['unknown_code', 'is_covered'] },
  { description: 'household size not a number', row: row({ 8: '三' }), reason: ['bad_number', 'household_size'] },
  { description: 'household size 2.5 (a cast would round it to 3)', row: row({ 8: '2.5' }), reason: ['bad_number', 'household_size'] },
  { description: 'household size 2.0 as a spreadsheet writes it', row: row({ 8: '2.0' }), staged: { household_size: 2 } },
  { description: 'a bad head ID', row: row({ 1: head.slice(0, 17) + (head[17] === '0' ? '1' : '0') }), reason: ['id_bad_checksum', 'head_id'] },
  { description: 'a missing authorization date is allowed (the household is then unauthorized, not quarantined)', row: row({ 11: '' }), staged: { authorization_signed_on: null } },
  { description: '城乡属性 城镇 is 城市; the program carries 城市', row: row({ 15: '城镇' }), staged: { urban_rural: '城市', program_urban_rural: '城市' } },
  { description: '城乡属性 农村牧区 is 农村', row: row({ 15: '农村牧区' }), staged: { urban_rural: '农村' } },
  { description: 'blank 城乡属性 is unknown, not an error', row: row({ 3: '李明', 15: '' }), staged: { urban_rural: null } },
  { description: '城乡属性 neither urban nor rural', row: row({ 15: '郊区' }), reason: ['unknown_code', 'urban_rural'] },
  { description: '农村低保边缘 is staged as 低保边缘, its 农村 kept', row: row({ 6: '农村低保边缘' }), staged: { program: '低保边缘', program_urban_rural: '农村', urban_rural: null } },
  { description: 'plain 低保边缘 carries no urban/rural', row: row({ 6: '低保边缘' }), staged: { program: '低保边缘', program_urban_rural: null } },
];

describe('roster adapter', () => {
  it('stages and quarantines as the case table says', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-10', '名册.csv', '\uFEFF' + csv([HEADER, ...cases.map((c) => c.row)]));
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      expect(report.loaded[0]).toMatchObject({ encoding: 'utf-8-bom', rowsRead: cases.length });
      for (const [i, c] of cases.entries()) {
        const line = i + 2;
        if (c.staged) {
          const s = await w.one<Record<string, unknown>>('t', 'select *, monthly_amount::varchar as monthly_amount from stg_roster where line = $line', { line });
          expect(s, c.description).toMatchObject(c.staged);
        } else {
          expect(await w.one('t', 'select reason, field from quarantine where line = $line', { line }), c.description).toEqual({ reason: c.reason![0], field: c.reason![1] });
        }
      }
    });
  });
});
