/**
 * One county's state in one period, as its own page shows it (and its league's and the region's
 * view of that county): the due date and the days left, households and flags issued, how many
 * flags are answered, open and overdue by the county's current imports, every upload of the period
 * with its import result (flags answered, rows refused and why), and the open flags.
 *
 * What pages may show (README.md beside this file): no ID number and no name. A flag is shown by
 * its flag id, household id (户编号), rule and severity; the people behind it are in the workbook.
 */
import type { Config } from '../config/config.ts';
import type { County } from '../domain/divisions.ts';
import { daysBetween } from '../pipeline/period.ts';
import type { Warehouse } from '../pipeline/warehouse.ts';
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

/** The county's state of `period` on `today` ('YYYY-MM-DD', China Standard Time). */
export async function countyPeriodStatus(w: Warehouse, period: string, county: County, config: Config, today: string): Promise<CountyPeriodStatus> {
  const flags = await w.rows<{ flag_id: string; household_id: string; rule_id: string; severity: Severity; due_on: string; answered: boolean }>(
    'portal:county-flags',
    `with issued as (
       select flag_id, household_id, rule_id, severity, due_on
       from flags
       where period = $period and county_code = $county and status = 'issued'
     ),
     answered as (
       -- a closing answer in one of the county's current imports, from this period's workbook or an earlier one
       select distinct d.flag_id
       from dispositions d
       join feedback_imports i using (import_id)
       where i.status = 'imported' and i.superseded_by is null and d.county_code = $county
         and not list_contains($open_results, d.result)
     )
     select i.flag_id, i.household_id, i.rule_id, i.severity, strftime(i.due_on, '%Y-%m-%d') as due_on, a.flag_id is not null as answered
     from issued i left join answered a using (flag_id)
     order by i.due_on, i.household_id, i.flag_id`,
    { period, county: county.code, open_results: config.feedback.open },
  );
  const open = flags.filter((f) => !f.answered);
  const dueOn = (open.length ? open : flags).map((f) => f.due_on).sort()[0] ?? null;

  const imports = await w.rows<{
    import_id: string;
    file: string;
    actor: string;
    imported_at: string;
    received_on: string;
    status: string;
    superseded_by: string | null;
    reason: string | null;
    accepted: number;
    rejected: number;
    unanswered: number;
  }>(
    'portal:county-uploads',
    `select import_id, file, actor, strftime(imported_at, '%Y-%m-%d %H:%M:%S') as imported_at, strftime(received_on, '%Y-%m-%d') as received_on,
            status, superseded_by, reason, accepted, rejected, unanswered
     from feedback_imports i
     -- a refusal is filed under the workbook's county: one another county's account sent is not this county's business
     where county_code = $county and period = $period
       and not exists (select 1 from accounts a where a.username = i.actor and a.scope = 'county' and a.scope_code <> $county)
     order by imported_at desc, import_id`,
    { period, county: county.code },
  );
  const rejections = await w.rows<{ import_id: string; sheet: string; sheet_row: number; reason: string }>(
    'portal:county-rejections',
    `select r.import_id, r.sheet, r.sheet_row, r.reason
     from feedback_rejections r join feedback_imports i using (import_id)
     where i.county_code = $county and i.period = $period
     order by r.import_id, r.sheet, r.sheet_row`,
    { period, county: county.code },
  );

  return {
    county,
    period,
    today,
    dueOn,
    daysLeft: dueOn ? daysBetween(today, dueOn) : null,
    households: new Set(flags.map((f) => f.household_id)).size,
    flags: flags.length,
    answered: flags.length - open.length,
    open: open.length,
    overdue: open.filter((f) => f.due_on < today).length,
    uploads: imports.map((i) => ({
      importId: i.import_id,
      file: i.file,
      actor: i.actor,
      importedAt: i.imported_at,
      receivedOn: i.received_on,
      state: i.status !== 'imported' ? 'refused' : i.superseded_by ? 'superseded' : 'current',
      reason: i.reason,
      accepted: i.accepted,
      rejected: i.rejected,
      unanswered: i.unanswered,
      rejections: rejections.filter((r) => r.import_id === i.import_id).map((r) => ({ sheet: r.sheet, row: r.sheet_row, reason: r.reason })),
    })),
    openFlags: open.slice(0, OPEN_FLAGS_SHOWN).map((f) => ({
      flagId: f.flag_id,
      householdId: f.household_id,
      ruleId: f.rule_id,
      ruleTitle: ruleById(f.rule_id)?.title ?? f.rule_id,
      severity: f.severity,
      dueOn: f.due_on,
      daysOverdue: Math.max(0, daysBetween(f.due_on, today)),
    })),
  };
}
