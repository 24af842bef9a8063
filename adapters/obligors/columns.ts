import type { ColumnSpec } from '../columns.ts';

/**
 * 赡抚养义务人: one row per (被赡养人, 义务人) pair, a monthly snapshot from the assistance system
 * (docs/obligors-and-marriages.md). staging.sql folds 关系 to seven codes, checks the obligor's family
 * size and 户籍区划, and refuses a row whose obligor is the recipient.
 */
export const obligorColumns: readonly ColumnSpec[] = [
  { name: 'household_id', headers: ['被赡养人户编号', '户编号'], required: true, kind: 'text' },
  { name: 'supported_id', headers: ['被赡养人身份证号', '被赡养人身份证号码'], required: true, kind: 'id_number' },
  { name: 'obligor_id', headers: ['义务人身份证号', '义务人身份证号码', '赡养人身份证号'], required: true, kind: 'id_number' },
  { name: 'obligor_name', headers: ['义务人姓名', '赡养人姓名'], required: true, kind: 'text' },
  { name: 'relation', headers: ['关系', '与被赡养人关系'], required: true, kind: 'code' },
  // 1–30, else unknown_code (staging.sql); not an integer: bad_number (generic checks)
  { name: 'obligor_family_size', headers: ['义务人家庭人口数', '义务人家庭人数'], required: true, kind: 'integer' },
  // 6, 9 or 12 digits, the first six staged (any county: an obligor may live outside the region)
  { name: 'obligor_county', headers: ['义务人户籍区划', '义务人户籍地区划'], required: false, kind: 'code' },
  // empty: not signed (int_obligors.sql: auth_problem 'missing')
  { name: 'auth_signed_on', headers: ['授权书签署日期', '义务人授权书签署日期'], required: false, kind: 'date' },
  { name: 'auth_valid_until', headers: ['授权书有效期至', '授权有效期至'], required: false, kind: 'date' },
];
