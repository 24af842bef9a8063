/**
 * What an account may see, and where the published files are. No filesystem path is ever built
 * from request input: a download is named by (period, county code), both checked against closed
 * lists — the periods present in out/ and COUNTIES — and only then does the server build the path
 * from the county's own code and name, by the function publish names it with (workbook-contract.ts).
 * A request workbook of cross-province or cross-league checks likewise: (period, `province` or a
 * league code), checked against the account's own targets, the path built by assistWorkbookPath.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { COUNTIES, LEAGUES, REGION_CODE, type County } from '../domain/divisions.ts';
import { isMonthName } from '../pipeline/period.ts';
import { countyWorkbookPath } from '../pipeline/publish/workbook-contract.ts';
import { assistWorkbookPath, type AssistKind } from '../pipeline/assist/contract.ts';
import type { Account } from './accounts.ts';

/** Published months: `out/<YYYY-MM>` folders or symlinks to folders, newest first. */
export async function publishedPeriods(dataDir: string): Promise<string[]> {
  const out = join(dataDir, 'out');
  const names = await readdir(out).catch(() => [] as string[]);
  const periods: string[] = [];
  for (const name of names) {
    if (!isMonthName(name)) continue;
    const s = await stat(join(out, name)).catch(() => undefined); // follows the symlink
    if (s?.isDirectory()) periods.push(name);
  }
  return periods.sort().reverse();
}

/** The counties an account may see, ordered by code. */
export function countiesOf(account: Account): County[] {
  switch (account.scope) {
    case 'region':
      return [...COUNTIES];
    case 'league':
      return COUNTIES.filter((c) => c.leagueCode === account.scopeCode);
    case 'county':
      return COUNTIES.filter((c) => c.code === account.scopeCode);
    default:
      return [];
  }
}

export function mayDownload(account: Account, countyCode: string): County | undefined {
  return countiesOf(account).find((c) => c.code === countyCode);
}

export const maySeeSummary = (account: Account) => account.scope === 'region';

/** Words for an account's scope, as pages show it. */
export function scopeTitle(account: Account): string {
  if (account.scope === 'region') return '自治区';
  if (account.scope === 'league') return LEAGUES.find((l) => l.code === account.scopeCode)?.name ?? account.scopeCode ?? '';
  const c = COUNTIES.find((x) => x.code === account.scopeCode);
  return c ? `${c.leagueName} ${c.name}` : (account.scopeCode ?? '');
}

/** The path of a county's workbook of a period; `period` and `county` must already be checked. */
export const workbookPath = (dataDir: string, period: string, c: County) => join(dataDir, 'out', period, countyWorkbookPath(period, c));

export const summaryPath = (dataDir: string, period: string) => join(dataDir, 'out', period, 'summary.xlsx');

/** A request workbook of cross-province or cross-league checks (pipeline/assist/contract.ts): the place asked. */
export interface AssistTarget {
  kind: AssistKind;
  /** a league's code (league), REGION_CODE (province: the region's 民政厅 sends it on) */
  code: string;
  /** the place asked, as pages show it */
  name: string;
}

/**
 * The request workbooks an account may download: a league's account its league's 协查请求; the
 * region the cross-province 跨省核对请求 and every league's 协查请求; a county none.
 */
export function assistTargetsOf(account: Account): AssistTarget[] {
  const league = (l: { code: string; name: string }): AssistTarget => ({ kind: 'league', code: l.code, name: l.name });
  if (account.scope === 'region') return [{ kind: 'province', code: REGION_CODE, name: '自治区民政厅（转各省）' }, ...LEAGUES.map(league)];
  if (account.scope === 'league') return LEAGUES.filter((l) => l.code === account.scopeCode).map(league);
  return [];
}

/** The target named by a route's raw segment (`province` or a 4-digit league code), if the account may see it. */
export const mayDownloadAssist = (account: Account, segment: string): AssistTarget | undefined =>
  assistTargetsOf(account).find((t) => (t.kind === 'province' ? segment === 'province' : segment === t.code));

/** The path of a period's request workbook; `period` and `target` must already be checked (assistWorkbookPath, as publish names it). */
export const assistPath = (dataDir: string, period: string, t: AssistTarget) => join(dataDir, 'out', period, assistWorkbookPath(period, t.kind, t.code));

/** The download's file name: the published one, without its league folder. */
export const assistFileName = (period: string, t: AssistTarget) => assistWorkbookPath(period, t.kind, t.code).split('/').pop()!;
