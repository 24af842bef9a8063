/**
 * The figures the region needs for each county's yearly assessment (考核): of the flags issued in
 * a period, how many were answered within the deadline, late, or not at all, and what share was
 * confirmed or a data-source error. Timeliness is measured by the day a returned workbook reached
 * the region (feedback_imports.received_on), not by the 核实日期 a county writes in it, against each
 * flag's own due date (the day it first reached its county + deadline_days, next working day;
 * flags.due_on): flags of one period reach counties on different days when a re-run adds some.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../config/config.ts';
import type { Warehouse } from './warehouse.ts';

const KPI_SQL = readFileSync(new URL('./sql/kpi.sql', import.meta.url), 'utf8');

export interface KpiRow {
  leagueCode: string;
  leagueName: string;
  countyCode: string;
  countyName: string;
  issued: number;
  answeredOnTime: number;
  answeredLate: number;
  unanswered: number;
  /** unanswered and past the due date on the as-of day */
  overdue: number;
  confirmed: number;
  dataErrors: number;
  /** confirmed / answered (null when nothing answered) */
  confirmedShare: number | null;
  /** data-source errors / answered (null when nothing answered) */
  dataErrorShare: number | null;
}

/** What the figures mean, as `hedui kpi` prints it above them. */
export function kpiBasis(period: string, asOf: string, deadlineDays: number): string {
  return (
    `flags first issued in ${period}, as of ${asOf}: each flag is judged by its own due date ` +
    `(the day it first reached its county + ${deadlineDays} days, moved to the next working day); ` +
    'on time = a closing answer received by the region on or before that day; overdue = unanswered and past it'
  );
}

const share = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

function toRow(r: Record<string, any>): KpiRow {
  const answered = r.answered_on_time + r.answered_late;
  return {
    leagueCode: r.league_code,
    leagueName: r.league_name,
    countyCode: r.county_code,
    countyName: r.county_name,
    issued: r.issued,
    answeredOnTime: r.answered_on_time,
    answeredLate: r.answered_late,
    unanswered: r.unanswered,
    overdue: r.overdue,
    confirmed: r.confirmed,
    dataErrors: r.data_errors,
    confirmedShare: share(r.confirmed, answered),
    dataErrorShare: share(r.data_errors, answered),
  };
}

/** One row per county (all of them), for the flags first issued in `period`, as of `asOf`. */
export async function kpiReport(w: Warehouse, period: string, asOf: string, config: Config): Promise<KpiRow[]> {
  const rows = await w.rows<Record<string, any>>('kpi', KPI_SQL, {
    period,
    as_of: asOf,
    open_results: config.feedback.open,
    confirmed_results: config.feedback.confirmed,
    data_error_results: config.feedback.data_error,
  });
  return rows.map(toRow);
}

/** League totals (and the region's, code '15') from county rows. */
export function kpiByLeague(rows: KpiRow[]): KpiRow[] {
  const groups = new Map<string, KpiRow[]>();
  for (const r of rows) groups.set(r.leagueCode, [...(groups.get(r.leagueCode) ?? []), r]);
  const total = (code: string, name: string, rs: KpiRow[]): KpiRow => {
    const sum = (k: 'issued' | 'answeredOnTime' | 'answeredLate' | 'unanswered' | 'overdue' | 'confirmed' | 'dataErrors') => rs.reduce((a, r) => a + r[k], 0);
    const answered = sum('answeredOnTime') + sum('answeredLate');
    return {
      leagueCode: code,
      leagueName: name,
      countyCode: '',
      countyName: '',
      issued: sum('issued'),
      answeredOnTime: sum('answeredOnTime'),
      answeredLate: sum('answeredLate'),
      unanswered: sum('unanswered'),
      overdue: sum('overdue'),
      confirmed: sum('confirmed'),
      dataErrors: sum('dataErrors'),
      confirmedShare: share(sum('confirmed'), answered),
      dataErrorShare: share(sum('dataErrors'), answered),
    };
  };
  return [...[...groups.entries()].map(([code, rs]) => total(code, rs[0].leagueName, rs)), total('15', '全区', rows)];
}
