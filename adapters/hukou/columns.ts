import type { ColumnSpec } from '../columns.ts';

/**
 * 公安 常住人口: one row per person's 户籍 registration, a monthly snapshot (docs/residence.md).
 * staging.sql checks the division codes (any province) and folds 注销标识 to true / false.
 */
export const hukouColumns: readonly ColumnSpec[] = [
  { name: 'person_id', headers: ['公民身份号码', '身份证号', '身份证号码', '证件号码'], required: true, kind: 'id_number' },
  { name: 'household_no', headers: ['户号', '户编号'], required: false, kind: 'text' },
  { name: 'relation', headers: ['与户主关系', '与户主的关系'], required: false, kind: 'text' },
  // 6, 9 or 12 digits of a mainland province (staged whole, and its first six as county_code); else unknown_code
  { name: 'division_code', headers: ['户籍地址区划', '户籍地区划', '户籍地行政区划', '住址行政区划代码'], required: true, kind: 'code' },
  { name: 'moved_in_on', headers: ['迁入日期'], required: false, kind: 'date' },
  { name: 'moved_out_on', headers: ['迁出日期'], required: false, kind: 'date' },
  // as written: a place or a division code
  { name: 'moved_to', headers: ['迁往地', '迁往地址', '迁往地区划'], required: false, kind: 'text' },
  // 是 / 1 / 已注销 / 注销 → true; 否 / 0 / 正常 / 未注销 / empty → false; else unknown_code (staging.sql)
  { name: 'cancelled', headers: ['注销标识', '是否注销'], required: false, kind: 'code' },
];
