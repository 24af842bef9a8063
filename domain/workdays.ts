/**
 * Working days by the official calendar: the State Council's yearly notice of public holidays and
 * their 调休 (a weekend day worked in exchange, a weekday given off), as the kept npm package
 * `chinese-days` carries it (pinned in package.json; its data ships inside the package, so nothing
 * is fetched). No date is written here by hand.
 *
 * A year the package does not cover yet (the notice for next year comes out in late autumn, the
 * package some days after it) falls back to weekends only: Saturday and Sunday are rest days,
 * every other day is worked. The caller is told which years fell back so it can say so.
 */
import { createRequire } from 'node:module';
import type ChineseDays from 'chinese-days';
import { addDays } from './dates.ts';

const require = createRequire(import.meta.url);
let loaded: typeof ChineseDays | undefined;
/**
 * The package, loaded when a working day is first asked for: loading its data took ~0.1 s, which
 * every command paid at start through pipeline/match.ts, a nightly run with nothing new included.
 */
const calendar = (): typeof ChineseDays => (loaded ??= require('chinese-days') as typeof ChineseDays);

const coveredYears = new Map<number, boolean>();

/** Whether the package holds the official calendar of `year` (every year has 元旦 at least). */
export function calendarCovers(year: number): boolean {
  let covered = coveredYears.get(year);
  if (covered === undefined) {
    covered = calendar().getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0;
    coveredYears.set(year, covered);
  }
  return covered;
}

const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();


/** Whether a day ('YYYY-MM-DD') is a working day: official calendar, or weekends only for a year it does not cover. */
export function isWorkingDay(day: string): boolean {
  if (calendarCovers(Number(day.slice(0, 4)))) return calendar().isWorkday(day);
  const d = weekday(day);
  return d !== 0 && d !== 6;
}

export interface DueDate {
  /** 'YYYY-MM-DD' */
  dueOn: string;
  /** years looked at that the official calendar does not cover (judged by weekends only) */
  weekendsOnly: number[];
}

/**
 * The due date of something issued on `issuedOn`: `days` calendar days later, moved to the next
 * working day when that is a rest day (a holiday, or a weekend not worked as 调休).
 */
export function dueDate(issuedOn: string, days: number): DueDate {
  let dueOn = addDays(issuedOn, days);
  const weekendsOnly = new Set<number>();
  for (;;) {
    const year = Number(dueOn.slice(0, 4));
    if (!calendarCovers(year)) weekendsOnly.add(year);
    if (isWorkingDay(dueOn)) return { dueOn, weekendsOnly: [...weekendsOnly].sort() };
    dueOn = addDays(dueOn, 1);
  }
}
