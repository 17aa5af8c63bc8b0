import { describe, expect, it } from 'vitest';
import { applyEvents, initialState, settledStage } from '../../src/scoring/index.ts';
import { DAY, ev, eventsForScore, expectTelescoping, HOUR, MIN, model, run, T0 } from './helpers.ts';

describe('score stage boundaries', () => {
  it.each([
    [0, 'NEW'],
    [19, 'NEW'],
    [20, 'WARM'],
    [49, 'WARM'],
    [50, 'MQL'],
    [80, 'MQL'],
    [81, 'SQL'],
    [100, 'SQL'],
  ])('score %i → %s', (score, stage) => {
    const r = run(eventsForScore(score));
    expect(r.state.score).toBe(score);
    expect(r.state.stage).toBe(stage);
    expectTelescoping(r.trace, r.state);
  });

  it('moving up is immediate and emits one change per crossing, with its cause', () => {
    const r = run(eventsForScore(81));
    expect(r.stageChanges.map((c) => [c.from, c.to])).toEqual([
      ['NEW', 'WARM'],
      ['WARM', 'MQL'],
      ['MQL', 'SQL'],
    ]);
    expect(r.stageChanges[2]?.reason.en).toBe('Score 81 reached SQL (≥ 81): Page viewed (/blog)');
    expect(r.stageChanges[2]?.reason.vi).toBe('Điểm 81 đạt SQL (≥ 81): Xem trang (/blog)');
  });

  it('an event crossing two thresholds jumps straight to the plain stage', () => {
    const r = run([
      ev('attribute_update', T0, {
        lead: { title: 'CEO', companySize: 500, industry: 'Retail', email: 'a@x.vn' },
      }),
    ]);
    expect(r.state.score).toBe(35);
    expect(r.stageChanges.map((c) => [c.from, c.to])).toEqual([['NEW', 'WARM']]);
  });
});

describe('hysteresis (5)', () => {
  const drop = (score: number, unreachable: number) => {
    const base = eventsForScore(score);
    const last = base[base.length - 1]?.occurredAt ?? T0;
    const calls = Array.from({ length: unreachable }, (_, i) => ev('call_unreachable', last + (i + 1) * MIN));
    return run([...base, ...calls]);
  };

  it.each([
    [82, 1, 77, 'SQL'],
    [81, 1, 76, 'MQL'],
    [82, 2, 72, 'MQL'],
    [51, 1, 46, 'MQL'],
    [50, 1, 45, 'WARM'],
    [21, 1, 16, 'WARM'],
    [20, 1, 15, 'NEW'],
  ])('from %i, %i × −5 → %i stays/leaves → %s', (start, n, score, stage) => {
    const r = drop(start, n);
    expect(r.state.score).toBe(score);
    expect(r.state.stage).toBe(stage);
  });

  it('leaving explains the drop', () => {
    const r = drop(81, 1);
    const change = r.stageChanges[r.stageChanges.length - 1];
    expect(change).toMatchObject({ from: 'SQL', to: 'MQL' });
    expect(change?.reason.en).toBe('Score 76 fell to ≤ 76: leaves SQL: Phone unreachable');
  });

  it('on leaving, the lead goes to the plain stage of its score (may skip stages)', () => {
    // fit 35 + engagement 46 = 81 (SQL); the inactivity reset removes the 46.
    const events = [
      ev('attribute_update', T0, { lead: { title: 'CEO', industry: 'Retail' } }),
      ev('bant_update', T0 + MIN, { bant: { budget: { amount: 1e8, currency: 'VND' } } }),
      ev('webinar_attended', T0 + 2 * MIN),
      ev('webinar_attended', T0 + 3 * MIN),
      ev('content_download', T0 + 4 * MIN),
      ev('page_view', T0 + 5 * MIN, { properties: { url: '/bang-gia' } }),
      ev('page_view', T0 + 6 * MIN),
    ];
    const r = run(events, T0 + 31 * DAY);
    expect(r.state).toMatchObject({ score: 35, stage: 'WARM' });
    const last = r.stageChanges[r.stageChanges.length - 1];
    expect(last).toMatchObject({ from: 'SQL', to: 'WARM', at: T0 + 6 * MIN + 30 * DAY });
  });

  it('settledStage holds a score stage inside the band and moves up at once', () => {
    expect(settledStage(model, 'SQL', 77, false)).toBe('SQL');
    expect(settledStage(model, 'SQL', 76, false)).toBe('MQL');
    expect(settledStage(model, 'SQL', 10, false)).toBe('NEW');
    expect(settledStage(model, 'NEW', 81, false)).toBe('SQL');
    expect(settledStage(model, 'WON', 0, false)).toBe('WON');
    expect(settledStage(model, 'NEW', 0, true)).toBe('SQL');
  });
});

describe.each(['demo_request', 'quote_request', 'contact_sales'])('fast-track: %s', (type) => {
  it('puts the lead in SQL whatever its score, with a 0-point fast-track entry', () => {
    const e = ev(type, T0);
    const r = run([e]);
    expect(r.state).toMatchObject({ score: 30, stage: 'SQL', fastTracked: true });
    expect(r.trace.map((t) => [t.category, t.points])).toEqual([
      ['engagement', 30],
      ['fast-track', 0],
    ]);
    expect(r.stageChanges).toHaveLength(1);
    expect(r.stageChanges[0]).toMatchObject({ from: 'NEW', to: 'SQL', eventId: e.id, at: T0 });
    const label = model.eventRules.get(`eng.${type}`)?.label;
    expect(r.stageChanges[0]?.reason).toEqual({
      en: `Fast-track to SQL: ${label?.en}`,
      vi: `Chuyển thẳng SQL: ${label?.vi}`,
    });
  });
});

describe('fast-track hold', () => {
  it('stays SQL while the score falls, until a person sets the stage', () => {
    const r = run([ev('demo_request', T0), ev('unsubscribe', T0 + HOUR), ev('zalo_unfollow', T0 + 2 * HOUR)]);
    expect(r.state).toMatchObject({ score: 0, stage: 'SQL', fastTracked: true });
    const reopened = run(
      [ev('lead_reopened', T0 + 3 * HOUR, { actor: 'rep:U42' })],
      T0 + 3 * HOUR,
      model,
      r.state,
    );
    expect(reopened.state).toMatchObject({ stage: 'NEW', fastTracked: false });
    expect(reopened.stageChanges[0]?.reason.en).toBe('Reopened (rep:U42): stage from score → NEW');
  });

  it('a second high-intent event does not add another fast-track entry', () => {
    const r = run([ev('demo_request', T0), ev('quote_request', T0 + MIN)]);
    expect(r.trace.filter((t) => t.category === 'fast-track')).toHaveLength(1);
    expect(r.state.engagement).toBe(60);
  });
});

describe('terminal stages', () => {
  it.each([
    ['lead_disqualified', 'DISQUALIFIED', 'Disqualified (rep:U1): spam'],
    ['deal_won', 'WON', 'Deal won (rep:U1): spam'],
    ['deal_lost', 'LOST', 'Deal lost (rep:U1): spam'],
  ])('%s → %s, held while points keep accruing', (type, stage, reason) => {
    const stop = ev(type, T0 + HOUR, { actor: 'rep:U1', properties: { reason: 'spam' } });
    const r = run([
      ...eventsForScore(60),
      stop,
      ev('webinar_attended', T0 + 2 * HOUR),
      ev('webinar_attended', T0 + 3 * HOUR),
    ]);
    expect(r.state.stage).toBe(stage);
    expect(r.state.score).toBe(90);
    expect(r.stageChanges[r.stageChanges.length - 1]).toMatchObject({
      from: 'MQL',
      to: stage,
      eventId: stop.id,
    });
    expect(r.stageChanges[r.stageChanges.length - 1]?.reason.en).toBe(reason);
  });

  it('disqualifying clears fast-track, and a demo request while terminal does not fast-track', () => {
    const r = run([
      ev('demo_request', T0),
      ev('lead_disqualified', T0 + MIN),
      ev('demo_request', T0 + 2 * MIN),
    ]);
    expect(r.state).toMatchObject({ stage: 'DISQUALIFIED', fastTracked: false, score: 60 });
    expect(r.trace.filter((t) => t.category === 'fast-track')).toHaveLength(1);
  });

  it('reopen recomputes the plain score stage with no hysteresis carry-over', () => {
    // SQL at 82, won, then drops to 77 while WON; reopened → MQL (not held SQL).
    const base = eventsForScore(82);
    const r = run([
      ...base,
      ev('deal_won', T0 + HOUR),
      ev('call_unreachable', T0 + 2 * HOUR),
      ev('lead_reopened', T0 + 3 * HOUR),
    ]);
    expect(r.state).toMatchObject({ score: 77, stage: 'MQL' });
    expect(r.stageChanges.slice(-2).map((c) => [c.from, c.to])).toEqual([
      ['SQL', 'WON'],
      ['WON', 'MQL'],
    ]);
  });

  it('reopen of a fast-tracked lead that scores SQL keeps SQL without a change', () => {
    const r = run([...eventsForScore(81), ev('demo_request', T0 + HOUR), ev('lead_reopened', T0 + 2 * HOUR)]);
    expect(r.state).toMatchObject({ stage: 'SQL', fastTracked: false });
    expect(r.stageChanges.filter((c) => c.at >= T0 + HOUR)).toEqual([]);
  });

  it('the inactivity reset does not move a terminal stage', () => {
    const r = run([ev('webinar_attended', T0), ev('deal_lost', T0 + MIN)], T0 + 40 * DAY);
    expect(r.state).toMatchObject({ stage: 'LOST', score: 0 });
  });
});

describe('stage changes come with their cause', () => {
  it('a decay-driven change carries the decay time, not the read time', () => {
    const r = applyEvents(model, initialState(model), [ev('demo_request', T0)], T0 + 45 * DAY);
    expect(r.stageChanges.map((c) => [c.from, c.to, c.at])).toEqual([
      ['NEW', 'SQL', T0],
      ['SQL', 'NEW', T0 + 30 * DAY],
    ]);
    expect(r.stageChanges[1]?.eventId).toBeUndefined();
    expect(r.stageChanges[1]?.reason.en).toBe(
      'Score 0 fell to ≤ 76: leaves SQL: No engagement for 30 days: engagement reset; fast-track hold released',
    );
  });
});
