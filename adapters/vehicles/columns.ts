import type { ColumnSpec } from '../columns.ts';

/** 机动车登记: one row per vehicle, quarterly, from the public-security traffic administration (GBK). */
export const vehicleColumns: readonly ColumnSpec[] = [
  { name: 'owner_id_type', headers: ['身份证明名称', '证件类型'], required: true, kind: 'code' },
  { name: 'owner_id', headers: ['身份证明号码', '证件号码', '所有人证件号码'], required: true, kind: 'document_number' },
  { name: 'owner_name', headers: ['所有人', '机动车所有人'], required: true, kind: 'text' },
  { name: 'plate_type', headers: ['号牌种类'], required: true, kind: 'code' },
  { name: 'plate_no', headers: ['号牌号码', '车牌号码'], required: true, kind: 'text' },
  { name: 'vehicle_type', headers: ['车辆类型'], required: true, kind: 'code' },
  { name: 'use_nature', headers: ['使用性质'], required: false, kind: 'code' },
  { name: 'first_registered_on', headers: ['初次登记日期', '初登日期'], required: true, kind: 'date' },
  { name: 'status', headers: ['机动车状态', '状态'], required: true, kind: 'code' },
];
