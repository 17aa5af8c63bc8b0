/**
 * Money amounts as Vietnamese and English speakers type them:
 *   "200 triệu", "200tr", "1tr5", "tầm 1,5 tỷ", "1.5 tỷ", "1 tỷ 2", "1 tỷ 200 triệu", "tỷ rưỡi",
 *   "500k", "500 nghìn/ngàn", "50.000.000 VND", "50,000,000 đ", "50.000.000₫",
 *   "$10k", "10k USD", "10,000 dollars", "2 triệu đô".
 * VND is the default currency; USD needs an explicit marker ($, USD, dollar, đô).
 * An unaccented "do" right after the amount is "đô" (dollar) or "đó" (that): it is read as VND
 * from 100 million up ("tam 200 trieu do anh": 200 million dollars is not a plausible budget),
 * and refused below ("50 nghin do": 50,000 VND and $50,000 are both plausible, and the two
 * readings differ ~25,000×).
 * Bare numbers (no unit, no currency) count only when they look like an amount: at least a
 * million, written with thousands separators or ending in 000, and not a code ("#12345678",
 * "DH20240001", "+84…", "0912…").
 *
 * Work is done on tokens of the lower-cased text. Each token keeps its raw form (with
 * diacritics) next to its folded form, because a few words only differ by diacritics:
 * "đô" (dollar) vs "đó" (that), "củ" (slang: million) vs "cũ" (old).
 */
import { foldText } from './text.ts';

export type Currency = 'VND' | 'USD';
export interface Money {
  amount: number;
  currency: Currency;
}

interface Token {
  raw: string;
  fold: string;
  kind: 'num' | 'word' | 'sym';
  start: number;
  end: number;
}

const TOKEN_RE = /\d+(?:[.,]\d+)*|\p{L}+|[^\s\p{L}\d]/gu;

function tokenize(text: string): Token[] {
  const lower = text.normalize('NFC').toLowerCase();
  const tokens: Token[] = [];
  for (const m of lower.matchAll(TOKEN_RE)) {
    const raw = m[0];
    const kind = /^\d/.test(raw) ? 'num' : /^\p{L}/u.test(raw) ? 'word' : 'sym';
    tokens.push({ raw, fold: foldText(raw), kind, start: m.index, end: m.index + raw.length });
  }
  return tokens;
}

/** Multiplier words. "m"/"b" are the English shorthands ("$1.5m"). */
const MULTIPLIERS: Readonly<Record<string, number>> = {
  ty: 1e9,
  ti: 1e9,
  billion: 1e9,
  billions: 1e9,
  bn: 1e9,
  b: 1e9,
  trieu: 1e6,
  tr: 1e6,
  million: 1e6,
  millions: 1e6,
  mil: 1e6,
  mn: 1e6,
  m: 1e6,
  nghin: 1e3,
  ngan: 1e3,
  k: 1e3,
  thousand: 1e3,
  thousands: 1e3,
};

function multiplierOf(t: Token | undefined): number | null {
  if (t?.kind !== 'word') return null;
  if (t.raw === 'củ') return 1e6; // slang: "200 củ" = 200 triệu ("cũ"/"cu" are other words)
  return MULTIPLIERS[t.fold] ?? null;
}

/**
 * Currency marker at tokens[i], and how many tokens it spans.
 * "đô" is a dollar only with its circumflex: unaccented "do" is just as likely to be "đó"
 * ("tầm 200 triệu đó anh" = "about 200 million, that's it"), and reading VND as USD would
 * inflate a budget ~25,000×; so bare "do" counts only as part of "do la" / "do my".
 */
function currencyAt(tokens: Token[], i: number): { currency: Currency; length: number } | null {
  const t = tokens[i];
  if (!t) return null;
  if (t.raw === '₫' || t.fold === 'vnd' || t.fold === 'dong' || t.fold === 'd') {
    return { currency: 'VND', length: 1 };
  }
  if (t.raw === '$' || t.fold === 'usd' || t.fold === 'dollar' || t.fold === 'dollars') {
    return { currency: 'USD', length: 1 };
  }
  if (t.fold === 'us' && tokens[i + 1]?.raw === '$') return { currency: 'USD', length: 2 };
  if (t.fold === 'do') {
    const next = tokens[i + 1]?.fold;
    const tail = next === 'la' || next === 'my' ? 2 : 1;
    if (t.raw === 'đô' || tail === 2) return { currency: 'USD', length: tail };
  }
  return null;
}

/**
 * A numeric literal, Vietnamese or English style. Vietnamese writes "1,5" for 1.5 and
 * "50.000.000" for fifty million; English the reverse. Rules:
 *   - both "." and "," present: the last one is the decimal mark;
 *   - one kind repeated ("50.000.000", "10,000,000"): thousands separators;
 *   - a single separator followed by exactly 3 digits ("1.500", "10,000"): thousands;
 *   - otherwise ("1,5", "1.5", "2.25"): decimal.
 */
export function parseNumberLiteral(raw: string): number | null {
  const dots = (raw.match(/\./g) ?? []).length;
  const commas = (raw.match(/,/g) ?? []).length;
  let normalized: string;
  if (dots > 0 && commas > 0) {
    const decimal = raw.lastIndexOf('.') > raw.lastIndexOf(',') ? '.' : ',';
    const thousands = decimal === '.' ? ',' : '.';
    const [int, frac, ...rest] = raw.split(decimal);
    if (rest.length > 0 || !isGrouped(int!, thousands)) return null;
    normalized = `${int!.split(thousands).join('')}.${frac}`;
  } else if (dots + commas === 0) {
    normalized = raw;
  } else {
    const sep = dots > 0 ? '.' : ',';
    const parts = raw.split(sep);
    if (parts.length > 2) {
      if (!isGrouped(raw, sep)) return null;
      normalized = parts.join('');
    } else {
      normalized = parts[1]!.length === 3 ? parts.join('') : parts.join('.');
    }
  }
  const n = Number(normalized);
  return Number.isFinite(n) ? n : null;
}

/** "50.000.000": every group after the first has exactly 3 digits. */
function isGrouped(s: string, sep: string): boolean {
  const [head, ...groups] = s.split(sep);
  return !!head && head.length <= 3 && groups.every((g) => g.length === 3);
}

/** Words after a trailing digit that show it is not "the rest of the amount" ("1 tỷ 2 tháng"). */
const NOT_A_TAIL_WORD =
  /^(thang|nam|tuan|ngay|gio|phut|quy|nguoi|user|users|seat|seats|license|licenses|nhan|cai|chiec|goi|lan|tieng|month|months|year|years|week|weeks|day|days|people|staff|x)$/;

/** What was read at a number token; amount may still be a bare number without unit/currency. */
interface MoneyRead {
  amount: number;
  currency: Currency | null;
  /** Largest-to-smallest multiplier chain; 0 when the number had none. */
  lastUnit: number;
  /** Value of the leading number alone (before multipliers). */
  leading: number;
  raw: string;
  start: number;
  /** Index of the first token after the expression. */
  end: number;
  /** Followed by an unaccented "do": "đô" (dollar) or "đó" (that)? */
  bareDo: boolean;
  /** Glued to a letter or after "#"/"+": an order code, a phone, not an amount. */
  codeLike: boolean;
}

function readAt(tokens: Token[], i: number): MoneyRead | null {
  const first = tokens[i];
  if (first?.kind !== 'num') return null;
  const leading = parseNumberLiteral(first.raw);
  if (leading === null) return null;
  let currency = prefixCurrency(tokens, i);
  let amount = leading;
  let lastUnit = 0;
  let j = i + 1;
  const unit = multiplierOf(tokens[j]);
  if (unit !== null) {
    amount = leading * unit;
    lastUnit = unit;
    j++;
    ({ amount, lastUnit, j } = readUnitTail(tokens, j, amount, lastUnit));
  }
  const suffix = currencyAt(tokens, j);
  if (suffix) {
    currency = currency ?? suffix.currency;
    j += suffix.length;
  }
  const bareDo = !suffix && tokens[j]?.raw === 'do';
  return {
    amount,
    currency,
    lastUnit,
    leading,
    raw: first.raw,
    start: i,
    end: j,
    bareDo,
    codeLike: codeLike(tokens, i),
  };
}

function codeLike(tokens: Token[], i: number): boolean {
  const prev = tokens[i - 1];
  if (!prev) return false;
  if (prev.raw === '#' || prev.raw === '+') return true;
  return prev.kind === 'word' && prev.end === tokens[i]!.start && prefixCurrency(tokens, i) === null;
}

function prefixCurrency(tokens: Token[], i: number): Currency | null {
  const prev = tokens[i - 1];
  if (!prev) return null;
  if (prev.raw === '$') return 'USD';
  if (prev.fold === 'usd') return 'USD';
  if (prev.fold === 'vnd') return 'VND';
  return null;
}

/**
 * After "1 tỷ": more of the amount.
 *   "1 tỷ 200 triệu" → a smaller unit is added;
 *   "1 tỷ rưỡi" → half a unit;
 *   "1 tỷ 2", "1tr5", "1 tỷ 250" → the digits are the next fraction of the unit (1.2 tỷ,
 *   1.5 triệu, 1.25 tỷ), the way the amount is said aloud. For "k" only when glued ("1k5").
 */
function readUnitTail(
  tokens: Token[],
  j: number,
  amount: number,
  lastUnit: number,
): { amount: number; lastUnit: number; j: number } {
  for (;;) {
    const t = tokens[j];
    if (!t) break;
    if (t.fold === 'ruoi') return { amount: amount + lastUnit / 2, lastUnit, j: j + 1 };
    if (t.kind !== 'num') break;
    const value = parseNumberLiteral(t.raw);
    if (value === null) break;
    const nextUnit = multiplierOf(tokens[j + 1]);
    if (nextUnit !== null) {
      if (nextUnit >= lastUnit) break;
      amount += value * nextUnit;
      lastUnit = nextUnit;
      j += 2;
      continue;
    }
    if (isFractionTail(tokens, j, lastUnit)) {
      amount += (value / 10 ** t.raw.length) * lastUnit;
      j++;
    }
    break;
  }
  return { amount, lastUnit, j };
}

function isFractionTail(tokens: Token[], j: number, lastUnit: number): boolean {
  const t = tokens[j]!;
  if (!/^\d{1,3}$/.test(t.raw)) return false;
  const glued = tokens[j - 1]?.end === t.start;
  if (lastUnit < 1e6 && !glued) return false;
  const after = tokens[j + 1];
  if (!after) return true;
  if (after.raw === '%' || after.raw === '/') return false;
  return !(after.kind === 'word' && NOT_A_TAIL_WORD.test(after.fold));
}

/**
 * Accept a read as money: it has a unit or a currency, or it is a big bare number
 * ("50000000" — a plausible VND amount; a year, a headcount or "5" are not).
 */
function isMoney(r: MoneyRead): boolean {
  if (r.lastUnit > 0 || r.currency !== null) return r.amount >= 0;
  const looksLikeAmount = /[.,]/.test(r.raw) || r.raw.endsWith('000');
  return r.amount >= 1e6 && !r.raw.startsWith('0') && looksLikeAmount && !r.codeLike;
}

/** "50 nghin do": dollars or VND? Only unambiguous from 100 million up (see the file comment). */
function isAmbiguousCurrency(r: MoneyRead): boolean {
  return r.bareDo && r.currency === null && r.amount < 1e8;
}

function toMoney(r: MoneyRead, currency?: Currency | null): Money {
  const amount = Math.round(r.amount * 100) / 100;
  return { amount, currency: currency ?? r.currency ?? 'VND' };
}

/** Words and signs joining the two ends of a range: "100-200", "từ 100 đến 200", "10 to 20". */
const RANGE_JOINERS = new Set(['-', '–', '—', '~', 'den', 'toi', 'to', 'and']);

export interface MoneyRange {
  low: Money;
  high: Money;
}

/**
 * A range of amounts ("100-200 triệu", "từ 100 đến 200 triệu", "$10k-20k", "500 - 1 tỷ").
 * A bare first number borrows the second's unit; if that would make it larger than the
 * second ("500 - 1 tỷ"), it takes the next smaller unit (500 triệu).
 */
export function parseMoneyRange(text: string): MoneyRange | null {
  const tokens = tokenize(text);
  for (let i = 0; i < tokens.length; i++) {
    const range = rangeAt(tokens, i);
    if (range) return range.range;
  }
  return null;
}

function rangeAt(tokens: Token[], i: number): { range: MoneyRange; end: number } | null {
  const first = readAt(tokens, i);
  if (!first) return null;
  const joiner = tokens[first.end];
  if (!joiner || !RANGE_JOINERS.has(joiner.fold)) return null;
  const second = readAt(tokens, first.end + 1);
  if (!second || !isMoney(second) || isAmbiguousCurrency(second)) return null;
  let low = first.amount;
  if (first.lastUnit === 0 && second.lastUnit > 0) {
    low = first.leading * second.lastUnit;
    if (low > second.amount && second.lastUnit >= 1e6) low = first.leading * (second.lastUnit / 1000);
  } else if (!isMoney(first)) {
    return null;
  }
  const currency = first.currency ?? second.currency ?? 'VND';
  const a = toMoney({ ...first, amount: low }, currency);
  const b = toMoney(second, currency);
  return { range: a.amount <= b.amount ? { low: a, high: b } : { low: b, high: a }, end: second.end };
}

/**
 * The first money amount in the text; for a range, its lower bound.
 * Null when there is no number that reads as money ("5", "2025", "hello").
 */
export function parseMoney(text: string): Money | null {
  const range = parseMoneyRange(text);
  if (range) return range.low;
  const tokens = tokenize(text);
  for (let i = 0; i < tokens.length; i++) {
    const r = readAt(tokens, i);
    if (r && isMoney(r)) return isAmbiguousCurrency(r) ? null : toMoney(r);
  }
  return null;
}

/** One amount or range found in a text, where it stands, and whether its currency is unclear. */
export interface MoneyMatch {
  /** The amount, or the lower bound of a range. */
  low: Money;
  /** The upper bound when the amount is a range. */
  high?: Money;
  /** Unaccented "do" after a small amount: dollars or VND cannot be told apart (see above). */
  ambiguousCurrency: boolean;
  /** Character offsets of the expression in `text.normalize('NFC').toLowerCase()`. */
  start: number;
  end: number;
}

/** Every amount and range in the text, left to right, without overlaps. */
export function findMoney(text: string): MoneyMatch[] {
  const tokens = tokenize(text);
  const found: MoneyMatch[] = [];
  for (let i = 0; i < tokens.length; ) {
    const range = rangeAt(tokens, i);
    const read = range ? null : readAt(tokens, i);
    const end = range?.end ?? read?.end ?? i + 1;
    const span = { start: tokens[i]!.start, end: tokens[end - 1]!.end };
    if (range) {
      found.push({ ...range.range, ambiguousCurrency: false, ...span });
    } else if (read && isMoney(read)) {
      found.push({ low: toMoney(read), ambiguousCurrency: isAmbiguousCurrency(read), ...span });
    }
    i = range || (read && isMoney(read)) ? end : i + 1;
  }
  return found;
}
