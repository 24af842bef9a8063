import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { withWarehouse } from '../../pipeline/warehouse.ts';
import { load, makeDataDir, makeId, putInbox } from '../../pipeline/load/test-support.ts';

const HEADER = ['证件类型', '证件号码', '姓名', '单位名称', '个人缴存基数', '月缴存额', '个人账户状态', '最近缴存年月', '账户余额'];
const person = makeId('150102', '19800101', '011');

describe('provident-fund adapter (xlsx)', () => {
  it('reads numbers, Excel dates and text year-months; quarantines unknown statuses and bad amounts; a base or a deposit is enough, neither is missing_value', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('公积金');
    ws.addRow(HEADER);
    ws.addRow(['身份证', person, '王芳', '某单位', 3000, 720, '正常', new Date(Date.UTC(2026, 9, 1)), 12000.5]);
    ws.addRow(['身份证', person.toLowerCase(), '王芳', '另一单位', 2000, 480, '封存', '2026年9月', 100]);
    ws.addRow(['身份证', person, '王芳', '某单位', 3000, 720, '异常X', '202610', 0]);
    ws.addRow(['身份证', person, '王芳', '某单位', '1,2.3元abc', 720, '正常', '202610', 0]);
    ws.addRow(['身份证', person, '王芳', '只报缴存额单位', null, 720, '正常', '202610', 0]);
    ws.addRow(['身份证', person, '王芳', '两项皆空单位', null, null, '正常', '202610', 0]);
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'provident-fund', '2026-10', '公积金.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      expect(report.loaded[0]).toMatchObject({ format: 'xlsx', rowsRead: 6, rowsStaged: 3, rowsQuarantined: 3 });
      expect(await w.rows('t', "select line, contribution_base::varchar as base, monthly_deposit::varchar as deposit, strftime(last_deposit_month, '%Y-%m') as month, account_status from stg_provident_fund order by line")).toEqual([
        { line: 2, base: '3000.00', deposit: '720.00', month: '2026-10', account_status: '正常' },
        { line: 3, base: '2000.00', deposit: '480.00', month: '2026-09', account_status: '封存' },
        { line: 6, base: null, deposit: '720.00', month: '2026-10', account_status: '正常' },
      ]);
      expect(await w.rows('t', 'select line, reason, field from quarantine order by line')).toEqual([
        { line: 4, reason: 'unknown_code', field: 'account_status' },
        { line: 5, reason: 'bad_amount', field: 'contribution_base' },
        { line: 7, reason: 'missing_value', field: 'contribution_base' },
      ]);
    });
  });
});
