/**
 * Periods are half-open calendar ranges named as departments name them: a month '2026-10',
 * a quarter '2026Q3'. A run is for a month; feeds deliver monthly or quarterly snapshots.
 */
import { UsageError } from '../base/errors.ts';

export interface Period {
  name: string;
  kind: 'month' | 'quarter';
  /** first day, 'YYYY-MM-DD' */
  start: string;
  /** last day, 'YYYY-MM-DD' (inclusive) */
  end: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

export function parsePeriod(name: string): Period {
  let m = /^(\d{4})-(\d{2})$/.exec(name);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    if (mo >= 1 && mo <= 12) return { name, kind: 'month', start: `${y}-${pad(mo)}-01`, end: `${y}-${pad(mo)}-${pad(lastDay(y, mo))}` };
  }
  m = /^(\d{4})Q([1-4])$/.exec(name);
  if (m) {
    const y = Number(m[1]);
    const q = Number(m[2]);
    const first = (q - 1) * 3 + 1;
    return { name, kind: 'quarter', start: `${y}-${pad(first)}-01`, end: `${y}-${pad(first + 2)}-${pad(lastDay(y, first + 2))}` };
  }
  throw new UsageError(`not a period: "${name}" (expected YYYY-MM, e.g. 2026-10, or YYYYQn, e.g. 2026Q3)`);
}

export function parseMonth(name: string): Period {
  const p = parsePeriod(name);
  if (p.kind !== 'month') throw new UsageError(`a run is for a month (YYYY-MM), not ${name}`);
  return p;
}

/** Whole months from the end of `older` to the end of `newer` (0 when they end in the same month). */
export function monthsBetween(olderEnd: string, newerEnd: string): number {
  const [y1, m1] = olderEnd.split('-').map(Number);
  const [y2, m2] = newerEnd.split('-').map(Number);
  return (y2 - y1) * 12 + (m2 - m1);
}

/** The month `n` months before (negative: after) the given month. */
export function shiftMonth(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const total = y * 12 + (m - 1) - n;
  return `${Math.floor(total / 12)}-${pad((total % 12) + 1)}`;
}

export { addDays } from '../domain/dates.ts';

/** Today in China Standard Time (UTC+8, no daylight saving), 'YYYY-MM-DD': the day counties and departments live in. */
export function todayInChina(now = new Date()): string {
  return chinaTime(now.getTime()).slice(0, 10);
}

/** 'YYYY-MM-DD HH:MM:SS' in China Standard Time (UTC+8, no daylight saving), as pages and reports show times. */
export function chinaTime(iso: string | number): string {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export const isPeriodName = (name: string) => /^\d{4}-(0[1-9]|1[0-2])$|^\d{4}Q[1-4]$/.test(name);

/** Whether `name` is a month that parseMonth accepts ('2026-10'; not a quarter). */
export const isMonthName = (name: string) => isPeriodName(name) && parsePeriod(name).kind === 'month';

/** Days from `from` to `to` ('YYYY-MM-DD'); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * The most recent period of a feed that should have arrived by `today`: a monthly feed's month is
 * due on `dueDay` of the following month, a quarterly feed's quarter on `dueDay` of the month after
 * the quarter ends.
 */
export function lastDuePeriod(schedule: 'monthly' | 'quarterly', today: string, dueDay: number): { period: string; dueOn: string } {
  const dueOnFor = (periodEnd: string) => `${shiftMonth(periodEnd.slice(0, 7), -1)}-${String(dueDay).padStart(2, '0')}`;
  // a month `back` months before today's, as a period of the feed's kind ('' when not a quarter's last month)
  const candidate = (back: number): string => {
    const month = shiftMonth(today.slice(0, 7), back);
    if (schedule === 'monthly') return month;
    const [y, m] = month.split('-').map(Number);
    return m % 3 === 0 ? `${y}Q${m / 3}` : '';
  };
  for (let back = 1; back <= 6; back++) {
    const period = candidate(back);
    if (!period) continue;
    const dueOn = dueOnFor(parsePeriod(period).end);
    if (dueOn <= today) return { period, dueOn };
  }
  throw new Error('unreachable: a period is always due within six months');
}
