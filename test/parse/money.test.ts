import { describe, expect, it } from 'vitest';
import { parseMoney, parseMoneyRange, parseNumberLiteral } from '../../src/parse/money.ts';

const vnd = (amount: number) => ({ amount, currency: 'VND' });
const usd = (amount: number) => ({ amount, currency: 'USD' });

describe('parseMoney', () => {
  it.each([
    ['200 triệu', vnd(200_000_000)],
    ['200 trieu', vnd(200_000_000)],
    ['200tr', vnd(200_000_000)],
    ['khoảng 200 triệu', vnd(200_000_000)],
    ['tầm 1,5 tỷ', vnd(1_500_000_000)],
    ['tam 1,5 ty', vnd(1_500_000_000)],
    ['1.5 tỷ', vnd(1_500_000_000)],
    ['1,5 tỉ', vnd(1_500_000_000)],
    ['1 tỷ 2', vnd(1_200_000_000)],
    ['1 tỷ 250', vnd(1_250_000_000)],
    ['1 tỷ 200 triệu', vnd(1_200_000_000)],
    ['1 tỷ rưỡi', vnd(1_500_000_000)],
    ['1tr5', vnd(1_500_000)],
    ['200 củ', vnd(200_000_000)],
    ['500k', vnd(500_000)],
    ['500 nghìn', vnd(500_000)],
    ['500 ngàn', vnd(500_000)],
    ['500 ngan', vnd(500_000)],
    ['50.000.000 VND', vnd(50_000_000)],
    ['50,000,000 đ', vnd(50_000_000)],
    ['50.000.000₫', vnd(50_000_000)],
    ['50.000.000đ', vnd(50_000_000)],
    ['VND 200,000,000', vnd(200_000_000)],
    ['200 triệu đồng', vnd(200_000_000)],
    ['50000000', vnd(50_000_000)], // a big bare number is a VND amount
    ['1.500 tỷ', vnd(1_500_000_000_000)], // Vietnamese thousands separator
    ['$10k', usd(10_000)],
    ['10k USD', usd(10_000)],
    ['10,000 dollars', usd(10_000)],
    ['$1.5m', usd(1_500_000)],
    ['2 triệu đô', usd(2_000_000)],
    ['5000 đô la', usd(5000)],
    ['5000 do la', usd(5000)],
    ['tầm 200 triệu đó anh', vnd(200_000_000)], // "đó" (that) is not "đô" (dollar)
    ['tam 200 trieu do anh', vnd(200_000_000)], // unaccented "do" alone stays VND
    ['cho 20 người, tầm 300 triệu', vnd(300_000_000)], // the headcount is not money
    ['1 tỷ 2 tháng', vnd(1_000_000_000)], // "2 tháng" is not the rest of the amount
    ['100-200 triệu', vnd(100_000_000)], // a range: lower bound
  ])('%s', (text, expected) => {
    expect(parseMoney(text)).toEqual(expected);
  });

  it.each([['5'], ['2025'], ['hello'], ['200'], ['20 users'], ['0912345678'], ['tùy'], ['']])(
    '%s → null',
    (text) => {
      expect(parseMoney(text)).toBeNull();
    },
  );
});

describe('parseMoneyRange', () => {
  it.each([
    ['100-200 triệu', vnd(100_000_000), vnd(200_000_000)],
    ['từ 100 đến 200 triệu', vnd(100_000_000), vnd(200_000_000)],
    ['tu 100 den 200 trieu', vnd(100_000_000), vnd(200_000_000)],
    ['100 triệu - 1 tỷ', vnd(100_000_000), vnd(1_000_000_000)],
    ['500 - 1 tỷ', vnd(500_000_000), vnd(1_000_000_000)], // 500 borrows the next smaller unit
    ['1-1,5 tỷ', vnd(1_000_000_000), vnd(1_500_000_000)],
    ['$10k-20k', usd(10_000), usd(20_000)],
    ['between 10 and 20k USD', usd(10_000), usd(20_000)],
  ])('%s', (text, low, high) => {
    expect(parseMoneyRange(text)).toEqual({ low, high });
  });

  it.each([['2-3 tháng'], ['200 triệu'], ['15-03-2027']])('%s → null', (text) => {
    expect(parseMoneyRange(text)).toBeNull();
  });
});

describe('parseNumberLiteral', () => {
  it.each([
    ['1,5', 1.5],
    ['1.5', 1.5],
    ['1.500', 1500],
    ['10,000', 10_000],
    ['50.000.000', 50_000_000],
    ['1.500.000,5', 1_500_000.5],
    ['1,500,000.5', 1_500_000.5],
    ['2.25', 2.25],
  ])('%s → %s', (raw, expected) => {
    expect(parseNumberLiteral(raw)).toBe(expected);
  });

  it.each([['1.2.3'], ['1,2345,678']])('%s → null', (raw) => {
    expect(parseNumberLiteral(raw)).toBeNull();
  });
});
