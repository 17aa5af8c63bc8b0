import { describe, expect, it } from 'vitest';
import { addMonths, endOfWeek, monthsCeil, monthsFloor, vnToday } from '../../src/parse/calendar.ts';

const d = (year: number, month: number, day: number) => ({ year, month, day });

describe('calendar (Vietnam, UTC+7)', () => {
  it.each([
    [Date.UTC(2026, 10, 23, 3), d(2026, 11, 23)],
    [Date.UTC(2026, 10, 23, 16, 59), d(2026, 11, 23)],
    [Date.UTC(2026, 10, 23, 17, 0), d(2026, 11, 24)], // midnight in Hanoi
  ])('vnToday(%s)', (now, expected) => {
    expect(vnToday(now)).toEqual(expected);
  });

  it.each([
    [d(2026, 1, 31), 1, d(2026, 2, 28)],
    [d(2028, 1, 31), 1, d(2028, 2, 29)],
    [d(2026, 11, 23), 3, d(2027, 2, 23)],
    [d(2026, 3, 15), -3, d(2025, 12, 15)],
  ])('addMonths(%j, %s)', (from, n, expected) => {
    expect(addMonths(from, n)).toEqual(expected);
  });

  it.each([
    [d(2026, 11, 23), d(2026, 11, 23), 0, 0],
    [d(2026, 11, 23), d(2026, 12, 23), 1, 1],
    [d(2026, 11, 23), d(2026, 12, 24), 2, 1],
    [d(2026, 1, 31), d(2026, 2, 28), 1, 1],
    [d(2026, 11, 23), d(2027, 2, 5), 3, 2],
  ])('months %j → %j: ceil %s, floor %s', (from, to, ceil, floor) => {
    expect(monthsCeil(from, to)).toBe(ceil);
    expect(monthsFloor(from, to)).toBe(floor);
  });

  it('weeks end on Sunday', () => {
    expect(endOfWeek(d(2026, 11, 23))).toEqual(d(2026, 11, 29)); // Monday → Sunday
    expect(endOfWeek(d(2026, 11, 29))).toEqual(d(2026, 11, 29)); // Sunday itself
  });
});
