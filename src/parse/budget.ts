/**
 * The Budget answer of BANT: an amount, 'none' (no budget set aside), or null when the answer
 * does not tell us (we refuse to guess: "tùy", "để xem", "depends", a bare "5" or "2025").
 */
import { formatNumber } from './format.ts';
import type { Money, MoneyMatch } from './money.ts';
import { findMoney } from './money.ts';
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
/** A ceiling on the spend: the budget is that amount. */
const UPPER_BOUND =
  /\b(?:toi da|khong qua|ko qua|k qua|khong vuot qua|do lai|do xuong|tro xuong|up to|max|maximum|at most|or less|no more than)\b/;
/** Strictly below an amount: the amount itself is not the budget. */
const STRICTLY_BELOW = /\b(?:duoi|it hon|chua toi|chua den|khong den|ko den|under|below|less than)\b/;
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

/**
 * The text around one amount, within its clause: from the previous clause break (or amount)
 * to the amount, and from the amount to the next break, conjunction or amount. Folded.
 */
function clauseAround(lower: string, m: MoneyMatch, prevEnd: number, nextStart: number): Context {
  const before = lower.slice(prevEnd, m.start).split(CLAUSE_BREAK).pop() ?? '';
  const after = lower.slice(m.end, nextStart).split(CLAUSE_BREAK)[0] ?? '';
  return { before: foldText(before), after: foldText(after).split(CONJUNCTION)[0] ?? '' };
}

interface Context {
  before: string;
  after: string;
}

const CLAUSE_BREAK = /[,;!?\n]|\.(?!\d)/;
const CONJUNCTION = /\b(?:con|nhung|va|ma|but|and|while|whereas)\b/;

/**
 * Money that is not the budget: revenue, capital, salary, profit ("doanh thu 50 tỷ",
 * "vốn điều lệ 10 tỷ", "revenue is $5m"). Words before the amount count; words after it count
 * when nothing before it names a budget ("50 tỷ doanh thu" vs "ngân sách 200 triệu doanh
 * nghiệp tự chi").
 */
const NOT_A_BUDGET =
  /\b(?:doanh thu|doanh so|loi nhuan|von dieu le|von hoa|tong tai san|tai san|luong|thu nhap|revenue|turnover|annual sales|profit|salary|salaries|income|capital|valuation|market cap|arr|mrr|gmv)\b/;
const BUDGET_WORD = /\b(?:ngan sach|kinh phi|budget|chi phi|chi tieu|chi tra|dau tu|spend)\b/;

function isBudgetAmount(c: Context): boolean {
  if (NOT_A_BUDGET.test(c.before)) return false;
  return !NOT_A_BUDGET.test(c.after) || BUDGET_WORD.test(c.before);
}

const REFUSED: BudgetParse = { value: null, confidence: 0 };

/**
 * Budget with how it was read.
 *
 * Decisions for answers that do not state one amount (the value feeds "budget ≥ X" rules,
 * so every choice errs low rather than inflating a lead):
 *   - a range ("100-200 triệu") keeps its LOWER bound (100 triệu), the only amount the lead
 *     committed to; the note keeps both ends;
 *   - a ceiling ("tối đa / không quá 200 triệu", "up to $10k", "200 triệu đổ lại") is the
 *     budget: the money set aside is that much (confidence 0.6);
 *   - "strictly below" ("dưới 50 triệu", "ít hơn", "under", "less than") is refused: the
 *     amount is not the budget and there is no lower bound; the bot asks for a figure;
 *   - money that is revenue, capital or salary, an order code, a phone number, a year or a
 *     number without unit ("200") is refused, as is a small amount with an unaccented "do"
 *     ("50 nghin do": dollars or dong?);
 *   - an amount next to "chưa có ngân sách" wins over the vaguer "no budget" (confidence 0.5).
 */
export function parseBudgetDetailed(text: string): BudgetParse {
  const folded = foldText(text);
  if (!folded) return REFUSED;
  const saysNone = NO_BUDGET_PATTERNS.some((re) => re.test(folded));

  const lower = text.normalize('NFC').toLowerCase();
  const found = findMoney(text);
  const budgets = found
    .map((m, i) => ({
      m,
      c: clauseAround(lower, m, found[i - 1]?.end ?? 0, found[i + 1]?.start ?? lower.length),
    }))
    .filter(({ c }) => isBudgetAmount(c));
  const first = budgets[0];
  if (!first) {
    if (found.length > 0)
      return { ...REFUSED, note: 'the amount is not a budget (revenue, capital, salary…)' };
    if (saysNone) return { value: 'none', confidence: 0.9 };
    if (SHORT_NONE_ANSWERS.has(shortAnswer(folded))) return { value: 'none', confidence: 0.7 };
    return REFUSED;
  }
  const { m, c } = first;
  if (m.ambiguousCurrency) return { ...REFUSED, note: 'unaccented "do": dollars or VND?' };
  if (m.high) {
    return {
      value: m.low,
      confidence: saysNone ? 0.5 : 0.7,
      note: `range ${formatAmount(m.low)} – ${formatAmount(m.high)}; lower bound used`,
    };
  }
  if (m.low.amount === 0) return { value: 'none', confidence: 0.8, note: 'zero amount' };
  // "chưa có ngân sách cụ thể, tầm 200 triệu": an amount beats the vaguer "no budget".
  if (saysNone) return { value: m.low, confidence: 0.5, note: 'says no budget but gives an amount' };
  const qualifier = `${c.before} # ${c.after}`;
  if (STRICTLY_BELOW.test(qualifier)) return { ...REFUSED, note: 'only "below X" given: no amount to keep' };
  return { value: m.low, ...qualifierConfidence(qualifier) };
}

function qualifierConfidence(context: string): { confidence: number; note?: string } {
  if (UPPER_BOUND.test(context)) return { confidence: 0.6, note: 'upper bound given' };
  if (LOWER_BOUND.test(context)) return { confidence: 0.8, note: 'lower bound given' };
  if (APPROX.test(context)) return { confidence: 0.8, note: 'approximate' };
  return { confidence: 0.95 };
}

/** Budget value only: an amount, 'none', or null when the text does not say. */
export function parseBudget(text: string): BudgetValue | null {
  return parseBudgetDetailed(text).value;
}
