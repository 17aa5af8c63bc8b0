/**
 * BANT answers in free text → the typed values of the scoring contract (BantValues), and the
 * reverse: short confirmations the bot shows back ("Ngân sách: 200.000.000 ₫").
 */
import type { Authority, BantValues, Lang } from '../scoring/types.ts';
import { parseAuthority } from './authority.ts';
import { parseBudget } from './budget.ts';
import { formatNumber } from './format.ts';
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

function describeTimeline(value: BantFieldValues['timeline'], lang: Lang): string {
  if (value === 'none') return lang === 'vi' ? 'Chưa có thời hạn' : 'No timeline';
  if (value.decideBy) {
    const [y, m, d] = value.decideBy.split('-');
    return lang === 'vi' ? `Trước ${d}/${m}/${y}` : `By ${value.decideBy}`;
  }
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
