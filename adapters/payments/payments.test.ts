import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withWarehouse } from '../../pipeline/warehouse.ts';
import { csv, expectLines, load, makeDataDir, makeId, putInbox, type LineCase } from '../../pipeline/load/test-support.ts';

const head = makeId('150102', '19600101', '011');
const wife = makeId('150102', '19620202', '022');
const other = makeId('150203', '19551111', '033');
const badCheck = head.slice(0, 17) + (head[17] === '0' ? '1' : '0');
/** The accounts the file holds: none of them may reach a staged file, whole. */
const ACCOUNT = '6228480012345678901';
const ACCOUNT_2 = '6217000098765432';

interface Case extends LineCase {
  row: Record<string, string>;
}

// the platform's template headers
const HEADER = ['补贴项目名称', '补贴项目代码', '发放批次号', '所属期', '发放日期', '补贴对象姓名', '补贴对象身份证号', '户主身份证号', '代理金融机构', '账号', '发放金额', '发放状态', '区划代码'];
const base: Record<string, string> = {
  补贴项目名称: '城市低保金',
  补贴项目代码: '',
  发放批次号: 'PC150102202610001',
  所属期: '202610',
  发放日期: '2026-10-12',
  补贴对象姓名: '王芳',
  补贴对象身份证号: head,
  户主身份证号: head,
  代理金融机构: '中国农业银行',
  账号: ACCOUNT,
  发放金额: '1,658.00',
  发放状态: '成功',
  区划代码: '150102001',
};
const row = (over: Record<string, string> = {}) => ({ ...base, ...over });

const october: Case[] = [
  { description: 'a 低保 payment to the head: the account staged as its last four digits only', row: row(), staged: { program: '城市低保', benefit_month: '2026-10', paid_on: '2026-10-12', amount: '1658.00', status: '成功', account_last4: '8901', county_code: '150102', division_code: '150102001', head_id: head, payee_id: head } },
  { description: '发放成功 is 成功; a long item name', row: row({ 补贴项目名称: '城市最低生活保障金', 发放状态: '发放成功', 账号: ACCOUNT_2 }), staged: { program: '城市低保', status: '成功', account_last4: '5432' } },
  { description: '已发放 is 成功; 农村牧区低保金', row: row({ 补贴项目名称: '农村牧区低保金', 发放状态: '已发放', 区划代码: '150203' }), staged: { program: '农村低保', status: '成功', county_code: '150203' } },
  { description: '失败', row: row({ 补贴项目名称: '城市特困供养金', 发放状态: '失败' }), staged: { program: '城市特困', status: '失败' } },
  { description: '发放失败 is 失败', row: row({ 补贴项目名称: '农村特困人员救助供养金', 发放状态: '发放失败' }), staged: { program: '农村特困', status: '失败' } },
  { description: '退回', row: row({ 发放状态: '退回' }), staged: { status: '退回' } },
  { description: '已退回 is 退回', row: row({ 发放状态: '已退回' }), staged: { status: '退回' } },
  { description: 'a back payment: 所属期 two months before the payment', row: row({ 所属期: '2026-08', 补贴项目名称: '价格临时补贴', 发放金额: '60' }), staged: { program: '价格临时补贴', benefit_month: '2026-08', paid_on: '2026-10-12', amount: '60.00' } },
  { description: 'a back payment written 2026年9月, to a member other than the head', row: row({ 所属期: '2026年9月', 补贴项目名称: '城乡价格临时补贴', 补贴对象姓名: '李娟', 补贴对象身份证号: wife }), staged: { program: '价格临时补贴', benefit_month: '2026-09', payee_id: wife, head_id: head } },
  { description: 'a code and no name: the code is one of the names', row: row({ 补贴项目名称: '', 补贴项目代码: '农村低保金' }), staged: { program: '农村低保', item_name: null, item_code: '农村低保金' } },
  { description: 'an account with spaces and a leading apostrophe; a 12-digit division', row: row({ 账号: `'6228 4800 1234 5678 901`, 区划代码: '150102001002' }), staged: { account_last4: '8901', county_code: '150102' } },
  { description: 'an account Excel turned into a number: no last four, the payment kept', row: row({ 账号: '6.22848E+18' }), staged: { account_last4: null, status: '成功' } },
  { description: 'a masked account keeps its last four', row: row({ 账号: '622848*********8901' }), staged: { account_last4: '8901' } },
  { description: 'no head written', row: row({ 户主身份证号: '', 补贴对象身份证号: other }), staged: { head_id: null, payee_id: other } },
  { description: 'an item none of the programs pays', row: row({ 补贴项目名称: '耕地地力保护补贴' }), reason: ['unknown_code', 'item_name'] },
  { description: 'a code alone that names no program: platform codes mean nothing by themselves', row: row({ 补贴项目名称: '', 补贴项目代码: 'DB01' }), reason: ['unknown_code', 'item_code'] },
  { description: 'neither name nor code', row: row({ 补贴项目名称: '', 补贴项目代码: '' }), reason: ['missing_value', 'item_name'] },
  { description: 'an unknown status', row: row({ 发放状态: '待发放' }), reason: ['unknown_code', 'status'] },
  { description: 'a division outside Inner Mongolia', row: row({ 区划代码: '110101001' }), reason: ['unknown_code', 'division_code'] },
  { description: 'a division of 8 digits', row: row({ 区划代码: '15010200' }), reason: ['unknown_code', 'division_code'] },
  { description: 'a month that is not one', row: row({ 所属期: '202613' }), reason: ['bad_date', 'benefit_month'] },
  { description: 'no payment date', row: row({ 发放日期: '' }), reason: ['missing_value', 'paid_on'] },
  { description: 'a bad payee ID', row: row({ 补贴对象身份证号: badCheck }), reason: ['id_bad_checksum', 'payee_id'] },
  { description: 'a bad head ID', row: row({ 户主身份证号: badCheck }), reason: ['id_bad_checksum', 'head_id'] },
  { description: 'an amount that is not one', row: row({ 发放金额: '1,2.3元abc' }), reason: ['bad_amount', 'amount'] },
  { description: 'no batch number', row: row({ 发放批次号: '' }), reason: ['missing_value', 'batch_no'] },
];

// another platform: alias headers, codes only, no 户主身份证号
const ALIAS_HEADER = ['项目代码', '批次号', '所属年月', '发放日期', '姓名', '身份证号码', '代发银行', '银行账号', '金额', '发放状态', '行政区划代码'];
const september: Case[] = [
  { description: 'alias headers; the item as a code that is one of the names', row: { 项目代码: '城市特困人员救助供养金', 批次号: 'B-09', 所属年月: '202609', 发放日期: '20260915', 姓名: '王芳', 身份证号码: head, 代发银行: '中国邮政储蓄银行', 银行账号: ACCOUNT_2, 金额: '1500元', 发放状态: '成功', 行政区划代码: '150102' }, staged: { program: '城市特困', item_name: null, batch_no: 'B-09', bank: '中国邮政储蓄银行', account_last4: '5432', amount: '1500.00', head_id: null } },
];

const cells = (header: string[], cases: Case[]) => cases.map((c) => header.map((h) => c.row[h] ?? ''));

// 所属期 as YYYY-MM, dates and amounts as text
const PAYMENT_COLUMNS = "s.* exclude (benefit_month, paid_on, amount), strftime(s.benefit_month, '%Y-%m') as benefit_month, s.paid_on::varchar as paid_on, s.amount::varchar as amount";

describe('payments adapter', () => {
  it('derives the program and normalises statuses; stages the last four digits of the account only; quarantines with reason and field', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'payments', '2026-10', '一卡通发放.csv', '\uFEFF' + csv([HEADER, ...cells(HEADER, october)]));
    await putInbox(dataDir, 'payments', '2026-09', '一卡通发放.csv', csv([ALIAS_HEADER, ...cells(ALIAS_HEADER, september)]));
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      expect(report.loaded.map((l) => l.status)).toEqual(['staged', 'staged']);
      for (const [period, cases] of [['2026-10', october], ['2026-09', september]] as const) {
        await expectLines(w, 'stg_payments', `inbox/payments/${period}/一卡通发放.csv`, cases, PAYMENT_COLUMNS, period);
      }

      // the full account is in no staged row, no staged file (its quarantined rows included), no table
      const accounts = [ACCOUNT, ACCOUNT_2, ACCOUNT.slice(0, 12), ACCOUNT_2.slice(0, 12)];
      const staged = JSON.stringify(await w.rows('t', 'select * from stg_payments'));
      expect(staged).toContain('8901');
      for (const account of accounts) expect(staged).not.toContain(account);
      const files = await w.rows<{ staged_file: string }>('t', "select staged_file from loads where feed = 'payments'");
      expect(files.length).toBe(2);
      for (const f of files) {
        const every = JSON.stringify(await w.rows('t', 'select * from read_parquet($path)', { path: join(w.dataDir!, f.staged_file) }));
        expect(every).toContain('problem');
        for (const account of accounts) expect(every).not.toContain(account);
      }
      for (const table of ['quarantine', 'loads']) {
        const text = JSON.stringify(await w.rows('t', `select * from ${table}`));
        for (const account of accounts) expect(text).not.toContain(account);
      }
    });
  });
});
