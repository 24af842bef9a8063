/**
 * Where cross-province and cross-league requests stand (docs/assist-requests.md): each request with
 * its state on a day, and totals per place asked. Nothing here is personal data: a request is named
 * by its id, its period, the household's county and the place asked.
 */
import type { Config } from '../../config/config.ts';
import { countyName, LEAGUES } from '../../domain/divisions.ts';
import type { Warehouse } from '../warehouse.ts';
import type { AssistKind } from './contract.ts';

/**
 * unsent: made by a month not yet published; waiting: sent, unanswered, within the days allowed;
 * overdue: sent more than cross_province_days / cross_league_days ago and unanswered; answered;
 * superseded: unanswered and asked again by a later period's request.
 */
export type AssistState = 'unsent' | 'waiting' | 'overdue' | 'answered' | 'superseded';

export const ASSIST_STATE_TITLES: Record<AssistState, string> = { unsent: '未发出', waiting: '待回复', overdue: '逾期未回复', answered: '已回复', superseded: '已重新请求' };

export interface AssistStatus {
  requestId: string;
  kind: AssistKind;
  targetCode: string;
  targetName: string;
  period: string;
  county: string;
  countyName: string;
  sentOn: string | null;
  answeredOn: string | null;
  result: string | null;
  /** days since it was sent, up to its answer or asOf */
  days: number | null;
  state: AssistState;
}

export interface AssistFilter {
  period?: string;
  kind?: AssistKind;
  /** a province (2 digits) or league (4 digits) asked */
  target?: string;
}

/** The state of a request on `asOf` (pure). */
export function assistState(r: { sentOn: string | null; answeredOn: string | null; superseded: boolean; days: number | null }, allowedDays: number): AssistState {
  if (r.answeredOn) return 'answered';
  if (r.superseded) return 'superseded';
  if (!r.sentOn) return 'unsent';
  return (r.days ?? 0) > allowedDays ? 'overdue' : 'waiting';
}

export async function assistStatuses(w: Warehouse, config: Config, asOf: string, filter: AssistFilter = {}): Promise<AssistStatus[]> {
  const rows = await w.rows<{
    request_id: string;
    kind: AssistKind;
    target_code: string;
    target_name: string | null;
    period: string;
    county_code: string;
    sent_on: string | null;
    answered_on: string | null;
    result: string | null;
    superseded: boolean;
    days: number | null;
  }>(
    'assist:status',
    `select q.request_id, q.kind, q.target_code, coalesce(pr.province_name, l.league_name) as target_name, q.period, q.county_code,
            strftime(q.sent_on, '%Y-%m-%d') as sent_on, strftime(q.answered_on, '%Y-%m-%d') as answered_on, q.result,
            q.superseded_by is not null as superseded,
            datediff('day', q.sent_on, coalesce(q.answered_on, $as_of::date))::integer as days
     from assist_requests q
     left join provinces pr on q.kind = 'province' and pr.province_code = q.target_code
     left join (select distinct league_code, league_name from divisions) l on q.kind = 'league' and l.league_code = q.target_code
     where ($period::varchar is null or q.period = $period)
       and ($kind::varchar is null or q.kind = $kind)
       and ($target::varchar is null or q.target_code = $target)
       and q.period <= strftime($as_of::date, '%Y-%m')
     order by q.period desc, q.kind desc, q.target_code, q.county_code, q.request_id`,
    { as_of: asOf, period: filter.period ?? null, kind: filter.kind ?? null, target: filter.target ?? null },
  );
  return rows.map((r) => {
    const allowed = r.kind === 'province' ? config.assist.cross_province_days : config.assist.cross_league_days;
    return {
      requestId: r.request_id,
      kind: r.kind,
      targetCode: r.target_code,
      targetName: r.target_name ?? LEAGUES.find((l) => l.code === r.target_code)?.name ?? r.target_code,
      period: r.period,
      county: r.county_code,
      countyName: countyName(r.county_code) ?? r.county_code,
      sentOn: r.sent_on,
      answeredOn: r.answered_on,
      result: r.result,
      days: r.days,
      state: assistState({ sentOn: r.sent_on, answeredOn: r.answered_on, superseded: r.superseded, days: r.days }, allowed),
    };
  });
}

export interface AssistTotals {
  kind: AssistKind;
  targetCode: string;
  targetName: string;
  requests: number;
  unsent: number;
  waiting: number;
  overdue: number;
  answered: number;
  superseded: number;
  /** answers whose 核对结果 is one of assist.found: something for the county to verify */
  found: number;
}

/** Per place asked (pure). */
export function assistTotals(rows: AssistStatus[], config: Config): AssistTotals[] {
  const byPlace = new Map<string, AssistTotals>();
  for (const r of rows) {
    const key = `${r.kind}|${r.targetCode}`;
    const t = byPlace.get(key) ?? { kind: r.kind, targetCode: r.targetCode, targetName: r.targetName, requests: 0, unsent: 0, waiting: 0, overdue: 0, answered: 0, superseded: 0, found: 0 };
    t.requests++;
    t[r.state]++;
    if (r.result && config.assist.found.includes(r.result)) t.found++;
    byPlace.set(key, t);
  }
  return [...byPlace.values()].sort((a, b) => (a.kind === b.kind ? a.targetCode.localeCompare(b.targetCode) : a.kind === 'province' ? -1 : 1));
}
