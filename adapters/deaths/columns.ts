import type { ColumnSpec } from '../columns.ts';

/**
 * 死亡登记: one row per death record, monthly. Two deliveries share the feed, told apart by their
 * headers: 公安 户籍注销 (公民身份号码, 姓名, 死亡日期, 注销日期, 注销类别, 户籍地区划) and 民政 殡葬
 * (逝者身份证号码, 逝者姓名, 死亡日期, 火化日期, 殡仪馆名称, 殡仪馆区划). A column the shape lacks is
 * NULL; staging.sql derives `source` from the row.
 */
export const deathColumns: readonly ColumnSpec[] = [
  { name: 'person_id', headers: ['公民身份号码', '逝者身份证号码', '身份证号码', '身份证号'], required: true, kind: 'id_number' },
  { name: 'name', headers: ['姓名', '逝者姓名'], required: true, kind: 'text' },
  { name: 'died_on', headers: ['死亡日期'], required: true, kind: 'date' },
  { name: 'deregistered_on', headers: ['注销日期', '户籍注销日期'], required: false, kind: 'date' },
  // required of a police row only (staging.sql): a cremation record has none
  { name: 'deregistration_kind', headers: ['注销类别', '注销原因'], required: false, kind: 'code' },
  { name: 'cremated_on', headers: ['火化日期'], required: false, kind: 'date' },
  { name: 'funeral_home', headers: ['殡仪馆名称', '殡仪馆'], required: false, kind: 'text' },
  { name: 'division_code', headers: ['户籍地区划', '殡仪馆区划', '区划代码', '行政区划代码', '户籍地区划代码'], required: false, kind: 'code' },
];
