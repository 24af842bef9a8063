/**
 * What the pages tell from the state store rather than the period index: which county downloaded
 * its workbook (the audit's portal.download rows by the county's own accounts), and whose uploads a
 * county's page shows (not those another county's account sent).
 */
import { chinaTime } from '../pipeline/period.ts';
import type { StateDb } from '../pipeline/state.ts';

/** Per county code: downloads by anyone, and the first by one of the county's own accounts (China time). */
export function downloadsOf(db: StateDb, period: string): Map<string, { firstOwn: string | null; n: number }> {
  const rows = db
    .prepare<[string], { county: string; n: number; first_own: string | null }>(
      `select d.subject as county, count(*) as n,
              min(case when a.scope = 'county' and a.scope_code = d.subject then d.occurred_at end) as first_own
       from audit d left join accounts a on a.username = d.actor
       where d.action = 'portal.download' and d.period = ?
       group by d.subject`,
    )
    .all(period);
  return new Map(rows.map((r) => [r.county, { firstOwn: r.first_own ? chinaTime(r.first_own) : null, n: r.n }]));
}

/** Whether an upload by `actor` belongs on `county`'s page: not when another county's account sent it. */
export function uploadShownFor(db: StateDb, county: string): (actor: string) => boolean {
  const others = new Set(
    db.prepare<[string], { username: string }>("select username from accounts where scope = 'county' and scope_code <> ?").all(county).map((r) => r.username),
  );
  return (actor) => !others.has(actor);
}
