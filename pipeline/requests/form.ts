/**
 * The check-request form (逢救必核, docs/check-requests.md): one row per member of an applying
 * family, the request's own fields repeated on each row. It is read by the same loader as a feed
 * (pipeline/load/stage.ts: decoding, header aliases, generic checks, staging SQL), but it is not a
 * feed: a request is answered once, against the latest snapshot of every feed, and never makes a
 * month's snapshot. So the form is declared here and not in adapters/index.ts.
 */
import { readFileSync } from 'node:fs';
import type { ColumnSpec } from '../../adapters/columns.ts';
import type { FeedAdapter } from '../../adapters/feed.ts';

export const requestColumns: readonly ColumnSpec[] = [
  // letters, digits, Chinese, - _ and brackets, up to 40 (it names the report's folder): else bad_request_no
  { name: 'request_no', headers: ['委托编号', '核对委托编号', '委托单号'], required: true, kind: 'text' },
  // a county of the region, 6 digits (or a 9/12-digit division code, the first 6 kept)
  { name: 'county_code', headers: ['委托单位', '委托单位代码', '委托单位区划'], required: true, kind: 'code' },
  { name: 'requested_on', headers: ['委托日期', '委托时间'], required: true, kind: 'date' },
  // 新申请 (新申请核对, 申请) or 复核 (复查, 定期复核)
  { name: 'kind', headers: ['核对类型', '委托类型'], required: true, kind: 'code' },
  // the program applied for, as the roster names programs; blank: 低保, urban or rural by the county
  { name: 'program', headers: ['申请类别', '申请救助类别', '救助类别', '保障类别'], required: false, kind: 'code' },
  // a 复核 of an enrolled family may give its 户编号 (shown in the report)
  { name: 'household_ref', headers: ['户编号', '家庭编号'], required: false, kind: 'text' },
  { name: 'person_id', headers: ['身份证号', '身份证号码', '成员身份证号'], required: true, kind: 'id_number' },
  { name: 'name', headers: ['姓名', '成员姓名'], required: true, kind: 'text' },
  // 本人 (申请人) marks the applicant; one per request
  { name: 'relation', headers: ['与申请人关系', '与申请人的关系', '与户主关系'], required: true, kind: 'text' },
  // empty: the member has not signed, the whole request is refused (missing_authorization)
  { name: 'authorization_signed_on', headers: ['授权书签署日期', '核对授权书签署日期'], required: false, columnRequired: true, kind: 'date' },
];

/** The form as the loader takes it (a FeedAdapter it is not registered as). */
export const requestForm: FeedAdapter<'requests'> = {
  id: 'requests',
  title: '核对委托',
  table: 'stg_requests',
  schedule: 'monthly',
  kind: 'events',
  columns: requestColumns,
  defaults: { max_age_months: 0, due_day: 1, expected: false },
  stagingSql: readFileSync(new URL('./staging.sql', import.meta.url), 'utf8'),
};

/** Refusal reasons a request's rows can carry beyond the loader's (pipeline/quarantine-reasons.ts). */
export const REQUEST_REASON_TEXTS: Readonly<Record<string, string>> = {
  missing_authorization: '成员未签署核对授权书',
  authorization_after_request: '授权书签署日期晚于委托日期',
  bad_request_no: '委托编号只能含字母、数字、汉字、- _ 和括号，至多40字',
  unknown_county: '委托单位不是本区旗县市区代码',
  no_applicant: '委托没有“本人”（申请人）一行，或不止一行',
  inconsistent_request: '同一委托编号的各行委托日期、核对类型或申请类别不一致',
  requested_after_receipt: '委托日期晚于收件日期',
  duplicate_member: '同一委托中身份证号重复',
  county_folder: '委托单位与上传账号或收件目录的旗县不符',
  already_answered: '该委托编号已出具核对报告；复核请用新的委托编号',
  row_refused: '同一委托中其他成员行有问题，整个委托退回',
};
