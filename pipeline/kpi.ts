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
import { COUNTIES } from '../domain/divisions.ts';
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

/** What a closing answer says, as the record counts it (config.feedback; any other closing result is 'other'). */
export type AnswerClass = 'confirmed' | 'data_error' | 'other';

/**
 * The class of a closing 核实结果. config.feedback.confirmed and .data_error are meant to be
 * disjoint (the lead was true / the department's data is wrong); should a value be in both,
 * confirmed wins.
 */
export function answerClass(result: string, config: Config): AnswerClass {
  if (config.feedback.confirmed.includes(result)) return 'confirmed';
  if (config.feedback.data_error.includes(result)) return 'data_error';
  return 'other';
}

/** A flag the record counts (first issued in its period), with its earliest closing answer, if any. */
export interface KpiFlag {
  countyCode: string;
  /** 'YYYY-MM-DD': the day it first reached its county + deadline_days, next working day */
  dueOn: string;
  /** the day its earliest closing answer in a current import reached the region; null: none */
  answeredOn: string | null;
  /** the class of that answer; null: none */
  answer: AnswerClass | null;
}

/** The flags first issued in `period` with their earliest closing answer (pipeline/sql/kpi.sql). */
export async function kpiFlags(w: Warehouse, period: string, config: Config): Promise<(KpiFlag & { flagId: string })[]> {
  const rows = await w.rows<{ flag_id: string; county_code: string; due_on: string; answered_on: string | null; result: string | null }>('kpi', KPI_SQL, {
    period,
    open_results: config.feedback.open,
  });
  return rows.map((r) => ({
    flagId: r.flag_id,
    countyCode: r.county_code,
    dueOn: r.due_on,
    answeredOn: r.answered_on,
    answer: r.result === null ? null : answerClass(r.result, config),
  }));
}

/**
 * The record on `asOf` ('YYYY-MM-DD'), one row per county (all of them, zeros included, by code),
 * from the flags first issued in a period: an answer counts once it reached the region on or before
 * `asOf`; on time when that day is on or before the flag's due date; overdue = unanswered and `asOf`
 * past it. Pure: `hedui kpi` and summary.xlsx run it over kpiFlags, the portal over a month's index.
 */
export function kpiOfFlags(flags: Iterable<KpiFlag>, asOf: string): KpiRow[] {
  const counts = new Map(COUNTIES.map((c) => [c.code, { issued: 0, onTime: 0, late: 0, unanswered: 0, overdue: 0, confirmed: 0, dataErrors: 0 }]));
  for (const f of flags) {
    const n = counts.get(f.countyCode);
    if (!n) continue; // not a county of the region: no row to count it in
    n.issued++;
    if (f.answeredOn !== null && f.answeredOn <= asOf) {
      if (f.answeredOn <= f.dueOn) n.onTime++;
      else n.late++;
      if (f.answer === 'confirmed') n.confirmed++;
      if (f.answer === 'data_error') n.dataErrors++;
    } else {
      n.unanswered++;
      if (asOf > f.dueOn) n.overdue++;
    }
  }
  return COUNTIES.map((c) => {
    const n = counts.get(c.code)!;
    const answered = n.onTime + n.late;
    return {
      leagueCode: c.leagueCode,
      leagueName: c.leagueName,
      countyCode: c.code,
      countyName: c.name,
      issued: n.issued,
      answeredOnTime: n.onTime,
      answeredLate: n.late,
      unanswered: n.unanswered,
      overdue: n.overdue,
      confirmed: n.confirmed,
      dataErrors: n.dataErrors,
      confirmedShare: share(n.confirmed, answered),
      dataErrorShare: share(n.dataErrors, answered),
    };
  });
}

/** One row per county (all of them), for the flags first issued in `period`, as of `asOf`. */
export async function kpiReport(w: Warehouse, period: string, asOf: string, config: Config): Promise<KpiRow[]> {
  return kpiOfFlags(await kpiFlags(w, period, config), asOf);
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
