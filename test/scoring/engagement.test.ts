import { describe, expect, it } from 'vitest';
import { ruleHitsByRule } from '../../src/scoring/index.ts';
import type { ScoringEvent } from '../../src/scoring/types.ts';
import { awarded, DAY, ev, expectTelescoping, MIN, model, overCapEvents, run, T0 } from './helpers.ts';

interface LimitCase {
  ruleId: string;
  type: string;
  properties: Record<string, unknown>;
  points: number;
  /** null = unlimited */
  times: number | null;
  /** null = over the lead's life */
  perDays: number | null;
}

const RULES: LimitCase[] = [
  {
    ruleId: 'eng.newsletter_signup',
    type: 'newsletter_signup',
    properties: {},
    points: 5,
    times: 1,
    perDays: null,
  },
  {
    ruleId: 'eng.event_registration',
    type: 'event_registration',
    properties: {},
    points: 10,
    times: 2,
    perDays: 90,
  },
  { ruleId: 'eng.zalo_follow', type: 'zalo_follow', properties: {}, points: 5, times: 1, perDays: null },
  { ruleId: 'eng.email_open', type: 'email_open', properties: {}, points: 1, times: 5, perDays: 30 },
  { ruleId: 'eng.email_click', type: 'email_click', properties: {}, points: 3, times: 3, perDays: 30 },
  {
    ruleId: 'eng.page_view',
    type: 'page_view',
    properties: { url: '/blog/crm' },
    points: 1,
    times: 10,
    perDays: 30,
  },
  {
    ruleId: 'eng.pricing_view',
    type: 'page_view',
    properties: { url: '/pricing' },
    points: 10,
    times: 2,
    perDays: 30,
  },
  {
    ruleId: 'eng.content_download',
    type: 'content_download',
    properties: {},
    points: 10,
    times: 2,
    perDays: 90,
  },
  {
    ruleId: 'eng.webinar_attended',
    type: 'webinar_attended',
    properties: {},
    points: 15,
    times: 2,
    perDays: 90,
  },
  {
    ruleId: 'eng.zalo_message',
    type: 'zalo_message',
    properties: { direction: 'inbound' },
    points: 2,
    times: 5,
    perDays: 30,
  },
  { ruleId: 'eng.form_submit', type: 'form_submit', properties: {}, points: 10, times: 2, perDays: 30 },
  {
    ruleId: 'eng.demo_request',
    type: 'demo_request',
    properties: {},
    points: 30,
    times: null,
    perDays: null,
  },
  {
    ruleId: 'eng.quote_request',
    type: 'quote_request',
    properties: {},
    points: 30,
    times: null,
    perDays: null,
  },
  {
    ruleId: 'eng.contact_sales',
    type: 'contact_sales',
    properties: {},
    points: 30,
    times: null,
    perDays: null,
  },
  { ruleId: 'neg.unsubscribe', type: 'unsubscribe', properties: {}, points: -20, times: null, perDays: null },
  { ruleId: 'neg.email_bounce', type: 'email_bounce', properties: {}, points: -10, times: 1, perDays: null },
  {
    ruleId: 'neg.call_unreachable',
    type: 'call_unreachable',
    properties: {},
    points: -5,
    times: 3,
    perDays: 30,
  },
  {
    ruleId: 'neg.zalo_unfollow',
    type: 'zalo_unfollow',
    properties: {},
    points: -10,
    times: null,
    perDays: null,
  },
];

const hits = (c: LimitCase, n: number, start = T0): ScoringEvent[] =>
  Array.from({ length: n }, (_, i) => ev(c.type, start + i * MIN, { properties: c.properties }));

describe.each(RULES)('$ruleId', (c) => {
  const limit = c.times ?? 4;

  it(`earns ${c.points} per event up to its limit (${c.times ?? 'unlimited'})`, () => {
    const events = hits(c, limit);
    const r = run(events);
    for (const e of events) expect(awarded(r.state, e)).toBe(c.points);
    const own = r.trace.filter((t) => t.ruleId === c.ruleId && t.category !== 'fast-track');
    expect(own).toHaveLength(limit);
    expect(own.every((t) => t.category === (c.points > 0 ? 'engagement' : 'negative'))).toBe(true);
    expect(own[0]?.engagementDelta).toBe(c.points);
    expectTelescoping(r.trace, r.state);
  });

  if (c.times !== null) {
    const times = c.times;
    it(`earns nothing for hit ${times + 1} inside the window`, () => {
      const events = hits(c, times);
      const lateInWindow = c.perDays === null ? T0 + 400 * DAY : T0 + c.perDays * DAY - 1;
      const extra = ev(c.type, lateInWindow, { properties: c.properties });
      const r = run([...events, extra]);
      expect(awarded(r.state, extra)).toBe(0);
      expect(r.trace.some((t) => t.eventId === extra.id && t.category !== 'decay')).toBe(false);
    });
  }

  if (c.times !== null && c.perDays !== null) {
    const perDays = c.perDays;
    it(`earns again once the first hit is ${perDays} days old`, () => {
      const events = hits(c, c.times as number);
      const extra = ev(c.type, T0 + perDays * DAY, { properties: c.properties });
      const r = run([...events, extra]);
      expect(awarded(r.state, extra)).toBe(c.points);
      // Hits that left the window are pruned.
      expect(ruleHitsByRule(model, r.state.ruleHits)[c.ruleId]).toHaveLength(c.times as number);
    });
  }
});

describe('limits', () => {
  it('the 6th email open within 30 days earns 0; the 6th after the window earns 1', () => {
    const opens = Array.from({ length: 5 }, (_, i) => ev('email_open', T0 + i * MIN));
    const inside = ev('email_open', T0 + 29 * DAY);
    const r1 = run([...opens, inside]);
    expect(awarded(r1.state, inside)).toBe(0);
    expect(r1.state.engagement).toBe(5);
    const after = ev('email_open', T0 + 30 * DAY + MIN);
    const r2 = run([...opens, after]);
    expect(awarded(r2.state, after)).toBe(1);
  });
});

describe('most specific rule only', () => {
  it.each([
    ['/pricing', 'eng.pricing_view', 10],
    ['/bang-gia', 'eng.pricing_view', 10],
    ['/bao-gia', 'eng.pricing_view', 10],
    ['https://hotlead.vn/vi/bang-gia?utm_source=zalo#top', 'eng.pricing_view', 10],
    ['/BANG-GIA', 'eng.pricing_view', 10],
    ['/blog/crm-la-gi', 'eng.page_view', 1],
    ['https://hotlead.vn/?next=/pricing', 'eng.page_view', 1],
    ['https://hotlead.vn', 'eng.page_view', 1],
  ])('page_view %s → %s (+%i)', (url, ruleId, points) => {
    const e = ev('page_view', T0, { properties: { url } });
    const r = run([e]);
    expect(r.trace.map((t) => [t.ruleId, t.points])).toEqual([[ruleId, points]]);
  });

  it('a page view with no url is a generic page view', () => {
    const r = run([ev('page_view', T0)]);
    expect(r.trace.map((t) => t.ruleId)).toEqual(['eng.page_view']);
  });

  it('names the pricing page in both languages', () => {
    const r = run([ev('page_view', T0, { properties: { url: 'https://hotlead.vn/bang-gia?x=1' } })]);
    expect(r.trace[0]?.reason).toEqual({
      en: 'Pricing page viewed (/bang-gia)',
      vi: 'Xem trang bảng giá (/bang-gia)',
    });
  });

  it('an exhausted pricing rule earns nothing (no fallback to the generic +1)', () => {
    const views = [0, 1, 2].map((i) => ev('page_view', T0 + i * MIN, { properties: { url: '/bang-gia' } }));
    const r = run(views);
    expect(r.trace.map((t) => [t.ruleId, t.points])).toEqual([
      ['eng.pricing_view', 10],
      ['eng.pricing_view', 10],
    ]);
    expect(r.state.engagement).toBe(20);
    expect(ruleHitsByRule(model, r.state.ruleHits)['eng.page_view']).toBeUndefined();
  });

  it.each([
    [{ direction: 'outbound' }, 0],
    [{ direction: 'OUTBOUND' }, 0],
    [{ direction: 'inbound' }, 2],
    [{}, 2],
  ])('zalo_message %j earns %i', (properties, points) => {
    const e = ev('zalo_message', T0, { properties });
    const r = run([e]);
    expect(awarded(r.state, e)).toBe(points);
    // An outbound message is our own action: not engagement.
    expect(r.state.lastPositiveAt).toBe(points > 0 ? T0 : null);
  });

  it('an event type without rules changes nothing but the cursor', () => {
    const e = ev('attribute_update', T0, { lead: { city: 'Đà Nẵng' } });
    const r = run([e]);
    expect(r.trace).toEqual([]);
    expect(r.state).toMatchObject({ score: 0, lastEventAt: T0, lastEventKey: e.key, lastActivityAt: T0 });
  });
});

describe('consent', () => {
  it('unsubscribe takes 20 and sets doNotEmail', () => {
    const r = run([ev('newsletter_signup', T0), ev('unsubscribe', T0 + MIN)]);
    expect(r.state.doNotEmail).toBe(true);
    expect(r.state.doNotContact).toBe(false);
    expect(r.state.engagement).toBe(-15);
    expect(r.trace[1]).toMatchObject({
      ruleId: 'neg.unsubscribe',
      category: 'negative',
      engagementDelta: -20,
      points: -5,
    });
    expect(r.trace[1]?.reason.en).toBe('Unsubscribed from e-mail (no more e-mails) (score limited to 0–100)');
  });

  it('doNotEmail survives the expiry of the unsubscribe award', () => {
    const r = run([ev('unsubscribe', T0)], T0 + 200 * DAY);
    expect(r.state.awards).toEqual([]);
    expect(r.state.engagement).toBe(0);
    expect(r.state.doNotEmail).toBe(true);
  });
});

describe('caps', () => {
  it('engagement is capped at 60; swallowed points have delta 0 and say so', () => {
    const events = overCapEvents();
    const r = run(events);
    expect(r.state.engagement).toBe(60);
    expect(r.state.score).toBe(60);
    expect(r.trace.map((t) => t.engagementDelta)).toEqual([15, 15, 10, 10, 10, 0]);
    expect(r.trace[5]?.reason).toEqual({
      en: 'Form submitted (capped at 60)',
      vi: 'Gửi biểu mẫu (điểm tương tác chạm trần 60)',
    });
    expectTelescoping(r.trace, r.state);
  });

  it('engagement floor is −30', () => {
    const r = run([ev('unsubscribe', T0), ev('zalo_unfollow', T0 + MIN), ev('zalo_unfollow', T0 + 2 * MIN)]);
    expect(r.state.engagement).toBe(-30);
    expect(r.trace.map((t) => t.engagementDelta)).toEqual([-20, -10, 0]);
    expect(r.trace[2]?.reason.en).toBe('Unfollowed the Zalo OA (floored at -30)');
    expect(r.state.awards.reduce((s, a) => s + a.points, 0)).toBe(-40);
  });

  it('the total is clamped to 100 and to 0', () => {
    const top = run([
      ev('attribute_update', T0, {
        lead: { title: 'CEO', companySize: 300, industry: 'Fintech', email: 'a@b.vn' },
      }),
      ev('bant_update', T0 + MIN, {
        bant: { budget: { amount: 1e9, currency: 'VND' }, authority: 'decision_maker' },
      }),
      ...[2, 3, 4, 5].map((i) => ev('demo_request', T0 + i * MIN)),
    ]);
    expect(top.state).toMatchObject({ fit: 50, engagement: 60, score: 100 });
    const last = top.trace[top.trace.length - 1];
    expect(last).toMatchObject({ points: 0, engagementDelta: 0 });
    const clampedEntry = top.trace.find((t) => t.engagementDelta === 30 && t.points === 20);
    expect(clampedEntry?.reason.en).toBe('Demo requested (score limited to 0–100)');
    expectTelescoping(top.trace, top.state);

    const bottom = run([ev('email_bounce', T0)]);
    expect(bottom.state).toMatchObject({ engagement: -10, score: 0 });
    expect(bottom.trace[0]).toMatchObject({ points: 0, engagementDelta: -10 });
  });
});
