import type { ColumnSpec } from '../columns.ts';

/** 在保名册: one row per household member, monthly, from the county civil-affairs systems. */
export const rosterColumns: readonly ColumnSpec[] = [
  { name: 'household_id', headers: ['户编号', '家庭编号', '户号'], required: true, kind: 'text' },
  { name: 'head_id', headers: ['户主身份证号', '户主身份证号码', '户主证件号码'], required: true, kind: 'id_number' },
  { name: 'person_id', headers: ['身份证号', '身份证号码', '成员身份证号', '证件号码'], required: true, kind: 'id_number' },
  { name: 'name', headers: ['姓名', '成员姓名'], required: true, kind: 'text' },
  { name: 'relation', headers: ['与户主关系', '与户主的关系'], required: true, kind: 'text' },
  { name: 'is_covered', headers: ['是否保障对象', '是否享受'], required: true, kind: 'yes_no' },
  { name: 'program', headers: ['保障类别', '救助类别'], required: true, kind: 'code' },
  { name: 'division_code', headers: ['区划代码', '行政区划代码', '所属区划'], required: true, kind: 'code' },
  { name: 'household_size', headers: ['保障人数', '家庭保障人数'], required: true, kind: 'integer' },
  { name: 'monthly_amount', headers: ['月保障金', '月保障金额', '保障金额'], required: true, kind: 'yuan' },
  { name: 'enrolled_on', headers: ['保障起始日期', '救助开始日期'], required: true, kind: 'date' },
  { name: 'authorization_signed_on', headers: ['核对授权书签署日期', '授权书签署日期'], required: false, columnRequired: true, kind: 'date' },
  { name: 'authorization_valid_until', headers: ['授权书有效期至', '授权有效期至'], required: false, columnRequired: true, kind: 'date' },
  { name: 'registered_elsewhere', headers: ['人户分离', '是否人户分离'], required: false, kind: 'yes_no' },
  { name: 'single_member_cover', headers: ['单人保', '是否单人保'], required: false, kind: 'yes_no' },
  { name: 'urban_rural', headers: ['城乡属性', '城乡类别', '城乡分类'], required: false, kind: 'code' },
];
