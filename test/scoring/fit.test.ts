import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { fitPointsByRule, parseModel } from '../../src/scoring/index.ts';
import type { BantValues, LeadAttributes } from '../../src/scoring/types.ts';
import { DAY, DEFAULT_MODEL_TEXT, ev, expectTelescoping, HOUR, run, T0 } from './helpers.ts';

/** Fit points a fresh lead gets from one attribute update. */
function fitOf(lead: LeadAttributes): { fit: number; contrib: Record<string, number> } {
  const r = run([ev('attribute_update', T0, { lead })]);
  return { fit: r.state.fit, contrib: fitPointsByRule(r.state) };
}
function bantOf(bant: BantValues): { fit: number; contrib: Record<string, number> } {
  const r = run([ev('bant_update', T0, { bant })]);
  return { fit: r.state.fit, contrib: fitPointsByRule(r.state) };
}

describe('title (exclusive group, first match wins)', () => {
  it.each([
    ['CEO', 15, 'fit.title.decision_maker'],
    ['ceo', 15, 'fit.title.decision_maker'],
    ['CTO', 15, 'fit.title.decision_maker'],
    ['CFO', 15, 'fit.title.decision_maker'],
    ['COO', 15, 'fit.title.decision_maker'],
    ['Founder', 15, 'fit.title.decision_maker'],
    ['Co-founder & CEO', 15, 'fit.title.decision_maker'],
    ['Owner', 15, 'fit.title.decision_maker'],
    ['Sales Director', 15, 'fit.title.decision_maker'],
    ['VP Sales', 15, 'fit.title.decision_maker'],
    ['Vice President, Marketing', 15, 'fit.title.decision_maker'],
    ['Head of Growth', 15, 'fit.title.decision_maker'],
    ['Giám đốc', 15, 'fit.title.decision_maker'],
    ['giam doc', 15, 'fit.title.decision_maker'],
    ['GIÁM ĐỐC KINH DOANH', 15, 'fit.title.decision_maker'],
    ['Tổng giám đốc', 15, 'fit.title.decision_maker'],
    ['tong giam doc', 15, 'fit.title.decision_maker'],
    ['Phó giám đốc', 15, 'fit.title.decision_maker'],
    ['Chủ doanh nghiệp', 15, 'fit.title.decision_maker'],
    ['chu doanh nghiep', 15, 'fit.title.decision_maker'],
    ['Trưởng phòng Marketing', 15, 'fit.title.decision_maker'],
    ['truong phong', 15, 'fit.title.decision_maker'],
    ['Marketing Manager', 8, 'fit.title.manager'],
    ['Quản lý dự án', 8, 'fit.title.manager'],
    ['quan ly', 8, 'fit.title.manager'],
    ['Trưởng nhóm', 8, 'fit.title.manager'],
    ['truong nhom kinh doanh', 8, 'fit.title.manager'],
    ['Team Lead', 8, 'fit.title.manager'],
    ['Student', -10, 'fit.title.student'],
    ['Sinh viên', -10, 'fit.title.student'],
    ['sinh vien', -10, 'fit.title.student'],
    ['Marketing Intern', -10, 'fit.title.student'],
    ['Thực tập sinh', -10, 'fit.title.student'],
    ['thuc tap', -10, 'fit.title.student'],
    ['Engineer', 0, undefined],
    ['Nhân viên kinh doanh', 0, undefined],
    ['International Sales', 0, undefined],
  ])('%s → %i', (title, points, ruleId) => {
    const { fit, contrib } = fitOf({ title });
    expect(fit).toBe(points);
    expect(Object.keys(contrib)).toEqual(ruleId === undefined ? [] : [ruleId]);
  });

  it('a negative fit is kept in the sub-score while the total is clamped at 0', () => {
    const r = run([ev('attribute_update', T0, { lead: { title: 'Sinh viên' } })]);
    expect(r.state).toMatchObject({ fit: -10, engagement: 0, score: 0 });
    expect(r.trace).toHaveLength(1);
    expect(r.trace[0]).toMatchObject({ points: 0, fitDelta: -10, engagementDelta: 0 });
    expectTelescoping(r.trace, r.state);
  });
});

describe('company size (exclusive group)', () => {
  it.each([
    [9, 0],
    [10, 5],
    [49, 5],
    [50, 8],
    [199, 8],
    [200, 10],
    [5000, 10],
  ])('%i employees → %i', (companySize, points) => {
    expect(fitOf({ companySize }).fit).toBe(points);
  });
});

describe('industry in targetIndustries (folded, separators ignored)', () => {
  it.each([
    ['Software', 5],
    ['IT Services', 5],
    ['it-services', 5],
    ['IT_SERVICES', 5],
    ['Fintech', 5],
    ['E-commerce', 5],
    ['ecommerce', 5],
    ['Thương mại điện tử', 5],
    ['thuong mai dien tu', 5],
    ['Retail', 5],
    ['Bán lẻ', 5],
    ['Manufacturing', 5],
    ['Logistics', 5],
    ['Real estate', 0],
    ['Bất động sản', 0],
    ['Education', 0],
  ])('%s → %i', (industry, points) => {
    expect(fitOf({ industry }).fit).toBe(points);
  });
});

describe('business e-mail (domain not in freeMailDomains)', () => {
  it.each([
    ['lan@gmail.com', 0],
    ['lan@yahoo.com', 0],
    ['lan@yahoo.com.vn', 0],
    ['lan@hotmail.com', 0],
    ['lan@outlook.com', 0],
    ['lan@icloud.com', 0],
    ['lan@live.com', 0],
    ['lan@aol.com', 0],
    ['lan@proton.me', 0],
    ['lan@yandex.ru', 0],
    ['lan@zoho.com', 0],
    ['lan@acme.vn', 5],
    ['lan@fpt.com.vn', 5],
    ['lan@gmailer.io', 5],
    ['not-an-email', 0],
  ])('%s → %i', (email, points) => {
    expect(fitOf({ email }).fit).toBe(points);
  });
});

describe('BANT rules (count in fit)', () => {
  it.each<[string, BantValues, number, string | undefined]>([
    [
      'budget = min deal size',
      { budget: { amount: 50_000_000, currency: 'VND' } },
      15,
      'bant.budget.min_deal',
    ],
    ['budget above', { budget: { amount: 900_000_000, currency: 'vnd' } }, 15, 'bant.budget.min_deal'],
    ['budget just below', { budget: { amount: 49_999_999, currency: 'VND' } }, 5, 'bant.budget.below_min'],
    ['budget 2,000 USD = 50M VND', { budget: { amount: 2000, currency: 'USD' } }, 15, 'bant.budget.min_deal'],
    ['budget 1,999 USD', { budget: { amount: 1999, currency: 'USD' } }, 5, 'bant.budget.below_min'],
    ['budget none', { budget: 'none' }, 0, undefined],
    ['budget 0', { budget: { amount: 0, currency: 'VND' } }, 0, undefined],
    ['budget in an unknown currency', { budget: { amount: 10_000, currency: 'EUR' } }, 0, undefined],
    ['authority decision maker', { authority: 'decision_maker' }, 15, 'bant.authority.decision_maker'],
    ['authority influencer', { authority: 'influencer' }, 5, 'bant.authority.influencer'],
    ['authority user', { authority: 'user' }, 0, undefined],
    ['need confirmed', { need: { confirmed: true, text: 'CRM cho 50 sales' } }, 10, 'bant.need.confirmed'],
    ['need not confirmed', { need: { confirmed: false } }, 0, undefined],
    ['timeline 2 months', { timeline: { monthsMax: 2 } }, 15, 'bant.timeline.3m'],
    ['timeline 3 months', { timeline: { monthsMax: 3 } }, 15, 'bant.timeline.3m'],
    ['timeline 3.5 months', { timeline: { monthsMax: 3.5 } }, 8, 'bant.timeline.6m'],
    ['timeline 6 months', { timeline: { monthsMax: 6 } }, 8, 'bant.timeline.6m'],
    ['timeline 7 months', { timeline: { monthsMax: 7 } }, 0, undefined],
    ['timeline none', { timeline: 'none' }, 0, undefined],
    ['timeline min only', { timeline: { monthsMin: 1 } }, 0, undefined],
    // Answered 2026-01-05 (Vietnam time).
    ['decide by +3 months to the day', { timeline: { decideBy: '2026-04-05' } }, 15, 'bant.timeline.3m'],
    ['decide by +3 months and a day', { timeline: { decideBy: '2026-04-06' } }, 8, 'bant.timeline.6m'],
    ['decide by +6 months', { timeline: { decideBy: '2026-07-05' } }, 8, 'bant.timeline.6m'],
    ['decide by +6 months and a day', { timeline: { decideBy: '2026-07-06' } }, 0, undefined],
    ['decide by in the past', { timeline: { decideBy: '2025-12-01' } }, 15, 'bant.timeline.3m'],
    [
      'monthsMax wins over decideBy',
      { timeline: { monthsMax: 5, decideBy: '2026-02-01' } },
      8,
      'bant.timeline.6m',
    ],
  ])('%s', (_name, bant, points, ruleId) => {
    const { fit, contrib } = bantOf(bant);
    expect(fit).toBe(points);
    expect(Object.keys(contrib)).toEqual(ruleId === undefined ? [] : [ruleId]);
  });

  it('measures decideBy from when the answer was given', () => {
    const later = T0 + 40 * DAY; // 2026-02-14
    const r = run([ev('bant_update', later, { bant: { timeline: { decideBy: '2026-07-05' } } })]);
    expect(fitPointsByRule(r.state)).toEqual({ 'bant.timeline.6m': 8 });
    const r2 = run([ev('bant_update', later, { bant: { timeline: { decideBy: '2026-05-14' } } })]);
    expect(fitPointsByRule(r2.state)).toEqual({ 'bant.timeline.3m': 15 });
    expect(r2.state.bant.timeline).toEqual({
      value: { decideBy: '2026-05-14' },
      answeredAt: later,
      eventId: r2.trace[0]?.eventId,
    });
  });

  it('a full BANT adds 55 raw, capped with the fit rules at 50', () => {
    const r = run([
      ev('attribute_update', T0, { lead: { title: 'CEO' } }),
      ev('bant_update', T0 + HOUR, {
        bant: {
          budget: { amount: 200_000_000, currency: 'VND' },
          authority: 'decision_maker',
          need: { confirmed: true },
          timeline: { monthsMax: 2 },
        },
      }),
    ]);
    expect(r.trace.map((e) => [e.ruleId, e.category, e.fitDelta])).toEqual([
      ['fit.title.decision_maker', 'fit', 15],
      ['bant.budget.min_deal', 'bant', 15],
      ['bant.authority.decision_maker', 'bant', 15],
      ['bant.need.confirmed', 'bant', 5],
      ['bant.timeline.3m', 'bant', 0],
    ]);
    expect(r.trace[3]?.reason.en).toBe('Need confirmed (fit capped at 50)');
    expect(r.trace[4]?.reason.en).toBe('Timeline within 2 months (≤ 3 months) (fit capped at 50)');
    expect(r.state.fit).toBe(50);
    expect(Object.values(fitPointsByRule(r.state)).reduce((a, b) => a + b, 0)).toBe(70);
    expectTelescoping(r.trace, r.state);
  });
});

describe('recomputation on updates', () => {
  it('a changed title moves points between rules of the group, with one entry per rule', () => {
    const first = ev('attribute_update', T0, { lead: { title: 'Trưởng nhóm' } });
    const second = ev('attribute_update', T0 + HOUR, { lead: { title: 'Giám đốc kinh doanh' } });
    const r = run([first, second]);
    expect(r.trace.map((e) => [e.ruleId, e.points, e.eventId])).toEqual([
      ['fit.title.manager', 8, first.id],
      ['fit.title.manager', -8, second.id],
      ['fit.title.decision_maker', 15, second.id],
    ]);
    expect(r.trace[1]?.reason).toEqual({
      en: 'No longer applies: Title “Trưởng nhóm” is a manager',
      vi: 'Không còn áp dụng: Chức danh “Trưởng nhóm” là quản lý',
    });
    expect(r.trace[2]?.reason).toEqual({
      en: 'Title “Giám đốc kinh doanh” is a decision maker',
      vi: 'Chức danh “Giám đốc kinh doanh” là người ra quyết định',
    });
    expect(r.state.fits).toEqual([
      { ruleId: 'fit.title.decision_maker', points: 15, eventId: second.id, at: T0 + HOUR },
    ]);
    expect(r.state.fit).toBe(15);
  });

  it('undefined fields do not erase, later values win, unchanged contributions make no entry', () => {
    const r = run([
      ev('attribute_update', T0, { lead: { title: 'CEO', companySize: 300, industry: 'Retail' } }),
      ev('attribute_update', T0 + HOUR, { lead: { title: undefined, companySize: 30, city: 'Hà Nội' } }),
      ev('page_view', T0 + 2 * HOUR, { lead: { industry: 'retail' }, properties: { url: '/blog' } }),
    ]);
    expect(r.state.attributes).toEqual({ title: 'CEO', companySize: 30, industry: 'retail', city: 'Hà Nội' });
    expect(fitPointsByRule(r.state)).toEqual({
      'fit.title.decision_maker': 15,
      'fit.size.10': 5,
      'fit.industry.target': 5,
    });
    expect(r.trace.map((e) => [e.ruleId, e.points])).toEqual([
      ['fit.title.decision_maker', 15],
      ['fit.size.200', 10],
      ['fit.industry.target', 5],
      ['fit.size.200', -10],
      ['fit.size.10', 5],
      ['eng.page_view', 1],
    ]);
  });

  it('fit never decays', () => {
    const r = run([ev('attribute_update', T0, { lead: { title: 'CEO' } })], T0 + 1000 * DAY);
    expect(r.state.fit).toBe(15);
    expect(r.trace).toHaveLength(1);
  });
});

describe('custom groups mixing inputs', () => {
  it('re-evaluates a whole group when any of its inputs changes', () => {
    const raw = YAML.parse(DEFAULT_MODEL_TEXT) as { fit: unknown[] };
    raw.fit = [
      {
        id: 'fit.seniority.exec',
        group: 'seniority',
        points: 20,
        label: { en: 'Executive', vi: 'Lãnh đạo' },
        when: { attribute: 'title', matches: '\\bceo\\b' },
      },
      {
        id: 'fit.seniority.big_company',
        group: 'seniority',
        points: 7,
        label: { en: 'Big company', vi: 'Công ty lớn' },
        when: { attribute: 'companySize', gte: 100 },
      },
    ];
    const parsed = parseModel(raw);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const custom = parsed.model;
    const r = run(
      [
        ev('attribute_update', T0, { lead: { title: 'CEO', companySize: 500 } }),
        ev('attribute_update', T0 + HOUR, { lead: { title: 'Engineer' } }),
      ],
      undefined,
      custom,
    );
    expect(r.trace.map((t) => [t.ruleId, t.points])).toEqual([
      ['fit.seniority.exec', 20],
      ['fit.seniority.exec', -20],
      ['fit.seniority.big_company', 7],
    ]);
    expect(fitPointsByRule(r.state)).toEqual({ 'fit.seniority.big_company': 7 });
  });
});
