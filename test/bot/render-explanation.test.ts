import { describe, expect, it } from 'vitest';
import { formatTime, renderExplanation } from '../../src/bot/render-explanation.ts';
import type { Explanation } from '../../src/scoring/types.ts';

/** 2026-11-14 10:05 in Vietnam (03:05 UTC). */
const AT = Date.UTC(2026, 10, 14, 3, 5);

const sample = (): Explanation => ({
  stage: 'MQL',
  score: 66,
  fitScore: 30,
  engagementScore: 36,
  modelVersion: 'default-2026.11.2',
  thresholds: { WARM: 20, MQL: 50, SQL: 81, hysteresis: 5 },
  fastTracked: false,
  factors: [
    {
      ruleId: 'eng.webinar_attended',
      category: 'engagement',
      points: 15,
      reason: { en: 'Webinar attended', vi: 'Tham dự webinar' },
      at: AT,
      count: 1,
    },
    {
      ruleId: 'fit.title.decision_maker',
      category: 'fit',
      points: 15,
      reason: {
        en: 'Title “Giám đốc” is a decision maker',
        vi: 'Chức danh “Giám đốc” là người ra quyết định',
      },
      at: AT - 86_400_000,
      count: 1,
    },
    {
      ruleId: 'bant.budget.min_deal',
      category: 'bant',
      points: 15,
      reason: { en: 'Budget confirmed', vi: 'Ngân sách đã xác nhận' },
      at: AT,
      count: 1,
    },
    {
      ruleId: 'eng.form_submit',
      category: 'engagement',
      points: 10,
      reason: { en: 'Form submitted', vi: 'Gửi biểu mẫu' },
      at: AT,
      count: 1,
    },
    {
      ruleId: 'eng.content_download',
      category: 'engagement',
      points: 10,
      reason: { en: 'Content downloaded', vi: 'Tải tài liệu' },
      at: AT,
      count: 1,
    },
    {
      ruleId: 'eng.email_open',
      category: 'engagement',
      points: 5,
      reason: { en: 'E-mail opened ×5', vi: 'Mở e-mail ×5' },
      at: AT,
      count: 5,
    },
    {
      ruleId: 'neg.call_unreachable',
      category: 'negative',
      points: -5,
      reason: { en: 'Phone unreachable', vi: 'Không liên lạc được qua điện thoại' },
      at: AT,
      count: 1,
    },
  ],
  decay: [
    {
      ruleId: 'decay.inactivity',
      points: -12,
      reason: {
        en: 'No engagement for 30 days: engagement reset',
        vi: 'Không có tương tác trong 30 ngày: đặt lại điểm tương tác',
      },
      at: AT - 2 * 86_400_000,
    },
    {
      ruleId: 'eng.page_view',
      points: -1,
      reason: {
        en: 'Engagement expired 90 days after the event: Page viewed',
        vi: 'Điểm hết hạn sau 90 ngày kể từ sự kiện: Xem trang',
      },
      at: AT - 5 * 86_400_000,
    },
  ],
  bant: {
    budget: {
      known: true,
      value: { vi: '200.000.000 ₫', en: '200,000,000 VND' },
      points: 15,
      answeredAt: AT,
    },
    authority: { known: true, value: { vi: 'người dùng', en: 'user' }, points: 0, answeredAt: AT },
    need: { known: false, points: 0 },
    timeline: { known: false, points: 0 },
  },
  missing: [
    {
      ruleId: 'bant.timeline.3m',
      description: {
        en: 'A confirmed timeline under 3 months would add 15 → SQL',
        vi: 'Thời hạn xác nhận dưới 3 tháng sẽ cộng 15 → SQL',
      },
      points: 15,
      reachesStage: 'SQL',
    },
  ],
  nextStage: 'SQL',
});

describe('renderExplanation', () => {
  it('renders English', () => {
    expect(renderExplanation(sample(), 'en', { name: 'Nguyễn Văn An', company: 'ACME' })).toBe(
      [
        'Nguyễn Văn An · ACME — MQL, score 66/100',
        'Fit 30 · Engagement 36 · model default-2026.11.2',
        'Top factors:',
        '  +15 Webinar attended — 14 Nov 2026 10:05',
        '  +15 Title “Giám đốc” is a decision maker — 13 Nov 2026 10:05',
        '  +15 Budget confirmed — 14 Nov 2026 10:05',
        '  +10 Form submitted — 14 Nov 2026 10:05',
        '  −5 Phone unreachable — 14 Nov 2026 10:05',
        '  (+2 more)',
        'Decay: −13 (2 entries); latest: No engagement for 30 days: engagement reset — 12 Nov 2026 10:05',
        'BANT: Budget ✓ 200,000,000 VND (+15) · Authority • user · Need ? unknown · Timeline ? unknown',
        'To reach SQL:',
        '  • A confirmed timeline under 3 months would add 15 → SQL',
      ].join('\n'),
    );
  });

  it('renders Vietnamese', () => {
    expect(renderExplanation(sample(), 'vi', { name: 'Nguyễn Văn An' })).toBe(
      [
        'Nguyễn Văn An — MQL, điểm 66/100',
        'Phù hợp 30 · Tương tác 36 · mô hình default-2026.11.2',
        'Lý do chính:',
        '  +15 Tham dự webinar — 14/11/2026 10:05',
        '  +15 Chức danh “Giám đốc” là người ra quyết định — 13/11/2026 10:05',
        '  +15 Ngân sách đã xác nhận — 14/11/2026 10:05',
        '  +10 Gửi biểu mẫu — 14/11/2026 10:05',
        '  −5 Không liên lạc được qua điện thoại — 14/11/2026 10:05',
        '  (+2 yếu tố khác)',
        'Suy giảm: −13 (2 lần); gần nhất: Không có tương tác trong 30 ngày: đặt lại điểm tương tác — 12/11/2026 10:05',
        'BANT: Ngân sách ✓ 200.000.000 ₫ (+15) · Thẩm quyền • người dùng · Nhu cầu ? chưa rõ · Thời hạn ? chưa rõ',
        'Còn thiếu để lên SQL:',
        '  • Thời hạn xác nhận dưới 3 tháng sẽ cộng 15 → SQL',
      ].join('\n'),
    );
  });

  it('handles an SQL fast-tracked lead with no factors, decay or missing items', () => {
    const e: Explanation = {
      ...sample(),
      stage: 'SQL',
      fastTracked: true,
      factors: [],
      decay: [],
      missing: [],
      nextStage: null,
    };
    const en = renderExplanation(e, 'en', {});
    expect(en.split('\n')).toEqual([
      'This lead — SQL (fast-track), score 66/100',
      'Fit 30 · Engagement 36 · model default-2026.11.2',
      'No points yet.',
      'BANT: Budget ✓ 200,000,000 VND (+15) · Authority • user · Need ? unknown · Timeline ? unknown',
    ]);
    expect(renderExplanation(e, 'vi', {}).split('\n')[0]).toBe('Lead này — SQL (chuyển thẳng), điểm 66/100');
  });

  it('names terminal stages in each language', () => {
    const e: Explanation = { ...sample(), stage: 'DISQUALIFIED', missing: [], nextStage: null };
    expect(renderExplanation(e, 'en', { company: 'ACME' }).split('\n')[0]).toBe(
      'ACME — Disqualified, score 66/100',
    );
    expect(renderExplanation(e, 'vi', { company: 'ACME' }).split('\n')[0]).toBe(
      'ACME — Đã loại, điểm 66/100',
    );
  });
});

describe('formatTime (Asia/Ho_Chi_Minh)', () => {
  it.each([
    [Date.UTC(2026, 10, 14, 3, 5), 'vi', '14/11/2026 10:05'],
    [Date.UTC(2026, 10, 14, 3, 5), 'en', '14 Nov 2026 10:05'],
    // 17:30 UTC on 31 Dec is already 1 January in Vietnam.
    [Date.UTC(2025, 11, 31, 17, 30), 'vi', '01/01/2026 00:30'],
    [Date.UTC(2025, 11, 31, 17, 30), 'en', '1 Jan 2026 00:30'],
  ] as const)('%i in %s → %s', (at, lang, text) => {
    expect(formatTime(at, lang)).toBe(text);
  });
});
