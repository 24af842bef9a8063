import type { ColumnSpec } from '../columns.ts';

/** 市场主体登记: one row per person × entity role, monthly, from market regulation. */
export const businessColumns: readonly ColumnSpec[] = [
  { name: 'credit_code', headers: ['统一社会信用代码', '统一信用代码', '信用代码'], required: true, kind: 'text' },
  { name: 'entity_name', headers: ['企业名称', '市场主体名称', '名称'], required: true, kind: 'text' },
  { name: 'entity_type', headers: ['市场主体类型', '企业类型', '主体类型'], required: true, kind: 'code' },
  { name: 'registration_status', headers: ['登记状态', '经营状态'], required: true, kind: 'code' },
  { name: 'registered_capital', headers: ['注册资本(万元)', '注册资本'], required: false, kind: 'wan_yuan' },
  { name: 'established_on', headers: ['成立日期'], required: true, kind: 'date' },
  { name: 'person_id', headers: ['人员证件号码', '证件号码', '身份证号码'], required: true, kind: 'id_number' },
  { name: 'person_name', headers: ['人员姓名', '姓名'], required: true, kind: 'text' },
  { name: 'role', headers: ['人员角色', '职务', '角色'], required: true, kind: 'code' },
  { name: 'subscribed_capital', headers: ['认缴出资额(万元)', '认缴出资额'], required: false, kind: 'wan_yuan' },
];
