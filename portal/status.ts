/**
 * A period's state per county, for league and region accounts: whether the county has
 * downloaded its workbook (audit rows `portal.download` by the county's own accounts), when its
 * current answer was imported (feedback_imports, by the portal or the CLI), and the KPI figures of
 * pipeline/kpi.ts (issued, answered on time / late, unanswered, overdue, shares).
 * One row per county in the account's scope.
 */
import type { Config } from '../config/config.ts';
import type { County } from '../domain/divisions.ts';
import { publicationDates } from '../pipeline/match.ts';
import { parseMonth } from '../pipeline/period.ts';
import { kpiReport, type KpiRow } from '../pipeline/kpi.ts';
import type { Warehouse } from '../pipeline/warehouse.ts';

export interface CountyStatus {
  county: County;
  /** first download by one of the county's own accounts, 'YYYY-MM-DD HH:MM:SS' */
  downloadedAt: string | null;
  /** downloads by anyone (county, league, region) */
  downloads: number;
  /** when the county's current (unsuperseded) answer for the period was imported */
  answeredAt: string | null;
  kpi: KpiRow | undefined;
}

export interface PeriodStatus {
  period: string;
  issuedOn: string;
  dueOn: string;
  asOf: string;
  counties: CountyStatus[];
}

export async function periodStatus(w: Warehouse, period: string, counties: County[], config: Config, asOf: string): Promise<PeriodStatus> {
  parseMonth(period); // refuses what is not a month
  // as its publication recorded them (pipeline/publish/publish.ts); blank for a month not published
  const { issuedOn, dueOn } = (await publicationDates(w, period)) ?? { issuedOn: '', dueOn: '' };
  const downloads = await w.rows<{ county: string; n: number; first_own: string | null }>(
    'portal:status-downloads',
    `select d.subject as county, count(*)::integer as n,
            strftime(min(d.occurred_at) filter (where a.scope = 'county' and a.scope_code = d.subject), '%Y-%m-%d %H:%M:%S') as first_own
     from audit d left join accounts a on a.username = d.actor
     where d.action = 'portal.download' and d.period = $period
     group by d.subject`,
    { period },
  );
  const answers = await w.rows<{ county: string; last: string }>(
    'portal:status-answers',
    `select county_code as county, strftime(max(imported_at), '%Y-%m-%d %H:%M:%S') as last
     from feedback_imports where period = $period and status = 'imported' and superseded_by is null
     group by county_code`,
    { period },
  );
  const kpi = new Map((await kpiReport(w, period, asOf, config)).map((k) => [k.countyCode, k]));
  const d = new Map(downloads.map((r) => [r.county, r]));
  const a = new Map(answers.map((r) => [r.county, r.last]));
  return {
    period,
    issuedOn,
    dueOn,
    asOf,
    counties: counties.map((c) => ({
      county: c,
      downloadedAt: d.get(c.code)?.first_own ?? null,
      downloads: d.get(c.code)?.n ?? 0,
      answeredAt: a.get(c.code) ?? null,
      kpi: kpi.get(c.code),
    })),
  };
}
