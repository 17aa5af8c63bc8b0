import { describe, expect, it } from 'vitest';
import { findPhones, normalizePhone } from '../../src/parse/phone.ts';

describe('normalizePhone', () => {
  it.each([
    ['0912 345 678', '+84912345678'],
    ['0912.345.678', '+84912345678'],
    ['0912-345-678', '+84912345678'],
    ['0912345678', '+84912345678'],
    ['+84 912 345 678', '+84912345678'],
    ['+84912345678', '+84912345678'],
    ['84912345678', '+84912345678'],
    ['(+84) 912345678', '+84912345678'],
    ['(+84) 912 345 678', '+84912345678'],
    ['+84 0912 345 678', '+84912345678'],
    ['  0912 345 678  ', '+84912345678'],
    ['0386 123 456', '+84386123456'],
    ['0523 456 789', '+84523456789'],
    ['0703 456 789', '+84703456789'],
    ['0812 345 678', '+84812345678'],
    ['028 3823 4567', '+842838234567'],
    ['(028) 3823 4567', '+842838234567'],
    ['024.3825.1234', '+842438251234'],
    ['0236 3822 123', '+842363822123'],
    ['+84 28 3823 4567', '+842838234567'],
    ['+1 415 555 2671', '+14155552671'],
    ['+65 6123 4567', '+6561234567'],
    ['+44 20 7946 0958', '+442079460958'],
    ['0012025550123', '+12025550123'],
  ])('%s → %s', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each([
    ['2024'], // a year
    ['2025-11-05'], // a date
    ['2024110512'], // an order code: no trunk 0, no country code
    ['DH2024110512'], // letters
    ['0912 345 67a'],
    ['0912345'], // too short
    ['09123456789'], // mobile with one digit too many
    ['0123456789'], // 012x is no longer a valid prefix
    ['0712345678'], // 071x: old landline area, not a mobile
    ['0212345678'], // 02x landline needs 11 digits with the 0
    ['912345678'], // no trunk 0: ambiguous
    ['200000000'], // money
    ['+84 123 456 789'], // +84 with an invalid prefix
    ['+1 234'], // too short for any country
    ['+1234567890123456'], // longer than E.164 allows
    ['0912+345678'], // "+" in the middle
    [''],
  ])('%s → null', (input) => {
    expect(normalizePhone(input)).toBeNull();
  });

  it('reads national numbers of another default country', () => {
    expect(normalizePhone('6123 4567', 'SG')).toBe('+6561234567');
    expect(normalizePhone('(415) 555-2671', 'US')).toBe('+14155552671');
    expect(normalizePhone('0912 345 678', 'XX')).toBeNull();
  });
});

describe('findPhones', () => {
  it.each([
    ['sđt của em là 0912.345.678 nhé', ['+84912345678']],
    ['sdt cua em la 0912 345 678 nhe', ['+84912345678']],
    ['call me at +84 90 123 4567', ['+84901234567']],
    ['Zalo: 84912345678', ['+84912345678']],
    ['văn phòng (028) 3823 4567, di động (+84) 912345678', ['+842838234567', '+84912345678']],
    ['0912345678,0987654321', ['+84912345678', '+84987654321']],
    ['gọi 0912-345-678 hoặc 0912 345 678', ['+84912345678']], // same number twice
    ['lấy 0912 345 678 2 cái nhé', ['+84912345678']], // a quantity after the phone
    ['US office +1 415 555 2671.', ['+14155552671']],
  ])('%s', (text, expected) => {
    expect(findPhones(text)).toEqual(expected);
  });

  it.each([
    ['mã đơn 2024110512'], // order code
    ['đơn hàng DH0912345678'], // glued to letters
    ['ngân sách 200000000'], // money
    ['ngân sách 200.000.000 đ'],
    ['giao ngày 15-03-2027 hoặc 15/03/2027'], // dates
    ['năm 2025 và 2026'], // years
    ['CCCD 079203012345'], // 12-digit citizen ID
    ['STK 0071000123456'], // bank account number
    ['số 0912.345.678.9 không phải sđt'], // dotted number continuing past 10 digits
    ['mã 0912345678901234'],
    ['hello'],
  ])('%s → none', (text) => {
    expect(findPhones(text)).toEqual([]);
  });
});
