import type { ColumnSpec } from '../columns.ts';

/**
 * 一卡通发放: one row per payment of a subsidy item to a person, monthly, from the 一卡通 /
 * 民生服务平台 export. The bank account is read only to keep its last four digits (staging.sql):
 * the full number never reaches a staged file.
 */
export const paymentColumns: readonly ColumnSpec[] = [
  // a row needs 补贴项目名称 or 补贴项目代码 (staging.sql)
  { name: 'item_name', headers: ['补贴项目名称', '补贴项目', '项目名称'], required: false, kind: 'text' },
  { name: 'item_code', headers: ['补贴项目代码', '项目代码'], required: false, kind: 'text' },
  { name: 'batch_no', headers: ['发放批次号', '批次号'], required: true, kind: 'text' },
  { name: 'benefit_month', headers: ['所属期', '所属年月'], required: true, kind: 'year_month' },
  { name: 'paid_on', headers: ['发放日期'], required: true, kind: 'date' },
  { name: 'payee_name', headers: ['补贴对象姓名', '姓名'], required: true, kind: 'text' },
  { name: 'payee_id', headers: ['补贴对象身份证号', '身份证号码', '公民身份号码'], required: true, kind: 'id_number' },
  { name: 'head_id', headers: ['户主身份证号'], required: false, kind: 'id_number' },
  { name: 'bank', headers: ['代理金融机构', '代发银行'], required: false, kind: 'text' },
  // the column holds the full account as read; staging.sql stages its last four digits only
  { name: 'account_last4', headers: ['账号', '银行账号', '卡号'], required: false, kind: 'text' },
  { name: 'amount', headers: ['发放金额', '金额'], required: true, kind: 'yuan' },
  { name: 'status', headers: ['发放状态'], required: true, kind: 'code' },
  { name: 'division_code', headers: ['区划代码', '行政区划代码'], required: true, kind: 'code' },
];
