import type { ColumnSpec } from '../columns.ts';

/**
 * 婚姻登记: one row per marriage registration, monthly, from civil affairs (民政 婚姻登记); an
 * event feed (docs/obligors-and-marriages.md). staging.sql folds 登记类型 to 结婚 / 离婚 and refuses
 * a row with the same ID on both sides.
 */
export const marriageColumns: readonly ColumnSpec[] = [
  { name: 'male_id', headers: ['男方身份证号', '男方身份证件号码', '男方证件号码'], required: true, kind: 'id_number' },
  { name: 'male_name', headers: ['男方姓名'], required: true, kind: 'text' },
  { name: 'female_id', headers: ['女方身份证号', '女方身份证件号码', '女方证件号码'], required: true, kind: 'id_number' },
  { name: 'female_name', headers: ['女方姓名'], required: true, kind: 'text' },
  // 结婚 (结婚登记, 复婚, 复婚登记) or 离婚 (离婚登记); anything else (补领结婚证 …) unknown_code
  { name: 'registration', headers: ['登记类型', '业务类型'], required: true, kind: 'code' },
  { name: 'registered_on', headers: ['登记日期'], required: true, kind: 'date' },
  { name: 'registry', headers: ['登记机关', '婚姻登记机关'], required: false, kind: 'text' },
];
