/**
 * Roll-up periods as local calendar dates (YYYY-MM-DD). Date arithmetic here is on the
 * calendar only; where a local day begins in real time is left to the store (timestamp AT
 * TIME ZONE), which knows daylight saving: a day of 23 or 25 hours is still one day.
 */

export const levels = ['day', 'week', 'month', 'year'] as const;
export type Level = (typeof levels)[number];

/** The level each is built from: weeks and months from days, years from months. */
export const builtFrom: Record<Exclude<Level, 'day'>, Level> = {
  week: 'day',
  month: 'day',
  year: 'month',
};

const dayMillis = 86_400_000;

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * dayMillis).toISOString().slice(0, 10);
}

/** The start of the period of a level that holds a date. Weeks start on Monday (ISO). */
export function periodOf(level: Level, date: string): string {
  if (level === 'day') return date;
  if (level === 'month') return `${date.slice(0, 7)}-01`;
  if (level === 'year') return `${date.slice(0, 4)}-01-01`;
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
  return addDays(date, -weekday);
}

/** The start of the period after the one starting at `start`. */
export function nextPeriod(level: Level, start: string): string {
  if (level === 'day') return addDays(start, 1);
  if (level === 'week') return addDays(start, 7);
  const [year, month] = start.split('-').map(Number) as [number, number];
  if (level === 'year') return `${year + 1}-01-01`;
  return month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
}

/** Whether the period has ended by the local date `today`. */
export function isClosed(level: Level, start: string, today: string): boolean {
  return nextPeriod(level, start) <= today;
}
