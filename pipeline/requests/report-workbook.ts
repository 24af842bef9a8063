/**
 * The 核对报告 of a check request (docs/check-requests.md): what hedui found about one family, for
 * the county that asked, written on the report's day. It is a report of findings, not a decision
 * (社会救助家庭经济状况核对: the county decides). Four sheets:
 *   核对报告   the request, the standard the family is judged by, and each rule's result: found
 *              (with its evidence), nothing found, a known data-source error (whitelist), or not
 *              judged (its data is missing, or it reads what an applicant has none of)
 *   家庭成员   the members and their authorizations
 *   部门数据   every record of a member in every feed used, with its period and delivery day
 *   数据来源   every feed: the snapshot used and its delivery day, or why none is
 * Deterministic for the same data and day: the document's dates are the report's day.
 */
import ExcelJS from 'exceljs';
import type { Config } from '../../config/config.ts';
import { standardOf } from '../../config/config.ts';
import { countyName, leagueOf } from '../../domain/divisions.ts';
import { RULES } from '../../rules/index.ts';
import { SEVERITY_LABEL, addTableRow, addTableSheet, pinDocumentProperties, text, utcDate, TEXT_FORMAT, DATE_FORMAT } from '../publish/xlsx-format.ts';
import { missingSources, type LatestFeed } from '../inputs.ts';
import type { Finding, Member, MemberRecord, RequestRow } from './answer.ts';

export interface ReportData {
  request: RequestRow;
  reportDate: string;
  members: Member[];
  records: MemberRecord[];
  findings: Finding[];
  feeds: LatestFeed[];
  config: Pick<Config, 'standards' | 'low_income_multiplier'>;
}

export const REPORT_SHEETS = { report: '核对报告', members: '家庭成员', records: '部门数据', sources: '数据来源' } as const;

/** What a rule's line of the report says (pure). */
export function ruleResults(data: Pick<ReportData, 'findings' | 'feeds' | 'members'>): { rule: string; title: string; result: string; severity: string; member: string; personId: string; detail: string }[] {
  const nameOf = (id: string) => data.members.find((m) => m.person_id === id)?.name ?? '';
  const snapshots = data.feeds.flatMap((f) => (f.snapshot ? [f.snapshot] : []));
  return RULES.flatMap((rule) => {
    if (!rule.applicants) return [{ rule: rule.id, title: rule.title, result: '不适用', severity: '', member: '', personId: '', detail: '该项核对在保家庭的名册标注、发放、答复或历史记录，不适用于申请家庭' }];
    const missing = missingSources(rule, snapshots);
    if (missing.length) {
      const titles = missing.map((f) => data.feeds.find((x) => x.feed.id === f)!.feed.title).join('、');
      return [{ rule: rule.id, title: rule.title, result: '未核对', severity: '', member: '', personId: '', detail: `缺少${titles}数据（见“数据来源”）` }];
    }
    const found = data.findings.filter((f) => f.rule_id === rule.id);
    if (!found.length) return [{ rule: rule.id, title: rule.title, result: '未发现', severity: '', member: '', personId: '', detail: '' }];
    return found.map((f) => ({
      rule: rule.id,
      title: rule.title,
      result: f.whitelist_entry ? '已列入白名单（数据源错误）' : '发现疑点',
      severity: f.whitelist_entry ? '' : SEVERITY_LABEL[f.severity],
      member: nameOf(f.person_id),
      personId: f.person_id,
      detail: f.evidence,
    }));
  });
}

export async function writeReportWorkbook(data: ReportData, path: string): Promise<void> {
  const r = data.request;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true, useSharedStrings: false });
  pinDocumentProperties(workbook, utcDate(data.reportDate, 'reportDate'), `核对报告 ${r.request_no}`);
  const county = countyName(r.county_code) ?? r.county_code;
  const league = leagueOf(r.county_code);
  const standard = league ? standardOf(data.config, league.code, data.reportDate) : undefined;
  const results = ruleResults(data);
  const leads = results.filter((x) => x.result === '发现疑点').length;
  const preamble = [
    { text: '社会救助家庭经济状况核对报告', font: { bold: true, size: 14 } },
    { text: `委托编号：${text(r.request_no)}　委托单位：${league?.name ?? ''} ${county}（${r.county_code}）` },
    { text: `委托日期：${r.requested_on}　收到日期：${r.received_on}　应完成日期：${r.due_on}　报告日期：${data.reportDate}${data.reportDate > r.due_on ? '（逾期）' : ''}` },
    { text: `核对类型：${r.kind}　申请类别：${r.program}　家庭成员：${data.members.length} 人${r.household_ref ? `　户编号：${text(r.household_ref)}` : ''}` },
    {
      text: standard
        ? `低保标准（报告日有效）：城市 ${standard.urban} 元/人/月（${standard.urban_document}），农村 ${standard.rural} 元/人/月（${standard.rural_document}）；低保边缘按 ${data.config.low_income_multiplier} 倍`
        : '低保标准：配置中无报告日有效的标准',
    },
    { text: `核对结果：${leads ? `发现疑点 ${leads} 条，请逐条核实` : '未发现疑点'}。本报告列出核对发现，不是审批决定；收入按公积金缴存基数测算，家庭人均收入未达标准时不列出。` },
  ];
  const report = addTableSheet(
    workbook,
    REPORT_SHEETS.report,
    [
      { header: '核对项目', width: 22 },
      { header: '结果', width: 14 },
      { header: '疑点等级', width: 8 },
      { header: '成员', width: 10 },
      { header: '身份证号', width: 22, numFmt: TEXT_FORMAT },
      { header: '说明', width: 90 },
    ],
    { preamble },
  );
  for (const x of results) addTableRow(report, [x.title, x.result, x.severity, text(x.member), x.personId, text(x.detail)]);
  report.commit();

  const members = addTableSheet(workbook, REPORT_SHEETS.members, [
    { header: '姓名', width: 12 },
    { header: '身份证号', width: 22, numFmt: TEXT_FORMAT },
    { header: '与申请人关系', width: 12 },
    { header: '授权书签署日期', width: 14, numFmt: DATE_FORMAT },
  ]);
  for (const m of data.members) addTableRow(members, [text(m.name), m.person_id, text(m.relation), utcDate(m.signed_on, 'signed_on')]);
  members.commit();

  const records = addTableSheet(workbook, REPORT_SHEETS.records, [
    { header: '姓名', width: 12 },
    { header: '身份证号', width: 22, numFmt: TEXT_FORMAT },
    { header: '数据', width: 14 },
    { header: '数据期别', width: 10 },
    { header: '交付日期', width: 12, numFmt: DATE_FORMAT },
    { header: '记录', width: 100 },
  ]);
  const titleOf = (feed: string) => data.feeds.find((f) => f.feed.id === feed)?.feed.title ?? feed;
  const nameOf = (id: string) => data.members.find((m) => m.person_id === id)?.name ?? '';
  // by member as the family lists them, then by feed as the registry orders them
  const order = (x: MemberRecord) => [data.members.findIndex((m) => m.person_id === x.person_id), data.feeds.findIndex((f) => f.feed.id === x.feed)];
  const sorted = [...data.records].sort((a, b) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1]);
  for (const x of sorted) addTableRow(records, [text(nameOf(x.person_id)), x.person_id, titleOf(x.feed), x.period, utcDate(x.delivered_on, 'delivered_on'), text(x.record)]);
  if (!data.records.length) addTableRow(records, ['', '', '', '', null, '各部门数据中未找到家庭成员的记录']);
  records.commit();

  const sources = addTableSheet(workbook, REPORT_SHEETS.sources, [
    { header: '数据', width: 14 },
    { header: '使用期别', width: 12 },
    { header: '交付日期', width: 12, numFmt: DATE_FORMAT },
    { header: '记录数', width: 10 },
    { header: '说明', width: 50 },
  ]);
  for (const f of data.feeds) {
    const s = f.snapshot;
    addTableRow(sources, [f.feed.title, s ? (f.feed.kind === 'events' ? `截至${s.period}（累计）` : s.period) : '', f.deliveredOn ? utcDate(f.deliveredOn, 'deliveredOn') : null, s ? s.rows : null, f.note ?? (s ? '' : '无数据')]);
  }
  sources.commit();
  await workbook.commit();
}
