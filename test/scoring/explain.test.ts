import { describe, expect, it } from 'vitest';
import { explain } from '../../src/scoring/index.ts';
import type { ScoringEvent } from '../../src/scoring/types.ts';
import { DAY, ev, eventsForScore, HOUR, MIN, model, run, T0 } from './helpers.ts';

/** fit 30 (CEO + budget) + engagement 36 = 66, MQL. */
function mqlLead(): ScoringEvent[] {
  return [
    ev('attribute_update', T0, { lead: { title: 'Giám đốc kinh doanh' } }),
    ev('bant_update', T0 + MIN, { bant: { budget: { amount: 200_000_000, currency: 'VND' } } }),
    ev('webinar_attended', T0 + 2 * MIN),
    ev('content_download', T0 + 3 * MIN),
    ev('form_submit', T0 + 4 * MIN),
    ...[5, 6, 7, 8, 9].map((i) => ev('email_open', T0 + i * MIN)),
    ev('call_unreachable', T0 + 10 * MIN),
  ];
}

describe('explain', () => {
  it('summarises score, thresholds and factors (largest |points| first, negatives included)', () => {
    const events = mqlLead();
    const r = run(events);
    const e = explain(model, r.state, [], T0 + HOUR);
    expect(e).toMatchObject({
      stage: 'MQL',
      score: 65,
      fitScore: 30,
      engagementScore: 35,
      modelVersion: 'default-2026.11.2',
      thresholds: { WARM: 20, MQL: 50, SQL: 81, hysteresis: 5 },
      fastTracked: false,
      nextStage: 'SQL',
    });
    expect(e.factors.map((f) => [f.ruleId, f.points, f.count])).toEqual([
      ['eng.webinar_attended', 15, 1],
      ['bant.budget.min_deal', 15, 1],
      ['fit.title.decision_maker', 15, 1],
      ['eng.form_submit', 10, 1],
      ['eng.content_download', 10, 1],
      ['neg.call_unreachable', -5, 1], // ties: most recent first
      ['eng.email_open', 5, 5],
    ]);
    const opens = e.factors.find((f) => f.ruleId === 'eng.email_open');
    expect(opens).toMatchObject({ category: 'engagement', at: T0 + 9 * MIN, eventId: events[9]?.id });
    expect(opens?.reason).toEqual({ en: 'E-mail opened ×5', vi: 'Mở e-mail ×5' });
    const title = e.factors.find((f) => f.ruleId === 'fit.title.decision_maker');
    expect(title).toMatchObject({ category: 'fit', at: T0, eventId: events[0]?.id });
    expect(title?.reason.en).toBe('Title “Giám đốc kinh doanh” is a decision maker');
    expect(e.factors.find((f) => f.points < 0)?.category).toBe('negative');
  });

  it('reports each BANT field with its value, points and answer time', () => {
    const r = run(mqlLead());
    const e = explain(model, r.state, [], T0 + HOUR);
    expect(e.bant).toEqual({
      budget: {
        known: true,
        value: { vi: '200.000.000 ₫', en: '200,000,000 VND' },
        points: 15,
        answeredAt: T0 + MIN,
      },
      authority: { known: false, points: 0 },
      need: { known: false, points: 0 },
      timeline: { known: false, points: 0 },
    });
  });

  it('lists simulated what-ifs with the real gain after caps, largest first', () => {
    const r = run(mqlLead());
    const e = explain(model, r.state, [], T0 + HOUR);
    expect(e.missing.map((m) => [m.ruleId, m.points, m.reachesStage])).toEqual([
      ['eng.demo_request', 25, 'SQL'], // 35 + 30 engagement, capped at 60
      ['bant.authority.decision_maker', 15, 'MQL'],
      ['bant.timeline.3m', 15, 'MQL'],
      ['fit.size.200', 10, 'MQL'],
      ['bant.need.confirmed', 10, 'MQL'],
      ['fit.industry.target', 5, 'MQL'],
      ['fit.email.business', 5, 'MQL'],
    ]);
    expect(e.missing[0]?.description).toEqual({
      en: 'A demo request would add 25 → SQL (fast-track)',
      vi: 'Một yêu cầu demo sẽ cộng 25 → SQL (chuyển thẳng)',
    });
    expect(e.missing.find((m) => m.ruleId === 'bant.need.confirmed')?.description).toEqual({
      en: 'A confirmed need would add 10',
      vi: 'Nhu cầu được xác nhận sẽ cộng 10',
    });
  });

  it('a timeline that reaches SQL says so (brief example)', () => {
    // fit 30 + engagement 36 = 66; a ≤ 3 month timeline → 81 = SQL.
    const events = [
      ev('attribute_update', T0, { lead: { title: 'CEO', companySize: 5 } }),
      ev('bant_update', T0 + MIN, { bant: { budget: { amount: 200_000_000, currency: 'VND' } } }),
      ev('webinar_attended', T0 + 2 * MIN),
      ev('content_download', T0 + 3 * MIN),
      ev('form_submit', T0 + 4 * MIN),
      ev('page_view', T0 + 5 * MIN),
    ];
    const e = explain(model, run(events).state, [], T0 + HOUR);
    expect(e.score).toBe(66);
    expect(e.missing.find((m) => m.ruleId === 'bant.timeline.3m')).toEqual({
      ruleId: 'bant.timeline.3m',
      description: {
        en: 'A confirmed timeline under 3 months would add 15 → SQL',
        vi: 'Thời hạn xác nhận dưới 3 tháng sẽ cộng 15 → SQL',
      },
      points: 15,
      reachesStage: 'SQL',
    });
    // Company size is known (5 employees): not a what-if.
    expect(e.missing.some((m) => m.ruleId.startsWith('fit.size'))).toBe(false);
  });

  it('an improvable BANT answer counts only its gain', () => {
    const r = run([ev('bant_update', T0, { bant: { authority: 'influencer' } })]);
    const e = explain(model, r.state, [], T0 + HOUR);
    expect(e.missing.find((m) => m.ruleId === 'bant.authority.decision_maker')?.points).toBe(10);
  });

  it('with fit at its cap, only engagement can still help', () => {
    const r = run(eventsForScore(50));
    const e = explain(model, r.state, [], T0 + HOUR);
    expect(e.missing.map((m) => m.ruleId)).toEqual(['eng.demo_request']);
  });

  it('is empty when already SQL or terminal, and nextStage follows the stage', () => {
    expect(explain(model, run(eventsForScore(90)).state, [], T0 + HOUR)).toMatchObject({
      missing: [],
      nextStage: null,
    });
    const won = run([...eventsForScore(30), ev('deal_won', T0 + HOUR)]).state;
    expect(explain(model, won, [], T0 + HOUR)).toMatchObject({ missing: [], nextStage: null, stage: 'WON' });
    expect(explain(model, run(eventsForScore(10)).state, [], T0 + HOUR).nextStage).toBe('WARM');
    expect(explain(model, run(eventsForScore(30)).state, [], T0 + HOUR).nextStage).toBe('MQL');
  });

  it('a fast-tracked lead shows the hold as a factor', () => {
    const demo = ev('demo_request', T0);
    const e = explain(model, run([demo]).state, [], T0 + HOUR);
    expect(e.fastTracked).toBe(true);
    expect(e.factors.find((f) => f.category === 'fast-track')).toEqual({
      ruleId: 'eng.demo_request',
      category: 'fast-track',
      points: 0,
      reason: {
        en: 'Held in SQL (fast-track): Demo requested',
        vi: 'Giữ ở SQL (chuyển thẳng): Yêu cầu demo',
      },
      at: T0,
      eventId: demo.id,
      count: 1,
    });
  });

  it('includes the given decay entries plus decay due by now, newest first', () => {
    const events = [
      ev('attribute_update', T0, { lead: { title: 'CEO' } }),
      ev('email_bounce', T0 + MIN),
      ev('page_view', T0 + 2 * MIN),
    ];
    const r = run(events, T0 + 40 * DAY);
    const given = r.trace.filter((t) => t.category === 'decay');
    expect(given).toHaveLength(1);
    const e = explain(model, r.state, [...r.trace], T0 + 100 * DAY);
    expect(e.decay.map((d) => [d.ruleId, d.points, d.at])).toEqual([
      ['neg.email_bounce', 10, T0 + MIN + 90 * DAY], // computed at explain time
      ['decay.inactivity', -1, T0 + 2 * MIN + 30 * DAY], // passed in
    ]);
    expect(e.score).toBe(15);
    expect(e.engagementScore).toBe(0);
  });
});
