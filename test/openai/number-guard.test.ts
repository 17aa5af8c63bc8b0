import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectFacts, readNumber, unsupportedNumbers } from '../../src/integrations/openai/number-guard.ts';
import { formatNumber } from '../../src/parse/format.ts';

describe('readNumber', () => {
  it.each([
    ['86', 86],
    ['200.000.000', 200_000_000],
    ['200,000,000', 200_000_000],
    ['1.500', 1500],
    ['1,500', 1500],
    ['1,5', 1.5],
    ['1.5', 1.5],
    ['0.125', 0.125],
    ['2027.5', 2027.5],
    ['1.234,5', 1234.5],
    ['1,234.5', 1234.5],
    ['1.2.3', null],
    ['1.234.5', null],
  ])('%s → %s', (text, value) => {
    expect(readNumber(text)).toBe(value);
  });

  it('reads back every number formatNumber writes, in both languages', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 13 }),
        fc.constantFrom('vi', 'en' as const),
        (cents, lang) => {
          const n = cents / 100;
          expect(readNumber(formatNumber(n, lang))).toBe(n);
        },
      ),
    );
  });
});

describe('unsupportedNumbers', () => {
  const facts = collectFacts({
    score: 86,
    points: -12,
    lead: { company: 'Công ty 3T' },
    date: '2027-03-15',
    reason: 'Điểm tương tác giảm 50% sau 30 ngày',
    budget: '200.000.000 ₫',
  });
  const check = (reply: string) => unsupportedNumbers(reply, facts);

  it.each([
    '86 điểm',
    'điểm: 86.',
    'trừ 12 điểm (-12)',
    'Công ty 3T',
    '15/03/2027',
    '15/3',
    '15-03-2027',
    '15.03.2027',
    'ngày 15 tháng 3 năm 2027',
    'ngày 15 tháng 3',
    'March 15, 2027',
    '15th of March',
    'tháng 3',
    'tháng 3/2027',
    'năm 2027',
    'giảm 50% sau 30 ngày',
    'giảm 50 phần trăm',
    'ngân sách 200 triệu',
    'ngân sách 200tr',
    'ngân sách 0,2 tỷ',
    'VND 200,000,000',
    '200.000.000 đồng',
    '1. Ngân sách\n2. Tương tác',
  ])('accepts %j', (reply) => {
    expect(check(reply)).toEqual([]);
  });

  it.each([
    ['điểm 95', ['95']],
    ['86/100', ['100']],
    ['86%', ['86%']],
    ['khoảng 70 %', ['70 %']],
    ['50 điểm', ['50']],
    ['16/03', ['16/03']],
    ['ngày 15 tháng 4', ['ngày 15 tháng 4']],
    ['tháng 4', ['tháng 4']],
    ['năm 2028', ['2028']],
    ['300 triệu', ['300 triệu']],
    ['200 tỷ', ['200 tỷ']],
    ['200k', ['200k']],
    ['1.2.3', ['1.2.3']],
    ['B2B', ['2']],
    ['10. Mục mười', ['10']],
  ])('rejects %j', (reply, unsupported) => {
    expect(check(reply)).toEqual(unsupported);
  });

  it('accepts every fact number written the vi or en way, and rejects any other', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 10 ** 12 }), { minLength: 2, maxLength: 8 }),
        fc.constantFrom('vi', 'en' as const),
        ([outsider = 0, ...known], lang) => {
          const f = collectFacts({ numbers: known });
          const written = known.map((n) => formatNumber(n, lang)).join(' và ');
          expect(unsupportedNumbers(`Lead có ${written} điểm.`, f)).toEqual([]);
          expect(unsupportedNumbers(`Lead có ${formatNumber(outsider, lang)} điểm.`, f)).toEqual([
            formatNumber(outsider, lang),
          ]);
        },
      ),
    );
  });
});
