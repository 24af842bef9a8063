import { describe, it } from 'vitest';
import { cellsOf, expectDeliveries, makeId, type LineCase } from '../../pipeline/load/test-support.ts';

/** The recipient (被赡养人) and their obligors. */
const elder = makeId('150102', '19400101', '011');
const legacyElder = elder.slice(0, 6) + elder.slice(8, 17);
const son = makeId('150102', '19650303', '013');
const daughter = makeId('150102', '19680808', '024');
const wife = makeId('150203', '19420202', '026');
const mother = makeId('150102', '19180505', '028');
const legacyMother = mother.slice(0, 6) + mother.slice(8, 17);
const brother = makeId('110101', '19380707', '031');
const grandson = makeId('152502', '19900909', '035');
const badCheck = son.slice(0, 17) + (son[17] === '0' ? '1' : '0');

interface Case extends LineCase {
  row: Record<string, string>;
}

// the assistance system's template headers, GBK as county exports often are
const HEADER = ['被赡养人户编号', '被赡养人身份证号', '义务人身份证号', '义务人姓名', '关系', '义务人家庭人口数', '义务人户籍区划', '授权书签署日期', '授权书有效期至'];
const base: Record<string, string> = {
  被赡养人户编号: 'H150102000123',
  被赡养人身份证号: elder,
  义务人身份证号: son,
  义务人姓名: '王建国',
  关系: '儿子',
  义务人家庭人口数: '4',
  义务人户籍区划: '150102',
  授权书签署日期: '2026-03-01',
  授权书有效期至: '2027/2/28',
};
const row = (over: Record<string, string> = {}) => ({ ...base, ...over });

const october: Case[] = [
  {
    description: '儿子 is 子; dates read',
    row: row(),
    staged: { household_id: 'H150102000123', supported_id: elder, obligor_id: son, obligor_name: '王建国', relation: '子', obligor_family_size: 4, obligor_county: '150102', auth_signed_on: '2026-03-01', auth_valid_until: '2027-02-28' },
  },
  { description: '长 女 (a space) is 女; a 9-digit county keeps its first six', row: row({ 义务人身份证号: daughter, 义务人姓名: '王建华', 关系: '长 女', 义务人家庭人口数: '3', 义务人户籍区划: '150102001' }), staged: { obligor_id: daughter, relation: '女', obligor_family_size: 3, obligor_county: '150102' } },
  { description: '妻子 is 配偶; a 12-digit county; not signed: no dates', row: row({ 义务人身份证号: wife, 义务人姓名: '李秀兰', 关系: '妻子', 义务人家庭人口数: '2', 义务人户籍区划: '150203001002', 授权书签署日期: '', 授权书有效期至: '' }), staged: { relation: '配偶', obligor_county: '150203', auth_signed_on: null, auth_valid_until: null } },
  { description: '母亲 is 父母; a 15-digit ID upgraded; no county', row: row({ 义务人身份证号: legacyMother, 义务人姓名: '张桂英', 关系: '母亲', 义务人家庭人口数: '1', 义务人户籍区划: '' }), staged: { obligor_id: mother, relation: '父母', obligor_family_size: 1, obligor_county: null } },
  { description: '哥哥 is 兄弟姐妹; a county of another province is staged as written', row: row({ 义务人身份证号: brother, 义务人姓名: '王建军', 关系: '哥哥', 义务人户籍区划: '110101' }), staged: { relation: '兄弟姐妹', obligor_county: '110101' } },
  { description: '外孙子女 is 孙子女; 30 people is the most', row: row({ 义务人身份证号: grandson, 义务人姓名: '巴特尔', 关系: '外孙子女', 义务人家庭人口数: '30', 义务人户籍区划: '152502' }), staged: { relation: '孙子女', obligor_family_size: 30, obligor_county: '152502' } },
  { description: '外祖父母 is 祖父母 (a grandchild recipient)', row: row({ 被赡养人户编号: 'H150102000456', 被赡养人身份证号: grandson, 义务人身份证号: elder, 义务人姓名: '王大山', 关系: '外祖父母' }), staged: { household_id: 'H150102000456', supported_id: grandson, obligor_id: elder, relation: '祖父母' } },
  { description: 'an in-law is no obligor of the table', row: row({ 关系: '儿媳' }), reason: ['unknown_code', 'relation'] },
  { description: 'a nephew neither', row: row({ 关系: '侄子' }), reason: ['unknown_code', 'relation'] },
  { description: 'no relation', row: row({ 关系: '' }), reason: ['missing_value', 'relation'] },
  { description: 'a family of none', row: row({ 义务人家庭人口数: '0' }), reason: ['unknown_code', 'obligor_family_size'] },
  { description: 'a family of 31', row: row({ 义务人家庭人口数: '31' }), reason: ['unknown_code', 'obligor_family_size'] },
  { description: 'a family size written in words', row: row({ 义务人家庭人口数: '四' }), reason: ['bad_number', 'obligor_family_size'] },
  { description: 'a family size that is not an integer', row: row({ 义务人家庭人口数: '3.5' }), reason: ['bad_number', 'obligor_family_size'] },
  { description: 'a family size in scientific notation (the cast would read 10)', row: row({ 义务人家庭人口数: '1e1' }), reason: ['bad_number', 'obligor_family_size'] },
  { description: 'no family size', row: row({ 义务人家庭人口数: '' }), reason: ['missing_value', 'obligor_family_size'] },
  { description: 'a league code where the county belongs', row: row({ 义务人户籍区划: '1501' }), reason: ['unknown_code', 'obligor_county'] },
  { description: 'a county of 8 digits', row: row({ 义务人户籍区划: '15010200' }), reason: ['unknown_code', 'obligor_county'] },
  { description: 'a county name, not a code', row: row({ 义务人户籍区划: '新城区' }), reason: ['unknown_code', 'obligor_county'] },
  { description: 'the obligor is the recipient', row: row({ 义务人身份证号: elder }), reason: ['unknown_code', 'obligor_id'] },
  { description: 'the obligor is the recipient, one ID written in 15 digits', row: row({ 被赡养人身份证号: legacyElder, 义务人身份证号: elder }), reason: ['unknown_code', 'obligor_id'] },
  { description: 'a wrong check character', row: row({ 义务人身份证号: badCheck }), reason: ['id_bad_checksum', 'obligor_id'] },
  { description: 'a masked recipient ID', row: row({ 被赡养人身份证号: elder.slice(0, 6) + '********' + elder.slice(14) }), reason: ['id_masked', 'supported_id'] },
  { description: 'no obligor name', row: row({ 义务人姓名: '' }), reason: ['missing_value', 'obligor_name'] },
  { description: 'no household', row: row({ 被赡养人户编号: '' }), reason: ['missing_value', 'household_id'] },
  { description: 'a signing date that is not one', row: row({ 授权书签署日期: '2026-13-01' }), reason: ['bad_date', 'auth_signed_on'] },
];

// another system's export: alias headers, another column order, no 户籍区划 column at all
const ALIAS_HEADER = ['户编号', '赡养人姓名', '赡养人身份证号', '被赡养人身份证号码', '与被赡养人关系', '义务人家庭人数', '义务人授权书签署日期', '授权有效期至'];
const september: Case[] = [
  { description: 'alias headers; 次子 is 子; no county column: NULL', row: { 户编号: 'H150102000123', 赡养人姓名: '王建国', 赡养人身份证号: son.toLowerCase(), 被赡养人身份证号码: elder, 与被赡养人关系: '次子', 义务人家庭人数: '5', 义务人授权书签署日期: '2026年3月1日', 授权有效期至: '20270228' }, staged: { obligor_id: son, relation: '子', obligor_family_size: 5, obligor_county: null, auth_signed_on: '2026-03-01', auth_valid_until: '2027-02-28' } },
  { description: '姐 is 兄弟姐妹; signed without a validity date', row: { 户编号: 'H150102000123', 赡养人姓名: '王秀梅', 赡养人身份证号: daughter, 被赡养人身份证号码: elder, 与被赡养人关系: '姐', 义务人家庭人数: '2', 义务人授权书签署日期: '2026-01-15', 授权有效期至: '' }, staged: { relation: '兄弟姐妹', auth_signed_on: '2026-01-15', auth_valid_until: null } },
  { description: '孙女 is 孙子女', row: { 户编号: 'H150102000123', 赡养人姓名: '巴特尔', 赡养人身份证号: grandson, 被赡养人身份证号码: elder, 与被赡养人关系: '孙女', 义务人家庭人数: '3', 义务人授权书签署日期: '', 授权有效期至: '' }, staged: { relation: '孙子女' } },
  { description: '丈夫 is 配偶', row: { 户编号: 'H150203000077', 赡养人姓名: '王大山', 赡养人身份证号: elder, 被赡养人身份证号码: wife, 与被赡养人关系: '丈夫', 义务人家庭人数: '2', 义务人授权书签署日期: '', 授权有效期至: '' }, staged: { relation: '配偶', supported_id: wife } },
  { description: '外祖母 is 祖父母; a family size written 3.0 is 3', row: { 户编号: 'H150102000456', 赡养人姓名: '李秀兰', 赡养人身份证号: wife, 被赡养人身份证号码: grandson, 与被赡养人关系: '外祖母', 义务人家庭人数: '3.0', 义务人授权书签署日期: '', 授权有效期至: '' }, staged: { relation: '祖父母', obligor_family_size: 3 } },
  { description: 'a negative family size', row: { 户编号: 'H150102000123', 赡养人姓名: '王建国', 赡养人身份证号: son, 被赡养人身份证号码: elder, 与被赡养人关系: '儿子', 义务人家庭人数: '-1', 义务人授权书签署日期: '', 授权有效期至: '' }, reason: ['unknown_code', 'obligor_family_size'] },
];

// dates as text
const OBLIGOR_COLUMNS = 's.* exclude (auth_signed_on, auth_valid_until), s.auth_signed_on::varchar as auth_signed_on, s.auth_valid_until::varchar as auth_valid_until';

describe('obligors adapter', () => {
  it('folds relations, keeps the county, checks the family size; quarantines each dirty row with its reason and field', async () => {
    await expectDeliveries(
      'obligors',
      '义务人.csv',
      [
        { period: '2026-10', header: HEADER, rows: cellsOf(HEADER, october), gbk: true, cases: october },
        { period: '2026-09', header: ALIAS_HEADER, rows: cellsOf(ALIAS_HEADER, september), cases: september },
      ],
      OBLIGOR_COLUMNS,
    );
  });
});
