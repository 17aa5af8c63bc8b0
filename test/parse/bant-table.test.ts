/**
 * The BANT answer table: what a rep (Slack) or a customer (Zalo) types, in Vietnamese with and
 * without diacritics and in English, and the typed value the parser must produce, or null
 * where it must refuse (the bot then asks again instead of storing a guess).
 *
 * Timelines are relative to NOW = 2026-11-23 in Vietnam; the next Tết is 2027-02-06, so
 * "trước Tết" is decided by 2027-02-05.
 */
import { describe, expect, it } from 'vitest';
import {
  type BantField,
  type BantFieldValues,
  confirmText,
  describeBant,
  parseBantText,
} from '../../src/parse/bant.ts';
import { formatNumber } from '../../src/parse/format.ts';

const NOW = Date.UTC(2026, 10, 23, 3); // 2026-11-23 10:00 Asia/Ho_Chi_Minh

/** vi = Vietnamese with diacritics, ascii = Vietnamese typed without, en = English, num = digits only. */
type Lang = 'vi' | 'ascii' | 'en' | 'num';
type Row = readonly [field: BantField, lang: Lang, text: string, expected: unknown];

const vnd = (amount: number) => ({ amount, currency: 'VND' });
const usd = (amount: number) => ({ amount, currency: 'USD' });
const need = (confirmed: boolean, text: string) => ({ confirmed, text });
const by = (monthsMax: number, decideBy: string) => ({ monthsMax, decideBy });
const REFUSED = null;

const BUDGET: readonly Row[] = [
  ['budget', 'vi', 'khoảng 200 triệu', vnd(200_000_000)],
  ['budget', 'vi', 'tầm 1,5 tỷ', vnd(1_500_000_000)],
  ['budget', 'vi', '300 triệu đồng', vnd(300_000_000)],
  ['budget', 'vi', '2 tỷ rưỡi', vnd(2_500_000_000)],
  ['budget', 'vi', '50 nghìn đô', usd(50_000)],
  ['budget', 'vi', '200.000.000đ', vnd(200_000_000)],
  ['budget', 'vi', '200.000.000 ₫', vnd(200_000_000)],
  ['budget', 'vi', 'chưa có ngân sách', 'none'],
  // A range keeps its lower bound: the only amount the lead committed to.
  ['budget', 'vi', '100-200 triệu', vnd(100_000_000)],
  ['budget', 'vi', 'từ 100 đến 200 triệu', vnd(100_000_000)],
  // A ceiling on the spend is the budget.
  ['budget', 'vi', 'tối đa 300 triệu', vnd(300_000_000)],
  ['budget', 'vi', 'ngân sách tầm 500tr, doanh thu thì 50 tỷ', vnd(500_000_000)],
  ['budget', 'vi', 'doanh thu 100 tỷ, ngân sách 1 tỷ 2', vnd(1_200_000_000)],
  ['budget', 'vi', 'tầm 200 triệu đó anh', vnd(200_000_000)],
  ['budget', 'vi', 'không biết', REFUSED],
  ['budget', 'vi', 'để hỏi lại', REFUSED],
  // "Under 50M": the amount is not the budget and there is no lower bound.
  ['budget', 'vi', 'dưới 50 triệu', REFUSED],
  ['budget', 'vi', 'đơn hàng 12345', REFUSED],
  ['budget', 'vi', 'đơn hàng 12345678', REFUSED],
  ['budget', 'vi', 'mã đơn DH20240001', REFUSED],
  ['budget', 'vi', 'doanh thu 50 tỷ', REFUSED],
  ['budget', 'vi', '50 tỷ doanh thu', REFUSED],
  ['budget', 'vi', 'vốn điều lệ 10 tỷ', REFUSED],
  ['budget', 'vi', 'năm 2024', REFUSED],
  ['budget', 'vi', 'tùy', REFUSED],
  ['budget', 'ascii', 'khoang 200 trieu', vnd(200_000_000)],
  ['budget', 'ascii', 'tam 1,5 ty', vnd(1_500_000_000)],
  ['budget', 'ascii', '1.5 ty', vnd(1_500_000_000)],
  ['budget', 'ascii', '500tr', vnd(500_000_000)],
  ['budget', 'ascii', '300 trieu dong', vnd(300_000_000)],
  ['budget', 'ascii', '2 ty ruoi', vnd(2_500_000_000)],
  ['budget', 'ascii', 'chua co ngan sach', 'none'],
  ['budget', 'ascii', '100-200 trieu', vnd(100_000_000)],
  // Unaccented "do" is "đó" (that) or "đô" (dollar): VND from 100 million up, else refused.
  ['budget', 'ascii', 'tam 200 trieu do anh', vnd(200_000_000)],
  ['budget', 'ascii', '50 nghin do la', usd(50_000)],
  ['budget', 'ascii', '50 nghin do', REFUSED],
  ['budget', 'ascii', 'khong biet', REFUSED],
  ['budget', 'ascii', 'de hoi lai', REFUSED],
  ['budget', 'ascii', 'duoi 50 trieu', REFUSED],
  ['budget', 'ascii', 'don hang 12345', REFUSED],
  ['budget', 'ascii', 'doanh thu 50 ty', REFUSED],
  ['budget', 'en', '$10k', usd(10_000)],
  ['budget', 'en', '10,000 USD', usd(10_000)],
  ['budget', 'en', 'VND 150,000,000', vnd(150_000_000)],
  ['budget', 'en', 'no budget', 'none'],
  ['budget', 'en', 'around $20k', usd(20_000)],
  ['budget', 'en', 'up to $10k', usd(10_000)],
  ['budget', 'en', '$10k-20k', usd(10_000)],
  ['budget', 'en', "I don't know", REFUSED],
  ['budget', 'en', 'under $10k', REFUSED],
  ['budget', 'en', 'revenue is $5m', REFUSED],
  ['budget', 'en', 'order #12345678', REFUSED],
  ['budget', 'num', '150000000', vnd(150_000_000)],
  ['budget', 'num', '2024', REFUSED],
  ['budget', 'num', '0912345678', REFUSED],
  ['budget', 'num', '+84912345678', REFUSED],
  ['budget', 'num', '200', REFUSED],
];

const AUTHORITY: readonly Row[] = [
  ['authority', 'vi', 'anh ấy là giám đốc', 'decision_maker'],
  ['authority', 'vi', 'chị ấy là CEO', 'decision_maker'],
  ['authority', 'vi', 'tôi là người quyết định', 'decision_maker'],
  ['authority', 'vi', 'Giám đốc', 'decision_maker'],
  ['authority', 'vi', 'phải hỏi sếp', 'influencer'],
  ['authority', 'vi', 'cần trình ban giám đốc', 'influencer'],
  ['authority', 'vi', 'trưởng phòng mua hàng đề xuất', 'influencer'],
  ['authority', 'vi', 'em không phải người quyết định', 'influencer'],
  ['authority', 'vi', 'tôi chỉ là nhân viên', 'user'],
  ['authority', 'vi', 'không rõ', REFUSED],
  ['authority', 'vi', 'để xem', REFUSED],
  ['authority', 'vi', 'sếp', REFUSED],
  ['authority', 'ascii', 'anh ay la giam doc', 'decision_maker'],
  ['authority', 'ascii', 'chi ay la CEO', 'decision_maker'],
  ['authority', 'ascii', 'toi la nguoi quyet dinh', 'decision_maker'],
  ['authority', 'ascii', 'phai hoi sep', 'influencer'],
  ['authority', 'ascii', 'can trinh ban giam doc', 'influencer'],
  ['authority', 'ascii', 'truong phong mua hang de xuat', 'influencer'],
  ['authority', 'ascii', 'toi chi la nhan vien', 'user'],
  ['authority', 'ascii', 'khong ro', REFUSED],
  ['authority', 'en', 'she signs off', 'decision_maker'],
  ['authority', 'en', 'decision maker', 'decision_maker'],
  ['authority', 'en', "I'm the CEO", 'decision_maker'],
  ['authority', 'en', 'he needs approval from his boss', 'influencer'],
  ['authority', 'en', 'influencer', 'influencer'],
  ['authority', 'en', 'I need to check with my boss', 'influencer'],
  ['authority', 'en', 'just a user', 'user'],
  ['authority', 'en', '?', REFUSED],
  ['authority', 'en', 'not sure', REFUSED],
  ['authority', 'en', 'hello', REFUSED],
];

const NEED: readonly Row[] = [
  ['need', 'vi', 'cần phần mềm CRM', need(true, 'cần phần mềm CRM')],
  [
    'need',
    'vi',
    'đang tìm giải pháp quản lý khách hàng',
    need(true, 'đang tìm giải pháp quản lý khách hàng'),
  ],
  ['need', 'vi', 'đang quản lý khách hàng bằng Excel', need(true, 'đang quản lý khách hàng bằng Excel')],
  ['need', 'vi', 'chưa có nhu cầu', need(false, 'chưa có nhu cầu')],
  ['need', 'vi', 'chỉ tham khảo thôi', need(false, 'chỉ tham khảo thôi')],
  ['need', 'vi', 'không biết', REFUSED],
  ['need', 'vi', 'chưa rõ', REFUSED],
  ['need', 'ascii', 'can phan mem CRM', need(true, 'can phan mem CRM')],
  [
    'need',
    'ascii',
    'dang tim giai phap quan ly khach hang',
    need(true, 'dang tim giai phap quan ly khach hang'),
  ],
  ['need', 'ascii', 'chua co nhu cau', need(false, 'chua co nhu cau')],
  ['need', 'ascii', 'khong biet', REFUSED],
  ['need', 'en', 'yes we need it', need(true, 'yes we need it')],
  ['need', 'en', 'need confirmed', need(true, 'need confirmed')],
  ['need', 'en', 'we need a CRM for 20 reps', need(true, 'we need a CRM for 20 reps')],
  ['need', 'en', 'just browsing', need(false, 'just browsing')],
  ['need', 'en', 'not interested', need(false, 'not interested')],
  ['need', 'en', '?', REFUSED],
  ['need', 'en', 'hello', REFUSED],
  ['need', 'en', 'maybe', REFUSED],
  ['need', 'en', 'not sure yet', REFUSED],
];

const TIMELINE: readonly Row[] = [
  ['timeline', 'vi', 'cần trước Tết', by(3, '2027-02-05')],
  ['timeline', 'vi', 'trước tết nguyên đán', by(3, '2027-02-05')],
  ['timeline', 'vi', 'quý 1 năm sau', by(5, '2027-03-31')],
  ['timeline', 'vi', 'quý này', by(2, '2026-12-31')],
  ['timeline', 'vi', 'trong 2 tháng', { monthsMax: 2 }],
  ['timeline', 'vi', '2-3 tháng nữa', { monthsMin: 2, monthsMax: 3 }],
  ['timeline', 'vi', 'tháng sau', by(2, '2026-12-31')],
  ['timeline', 'vi', 'cuối năm', by(2, '2026-12-31')],
  // "Trước 15/1" = before Jan 15: decided by Jan 14 (decideBy is the last allowed day).
  ['timeline', 'vi', 'trước 15/1', by(2, '2027-01-14')],
  ['timeline', 'vi', 'sau Tết', { monthsMin: 2 }],
  ['timeline', 'vi', 'gấp', { monthsMax: 1 }],
  ['timeline', 'vi', 'càng sớm càng tốt', { monthsMax: 1 }],
  ['timeline', 'vi', 'chưa gấp', 'none'],
  ['timeline', 'vi', 'không vội', 'none'],
  ['timeline', 'vi', 'không biết', REFUSED],
  // "Soon" gives no bound: refused, unlike the explicit urgency of "gấp" / "càng sớm càng tốt".
  ['timeline', 'vi', 'sớm thôi', REFUSED],
  ['timeline', 'vi', 'sắp tới', REFUSED],
  ['timeline', 'vi', '2 tỷ', REFUSED],
  ['timeline', 'vi', '500 triệu', REFUSED],
  ['timeline', 'vi', 'năm 2024', REFUSED], // in the past
  ['timeline', 'ascii', 'can truoc tet', by(3, '2027-02-05')],
  ['timeline', 'ascii', 'truoc tet nguyen dan', by(3, '2027-02-05')],
  ['timeline', 'ascii', 'quy 1 nam sau', by(5, '2027-03-31')],
  ['timeline', 'ascii', 'quy nay', by(2, '2026-12-31')],
  ['timeline', 'ascii', 'trong 2 thang', { monthsMax: 2 }],
  ['timeline', 'ascii', '2-3 thang nua', { monthsMin: 2, monthsMax: 3 }],
  ['timeline', 'ascii', 'thang sau', by(2, '2026-12-31')],
  ['timeline', 'ascii', 'cuoi nam', by(2, '2026-12-31')],
  ['timeline', 'ascii', 'truoc 15/1', by(2, '2027-01-14')],
  ['timeline', 'ascii', 'gap', { monthsMax: 1 }],
  ['timeline', 'ascii', 'chua gap', 'none'],
  ['timeline', 'ascii', 'khong voi', 'none'],
  ['timeline', 'ascii', 'khong biet', REFUSED],
  ['timeline', 'ascii', 'som thoi', REFUSED],
  ['timeline', 'ascii', '2 ty', REFUSED],
  ['timeline', 'en', 'Q2', by(8, '2027-06-30')],
  ['timeline', 'en', 'by end of March', by(5, '2027-03-31')],
  ['timeline', 'en', 'within 6 weeks', by(2, '2027-01-04')],
  ['timeline', 'en', 'next quarter', by(5, '2027-03-31')],
  ['timeline', 'en', 'in 2 months', { monthsMin: 2, monthsMax: 2 }],
  ['timeline', 'en', 'before Lunar New Year', by(3, '2027-02-05')],
  ['timeline', 'en', 'ASAP', { monthsMax: 1 }],
  ['timeline', 'en', 'no rush', 'none'],
  ['timeline', 'en', 'soon', REFUSED],
  ['timeline', 'en', 'not sure', REFUSED],
  ['timeline', 'en', '$10k', REFUSED],
  ['timeline', 'en', '?', REFUSED],
];

const TABLE: readonly Row[] = [...BUDGET, ...AUTHORITY, ...NEED, ...TIMELINE];
const PARSED = TABLE.filter(([, , , expected]) => expected !== null);

describe('BANT answer table', () => {
  it.each(TABLE)('%s [%s] %j', (field, _lang, text, expected) => {
    expect(parseBantText(field, text, NOW)).toEqual(expected);
  });

  it('covers every field in Vietnamese with and without diacritics and in English', () => {
    const count = (field: BantField, lang: Lang) =>
      TABLE.filter(([f, l]) => f === field && l === lang).length;
    for (const field of ['budget', 'authority', 'need', 'timeline'] as const) {
      for (const lang of ['vi', 'ascii', 'en'] as const) expect(count(field, lang)).toBeGreaterThanOrEqual(3);
      expect(TABLE.some(([f, , , e]) => f === field && e === null)).toBe(true);
    }
    expect(TABLE.length).toBeGreaterThanOrEqual(80);
  });
});

/** The value as describeBant formats it, with the first letter lowered as confirmText shows it. */
function shownValue(field: BantField, value: BantFieldValues[BantField], lang: 'vi' | 'en'): string {
  const need = field === 'need' ? (value as BantFieldValues['need']) : null;
  if (need?.confirmed && need.text) return need.text;
  const text = describeBant(field, value, lang);
  return /^\p{Lu}\p{Ll}/u.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

describe('confirmation text for every parsed answer', () => {
  it.each(PARSED)('%s [%s] %j', (field, _lang, text) => {
    const value = parseBantText(field, text, NOW);
    expect(value).not.toBeNull();
    for (const lang of ['vi', 'en'] as const) {
      const question = confirmText(field, value!, lang);
      expect(question).toContain(shownValue(field, value!, lang));
      expect(question).toMatch(lang === 'vi' ? / — đúng không\?$/ : / — is that right\?$/);
      if (typeof value === 'object' && value !== null && 'amount' in value) {
        // Dollar amounts keep the English grouping in both languages ("$10,000").
        expect(question).toContain(formatNumber(value.amount, value.currency === 'USD' ? 'en' : lang));
      }
      if (typeof value === 'object' && value !== null && 'decideBy' in value && value.decideBy) {
        expect(question).toContain(value.decideBy.slice(0, 4));
      }
    }
  });

  it.each([
    ['budget', 'khoảng 200 triệu', 'vi', 'Ngân sách: 200.000.000 ₫ — đúng không?'],
    ['budget', 'khoảng 200 triệu', 'en', 'Budget: VND 200,000,000 — is that right?'],
    ['budget', '$10k', 'vi', 'Ngân sách: $10,000 — đúng không?'],
    ['budget', 'chưa có ngân sách', 'vi', 'Ngân sách: chưa có ngân sách — đúng không?'],
    ['budget', 'no budget', 'en', 'Budget: no budget — is that right?'],
    ['authority', 'anh ấy là giám đốc', 'vi', 'Vai trò: người quyết định — đúng không?'],
    ['authority', 'phải hỏi sếp', 'en', 'Authority: influencer — is that right?'],
    ['need', 'cần phần mềm CRM', 'vi', 'Nhu cầu: “cần phần mềm CRM” — đúng không?'],
    ['need', 'just browsing', 'en', 'Need: no need yet — is that right?'],
    ['timeline', 'cần trước Tết', 'vi', 'Thời gian: trước 06/02/2027 (Tết) — đúng không?'],
    ['timeline', 'cần trước Tết', 'en', 'Timeline: before 2027-02-06 (Lunar New Year) — is that right?'],
    ['timeline', 'trước 15/1', 'vi', 'Thời gian: chậm nhất 14/01/2027 — đúng không?'],
    ['timeline', 'by end of March', 'en', 'Timeline: by 2027-03-31 — is that right?'],
    ['timeline', '2-3 tháng nữa', 'vi', 'Thời gian: trong 2–3 tháng — đúng không?'],
    ['timeline', 'within 6 weeks', 'en', 'Timeline: by 2027-01-04 — is that right?'],
    ['timeline', 'không vội', 'vi', 'Thời gian: chưa có thời hạn — đúng không?'],
  ] as const)('%s %j (%s) → %s', (field, text, lang, expected) => {
    const value = parseBantText(field, text, NOW);
    expect(value).not.toBeNull();
    expect(confirmText(field, value!, lang)).toBe(expected);
  });
});
