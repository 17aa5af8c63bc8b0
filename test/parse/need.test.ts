import { describe, expect, it } from 'vitest';
import { parseNeed } from '../../src/parse/need.ts';

describe('parseNeed', () => {
  it.each([
    ['cần phần mềm CRM cho 20 sales', true],
    ['can phan mem CRM cho 20 sales', true],
    ['we need to automate lead follow-up', true],
    ['muốn quản lý khách hàng', true],
    ['muon quan ly khach hang', true],
    ['đang tìm giải pháp chăm sóc khách hàng qua Zalo', true],
    ['có nhu cầu', true],
    ['rất quan tâm đến tính năng chấm điểm lead', true],
    ['đang quản lý khách hàng bằng Excel, hay bỏ sót', true],
    ['looking for a CRM for our sales team', true],
    ["we're losing leads because nobody follows up", true],
    ['không cần nhiều tính năng, chỉ cần CRM cơ bản', true],
    ['chưa có nhu cầu', false],
    ['chua co nhu cau', false],
    ['không cần', false],
    ['khong can dau', false],
    ['just browsing', false],
    ['chỉ tham khảo', false],
    ['chi tham khao thoi', false],
    ['cần tham khảo giá thôi', false], // "cần" but only to compare prices
    ['not interested', false],
    ["we don't need it", false],
  ])('%s → confirmed %s', (text, confirmed) => {
    expect(parseNeed(text)).toEqual({ confirmed, text });
  });

  it('keeps the lead’s words, trimmed', () => {
    expect(parseNeed('  cần   CRM  ')).toEqual({ confirmed: true, text: 'cần CRM' });
  });

  // Refusals.
  it.each([
    ['ok'],
    ['hi'],
    ['hello'],
    ['dạ vâng'],
    ['cần'],
    ['can you send me pricing?'],
    ['2025'],
    ['muộn rồi'],
    ['  '],
  ])('%s → null', (text) => {
    expect(parseNeed(text)).toBeNull();
  });
});
