import type { ColumnSpec } from '../columns.ts';

/** 住房公积金: one row per account, monthly, from the league provident-fund centres. */
export const providentFundColumns: readonly ColumnSpec[] = [
  { name: 'id_type', headers: ['证件类型'], required: false, kind: 'text' },
  { name: 'person_id', headers: ['证件号码', '身份证号', '身份证号码'], required: true, kind: 'id_number' },
  { name: 'name', headers: ['姓名', '职工姓名'], required: true, kind: 'text' },
  { name: 'employer', headers: ['单位名称', '缴存单位'], required: true, kind: 'text' },
  // a row needs 个人缴存基数 or 月缴存额 (staging.sql): some centres send the deposit only
  { name: 'contribution_base', headers: ['个人缴存基数', '缴存基数', '月缴存基数'], required: false, kind: 'yuan' },
  { name: 'monthly_deposit', headers: ['月缴存额', '月缴存金额'], required: false, kind: 'yuan' },
  { name: 'account_status', headers: ['个人账户状态', '账户状态'], required: true, kind: 'code' },
  { name: 'last_deposit_month', headers: ['最近缴存年月', '缴至年月', '最后缴存年月'], required: true, kind: 'year_month' },
  { name: 'balance', headers: ['账户余额', '个人账户余额'], required: false, kind: 'yuan' },
];
