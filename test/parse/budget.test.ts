import { describe, expect, it } from 'vitest';
import { parseBudget, parseBudgetDetailed } from '../../src/parse/budget.ts';

const vnd = (amount: number) => ({ amount, currency: 'VND' });
const usd = (amount: number) => ({ amount, currency: 'USD' });

describe('parseBudget', () => {
  it.each([
    ['200 triệu', vnd(200_000_000)],
    ['200 trieu', vnd(200_000_000)],
    ['Ngân sách khoảng 200tr', vnd(200_000_000)],
    ['ngan sach tam 1,5 ty', vnd(1_500_000_000)],
    ['1 tỷ 2', vnd(1_200_000_000)],
    ['50.000.000 VND', vnd(50_000_000)],
    ['$10k', usd(10_000)],
    ['around 10,000 dollars', usd(10_000)],
    ['100-200 triệu', vnd(100_000_000)],
    ['từ 100 đến 200 triệu', vnd(100_000_000)],
    ['chưa có', 'none'],
    ['chưa có ạ', 'none'],
    ['chưa có ngân sách', 'none'],
    ['chua co ngan sach', 'none'],
    ['không có ngân sách cho việc này', 'none'],
    ['ko co ngan sach', 'none'],
    ['no budget', 'none'],
    ['We have no budget yet', 'none'],
    ['not yet budgeted', 'none'],
    ["we don't have a budget", 'none'],
    ['0đ', 'none'],
  ])('%s', (text, expected) => {
    expect(parseBudget(text)).toEqual(expected);
  });

  // Refusals: vague or unrelated answers must not become a budget.
  it.each([
    ['tùy'],
    ['tuy'],
    ['để xem'],
    ['de xem'],
    ['cũng được'],
    ['depends'],
    ['hello'],
    ['2025'],
    ['5'],
    ['200'],
    ['cho 20 người dùng'],
    ['phải hỏi sếp'],
    [''],
  ])('%s → null', (text) => {
    expect(parseBudget(text)).toBeNull();
  });
});

describe('parseBudgetDetailed', () => {
  it('keeps the lower bound of a range and says so', () => {
    expect(parseBudgetDetailed('100-200 triệu')).toEqual({
      value: vnd(100_000_000),
      confidence: 0.7,
      note: 'range 100,000,000 VND – 200,000,000 VND; lower bound used',
    });
  });

  it.each([
    ['200 triệu', 0.95, undefined],
    ['khoảng 200 triệu', 0.8, 'approximate'],
    ['tối đa 500 triệu', 0.6, 'upper bound given'],
    ['200tr đổ lại', 0.6, 'upper bound given'],
    ['dưới 500 triệu', 0, 'only "below X" given: no amount to keep'],
    ['doanh thu 50 tỷ', 0, 'the amount is not a budget (revenue, capital, salary…)'],
    ['50 nghin do', 0, 'unaccented "do": dollars or VND?'],
    ['ít nhất 300 triệu', 0.8, 'lower bound given'],
    ['chưa có ngân sách cụ thể, tầm 200 triệu', 0.5, 'says no budget but gives an amount'],
  ])('%s → confidence %s', (text, confidence, note) => {
    const parsed = parseBudgetDetailed(text);
    expect(parsed.confidence).toBe(confidence);
    expect(parsed.note).toBe(note);
  });

  it('explicit "no budget" is more certain than a bare "chưa"', () => {
    expect(parseBudgetDetailed('chưa có ngân sách')).toEqual({ value: 'none', confidence: 0.9 });
    expect(parseBudgetDetailed('chưa')).toEqual({ value: 'none', confidence: 0.7 });
  });

  it('refusal has zero confidence', () => {
    expect(parseBudgetDetailed('để xem')).toEqual({ value: null, confidence: 0 });
  });
});
