import { describe, expect, it } from 'vitest';
import { applyEvents, initialState, nextDecayAt } from '../../src/scoring/index.ts';
import { DAY, ev, expectTelescoping, MIN, model, run, T0 } from './helpers.ts';

/** A newsletter signup at T0 kept alive by page views every 20 days (no inactivity reset before day 109). */
const keptAlive = () => [
  ev('newsletter_signup', T0),
  ...[20, 40, 60, 79].map((d) => ev('page_view', T0 + d * DAY, { properties: { url: '/blog' } })),
];

describe('award expiry (90 days)', () => {
  it('is live 1 ms before 90 days and gone at exactly 90 days', () => {
    const events = keptAlive();
    const before = run(events, T0 + 90 * DAY - 1);
    expect(before.state.awards.map((a) => a.ruleId)).toContain('eng.newsletter_signup');
    expect(before.state.engagement).toBe(9);
    const at = run(events, T0 + 90 * DAY);
    expect(at.state.awards.map((a) => a.ruleId)).not.toContain('eng.newsletter_signup');
    expect(at.state.engagement).toBe(4);
  });

  it('is traced at its due time, not at the read time', () => {
    const r = run(keptAlive(), T0 + 95 * DAY);
    const decay = r.trace.filter((t) => t.category === 'decay');
    expect(decay).toEqual([
      {
        ruleId: 'eng.newsletter_signup',
        modelVersion: 'default-2026.11.2',
        category: 'decay',
        points: -5,
        fitDelta: 0,
        engagementDelta: -5,
        scoreBefore: 9,
        scoreAfter: 4,
        reason: {
          en: 'Engagement expired 90 days after the event: Newsletter signup',
          vi: 'Điểm hết hạn sau 90 ngày kể từ sự kiện: Đăng ký nhận bản tin',
        },
        eventId: r.trace[0]?.eventId,
        at: T0 + 90 * DAY,
      },
    ]);
    expectTelescoping(r.trace, r.state);
  });

  it('negative awards expire too (score comes back)', () => {
    const r = run(
      [ev('attribute_update', T0, { lead: { title: 'CEO' } }), ev('email_bounce', T0 + MIN)],
      T0 + MIN + 90 * DAY,
    );
    expect(r.state).toMatchObject({ engagement: 0, score: 15 });
    expect(r.trace[r.trace.length - 1]).toMatchObject({
      category: 'decay',
      ruleId: 'neg.email_bounce',
      points: 10,
    });
  });

  it('decay due at an event time is applied before the event', () => {
    const first = ev('email_bounce', T0);
    const second = ev('page_view', T0 + 90 * DAY);
    const r = run([first, second]);
    expect(r.trace.map((t) => [t.ruleId, t.category, t.at])).toEqual([
      ['neg.email_bounce', 'negative', T0],
      ['neg.email_bounce', 'decay', T0 + 90 * DAY],
      ['eng.page_view', 'engagement', T0 + 90 * DAY],
    ]);
  });
});

describe('inactivity reset (30 days without positive engagement)', () => {
  it('removes every live positive award at exactly 30 days', () => {
    const events = [
      ev('webinar_attended', T0),
      ev('page_view', T0 + DAY, { properties: { url: '/pricing' } }),
    ];
    expect(run(events, T0 + 31 * DAY - 1).state.engagement).toBe(25);
    const r = run(events, T0 + 31 * DAY);
    expect(r.state.engagement).toBe(0);
    expect(r.state.awards).toEqual([]);
    const reset = r.trace[r.trace.length - 1];
    expect(reset).toMatchObject({
      ruleId: 'decay.inactivity',
      category: 'decay',
      points: -25,
      engagementDelta: -25,
      at: T0 + 31 * DAY,
      reason: {
        en: 'No engagement for 30 days: engagement reset',
        vi: 'Không có tương tác trong 30 ngày: đặt lại điểm tương tác',
      },
    });
    expect(reset?.eventId).toBeUndefined();
  });

  it('keeps negative awards until their own expiry', () => {
    const r1 = run([ev('webinar_attended', T0), ev('call_unreachable', T0 + MIN)], T0 + 60 * DAY);
    expect(r1.state.engagement).toBe(-5);
    expect(r1.state.awards.map((a) => a.ruleId)).toEqual(['neg.call_unreachable']);
    const r2 = run([ev('webinar_attended', T0), ev('call_unreachable', T0 + MIN)], T0 + MIN + 90 * DAY);
    expect(r2.state.engagement).toBe(0);
  });

  it('negative events do not count as engagement', () => {
    const r = run([ev('page_view', T0), ev('call_unreachable', T0 + 20 * DAY)], T0 + 30 * DAY);
    expect(r.state.engagement).toBe(-5);
  });

  it('a matched rule whose limit is used up still counts as engagement (postpones the reset)', () => {
    const opens = Array.from({ length: 5 }, (_, i) => ev('email_open', T0 + i * MIN));
    const later = ev('email_open', T0 + 20 * DAY);
    const r = run([...opens, later], T0 + 40 * DAY);
    expect(awarded(r.state.awards, later.id)).toBe(0);
    expect(r.state.engagement).toBe(5);
    expect(nextDecayAt(model, r.state)).toBe(T0 + 50 * DAY);
  });

  it('an event exactly at the reset time comes after the reset', () => {
    const r = run([ev('page_view', T0), ev('page_view', T0 + 30 * DAY)]);
    expect(r.trace.map((t) => [t.ruleId, t.points])).toEqual([
      ['eng.page_view', 1],
      ['decay.inactivity', -1],
      ['eng.page_view', 1],
    ]);
  });

  it('releases the fast-track hold', () => {
    const r = run(
      [ev('attribute_update', T0, { lead: { title: 'CEO' } }), ev('demo_request', T0 + MIN)],
      T0 + 40 * DAY,
    );
    expect(r.state).toMatchObject({ fastTracked: false, score: 15, stage: 'NEW' });
    expect(r.trace[r.trace.length - 1]?.reason.en).toBe(
      'No engagement for 30 days: engagement reset; fast-track hold released',
    );
  });

  it('a reset swallowed by the cap still telescopes', () => {
    const events = [
      ...[0, 1].map((i) => ev('webinar_attended', T0 + i * MIN)),
      ...[2, 3].map((i) => ev('content_download', T0 + i * MIN)),
      ...[4, 5].map((i) => ev('form_submit', T0 + i * MIN)),
      ev('email_bounce', T0 + 6 * MIN),
    ];
    const r = run(events, T0 + 100 * DAY);
    expect(r.state.engagement).toBe(0);
    expectTelescoping(r.trace, r.state);
    // raw 70 → capped 60; the bounce takes raw to 60: delta 0.
    expect(r.trace[6]).toMatchObject({ ruleId: 'neg.email_bounce', engagementDelta: 0 });
  });
});

describe('nextDecayAt', () => {
  it.each([
    ['nothing to decay', [], null],
    ['fit only', [{ type: 'attribute_update', at: 0, lead: { title: 'CEO' } }], null],
    ['a positive award → its inactivity reset', [{ type: 'page_view', at: 0 }], 30 * DAY],
    ['a negative award → its expiry', [{ type: 'email_bounce', at: 0 }], 90 * DAY],
    [
      'the latest positive engagement counts',
      [
        { type: 'page_view', at: 0 },
        { type: 'page_view', at: 10 * DAY },
      ],
      40 * DAY,
    ],
  ])('%s', (_name, specs, expected) => {
    const events = specs.map((s) => ev(s.type, T0 + s.at, 'lead' in s ? { lead: s.lead } : {}));
    const r = run(events);
    expect(nextDecayAt(model, r.state)).toBe(expected === null ? null : T0 + expected);
  });

  it('a sweep at nextDecayAt applies exactly that decay', () => {
    const r = run([ev('page_view', T0), ev('email_bounce', T0 + DAY)]);
    const due = nextDecayAt(model, r.state) as number;
    const swept = applyEvents(model, r.state, [], due);
    expect(swept.trace.map((t) => [t.ruleId, t.at])).toEqual([['decay.inactivity', T0 + 30 * DAY]]);
    expect(nextDecayAt(model, swept.state)).toBe(T0 + 91 * DAY);
    expect(swept.state.asOf).toBe(due);
  });

  it('reading twice applies decay once', () => {
    const r = run([ev('page_view', T0)]);
    const a = applyEvents(model, r.state, [], T0 + 40 * DAY);
    const b = applyEvents(model, a.state, [], T0 + 40 * DAY);
    expect(a.trace).toHaveLength(1);
    expect(b.trace).toEqual([]);
    expect(b.state).toEqual(a.state);
  });

  it('fresh state has no decay', () => {
    expect(nextDecayAt(model, initialState(model))).toBeNull();
  });
});

function awarded(awards: { eventId: string; points: number }[], id: string): number {
  return awards.filter((a) => a.eventId === id).reduce((s, a) => s + a.points, 0);
}
