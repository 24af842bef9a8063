/**
 * What an account may see, and where the published files are. No filesystem path is ever built
 * from request input: a download is named by (period, county code), both checked against closed
 * lists — the periods present in out/ and COUNTIES — and only then does the server build the path
 * from the county's own code and name, by the function publish names it with (workbook-contract.ts).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { COUNTIES, LEAGUES, type County } from '../domain/divisions.ts';
import { isMonthName } from '../pipeline/period.ts';
import { countyWorkbookPath } from '../pipeline/publish/workbook-contract.ts';
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
