/**
 * BANT answers in free text → the typed values of the scoring contract (BantValues), and the
 * reverse: short confirmations the bot shows back ("Ngân sách: 200.000.000 ₫").
 */
import type { Authority, BantValues, Lang } from '../scoring/types.ts';
import { parseAuthority } from './authority.ts';
import { parseBudget } from './budget.ts';
import { addDays, parseIsoDate, toIsoDate } from './calendar.ts';
import { formatNumber } from './format.ts';
import { TET_DATES } from './lunar.ts';
import { parseNeed } from './need.ts';
import { parseTimeline } from './timeline.ts';

export type BantField = 'budget' | 'authority' | 'need' | 'timeline';

/** The typed value of each BANT field, as held in BantValues. */
export interface BantFieldValues {
  budget: NonNullable<BantValues['budget']>;
  authority: Authority;
  need: NonNullable<BantValues['need']>;
  timeline: NonNullable<BantValues['timeline']>;
}

/**
 * Parses the answer to one BANT question. Null when the text does not answer it; the caller
 * should then ask again rather than store a guess. `now` anchors relative timelines.
 */
export function parseBantText<F extends BantField>(
  field: F,
  text: string,
  now: number | Date,
): BantFieldValues[F] | null;
export function parseBantText(field: BantField, text: string, now: number | Date): unknown {
  switch (field) {
    case 'budget':
      return parseBudget(text);
    case 'authority':
      return parseAuthority(text);
    case 'need':
      return parseNeed(text);
    case 'timeline':
      return parseTimeline(text, now);
  }
}

/** Formats a confirmation of one BANT value in the lead's language. */
export function describeBant<F extends BantField>(field: F, value: BantFieldValues[F], lang: Lang): string;
export function describeBant(field: BantField, value: unknown, lang: Lang): string {
  switch (field) {
    case 'budget':
      return describeBudget(value as BantFieldValues['budget'], lang);
    case 'authority':
      return describeAuthority(value as Authority, lang);
    case 'need':
      return describeNeed(value as BantFieldValues['need'], lang);
    case 'timeline':
      return describeTimeline(value as BantFieldValues['timeline'], lang);
  }
}

function describeBudget(value: BantFieldValues['budget'], lang: Lang): string {
  if (value === 'none') return lang === 'vi' ? 'Chưa có ngân sách' : 'No budget';
  const { amount, currency } = value;
  if (currency === 'USD') return `$${formatNumber(amount, 'en')}`;
  if (currency === 'VND') {
    return lang === 'vi' ? `${formatNumber(amount, 'vi')} ₫` : `VND ${formatNumber(amount, 'en')}`;
  }
  return `${currency} ${formatNumber(amount, lang)}`;
}

const AUTHORITY_LABELS: Readonly<Record<Authority, { vi: string; en: string }>> = {
  decision_maker: { vi: 'Người quyết định', en: 'Decision maker' },
  influencer: { vi: 'Người ảnh hưởng/đề xuất', en: 'Influencer' },
  user: { vi: 'Người dùng', en: 'End user' },
};

function describeAuthority(value: Authority, lang: Lang): string {
  return AUTHORITY_LABELS[value][lang];
}

function describeNeed(value: BantFieldValues['need'], lang: Lang): string {
  if (!value.confirmed) return lang === 'vi' ? 'Chưa có nhu cầu' : 'No need yet';
  const label = lang === 'vi' ? 'Có nhu cầu' : 'Need confirmed';
  return value.text ? `${label}: ${value.text}` : label;
}

/**
 * A decide-by date is the last day the decision may fall on, so it reads "chậm nhất" (at the
 * latest) / "by"; "trước 15/1" was stored as 2027-01-14 and shows as "chậm nhất 14/01/2027".
 * The day before Tết shows as what the lead said: "Trước 06/02/2027 (Tết)".
 */
function describeDecideBy(decideBy: string, lang: Lang): string {
  const date = parseIsoDate(decideBy);
  const next = date && toIsoDate(addDays(date, 1));
  if (next && TET_DATES.includes(next)) {
    return lang === 'vi' ? `Trước ${viDate(next)} (Tết)` : `Before ${next} (Lunar New Year)`;
  }
  return lang === 'vi' ? `Chậm nhất ${viDate(decideBy)}` : `By ${decideBy}`;
}

/** "2027-02-06" → "06/02/2027" */
function viDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

function describeTimeline(value: BantFieldValues['timeline'], lang: Lang): string {
  if (value === 'none') return lang === 'vi' ? 'Chưa có thời hạn' : 'No timeline';
  if (value.decideBy) return describeDecideBy(value.decideBy, lang);
  const { monthsMin: min, monthsMax: max } = value;
  const n = (x: number) => formatNumber(x, lang);
  const months = (x: number) => (lang === 'en' && x === 1 ? 'month' : 'months');
  if (min !== undefined && max !== undefined) {
    if (min === max)
      return lang === 'vi' ? `Khoảng ${n(min)} tháng nữa` : `In about ${n(min)} ${months(min)}`;
    return lang === 'vi' ? `Trong ${n(min)}–${n(max)} tháng` : `In ${n(min)}–${n(max)} months`;
  }
  if (max !== undefined) return lang === 'vi' ? `Trong ${n(max)} tháng` : `Within ${n(max)} ${months(max)}`;
  if (min !== undefined) return lang === 'vi' ? `Sau ${n(min)} tháng` : `After ${n(min)} ${months(min)}`;
  return lang === 'vi' ? 'Chưa rõ thời hạn' : 'Timeline unclear';
}

const FIELD_LABELS: Readonly<Record<BantField, { vi: string; en: string }>> = {
  budget: { vi: 'Ngân sách', en: 'Budget' },
  authority: { vi: 'Vai trò', en: 'Authority' },
  need: { vi: 'Nhu cầu', en: 'Need' },
  timeline: { vi: 'Thời gian', en: 'Timeline' },
};

const QUESTION: Readonly<Record<Lang, string>> = { vi: 'đúng không?', en: 'is that right?' };

/**
 * The question the bot asks back after parsing an answer, in the lead's language:
 *   "Ngân sách: 200.000.000 ₫ — đúng không?", "Budget: VND 200,000,000 — is that right?",
 *   "Thời gian: trước 06/02/2027 (Tết) — đúng không?", "Nhu cầu: “cần CRM” — đúng không?".
 * The value is describeBant's text (its first letter lowered when it starts a phrase, not a
 * code like "VND"); a confirmed need shows the lead's own words. Read the reply with
 * readConfirmationReply (confirm.ts).
 */
export function confirmText<F extends BantField>(field: F, value: BantFieldValues[F], lang: Lang): string;
export function confirmText(field: BantField, value: unknown, lang: Lang): string {
  const need = field === 'need' ? (value as BantFieldValues['need']) : null;
  const shown =
    need?.confirmed && need.text
      ? `“${need.text}”`
      : lowerFirst(describeBant(field, value as BantFieldValues[typeof field], lang));
  return `${FIELD_LABELS[field][lang]}: ${shown} — ${QUESTION[lang]}`;
}

/** "Chưa có ngân sách" → "chưa có ngân sách"; "VND 200,000,000" and "$10,000" stay. */
function lowerFirst(s: string): string {
  return /^\p{Lu}\p{Ll}/u.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}
