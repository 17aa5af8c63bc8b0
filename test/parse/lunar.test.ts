import { describe, expect, it } from 'vitest';
import { nextTet, TET_DATES, tetDate } from '../../src/parse/lunar.ts';

describe('Tết table', () => {
  it('covers 2024–2040, one date per year, in order', () => {
    expect(TET_DATES).toHaveLength(17);
    expect(TET_DATES.map((d) => Number(d.slice(0, 4)))).toEqual(
      Array.from({ length: 17 }, (_, i) => 2024 + i),
    );
    // Tết always falls between Jan 21 and Feb 20.
    for (const d of TET_DATES) expect(d.slice(5) >= '01-21' && d.slice(5) <= '02-20').toBe(true);
  });

  it.each([
    [2024, { year: 2024, month: 2, day: 10 }],
    [2027, { year: 2027, month: 2, day: 6 }],
    [2030, { year: 2030, month: 2, day: 2 }], // Vietnam (UTC+7), one day before China
    [2034, { year: 2034, month: 2, day: 19 }],
    [2041, null],
  ])('tetDate(%s)', (year, expected) => {
    expect(tetDate(year)).toEqual(expected);
  });

  it('nextTet is strictly after today', () => {
    expect(nextTet({ year: 2027, month: 2, day: 5 })).toEqual({ year: 2027, month: 2, day: 6 });
    expect(nextTet({ year: 2027, month: 2, day: 6 })).toEqual({ year: 2028, month: 1, day: 26 });
    expect(nextTet({ year: 2040, month: 2, day: 12 })).toBeNull();
  });
});
