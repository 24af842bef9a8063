import { describe, expect, it } from 'vitest';
import { withWarehouse } from '../../pipeline/warehouse.ts';
import { creditCodeCheckChar } from '../../domain/credit-code.ts';
import { csv, load, makeDataDir, makeId, putInbox } from '../../pipeline/load/test-support.ts';

// alias headers, as one market-regulation bureau sends them
const HEADER = ['统一信用代码', '市场主体名称', '市场主体类型', '登记状态', '注册资本', '成立日期', '人员证件号码', '人员姓名', '人员角色', '认缴出资额'];
const code = (body: string) => body + creditCodeCheckChar(body);
const company = code('91150102MA0N00001');
const person = makeId('150102', '19800101', '011');
const individual = code('92150102MA0N00002');
const cooperative = code('93150102MA0N00003');

const cases = [
  { row: [company, '某公司', '1130', '在业', '50', '2015-01-01', person, '王芳', '法人', ''], staged: { registration_status: '存续', role: '法定代表人', registered_capital: '50.0000' } },
  { row: [company, '某公司', '1130', '吊销，未注销', '20万元', '2015-01-01', person, '王芳', '股东', '5'], staged: { registration_status: '吊销未注销', role: '出资人', registered_capital: '20.0000' } },
  { row: [company, '某公司', '1130', '吊销,未注销', '20', '2015-01-01', person, '王芳', '监事', ''], staged: { registration_status: '吊销未注销', role: '监事' } },
  { row: [company.slice(0, 17) + (company[17] === '0' ? '1' : '0'), '某公司', '1130', '存续', '50', '2015-01-01', person, '王芳', '法人', ''], reason: ['bad_credit_code', 'credit_code'] },
  { row: [company, '某公司', '有限公司', '存续', '50', '2015-01-01', person, '王芳', '法人', ''], reason: ['unknown_code', 'entity_type'] },
  // 市场主体类型 as text: a name of the code table, or the credit code's kind (92 / 93)
  { row: [individual, '某商店', '个体工商户', '存续', '3', '2015-01-01', person, '王芳', '经营者', ''], staged: { entity_type: '9600' } },
  { row: [company, '某公司', '有限责任公司（自然人投资或控股）', '存续', '50', '2015-01-01', person, '王芳', '法人', ''], staged: { entity_type: '1130' } },
  { row: [individual, '某商店', '个人经营', '存续', '3', '2015-01-01', person, '王芳', '经营者', ''], staged: { entity_type: '9600' } },
  { row: [cooperative, '某合作社', '合作社', '存续', '30', '2015-01-01', person, '王芳', '出资人', '2'], staged: { entity_type: '9100' } },
  { row: [company, '某公司', '1130', '休眠', '50', '2015-01-01', person, '王芳', '法人', ''], reason: ['unknown_code', 'registration_status'] },
];

describe('business adapter (alias headers)', () => {
  it('maps aliases, folds statuses and roles, checks credit codes', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'business', '2026-10', '市场主体.csv', csv([HEADER, ...cases.map((c) => c.row)]));
    await withWarehouse(async (w) => {
      await load(w, dataDir);
      for (const [i, c] of cases.entries()) {
        const line = i + 2;
        if (c.staged) expect(await w.one('t', 'select *, registered_capital::varchar as registered_capital from stg_business where line = $line', { line })).toMatchObject(c.staged);
        else expect(await w.one('t', 'select reason, field from quarantine where line = $line', { line })).toEqual({ reason: c.reason![0], field: c.reason![1] });
      }
    });
  });
});
