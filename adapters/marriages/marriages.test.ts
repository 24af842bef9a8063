import { describe, it } from 'vitest';
import { expectDeliveries, makeId, type LineCase } from '../../pipeline/load/test-support.ts';

const man = makeId('150102', '19800101', '011');
const legacyMan = man.slice(0, 6) + man.slice(8, 17);
const woman = makeId('150102', '19820202', '022');
const man2 = makeId('150203', '19751111', '033');
const woman2 = makeId('152502', '19880808', '044');
const badCheck = woman.slice(0, 17) + (woman[17] === '0' ? '1' : '0');

interface Case extends LineCase {
  row: string[];
}

// the 婚姻登记 system's template headers, GBK
const HEADER = ['男方身份证号', '男方姓名', '女方身份证号', '女方姓名', '登记类型', '登记日期', '登记机关'];
const october: Case[] = [
  { description: '结婚登记 is 结婚', row: [man, '王建国', woman, '李秀英', '结婚登记', '2026-10-08', '呼和浩特市新城区民政局婚姻登记处'], staged: { male_id: man, male_name: '王建国', female_id: woman, female_name: '李秀英', registration: '结婚', registered_on: '2026-10-08', registry: '呼和浩特市新城区民政局婚姻登记处' } },
  { description: '离婚登记 is 离婚; no registry', row: [man2, '巴特尔', woman2, '其其格', '离婚登记', '2026/10/9', ''], staged: { registration: '离婚', registered_on: '2026-10-09', registry: null } },
  { description: '复婚 is 结婚; a 15-digit ID upgraded', row: [legacyMan, '王建国', woman2, '其其格', '复婚', '20261015', '包头市民政局'], staged: { male_id: man, registration: '结婚', registered_on: '2026-10-15' } },
  { description: '复婚 登记 (a space) is 结婚', row: [man2, '巴特尔', woman, '李秀英', '复婚 登记', '2026年10月20日', ''], staged: { registration: '结婚', registered_on: '2026-10-20' } },
  { description: '离婚 is 离婚; a lowercase x', row: [man2.toLowerCase(), '巴特尔', woman, '李秀英', '离婚', '2026-10-21', ''], staged: { male_id: man2, registration: '离婚' } },
  { description: 'a replacement certificate changes no status', row: [man, '王建国', woman, '李秀英', '补领结婚证', '2026-10-22', ''], reason: ['unknown_code', 'registration'] },
  { description: 'an annulment is not a registration of the table', row: [man, '王建国', woman, '李秀英', '撤销婚姻', '2026-10-22', ''], reason: ['unknown_code', 'registration'] },
  { description: 'no registration type', row: [man, '王建国', woman, '李秀英', '', '2026-10-22', ''], reason: ['missing_value', 'registration'] },
  { description: 'the same ID on both sides', row: [man, '王建国', man, '李秀英', '结婚登记', '2026-10-22', ''], reason: ['unknown_code', 'female_id'] },
  { description: 'the same ID on both sides, one written in 15 digits', row: [legacyMan, '王建国', man, '李秀英', '结婚登记', '2026-10-22', ''], reason: ['unknown_code', 'female_id'] },
  { description: 'a wrong check character', row: [man, '王建国', badCheck, '李秀英', '结婚登记', '2026-10-22', ''], reason: ['id_bad_checksum', 'female_id'] },
  { description: 'a masked ID', row: [man.slice(0, 6) + '********' + man.slice(14), '王建国', woman, '李秀英', '结婚登记', '2026-10-22', ''], reason: ['id_masked', 'male_id'] },
  { description: 'no female name', row: [man, '王建国', woman, '', '结婚登记', '2026-10-22', ''], reason: ['missing_value', 'female_name'] },
  { description: 'an impossible date', row: [man, '王建国', woman, '李秀英', '结婚登记', '2026-02-30', ''], reason: ['bad_date', 'registered_on'] },
  { description: 'no date', row: [man, '王建国', woman, '李秀英', '结婚登记', '', ''], reason: ['missing_value', 'registered_on'] },
];

// another registry's export: alias headers, another column order
const ALIAS_HEADER = ['业务类型', '登记日期', '男方证件号码', '男方姓名', '女方身份证件号码', '女方姓名', '婚姻登记机关'];
const september: Case[] = [
  { description: 'alias headers; 结婚 as written', row: ['结婚', '2026-09-12', man, '王建国', woman2, '其其格', '包头市民政局'], staged: { male_id: man, female_id: woman2, registration: '结婚', registered_on: '2026-09-12', registry: '包头市民政局' } },
  { description: '复婚登记 is 结婚', row: ['复婚登记', '2026-09-13', man2, '巴特尔', woman, '李秀英', ''], staged: { registration: '结婚', registry: null } },
  { description: '离婚 is 离婚', row: ['离婚', '2026-09-14', man2, '巴特尔', woman2, '其其格', ''], staged: { registration: '离婚' } },
  { description: '出具婚姻登记记录证明 is no registration', row: ['出具婚姻登记记录证明', '2026-09-15', man, '王建国', woman, '李秀英', ''], reason: ['unknown_code', 'registration'] },
];

// dates as text
const MARRIAGE_COLUMNS = 's.* exclude (registered_on), s.registered_on::varchar as registered_on';

describe('marriages adapter', () => {
  it('folds registration types to 结婚 / 离婚; quarantines each dirty row with its reason and field', async () => {
    await expectDeliveries(
      'marriages',
      '婚姻登记.csv',
      [
        { period: '2026-10', header: HEADER, rows: october.map((c) => c.row), gbk: true, cases: october },
        { period: '2026-09', header: ALIAS_HEADER, rows: september.map((c) => c.row), cases: september },
      ],
      MARRIAGE_COLUMNS,
    );
  });
});
