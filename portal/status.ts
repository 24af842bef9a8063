/**
 * A period's state per county, for league and region accounts: whether the county has
 * downloaded its workbook (from the audit trail, which the caller reads), when its current answer
 * was imported, and the KPI figures of pipeline/kpi.ts (issued, answered on time / late,
 * unanswered, overdue, shares) — computed from the month's index (pipeline/publish/period-index.ts),
 * so a page never opens the warehouse, which the nightly run holds for minutes.
 * One row per county in the account's scope.
 */
import type { County } from '../domain/divisions.ts';
import { kpiOfFlags, type KpiFlag, type KpiRow } from '../pipeline/kpi.ts';
import type { PeriodIndex } from '../pipeline/publish/period-index.ts';

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

/** A county's downloads of the period's workbook (audit `portal.download`): the first by its own accounts, and how many by anyone. */
export interface CountyDownloads {
  /** 'YYYY-MM-DD HH:MM:SS', or null when none of the county's own accounts downloaded it */
  firstOwn: string | null;
  n: number;
}

/** The month's state of `counties` on `asOf` ('YYYY-MM-DD'); `downloads` by county code. */
export function periodStatus(index: PeriodIndex, counties: County[], asOf: string, downloads: Map<string, CountyDownloads>): PeriodStatus {
  // the record counts the flags first issued in this month (carried-over ones count in their own)
  const flags: KpiFlag[] = [];
  for (const [countyCode, c] of Object.entries(index.counties)) {
    for (const [, , , , dueOn, , firstIssued, answeredOn, answer] of c.flags) if (firstIssued) flags.push({ countyCode, dueOn, answeredOn, answer });
  }
  const kpi = new Map(kpiOfFlags(flags, asOf).map((k) => [k.countyCode, k]));
  // the county's current answer: its latest unsuperseded import (one per county and month)
  const answeredAt = (code: string) =>
    (index.counties[code]?.imports ?? [])
      .filter((i) => i.status === 'imported' && i.supersededBy === null)
      .map((i) => i.importedAt)
      .sort()
      .at(-1) ?? null;
  return {
    period: index.period,
    // as its publication recorded them; blank for a month not published
    issuedOn: index.issuedOn ?? '',
    dueOn: index.dueOn ?? '',
    asOf,
    counties: counties.map((c) => ({
      county: c,
      downloadedAt: downloads.get(c.code)?.firstOwn ?? null,
      downloads: downloads.get(c.code)?.n ?? 0,
      answeredAt: answeredAt(c.code),
      kpi: kpi.get(c.code),
    })),
  };
}
