import { describe, expect, it } from 'vitest';
import { calendarCovers, dueDate, isWorkingDay } from './workdays.ts';

describe('due dates by the official calendar (chinese-days)', () => {
  it.each([
    { description: 'an ordinary weekday stays', issuedOn: '2026-11-02', due: '2026-11-17' },
    { description: 'a Saturday moves to Monday', issuedOn: '2026-11-06', due: '2026-11-23' },
    { description: 'inside the National Day holiday (2026-10-01…07) moves to the first day after it', issuedOn: '2026-09-18', due: '2026-10-08' },
    { description: 'a 调休 working Saturday (2026-10-10) is a working day and stays', issuedOn: '2026-09-25', due: '2026-10-10' },
    { description: 'a 调休 working Sunday (2026-09-20) stays', issuedOn: '2026-09-05', due: '2026-09-20' },
    { description: 'inside the Spring Festival (2026-02-15…23) moves past it', issuedOn: '2026-02-01', due: '2026-02-24' },
  ])('$description', ({ issuedOn, due }) => {
    expect(dueDate(issuedOn, 15)).toEqual({ dueOn: due, weekendsOnly: [] });
  });

  it('a year the package does not cover falls back to weekends only, and says which', () => {
    expect(calendarCovers(2026)).toBe(true);
    expect(calendarCovers(2099)).toBe(false);
    expect(dueDate('2099-05-01', 15)).toEqual({ dueOn: '2099-05-18', weekendsOnly: [2099] }); // Sat 16th → Mon 18th; 劳动节 unknown
    expect(isWorkingDay('2099-05-01')).toBe(true);
    expect(isWorkingDay('2026-10-01')).toBe(false);
    expect(isWorkingDay('2026-10-10')).toBe(true);
  });
});
