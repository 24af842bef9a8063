import type { ColumnSpec } from '../columns.ts';

/**
 * 居住证 / 流动人口登记: one row per residence permit, a monthly snapshot (docs/residence.md).
 * staging.sql checks the division codes (any province).
 */
export const residenceColumns: readonly ColumnSpec[] = [
  { name: 'person_id', headers: ['身份证号', '公民身份号码', '身份证号码', '证件号码'], required: true, kind: 'id_number' },
  // 6, 9 or 12 digits of a mainland province (staged whole, and its first six as residence_county); else unknown_code
  { name: 'residence_division', headers: ['居住地址区划', '居住地区划', '居住地行政区划', '现住址区划'], required: true, kind: 'code' },
  { name: 'issued_on', headers: ['签发日期', '发证日期', '登记日期'], required: true, kind: 'date' },
  // empty: no end stated (counted valid for config.residence.undated_valid_months from issue: pipeline/sql/int_residence.sql)
  { name: 'valid_until', headers: ['有效期至', '有效期截止日期', '有效截止日期'], required: false, kind: 'date' },
  // optional; checked as residence_division
  { name: 'hukou_division', headers: ['户籍地区划', '户籍地址区划', '户籍地行政区划'], required: false, kind: 'code' },
];
