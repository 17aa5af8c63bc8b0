import { describe, expect, it } from 'vitest';
import { describeBant, parseBantText } from '../../src/parse/bant.ts';
import { formatNumber } from '../../src/parse/format.ts';

const NOW = Date.UTC(2026, 10, 23, 3); // 2026-11-23 10:00 in Vietnam

describe('parseBantText dispatches to the field parser', () => {
  it.each([
    ['budget', 'tầm 200 triệu', { amount: 200_000_000, currency: 'VND' }],
    ['budget', 'chưa có', 'none'],
    ['budget', 'tùy', null],
    ['authority', 'anh ấy là giám đốc', 'decision_maker'],
    ['authority', 'phải hỏi sếp', 'influencer'],
    ['authority', 'hello', null],
    ['need', 'cần CRM', { confirmed: true, text: 'cần CRM' }],
    ['need', 'ok', null],
    ['timeline', 'trước Tết', { monthsMax: 3, decideBy: '2027-02-05' }],
    ['timeline', 'chưa vội', 'none'],
    ['timeline', 'ok', null],
  ] as const)('%s: %s', (field, text, expected) => {
    expect(parseBantText(field, text, NOW)).toEqual(expected);
  });

  it('the same answer means different things per field', () => {
    // "chưa có" = no budget; as a timeline it says nothing.
    expect(parseBantText('budget', 'chưa có', NOW)).toBe('none');
    expect(parseBantText('timeline', 'chưa có', NOW)).toBeNull();
  });
});

describe('describeBant', () => {
  it.each([
    [{ amount: 200_000_000, currency: 'VND' }, 'vi', '200.000.000 ₫'],
    [{ amount: 200_000_000, currency: 'VND' }, 'en', 'VND 200,000,000'],
    [{ amount: 10_000, currency: 'USD' }, 'vi', '$10,000'],
    [{ amount: 10_000, currency: 'USD' }, 'en', '$10,000'],
    [{ amount: 1_500.5, currency: 'USD' }, 'en', '$1,500.5'],
    [{ amount: 5_000, currency: 'EUR' }, 'vi', 'EUR 5.000'],
    ['none', 'vi', 'Chưa có ngân sách'],
    ['none', 'en', 'No budget'],
  ] as const)('budget %j (%s) → %s', (value, lang, expected) => {
    expect(describeBant('budget', value, lang)).toBe(expected);
  });

  it.each([
    ['decision_maker', 'vi', 'Người quyết định'],
    ['decision_maker', 'en', 'Decision maker'],
    ['influencer', 'vi', 'Người ảnh hưởng/đề xuất'],
    ['influencer', 'en', 'Influencer'],
    ['user', 'vi', 'Người dùng'],
    ['user', 'en', 'End user'],
  ] as const)('authority %s (%s) → %s', (value, lang, expected) => {
    expect(describeBant('authority', value, lang)).toBe(expected);
  });

  it.each([
    [{ confirmed: true, text: 'cần CRM cho 20 sales' }, 'vi', 'Có nhu cầu: cần CRM cho 20 sales'],
    [{ confirmed: true, text: 'automate follow-up' }, 'en', 'Need confirmed: automate follow-up'],
    [{ confirmed: true }, 'vi', 'Có nhu cầu'],
    [{ confirmed: false, text: 'chỉ tham khảo' }, 'vi', 'Chưa có nhu cầu'],
    [{ confirmed: false }, 'en', 'No need yet'],
  ] as const)('need %j (%s) → %s', (value, lang, expected) => {
    expect(describeBant('need', value, lang)).toBe(expected);
  });

  it.each([
    [{ monthsMax: 2 }, 'vi', 'Trong 2 tháng'],
    [{ monthsMax: 2 }, 'en', 'Within 2 months'],
    [{ monthsMax: 1 }, 'en', 'Within 1 month'],
    [{ monthsMax: 1.5 }, 'vi', 'Trong 1,5 tháng'],
    [{ monthsMin: 2, monthsMax: 3 }, 'vi', 'Trong 2–3 tháng'],
    [{ monthsMin: 2, monthsMax: 3 }, 'en', 'In 2–3 months'],
    [{ monthsMin: 2, monthsMax: 2 }, 'vi', 'Khoảng 2 tháng nữa'],
    [{ monthsMin: 2, monthsMax: 2 }, 'en', 'In about 2 months'],
    [{ monthsMin: 6 }, 'vi', 'Sau 6 tháng'],
    [{ monthsMin: 6 }, 'en', 'After 6 months'],
    // The day before Tết 2026 (2026-02-17) reads as "before Tết", with Tết's date.
    [{ monthsMax: 3, decideBy: '2026-02-16' }, 'vi', 'Trước 17/02/2026 (Tết)'],
    [{ monthsMax: 3, decideBy: '2026-02-16' }, 'en', 'Before 2026-02-17 (Lunar New Year)'],
    // Any other decide-by date is the last allowed day: "at the latest".
    [{ monthsMax: 2, decideBy: '2027-01-14' }, 'vi', 'Chậm nhất 14/01/2027'],
    [{ monthsMax: 2, decideBy: '2027-01-14' }, 'en', 'By 2027-01-14'],
    ['none', 'vi', 'Chưa có thời hạn'],
    ['none', 'en', 'No timeline'],
  ] as const)('timeline %j (%s) → %s', (value, lang, expected) => {
    expect(describeBant('timeline', value, lang)).toBe(expected);
  });

  it('round-trips a parsed answer into a confirmation', () => {
    const value = parseBantText('timeline', 'trước Tết', NOW);
    expect(value).not.toBeNull();
    expect(describeBant('timeline', value!, 'vi')).toBe('Trước 06/02/2027 (Tết)');
  });
});

describe('formatNumber', () => {
  it.each([
    [0, 'vi', '0'],
    [999, 'vi', '999'],
    [1000, 'vi', '1.000'],
    [1_234_567.891, 'en', '1,234,567.89'],
    [-50_000, 'en', '-50,000'],
  ] as const)('%s (%s) → %s', (n, lang, expected) => {
    expect(formatNumber(n, lang)).toBe(expected);
  });
});
