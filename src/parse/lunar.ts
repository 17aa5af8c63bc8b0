/**
 * Lunar New Year (Tết Nguyên Đán) dates as observed in Vietnam.
 *
 * A table rather than an astronomical computation: the range we need is short and a table is
 * auditable. Vietnam reckons the lunar calendar at UTC+7, China at UTC+8, so the two
 * occasionally differ by one day. 2030 is such a year: the new moon falls on 2030-02-02 at
 * about 23:07 Vietnam time (00:07 on Feb 3 in China), so Vietnamese Tết is 2030-02-02 while
 * Chinese New Year is 2030-02-03. The other years agree. (Checked against new-moon times from
 * Meeus, Astronomical Algorithms ch. 49, which also reproduces the known 2007 split:
 * VN Feb 17 / CN Feb 18.)
 */
import type { CivilDate } from './calendar.ts';
import { compareDates, parseIsoDate } from './calendar.ts';

export const TET_DATES: readonly string[] = [
  '2024-02-10',
  '2025-01-29',
  '2026-02-17',
  '2027-02-06',
  '2028-01-26',
  '2029-02-13',
  '2030-02-02',
  '2031-01-23',
  '2032-02-11',
  '2033-01-31',
  '2034-02-19',
  '2035-02-08',
  '2036-01-28',
  '2037-02-15',
  '2038-02-04',
  '2039-01-24',
  '2040-02-12',
];

const TET_CIVIL: readonly CivilDate[] = TET_DATES.map((s) => {
  const d = parseIsoDate(s);
  if (!d) throw new Error(`bad Tết date in table: ${s}`);
  return d;
});

/** Tết (first day of the lunar year) in the given Gregorian year, or null outside the table. */
export function tetDate(year: number): CivilDate | null {
  return TET_CIVIL.find((d) => d.year === year) ?? null;
}

/**
 * The next Tết strictly after `today`. On Tết itself "before Tết" can only mean next year's,
 * so the current day does not count. Null beyond the table (after 2040).
 */
export function nextTet(today: CivilDate): CivilDate | null {
  return TET_CIVIL.find((d) => compareDates(d, today) > 0) ?? null;
}
