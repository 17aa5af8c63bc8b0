/**
 * The engine keeps per-call scratch (run record, trace buffer, fit flags) and memoises texts
 * and compiled tests. These tests pin that none of it changes results: calls stay independent,
 * results are never aliased by later calls, and sums sitting on a cap are handled exactly.
 */
import { describe, expect, it } from 'vitest';
import { applyEvents, initialState } from '../../src/scoring/index.ts';
import type { LeadState, ScoringEvent } from '../../src/scoring/types.ts';
import { DAY, ev, HOUR, MIN, model, overCapEvents, run, T0 } from './helpers.ts';

const lead = { title: 'Giám đốc', companySize: 250, industry: 'software', email: 'ceo@acme.vn' };

describe('per-call scratch', () => {
  it('a call that throws does not leak into the next one', () => {
    const base = run([ev('attribute_update', T0, { lead })]).state;
    const next = [ev('attribute_update', T0 + HOUR, { lead: { title: 'Intern', companySize: 20 } })];
    const expected = applyEvents(model, base, next, T0 + HOUR);
    // A budget without a currency makes the budget rule throw mid-recomputation.
    const bad = ev('bant_update', T0 + MIN, {
      lead: { industry: 'retail' },
      bant: { budget: { amount: 5 } as never },
    });
    expect(() => applyEvents(model, base, [bad], T0 + MIN)).toThrow();
    expect(applyEvents(model, base, next, T0 + HOUR)).toEqual(expected);
  });

  it('results are not aliased by later calls', () => {
    const a = run([
      ev('attribute_update', T0, { lead }),
      ev('page_view', T0 + MIN, { properties: { url: '/x' } }),
    ]);
    const snapshot = structuredClone(a);
    // Later calls, with more and fewer entries, reuse the engine's scratch.
    run([ev('demo_request', T0), ev('email_open', T0 + MIN), ev('email_click', T0 + 2 * MIN)]);
    applyEvents(model, a.state, [], T0 + 200 * DAY);
    expect(a).toEqual(snapshot);
    expect(a.trace.length).toBe(snapshot.trace.length);
  });
});

describe('sums on a cap', () => {
  /** Engagement exactly at its cap (60) with more live points than that. */
  function capped(): { state: LeadState; events: ScoringEvent[] } {
    const events = overCapEvents();
    const r = run(events);
    expect(r.state.engagement).toBe(60);
    expect(r.state.awards.reduce((s, a) => s + a.points, 0)).toBe(70);
    return { state: r.state, events };
  }

  it('more points at the cap change nothing and say so; losing some comes off the uncapped sum', () => {
    const { state, events } = capped();
    const up = applyEvents(model, state, [ev('email_open', T0 + 10 * MIN)], T0 + 10 * MIN);
    expect(up.trace).toHaveLength(1);
    expect(up.trace[0]).toMatchObject({ engagementDelta: 0, points: 0 });
    expect(up.trace[0]?.reason.en).toMatch(/\(capped at 60\)$/);
    // 71 uncapped: an unfollow (−10) leaves 61, still capped; a bounce (−10) then leaves 51.
    const down = applyEvents(
      model,
      up.state,
      [ev('zalo_unfollow', T0 + 11 * MIN), ev('email_bounce', T0 + 12 * MIN)],
      T0 + 12 * MIN,
    );
    expect(down.trace.map((t) => t.engagementDelta)).toEqual([0, -9]);
    expect(down.state.engagement).toBe(51);
    // Same as applying everything at once from a fresh lead.
    const all = run([
      ...events,
      ev('email_open', T0 + 10 * MIN),
      ev('zalo_unfollow', T0 + 11 * MIN),
      ev('email_bounce', T0 + 12 * MIN),
    ]);
    expect(down.state.engagement).toBe(all.state.engagement);
    expect(down.state.score).toBe(all.state.score);
    let score = state.score;
    for (const t of [...up.trace, ...down.trace]) {
      expect(t.scoreBefore).toBe(score);
      score = t.scoreAfter;
    }
    expect(score).toBe(down.state.score);
  });

  it('decay at the cap is taken from the uncapped sum', () => {
    const { state } = capped();
    // 30 days without engagement: the reset removes all 70 uncapped points.
    const reset = applyEvents(model, state, [], T0 + 31 * DAY);
    expect(reset.trace[0]).toMatchObject({ ruleId: 'decay.inactivity', engagementDelta: -60 });
    expect(reset.state.engagement).toBe(0);
    // Activity every 20 days keeps the awards until their 90-day expiry, one by one.
    let s = state;
    for (let d = 20; d <= 100; d += 20) {
      s = applyEvents(model, s, [ev('email_open', T0 + d * DAY)], T0 + d * DAY).state;
      const live = s.awards.reduce((sum, a) => sum + a.points, 0);
      expect(s.engagement).toBe(Math.min(60, live));
    }
    expect(s.awards.some((a) => a.ruleId === 'eng.webinar_attended')).toBe(false);
  });

  it('fit at its cap: a lost rule comes off the uncapped sum', () => {
    const full = run([
      ev('attribute_update', T0, { lead }),
      ev('bant_update', T0 + MIN, {
        bant: { budget: { amount: 1e8, currency: 'VND' }, authority: 'decision_maker' },
      }),
    ]);
    expect(full.state.fit).toBe(50); // 15 + 10 + 5 + 5 + 15 + 15 = 65 uncapped
    const r = applyEvents(
      model,
      full.state,
      [ev('attribute_update', T0 + HOUR, { lead: { title: 'Intern' } })],
      T0 + HOUR,
    );
    // 65 − 15 (decision maker) = 50, still the cap; − 10 (student) = 40.
    expect(r.state.fit).toBe(40);
    expect(r.trace.map((t) => t.fitDelta)).toEqual([0, -10]);
    expect(initialState(model).fit).toBe(0);
  });
});
