import { describe, expect, it } from 'vitest';
import { parseTimeline } from '../../src/parse/timeline.ts';

/** 2026-11-23 10:00 in Vietnam (a Monday). */
const NOW = Date.UTC(2026, 10, 23, 3);

describe('parseTimeline (now = 2026-11-23, Vietnam)', () => {
  it.each([
    // Durations
    ['trong 2 tháng', { monthsMax: 2 }],
    ['trong 2 thang', { monthsMax: 2 }],
    ['within 2 months', { monthsMax: 2 }],
    ['2 tháng', { monthsMax: 2 }],
    ['2-3 tháng nữa', { monthsMin: 2, monthsMax: 3 }],
    ['2-3 thang nua', { monthsMin: 2, monthsMax: 3 }],
    ['từ 2 đến 3 tháng', { monthsMin: 2, monthsMax: 3 }],
    ['hai đến ba tháng', { monthsMin: 2, monthsMax: 3 }],
    ['2 to 3 months', { monthsMin: 2, monthsMax: 3 }],
    ['hai tháng nữa', { monthsMin: 2, monthsMax: 2 }],
    ['khoảng 3 tháng', { monthsMin: 3, monthsMax: 3 }],
    ['in 3 months', { monthsMin: 3, monthsMax: 3 }],
    ['sáu tháng', { monthsMax: 6 }],
    ['sau 6 tháng', { monthsMin: 6 }], // "sau" = after, "sáu" = six
    ['1,5 tháng', { monthsMax: 1.5 }],
    ['within a year', { monthsMax: 12 }],
    ['trong 2 tuần', { monthsMax: 1, decideBy: '2026-12-07' }],
    ['trong 10 ngay', { monthsMax: 1, decideBy: '2026-12-03' }],
    // Relative calendar
    ['tháng sau', { monthsMax: 2, decideBy: '2026-12-31' }],
    ['thang sau', { monthsMax: 2, decideBy: '2026-12-31' }],
    ['next month', { monthsMax: 2, decideBy: '2026-12-31' }],
    ['đầu tháng sau', { monthsMax: 1, decideBy: '2026-12-10' }],
    ['tuần sau', { monthsMax: 1, decideBy: '2026-12-06' }],
    ['next week', { monthsMax: 1, decideBy: '2026-12-06' }],
    ['this week', { monthsMax: 1, decideBy: '2026-11-29' }],
    ['cuối năm', { monthsMax: 2, decideBy: '2026-12-31' }],
    ['cuoi nam', { monthsMax: 2, decideBy: '2026-12-31' }],
    ['end of year', { monthsMax: 2, decideBy: '2026-12-31' }],
    ['cuối năm sau', { monthsMax: 14, decideBy: '2027-12-31' }],
    ['đầu năm sau', { monthsMax: 5, decideBy: '2027-03-31' }],
    // Quarters
    ['quý 1 năm sau', { monthsMax: 5, decideBy: '2027-03-31' }],
    ['quy 1 nam sau', { monthsMax: 5, decideBy: '2027-03-31' }],
    ['Q1 next year', { monthsMax: 5, decideBy: '2027-03-31' }],
    ['quý 3', { monthsMax: 11, decideBy: '2027-09-30' }], // Q3 is over this year → next year's
    ['quý 4', { monthsMax: 2, decideBy: '2026-12-31' }], // the current quarter
    ['quý IV', { monthsMax: 2, decideBy: '2026-12-31' }],
    ['Q3 2027', { monthsMax: 11, decideBy: '2027-09-30' }],
    ['quý 2/2027', { monthsMax: 8, decideBy: '2027-06-30' }],
    // Tết (2027-02-06)
    ['trước Tết', { monthsMax: 3, decideBy: '2027-02-05' }],
    ['truoc tet', { monthsMax: 3, decideBy: '2027-02-05' }],
    ['before Tết', { monthsMax: 3, decideBy: '2027-02-05' }],
    ['before Lunar New Year', { monthsMax: 3, decideBy: '2027-02-05' }],
    ['sau Tết', { monthsMin: 2 }],
    ['ra giêng', { monthsMin: 2 }],
    ['chưa vội, chắc sau Tết', { monthsMin: 2 }], // concrete beats "no rush"
    ['trước Tết dương lịch', { monthsMax: 2, decideBy: '2026-12-31' }], // solar new year
    // Absolute dates (day/month/year)
    ['15/3/2027', { monthsMax: 4, decideBy: '2027-03-15' }],
    ['15-03-2027', { monthsMax: 4, decideBy: '2027-03-15' }],
    ['2027-03-15', { monthsMax: 4, decideBy: '2027-03-15' }],
    ['ngày 15 tháng 3 năm 2027', { monthsMax: 4, decideBy: '2027-03-15' }],
    ['trước ngày 15/3', { monthsMax: 4, decideBy: '2027-03-14' }],
    ['sau 15/3/2027', { monthsMin: 3 }],
    ['tháng 3/2027', { monthsMax: 5, decideBy: '2027-03-31' }],
    ['tháng 3 năm 2027', { monthsMax: 5, decideBy: '2027-03-31' }],
    ['tháng 3', { monthsMax: 5, decideBy: '2027-03-31' }], // next March
    ['tháng 12', { monthsMax: 2, decideBy: '2026-12-31' }],
    ['trước tháng 3/2027', { monthsMax: 4, decideBy: '2027-02-28' }],
    ['March 2027', { monthsMax: 5, decideBy: '2027-03-31' }],
    ['by March 15, 2027', { monthsMax: 4, decideBy: '2027-03-15' }],
    ['mid March', { monthsMax: 4, decideBy: '2027-03-20' }],
    ['năm 2027', { monthsMax: 14, decideBy: '2027-12-31' }],
    ['đầu năm 2027', { monthsMax: 5, decideBy: '2027-03-31' }],
    ['June', { monthsMax: 8, decideBy: '2027-06-30' }],
    ['in May', { monthsMax: 7, decideBy: '2027-05-31' }],
    ['Sep 2027', { monthsMax: 11, decideBy: '2027-09-30' }],
    ['29/2/2028', { monthsMax: 16, decideBy: '2028-02-29' }],
    ['trong 1-2 tuần', { monthsMax: 1, decideBy: '2026-12-07' }],
    ['next quarter', { monthsMax: 5, decideBy: '2027-03-31' }],
    ['trong quý này', { monthsMax: 2, decideBy: '2026-12-31' }],
    ['hơn 3 tháng', { monthsMin: 3 }],
    ['it nhat 2 thang', { monthsMin: 2 }],
    // Urgency
    ['ngay', { monthsMax: 1 }],
    ['mua ngay', { monthsMax: 1 }],
    ['asap', { monthsMax: 1 }],
    ['càng sớm càng tốt', { monthsMax: 1 }],
    ['cang som cang tot', { monthsMax: 1 }],
    ['gấp', { monthsMax: 1 }],
    ['cần gấp lắm', { monthsMax: 1 }],
    // No timeline
    ['no rush', 'none'],
    ['không gấp', 'none'],
    ['khong gap', 'none'],
    ['chưa vội', 'none'],
    ['chua voi', 'none'],
    ['chưa biết khi nào', 'none'],
    ['not in a hurry', 'none'],
  ])('%s', (text, expected) => {
    expect(parseTimeline(text, NOW)).toEqual(expected);
  });

  // Refusals: not about timing, vague, or in the past.
  it.each([
    ['hello'],
    ['ok'],
    ['để xem'],
    ['chưa biết'],
    ['vài tháng nữa'], // "a few months": too vague to put a number on
    ['soon'],
    ['cần gặp sếp'], // "gặp" (meet) is not "gấp" (urgent)
    ['phải hỏi sếp'], // "sếp" is not "Sep"
    ['we may decide later'], // "may" is not May
    ['200 triệu'],
    ['15/3/2025'], // in the past
    ['2025'], // a past year
    ['32/1/2027'], // no such day
    ['29/2/2027'], // not a leap year
    ['sep'], // folded "sếp" (boss), not September
    [''],
  ])('%s → null', (text) => {
    expect(parseTimeline(text, NOW)).toBeNull();
  });
});

describe('parseTimeline: calendar edges', () => {
  it('uses the Vietnam date, not the UTC date', () => {
    // 2026-12-31 18:00 UTC is already 2027-01-01 01:00 in Vietnam.
    const newYearVn = Date.UTC(2026, 11, 31, 18);
    expect(parseTimeline('cuối năm', newYearVn)).toEqual({ monthsMax: 12, decideBy: '2027-12-31' });
    expect(parseTimeline('tháng sau', newYearVn)).toEqual({ monthsMax: 2, decideBy: '2027-02-28' });
  });

  it('accepts a Date as well as epoch ms', () => {
    expect(parseTimeline('tháng sau', new Date(NOW))).toEqual({ monthsMax: 2, decideBy: '2026-12-31' });
  });

  it('"trước Tết" in January means this year’s Tết', () => {
    expect(parseTimeline('trước Tết', Date.UTC(2027, 0, 20, 3))).toEqual({
      monthsMax: 1,
      decideBy: '2027-02-05',
    });
  });

  it('"trước Tết" on Tết itself means next year’s', () => {
    expect(parseTimeline('trước Tết', Date.UTC(2027, 1, 6, 3))).toEqual({
      monthsMax: 12,
      decideBy: '2028-01-25',
    });
  });

  it('uses the Vietnamese Tết of 2030 (Feb 2, not China’s Feb 3)', () => {
    expect(parseTimeline('before Tết', Date.UTC(2029, 11, 1, 3))).toEqual({
      monthsMax: 2,
      decideBy: '2030-02-01',
    });
  });

  it('refuses Tết beyond the table', () => {
    expect(parseTimeline('trước Tết', Date.UTC(2040, 5, 1))).toBeNull();
  });

  it('counts calendar months exactly: one month later is 1, one day more is 2', () => {
    expect(parseTimeline('23/12/2026', NOW)).toEqual({ monthsMax: 1, decideBy: '2026-12-23' });
    expect(parseTimeline('24/12/2026', NOW)).toEqual({ monthsMax: 2, decideBy: '2026-12-24' });
  });
});
