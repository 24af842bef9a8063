/**
 * One county's state in one period, as its own page shows it (and its league's and the region's
 * view of that county): the due date and the days left, households and flags issued, how many
 * flags are answered, open and overdue by the county's current imports, every upload of the period
 * with its import result (flags answered, rows refused and why), and the open flags.
 *
 * What pages may show (README.md beside this file): no ID number and no name. A flag is shown by
 * its flag id, household id (户编号), rule and severity; the people behind it are in the workbook.
 */
import type { County } from '../domain/divisions.ts';
import { daysBetween } from '../pipeline/period.ts';
import type { PeriodIndex } from '../pipeline/publish/period-index.ts';
import type { Severity } from '../rules/define-rule.ts';
import { ruleById } from '../rules/index.ts';

/** At most this many open flags are listed on a page; the workbook holds them all. */
export const OPEN_FLAGS_SHOWN = 500;

export interface OpenFlag {
  flagId: string;
  householdId: string;
  ruleId: string;
  ruleTitle: string;
  severity: Severity;
  dueOn: string;
  /** days past its due date on `today` (0: not yet due) */
  daysOverdue: number;
}

export interface UploadResult {
  importId: string;
  /** the saved file's name (the portal saves `<sha256>.xlsx`) */
  file: string;
  actor: string;
  importedAt: string;
  receivedOn: string;
  /** current: the county's answer now; superseded: replaced by a later file; refused: not imported */
  state: 'current' | 'superseded' | 'refused';
  /** why refused (no personal data) */
  reason: string | null;
  /** flags given an answer */
  accepted: number;
  /** rows not taken */
  rejected: number;
  /** flags left without an answer */
  unanswered: number;
  rejections: { sheet: string; row: number; reason: string }[];
}

export interface CountyPeriodStatus {
  county: County;
  period: string;
  today: string;
  /** the earliest due date of the open flags (of all issued flags when none is open); null: nothing issued */
  dueOn: string | null;
  /** days from today to dueOn (negative: overdue by that many days) */
  daysLeft: number | null;
  households: number;
  flags: number;
  /** flags with a closing answer (not one of config.feedback.open) in a current import */
  answered: number;
  open: number;
  /** open flags past their own due date */
  overdue: number;
  /** newest first */
  uploads: UploadResult[];
  /** ordered by due date, household, flag; at most OPEN_FLAGS_SHOWN */
  openFlags: OpenFlag[];
}

/**
 * The county's state of the index's month on `today` ('YYYY-MM-DD', China Standard Time), from the
 * month's index (pipeline/publish/period-index.ts). `showUpload(actor)`: whether an upload sent by
 * that account belongs on this page — a refusal is filed under the workbook's county, and one
 * another county's account sent is not this county's business (the caller knows the accounts).
 */
export function countyPeriodStatus(index: PeriodIndex, county: County, today: string, showUpload: (actor: string) => boolean): CountyPeriodStatus {
  const entry = index.counties[county.code] ?? { flags: [], imports: [] };
  // index order: by due date, household, flag
  const flags = entry.flags.map(([flagId, householdId, ruleId, severity, dueOn, answered]) => ({ flagId, householdId, ruleId, severity, dueOn, answered: answered === 1 }));
  const open = flags.filter((f) => !f.answered);
  const dueOn = (open.length ? open : flags).map((f) => f.dueOn).sort()[0] ?? null;
  return {
    county,
    period: index.period,
    today,
    dueOn,
    daysLeft: dueOn ? daysBetween(today, dueOn) : null,
    households: new Set(flags.map((f) => f.householdId)).size,
    flags: flags.length,
    answered: flags.length - open.length,
    open: open.length,
    overdue: open.filter((f) => f.dueOn < today).length,
    // index order: newest first
    uploads: entry.imports
      .filter((i) => showUpload(i.actor))
      .map((i) => ({
        importId: i.importId,
        file: i.file,
        actor: i.actor,
        importedAt: i.importedAt,
        receivedOn: i.receivedOn,
        state: i.status !== 'imported' ? 'refused' : i.supersededBy ? 'superseded' : 'current',
        reason: i.reason,
        accepted: i.accepted,
        rejected: i.rejected,
        unanswered: i.unanswered,
        rejections: i.rejections.map(([sheet, row, reason]) => ({ sheet, row, reason })),
      })),
    openFlags: open.slice(0, OPEN_FLAGS_SHOWN).map((f) => ({
      flagId: f.flagId,
      householdId: f.householdId,
      ruleId: f.ruleId,
      ruleTitle: ruleById(f.ruleId)?.title ?? f.ruleId,
      severity: f.severity,
      dueOn: f.dueOn,
      daysOverdue: Math.max(0, daysBetween(f.dueOn, today)),
    })),
  };
}
