/**
 * Calendar arithmetic on plain civil dates in Vietnam time (Asia/Ho_Chi_Minh, UTC+7, no DST).
 * Parsers reason about "next month", "end of the quarter", … on the lead's calendar, not the
 * server's, so "now" is shifted by +7h once and everything after that is pure date math.
 */

export interface CivilDate {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
}

const VN_OFFSET_MS = 7 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Today's date in Vietnam for an instant given as epoch ms or Date. */
export function vnToday(now: number | Date): CivilDate {
  const ms = typeof now === 'number' ? now : now.getTime();
  const d = new Date(ms + VN_OFFSET_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isValidDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

/** Days since 1970-01-01 (a day count, so differences are exact whole days). */
export function dayNumber(d: CivilDate): number {
  return Math.round(Date.UTC(d.year, d.month - 1, d.day) / DAY_MS);
}

function fromDayNumber(n: number): CivilDate {
  const d = new Date(n * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function addDays(d: CivilDate, days: number): CivilDate {
  return fromDayNumber(dayNumber(d) + days);
}

/** Adds calendar months, clamping the day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(d: CivilDate, months: number): CivilDate {
  const index = d.year * 12 + (d.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(d.day, daysInMonth(year, month)) };
}

export function compareDates(a: CivilDate, b: CivilDate): number {
  return dayNumber(a) - dayNumber(b);
}

export function toIsoDate(d: CivilDate): string {
  return `${d.year}-${pad2(d.month)}-${pad2(d.day)}`;
}

export function parseIsoDate(s: string): CivilDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isValidDate(year, month, day) ? { year, month, day } : null;
}

export function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export function endOfMonth(year: number, month: number): CivilDate {
  return { year, month, day: daysInMonth(year, month) };
}

/** quarter 1–4 */
export function endOfQuarter(year: number, quarter: number): CivilDate {
  return endOfMonth(year, quarter * 3);
}

/** Sunday of the week containing d; Vietnamese weeks run Monday → Sunday. */
export function endOfWeek(d: CivilDate): CivilDate {
  const weekday = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay(); // 0 = Sunday
  return addDays(d, weekday === 0 ? 0 : 7 - weekday);
}

/**
 * Whole calendar months from `from` to `to`, rounded up: an upper bound in months.
 * Exactly one calendar month later (Nov 23 → Dec 23) is 1; one day more is 2.
 */
export function monthsCeil(from: CivilDate, to: CivilDate): number {
  const whole = monthsFloor(from, to);
  return compareDates(addMonths(from, whole), to) < 0 ? whole + 1 : whole;
}

/** Whole calendar months from `from` to `to`, rounded down: a lower bound in months. */
export function monthsFloor(from: CivilDate, to: CivilDate): number {
  if (compareDates(to, from) <= 0) return 0;
  let months = (to.year - from.year) * 12 + (to.month - from.month);
  while (months > 0 && compareDates(addMonths(from, months), to) > 0) months--;
  return months;
}
