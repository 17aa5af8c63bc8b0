/**
 * Small pure helpers shared by the model compiler, the engine and explanations:
 * text folding for matchers, URL paths, and bilingual display of values.
 */
import { foldText } from '../parse/text.ts';
import type { Authority, BantValues, Text } from './types.ts';

export const DAY_MS = 86_400_000;
/** Vietnam has no DST: local time is always UTC+7. */
const VN_OFFSET_MS = 7 * 3_600_000;

const PRINTABLE_ASCII_NO_SPACE = /^[!-~]*$/;

/**
 * `foldText` with a fast path for the common case (URLs, ids, ASCII words): strings made only
 * of printable ASCII without whitespace fold to their lower-case form.
 */
export function fold(input: string): string {
  if (PRINTABLE_ASCII_NO_SPACE.test(input)) return input.toLowerCase();
  return foldMemo(input);
}

/**
 * A bounded memo of a pure function (emptied when full), for inputs that repeat across events.
 * Results must not be undefined.
 */
export function boundedMemo<K, V>(fn: (key: K) => V, size: number): (key: K) => V {
  const memo = new Map<K, V>();
  return (key) => {
    let v = memo.get(key);
    if (v === undefined) {
      v = fn(key);
      if (memo.size >= size) memo.clear();
      memo.set(key, v);
    }
    return v;
  };
}

/** Titles, industries and cities repeat across leads; Unicode normalisation is costly. */
const foldMemo = boundedMemo(foldText, 4096);

/** Folded text with every separator removed: "IT Services", "it-services" → "itservices". */
export function squash(input: string): string {
  return fold(input).replace(/[^a-z0-9]/g, '');
}

/**
 * Folds a regex source the same way input text is folded (diacritics stripped, đ → d) without
 * lower-casing it (that would turn `\S` into `\s`); patterns are compiled case-insensitive.
 */
export function foldPattern(source: string): string {
  return source
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');
}

/** Compiles a model regex against folded text. Throws on an invalid pattern. */
export function compilePattern(source: string): RegExp {
  return new RegExp(foldPattern(source), 'i');
}

/** The path of a URL ("https://a.vn/bang-gia?x=1" → "/bang-gia"); a bare path is returned as is. */
export function urlPath(url: string): string {
  let start = 0;
  const scheme = url.indexOf('://');
  if (scheme >= 0) {
    const slash = url.indexOf('/', scheme + 3);
    if (slash < 0) return '/';
    start = slash;
  } else if (url.charCodeAt(0) !== 47 /* / */) {
    const slash = url.indexOf('/');
    if (slash < 0) return '/';
    start = slash;
  }
  let end = url.length;
  const q = url.indexOf('?', start);
  if (q >= 0) end = q;
  const h = url.indexOf('#', start);
  if (h >= 0 && h < end) end = h;
  return url.slice(start, end);
}

/** Domain of an e-mail address, lower-cased, or undefined when it has none. */
export function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at < 0 || at === email.length - 1) return undefined;
  return email
    .slice(at + 1)
    .trim()
    .toLowerCase();
}

/** Same text in both languages. */
export function both(value: string): Text {
  return { vi: value, en: value };
}

/** Replaces `{value}` in both languages of a label. */
export function fillLabel(label: Text, value: Text): Text {
  return { vi: label.vi.replaceAll('{value}', value.vi), en: label.en.replaceAll('{value}', value.en) };
}

/** Groups digits: vi uses "." (200.000.000), en uses "," (200,000,000). */
export function formatNumber(n: number, lang: 'vi' | 'en'): string {
  const sign = n < 0 ? '−' : '';
  const abs = Math.abs(n);
  const int = Math.trunc(abs);
  const frac = Math.round((abs - int) * 100);
  const grouped = String(int).replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'vi' ? '.' : ',');
  if (frac === 0) return sign + grouped;
  return sign + grouped + (lang === 'vi' ? ',' : '.') + String(frac).padStart(2, '0');
}

/** "200.000.000 ₫" / "200,000,000 VND"; other currencies keep their code. */
export function formatMoney(amount: number, currency: string): Text {
  const code = currency.toUpperCase();
  return {
    vi: formatNumber(amount, 'vi') + (code === 'VND' ? ' ₫' : ` ${code}`),
    en: formatNumber(amount, 'en') + ` ${code}`,
  };
}

const AUTHORITY_TEXT: Record<Authority, Text> = {
  decision_maker: { vi: 'người ra quyết định', en: 'decision maker' },
  influencer: { vi: 'người ảnh hưởng', en: 'influencer' },
  user: { vi: 'người dùng', en: 'user' },
};

export function formatAuthority(a: Authority): Text {
  return AUTHORITY_TEXT[a];
}

export function formatBudget(b: NonNullable<BantValues['budget']>): Text {
  if (b === 'none') return { vi: 'chưa có ngân sách', en: 'no budget' };
  return formatMoney(b.amount, b.currency);
}

export function formatNeed(n: NonNullable<BantValues['need']>): Text {
  const base: Text = n.confirmed
    ? { vi: 'đã xác nhận', en: 'confirmed' }
    : { vi: 'chưa xác nhận', en: 'not confirmed' };
  if (n.text === undefined || n.text === '') return base;
  return { vi: `${base.vi}: ${n.text}`, en: `${base.en}: ${n.text}` };
}

export function formatTimeline(t: NonNullable<BantValues['timeline']>): Text {
  if (t === 'none') return { vi: 'chưa có thời hạn', en: 'no timeline' };
  if (t.monthsMax !== undefined) {
    if (t.monthsMin !== undefined && t.monthsMin !== t.monthsMax) {
      return {
        vi: `${t.monthsMin}–${t.monthsMax} tháng`,
        en: `${t.monthsMin}–${t.monthsMax} months`,
      };
    }
    return { vi: `trong ${t.monthsMax} tháng`, en: `within ${t.monthsMax} months` };
  }
  if (t.decideBy !== undefined) return { vi: `trước ${t.decideBy}`, en: `by ${t.decideBy}` };
  if (t.monthsMin !== undefined) return { vi: `từ ${t.monthsMin} tháng`, en: `${t.monthsMin}+ months` };
  return { vi: 'chưa rõ', en: 'unknown' };
}

const DECIDE_BY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Months from an answer to its timeline: `monthsMax` when given, else the calendar distance from
 * the answer date (Vietnam time) to `decideBy` — whole months plus days/31, so "15 Jan → 15 Apr"
 * is exactly 3 and "31 Jan → 30 Apr" is just under 3. A past deadline counts as 0 months.
 * Undefined when the answer gives no upper bound.
 */
export function timelineMonths(
  t: NonNullable<BantValues['timeline']>,
  answeredAt: number,
): number | undefined {
  if (t === 'none') return undefined;
  if (t.monthsMax !== undefined) return t.monthsMax;
  if (t.decideBy === undefined) return undefined;
  const m = DECIDE_BY.exec(t.decideBy);
  if (m === null) return undefined;
  const local = new Date(answeredAt + VN_OFFSET_MS);
  const months =
    (Number(m[1]) - local.getUTCFullYear()) * 12 +
    (Number(m[2]) - 1 - local.getUTCMonth()) +
    (Number(m[3]) - local.getUTCDate()) / 31;
  return Math.max(months, 0);
}
