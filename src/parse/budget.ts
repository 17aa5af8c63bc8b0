/**
 * The Budget answer of BANT: an amount, 'none' (no budget set aside), or null when the answer
 * does not tell us (we refuse to guess: "tùy", "để xem", "depends", a bare "5" or "2025").
 */
import { formatNumber } from './format.ts';
import type { Money } from './money.ts';
import { parseMoney, parseMoneyRange } from './money.ts';
import { foldText } from './text.ts';

export type BudgetValue = Money | 'none';

export interface BudgetParse {
  value: BudgetValue | null;
  /** 0..1: how sure the parser is that `value` is what the lead meant. */
  confidence: number;
  note?: string;
}

/** Explicit statements that there is no budget, in any position of the answer. */
const NO_BUDGET_PATTERNS: readonly RegExp[] = [
  /\b(?:chua|khong|ko|k|hong|chang|cha)\s+(?:co\s+|du\s+|lap\s+|len\s+)?(?:ngan sach|kinh phi|budget|tien du tru)\b/,
  /\bngan sach\s+(?:thi\s+)?(?:chua|khong|ko)\s+co\b/,
  /\bchua\s+(?:duoc\s+)?(?:phe\s+)?duyet\s+ngan sach\b/,
  /\bno\s+(?:allocated\s+|set\s+)?budget\b/,
  /\bnot\s+(?:yet\s+)?budgeted\b/,
  /\b(?:have\s*n[o']?t|haven'?t|do\s*n[o']?t|don'?t|dont)\s+(?:got\s+|have\s+)?(?:a\s+|any\s+)?budget\b/,
  /\bzero budget\b/,
];

/** Whole answers that mean "no (budget)" when the question was about the budget. */
const SHORT_NONE_ANSWERS = new Set([
  'chua co',
  'chua',
  'khong co',
  'khong',
  'ko co',
  'ko',
  'k co',
  'chua co gi',
  'none',
  'no',
  'nope',
  'not yet',
  'nothing yet',
  'zero',
]);

/** Particles and politeness around a short answer: "chưa có ạ", "dạ không có anh". */
const PARTICLES = /\b(?:a|ah|da|nhe|nha|em|anh|chi|ban|oi|dau|roi|nhen|ne|luon|sir|thanks)\b/g;

const APPROX =
  /\b(?:khoang|tam|tam tam|chung|co le|du kien|uoc tinh|around|about|roughly|approx|approximately|maybe|estimated)\b|~/;
const UPPER_BOUND = /\b(?:duoi|toi da|khong qua|ko qua|it hon|up to|under|max|maximum|at most|less than)\b/;
const LOWER_BOUND = /\b(?:tren|hon|it nhat|toi thieu|tro len|at least|over|more than|minimum|min)\b/;

function shortAnswer(folded: string): string {
  return folded
    .replace(/[.,!?…]/g, ' ')
    .replace(PARTICLES, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function formatAmount(m: Money): string {
  return `${formatNumber(m.amount, 'en')} ${m.currency}`;
}

/** Budget with how it was read: ranges keep their lower bound and say so. */
export function parseBudgetDetailed(text: string): BudgetParse {
  const folded = foldText(text);
  if (!folded) return { value: null, confidence: 0 };
  const saysNone = NO_BUDGET_PATTERNS.some((re) => re.test(folded));

  const range = parseMoneyRange(text);
  if (range) {
    return {
      value: range.low,
      confidence: saysNone ? 0.5 : 0.7,
      note: `range ${formatAmount(range.low)} – ${formatAmount(range.high)}; lower bound used`,
    };
  }

  const money = parseMoney(text);
  if (money) {
    if (money.amount === 0) return { value: 'none', confidence: 0.8, note: 'zero amount' };
    // "chưa có ngân sách cụ thể, tầm 200 triệu": an amount beats the vaguer "no budget".
    if (saysNone) return { value: money, confidence: 0.5, note: 'says no budget but gives an amount' };
    return { value: money, ...qualifierConfidence(folded) };
  }

  if (saysNone) return { value: 'none', confidence: 0.9 };
  if (SHORT_NONE_ANSWERS.has(shortAnswer(folded))) return { value: 'none', confidence: 0.7 };
  return { value: null, confidence: 0 };
}

function qualifierConfidence(folded: string): { confidence: number; note?: string } {
  if (UPPER_BOUND.test(folded)) return { confidence: 0.6, note: 'upper bound given' };
  if (LOWER_BOUND.test(folded)) return { confidence: 0.8, note: 'lower bound given' };
  if (APPROX.test(folded)) return { confidence: 0.8, note: 'approximate' };
  return { confidence: 0.95 };
}

/** Budget value only: an amount, 'none', or null when the text does not say. */
export function parseBudget(text: string): BudgetValue | null {
  return parseBudgetDetailed(text).value;
}
