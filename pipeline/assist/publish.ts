/**
 * The period's request workbooks, written into its release by publish (pipeline/publish/publish.ts)
 * and marked sent once the release is visible (docs/assist-requests.md):
 *   跨省核对请求_<period>.xlsx   always, for the region's 民政厅 (its rows name each province)
 *   <league>/…_协查请求.xlsx     for each league that has a request to answer
 * Each lists the period's requests to that place, then earlier ones sent more than
 * cross_province_days / cross_league_days before this publication and still unanswered (not
 * superseded by a later request about the same person and place).
 */
import { join } from 'node:path';
import type { Config } from '../../config/config.ts';
import { LEAGUES } from '../../domain/divisions.ts';
import type { Warehouse } from '../warehouse.ts';
import { stepRows, type Step } from '../steps.ts';
import { assistWorkbookPath, type AssistKind } from './contract.ts';
import { writeAssistWorkbook, type AssistWorkbookData } from './workbook.ts';

interface AssistRowRecord {
  request_id: string;
  kind: AssistKind;
  target_code: string;
  period: string;
  household_id: string;
  person_id: string;
  name: string | null;
  items: string;
  auth_signed_on: string | null;
  sent_on: string;
  days_waiting: number;
  county: string;
  province: string;
  residence: string;
}

/** The rows of a publication's request workbooks (pure): this period's requests and the overdue earlier ones. */
export function assistRowsStep(period: string, config: Config, issuedOn: string): Step {
  return {
    name: 'pub:assist',
    sql: `select q.request_id, q.kind, q.target_code, q.period, q.household_id, q.person_id, q.name, q.items,
              strftime(q.auth_signed_on, '%Y-%m-%d') as auth_signed_on,
              strftime(coalesce(q.sent_on, $issued_on::date), '%Y-%m-%d') as sent_on,
              datediff('day', coalesce(q.sent_on, $issued_on::date), $issued_on::date)::integer as days_waiting,
              coalesce(d.league_name || d.county_name, q.county_code) as county,
              coalesce(pr.province_name, left(q.residence_division, 2)) as province,
              coalesce(pl.place_name, '区划' || left(q.residence_division, 6)) || '（' || q.residence_division || '）' as residence
       from assist_requests q
       left join divisions d on d.county_code = q.county_code
       left join provinces pr on pr.province_code = left(q.residence_division, 2)
       left join places pl on pl.county_code = left(q.residence_division, 6)
       where q.period = $period
          or (q.period < $period and q.sent_on is not null and q.answered_on is null and q.superseded_by is null
              and q.sent_on + (case q.kind when 'province' then $province_days else $league_days end)::integer < $issued_on::date)
       order by q.kind, q.target_code, q.period <> $period, q.period, q.county_code, q.household_id, q.person_id, q.request_id`,
    params: { period, issued_on: issuedOn, province_days: config.assist.cross_province_days, league_days: config.assist.cross_league_days },
  };
}

/** The workbooks of a publication, by path relative to out/<period> (pure). */
export function assistWorkbooks(period: string, config: Config, issuedOn: string, rows: AssistRowRecord[]): { path: string; data: AssistWorkbookData }[] {
  const book = (kind: AssistKind, targetCode: string, targetName: string): { path: string; data: AssistWorkbookData } => ({
    path: assistWorkbookPath(period, kind, targetCode),
    data: {
      period,
      kind,
      targetCode,
      targetName,
      issuedOn,
      answerDays: kind === 'province' ? config.assist.cross_province_days : config.assist.cross_league_days,
      results: config.assist.results,
      rows: rows
        .filter((r) => r.kind === kind && (kind === 'province' || r.target_code === targetCode))
        .map((r) => ({
          requestId: r.request_id,
          period: r.period,
          state: r.period === period ? 'new' : 'overdue',
          sentOn: r.sent_on,
          daysWaiting: r.days_waiting,
          householdId: r.household_id,
          personId: r.person_id,
          name: r.name ?? '',
          county: r.county,
          province: r.province,
          residence: r.residence,
          items: r.items,
          authSignedOn: r.auth_signed_on,
        })),
    },
  });
  const leagues = LEAGUES.filter((l) => rows.some((r) => r.kind === 'league' && r.target_code === l.code));
  return [book('province', config.region.code, `${config.region.name}民政厅`), ...leagues.map((l) => book('league', l.code, l.name))];
}

/** Reads the rows and writes every request workbook of the publication into `release`. */
export async function writeAssistWorkbooks(w: Warehouse, release: string, period: string, config: Config, issuedOn: string): Promise<{ path: string; sha256: string; rows: Record<string, number> }[]> {
  const rows = await stepRows<AssistRowRecord>(w, assistRowsStep(period, config, issuedOn));
  const written = [];
  for (const { path, data } of assistWorkbooks(period, config, issuedOn, rows)) {
    written.push({ path, ...(await writeAssistWorkbook(join(release, path), data)) });
  }
  return written;
}

/** Once the release is visible: the period's requests not yet sent were sent on its issue date (pure). */
export function assistSentStep(period: string, issuedOn: string): Step {
  return {
    name: 'publication:assist-sent',
    sql: 'update assist_requests set sent_on = $issued_on::date where period = $period and sent_on is null',
    params: { period, issued_on: issuedOn },
  };
}
