/**
 * What a county workbook is made of: plain rows, already ordered, already restricted to one county.
 * The warehouse produces them (pipeline/publish/publish.ts); the writers in this folder only lay
 * them out. Dates are 'YYYY-MM-DD' strings, money is a decimal string ('1234.50'): no bigint, no
 * DuckDB value objects, so rows can cross to a worker thread as they are.
 */
import type { Severity } from '../../rules/define-rule.ts';

export { WORKBOOK_SCHEMA_VERSION } from './workbook-contract.ts';

export type { Severity };

export interface SnapshotUsed {
  feed: string; // roster | provident-fund | vehicles | business
  feedTitle: string; // 在保名册 …
  period: string; // 2026-10, 2026Q3
  ageMonths: number; // months between the snapshot's end and the period's end
  stale: boolean; // older than the feed's configured maximum age
  /** an event feed (deaths, payments): every period up to `period` is read, not one snapshot */
  cumulative?: boolean;
  /** the operator chose this older snapshot over the period the month should use (run --use-previous) */
  fallback?: { skipped: string; why: 'rejected' | 'not_delivered'; by: string; at: string };
}

/** The 快照期 cell of 说明 and summary.xlsx: an event feed's periods are cumulative. */
export function snapshotPeriodText(s: SnapshotUsed): string {
  return s.cumulative ? `截至${s.period}（累计）` : s.period;
}

/** How 说明 and summary.xlsx describe a snapshot's state, in Chinese. */
export function snapshotState(s: SnapshotUsed): string {
  if (s.fallback) {
    const why = s.fallback.why === 'rejected' ? `${s.fallback.skipped} 数据被退回` : `${s.fallback.skipped} 数据未报送`;
    return `使用上期数据：${why}，经 ${s.fallback.by} 于 ${s.fallback.at} 确认`;
  }
  return s.stale ? '数据较旧，请留意' : '正常';
}

export interface CountyWorkbookMeta {
  schemaVersion: string;
  period: string; // 2026-10
  countyCode: string;
  countyName: string;
  leagueCode: string;
  leagueName: string;
  issuedOn: string; // issue date of this publication (the day it first issued a flag; publications table)
  dueOn: string; // the earliest due date of the county's open flags (the publication's own when it has none)
  deadlineDays: number;
  snapshots: SnapshotUsed[];
  counts: {
    households: number; // flagged households (疑点家庭 rows)
    flags: number; // 疑点明细 rows
    suppressed: number; // flags of this county suppressed by the whitelist (counted, not listed)
    pendingAuthorization: number; // 待补授权 rows
    unpaid: number; // 未发放名单 rows
    obligorPending: number; // 待补义务人授权 rows
    recheck: number; // 定期核查到期 rows
  };
  /** the 一卡通 ledger has payments of this month for the county: its 未发放名单 was checked */
  ledgerArrived: boolean;
  /** the month has an obligors snapshot: its 待补义务人授权 was checked */
  obligorsArrived: boolean;
  /** allowed values of 核实结果, in the order of the dropdown */
  dispositions: string[];
}

/** 疑点家庭: one row per flagged household. */
export interface HouseholdRow {
  householdId: string;
  headName: string;
  headId: string;
  program: string; // 城市低保 …; 非在保 for a payee on no roster (a PAY- household, pipeline/sql/int_paid.sql)
  householdSize: number; // 0 for a payee on no roster
  monthlyAmount: string; // decimal 元; '' for a payee on no roster
  rules: string; // titles of the rules hit, '；'-joined, in rule order
  severity: Severity; // highest of its flags
  firstIssuedPeriod: string; // earliest period any open flag of the household was issued
  issuedOn: string; // earliest issue date of its open flags
  dueOn: string; // earliest due date of its open flags
  daysOverdue: number; // days from that due date to this publication's issue date (0 when not yet due)
  registeredElsewhere: boolean; // 人户分离
  flagIds: string[]; // hidden column: the flags this row answers for
}

/** 疑点明细: one row per flag. */
export interface FlagDetailRow {
  flagId: string;
  householdId: string;
  personId: string;
  personName: string;
  relation: string;
  isCovered: boolean;
  ruleId: string;
  ruleTitle: string;
  severity: Severity;
  source: string; // feed title and snapshot, e.g. 机动车登记 2026Q3
  evidence: string; // the evidence in words (Chinese)
  firstIssuedPeriod: string;
  issuedOn: string;
  dueOn: string;
}

/** 待补授权: households not matched because authorization is missing or expired on the period's last day. */
export interface PendingAuthorizationRow {
  householdId: string;
  headName: string;
  headId: string;
  program: string;
  householdSize: number;
  reason: string; // 未签署核对授权书 | 授权书已过期（YYYY-MM-DD）| 授权书签署日期晚于核对期末
}

/** 未发放名单: a roster household of a paid program with no payment of the month on the 一卡通 ledger. */
export interface UnpaidRow {
  householdId: string;
  headName: string;
  headId: string;
  program: string;
  householdSize: number;
  monthlyAmount: string; // decimal 元
}

/**
 * 待补义务人授权: an obligor (赡养、抚养、扶养义务人) of a roster household whose own authorization is
 * missing, signed after the period or expired on its last day: not matched (pipeline/sql/pub_obligor_pending.sql).
 */
export interface ObligorPendingRow {
  householdId: string;
  supportedName: string; // 被赡养人
  supportedId: string;
  obligorName: string;
  shownId: string; // the obligor's ID as shown: masked (150102********1234) when of another or an unknown county
  obligorCounty: string; // the obligor's 户籍 county by name; 外地或未知 when it is not known
  relation: string; // 子 | 女 | 配偶 | 父母 | 兄弟姐妹 | 祖父母 | 孙子女
  authSignedOn: string; // 'YYYY-MM-DD'; '' when not signed
  authValidUntil: string; // 'YYYY-MM-DD'; '' when not given
  reason: string; // 未签署授权书 | 签署日期晚于本期末 | 授权书已过期或未填有效期
}

/** A line of 定期核查到期 (pipeline/sql/pub_recheck.sql). */
export interface RecheckRow {
  householdId: string;
  headName: string;
  program: string;
  cycleMonths: number;
  cycleBasis: string; // 有16–59岁成员 | 人户分离 | 其他家庭 …
  lastCheckOn: string; // 'YYYY-MM-DD'
  lastCheckBasis: string; // 保障起始日期 | 系统首次核对（2026-10） | 县级核实答复 | 核对报告（复核）
  nextDueOn: string; // 'YYYY-MM-DD'
  dueState: string; // 已逾期 | 本月到期 | 下月到期 | '' (listed for its authorization only)
  authValidUntil: string; // 'YYYY-MM-DD'; '' when not given
  authNote: string; // '授权将到期，请续签' or ''
}

export interface CountyWorkbookData {
  meta: CountyWorkbookMeta;
  households: HouseholdRow[];
  details: FlagDetailRow[];
  pendingAuthorization: PendingAuthorizationRow[];
  unpaid: UnpaidRow[];
  obligorPending: ObligorPendingRow[];
  recheck: RecheckRow[];
}
