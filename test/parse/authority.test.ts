import { describe, expect, it } from 'vitest';
import { parseAuthority } from '../../src/parse/authority.ts';

describe('parseAuthority', () => {
  it.each([
    // Decision makers: identity or deciding themselves.
    ['anh ấy là giám đốc', 'decision_maker'],
    ['anh ay la giam doc', 'decision_maker'],
    ['chị ấy quyết', 'decision_maker'],
    ['chi ay quyet', 'decision_maker'],
    ['tôi là người quyết định', 'decision_maker'],
    ['toi la nguoi quyet dinh', 'decision_maker'],
    ['CEO', 'decision_maker'],
    ['Founder', 'decision_maker'],
    ['chủ doanh nghiệp', 'decision_maker'],
    ['Giám đốc', 'decision_maker'],
    ['tôi là phó giám đốc', 'decision_maker'],
    ['she signs off', 'decision_maker'],
    ['he is the decision maker', 'decision_maker'],
    ["I'm the owner", 'decision_maker'],
    ['tôi duyệt', 'decision_maker'],
    ['em tự quyết được', 'decision_maker'],
    ['tôi là CEO, nhân viên sẽ dùng', 'decision_maker'], // staff mention does not demote
    ['tôi là người quyết định, không cần hỏi sếp', 'decision_maker'], // negated "ask the boss"
    // Influencers: someone else approves.
    ['phải hỏi sếp', 'influencer'],
    ['phai hoi sep', 'influencer'],
    ['cần trình sếp duyệt', 'influencer'],
    ['giám đốc phải duyệt', 'influencer'], // a title approving = someone else
    ['giam doc phai duyet', 'influencer'],
    ['sếp tôi quyết', 'influencer'],
    ['I need to check with my boss', 'influencer'],
    ['will recommend to the board', 'influencer'],
    ['tôi đề xuất', 'influencer'],
    ['trưởng nhóm', 'influencer'],
    ['truong phong kinh doanh', 'influencer'],
    ['sales manager', 'influencer'],
    ['tôi không phải người quyết định', 'influencer'],
    ["I'm not the decision maker", 'influencer'],
    ['needs approval from finance', 'influencer'],
    ['tôi là giám đốc, nhưng phải hỏi hội đồng quản trị', 'influencer'], // a title, yet the board decides
    ['ban giám đốc sẽ quyết', 'influencer'],
    ['em không quyết được', 'influencer'],
    // Users.
    ['tôi chỉ dùng thôi', 'user'],
    ['toi chi dung thoi', 'user'],
    ['end user', 'user'],
    ["I'm just using it", 'user'],
    ['nhân viên', 'user'],
    ['nhan vien kinh doanh', 'user'],
  ])('%s → %s', (text, expected) => {
    expect(parseAuthority(text)).toBe(expected);
  });

  // Refusals: nothing about who decides.
  it.each([
    ['ok'],
    ['hello'],
    ['không biết'],
    ['chưa rõ'],
    ['anh ấy'],
    ['sếp'], // the lead's boss, or the lead being the boss?
    ['maybe'],
    ['không cần sếp duyệt'], // no boss approval needed, but who decides is not said
    [''],
  ])('%s → null', (text) => {
    expect(parseAuthority(text)).toBeNull();
  });
});
