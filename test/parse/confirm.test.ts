import { describe, expect, it } from 'vitest';
import { parseConfirmation, readConfirmationReply } from '../../src/parse/confirm.ts';

const NOW = Date.UTC(2026, 10, 23, 3); // 2026-11-23 10:00 in Vietnam

describe('parseConfirmation', () => {
  it.each([
    ['đúng', 'yes'],
    ['dung', 'yes'],
    ['Đúng rồi ạ', 'yes'],
    ['dung roi', 'yes'],
    ['dạ vâng', 'yes'],
    ['chuẩn', 'yes'],
    ['chuan roi anh', 'yes'],
    ['chính xác', 'yes'],
    ['phải rồi', 'yes'],
    ['ok', 'yes'],
    ['Oke em nhé', 'yes'],
    ['ok, cảm ơn', 'yes'],
    ['yes', 'yes'],
    ['Yep!', 'yes'],
    ['yeah that is it', 'yes'],
    ['correct', 'yes'],
    ["that's right", 'yes'],
    ['yes we need it', 'yes'],
    ['👍', 'yes'],
    ['sai', 'no'],
    ['sai rồi', 'no'],
    ['sai rồi, chị ấy là trưởng phòng', 'no'],
    ['không', 'no'],
    ['khong', 'no'],
    ['ko ạ', 'no'],
    ['không phải', 'no'],
    ['khong phai', 'no'],
    ['Không phải đâu', 'no'],
    ['chưa đúng', 'no'],
    ['nhầm rồi', 'no'],
    ['không, 300 triệu', 'no'],
    ['no', 'no'],
    ['No, it is 300 million', 'no'],
    ['nope', 'no'],
    ['wrong', 'no'],
    ['👎', 'no'],
  ] as const)('%j → %s', (text, expected) => {
    expect(parseConfirmation(text)).toBe(expected);
  });

  // Neither yes nor no: negations that answer something else, mixed or empty replies.
  it.each([
    ['không biết'],
    ['khong ro'],
    ['không cần'],
    ['không phải hỏi sếp'], // "no need to ask the boss"
    ['no idea'],
    ['no budget'],
    ['ok, để em hỏi lại'], // a weak yes followed by more text may be taken back
    ['ok để em hỏi lại'],
    ['đúng, nhưng 300 triệu'],
    ['yes but later'],
    ['k'], // "không" in Vietnamese chat, "ok" in English chat
    ['chuẩn bị ngân sách'], // "chuẩn bị" = prepare
    ['dùng cho 20 người'], // "dùng" (use) folds like "đúng"
    ['300 triệu'],
    ['?'],
    [''],
  ])('%j → null', (text) => {
    expect(parseConfirmation(text)).toBeNull();
  });
});

describe('readConfirmationReply', () => {
  const budget = { amount: 200_000_000, currency: 'VND' };
  const vnd = (amount: number) => ({ amount, currency: 'VND' });

  it.each([
    ['đúng rồi', { kind: 'yes' }],
    ['không', { kind: 'no' }], // "no", not the budget answer "không" (= no budget)
    ['200 triệu', { kind: 'yes' }], // repeats the proposed value
    ['dạ đúng 200 triệu ạ', { kind: 'yes' }],
    ['300 triệu', { kind: 'correction', value: vnd(300_000_000) }],
    ['không, 300 triệu', { kind: 'correction', value: vnd(300_000_000) }],
    ['khong phai, 1 ty', { kind: 'correction', value: vnd(1_000_000_000) }],
    ['ok, 300 triệu', { kind: 'correction', value: vnd(300_000_000) }],
    ['đúng, nhưng 300 triệu', { kind: 'correction', value: vnd(300_000_000) }],
    ['chưa có ngân sách', { kind: 'correction', value: 'none' }],
    ['no budget', { kind: 'correction', value: 'none' }],
    ['không biết', { kind: 'unclear' }],
    ['ok, để em hỏi lại', { kind: 'unclear' }],
    ['doanh thu 50 tỷ', { kind: 'unclear' }],
  ] as const)('budget 200 triệu, reply %j', (text, expected) => {
    expect(readConfirmationReply('budget', budget, text, NOW)).toEqual(expected);
  });

  it.each([
    [
      'authority',
      'decision_maker',
      'sai, chị ấy là trưởng phòng',
      { kind: 'correction', value: 'influencer' },
    ],
    ['authority', 'decision_maker', 'đúng rồi', { kind: 'yes' }],
    ['authority', 'decision_maker', 'không phải hỏi sếp', { kind: 'unclear' }],
    ['need', { confirmed: true, text: 'cần CRM' }, 'yes we need it', { kind: 'yes' }],
    [
      'need',
      { confirmed: true, text: 'cần CRM' },
      'không cần',
      { kind: 'correction', value: { confirmed: false, text: 'không cần' } },
    ],
    ['timeline', { monthsMax: 3, decideBy: '2027-02-05' }, 'chuẩn', { kind: 'yes' }],
    ['timeline', { monthsMax: 3, decideBy: '2027-02-05' }, 'trước Tết', { kind: 'yes' }],
    [
      'timeline',
      { monthsMax: 3, decideBy: '2027-02-05' },
      'không gấp',
      { kind: 'correction', value: 'none' },
    ],
    [
      'timeline',
      { monthsMax: 3, decideBy: '2027-02-05' },
      'không, tháng sau',
      { kind: 'correction', value: { monthsMax: 2, decideBy: '2026-12-31' } },
    ],
    ['timeline', { monthsMax: 3, decideBy: '2027-02-05' }, 'nope', { kind: 'no' }],
  ] as const)('%s %j, reply %j', (field, proposed, text, expected) => {
    expect(readConfirmationReply(field, proposed, text, NOW)).toEqual(expected);
  });
});
