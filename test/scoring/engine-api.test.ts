import { describe, expect, it } from 'vitest';
import {
  applyEvents,
  compareEvents,
  initialState,
  isLate,
  needsRederive,
  rederive,
  sortEvents,
} from '../../src/scoring/index.ts';
import type { LeadState, ScoringEvent } from '../../src/scoring/types.ts';
import { DAY, ev, eventsForScore, expectTelescoping, HOUR, MIN, model, run, T0 } from './helpers.ts';

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

const mk = (at: number, key: string): ScoringEvent => ({
  id: key,
  key,
  type: 'page_view',
  occurredAt: at,
  properties: {},
});

describe('ordering', () => {
  it('sortEvents orders by occurredAt then key (code-unit order) and does not mutate', () => {
    const input = [mk(2, 'a'), mk(1, 'b'), mk(1, 'B'), mk(1, 'a')];
    const sorted = sortEvents(input);
    expect(sorted.map((e) => `${e.occurredAt}${e.key}`)).toEqual(['1B', '1a', '1b', '2a']);
    expect(input.map((e) => e.key)).toEqual(['a', 'b', 'B', 'a']);
    expect(compareEvents(mk(1, 'x'), mk(1, 'x'))).toBe(0);
  });

  it.each([
    ['fresh state', null, null, null, 5, 'a', false],
    ['after the cursor', 10, 'm', 10, 11, 'a', false],
    ['same time, greater key', 10, 'm', 10, 10, 'n', false],
    ['same time and key (a duplicate, caller dedupes by id)', 10, 'm', 10, 10, 'm', false],
    ['same time, smaller key', 10, 'm', 10, 10, 'l', true],
    ['before the cursor', 10, 'm', 10, 9, 'z', true],
    ['after the cursor but before asOf', 10, 'm', 20, 15, 'a', true],
    ['exactly at asOf', 10, 'm', 20, 20, 'a', false],
  ])('isLate: %s', (_n, lastAt, lastKey, asOf, at, key, late) => {
    const s: LeadState = { ...initialState(model), lastEventAt: lastAt, lastEventKey: lastKey, asOf };
    expect(isLate(s, mk(at, key))).toBe(late);
  });
});

describe('applyEvents', () => {
  it('never mutates its inputs', () => {
    const first = run(eventsForScore(60));
    const state = deepFreeze(structuredClone(first.state));
    const events = deepFreeze([
      ev('attribute_update', T0 + HOUR, { lead: { title: 'Intern' }, bant: { authority: 'influencer' } }),
      ev('page_view', T0 + 2 * HOUR, { properties: { url: '/pricing' } }),
      ev('unsubscribe', T0 + 3 * HOUR),
    ]);
    const snapshot = JSON.stringify(state);
    const r = applyEvents(model, state, events, T0 + 100 * DAY);
    expect(JSON.stringify(state)).toBe(snapshot);
    expect(r.state).not.toBe(state);
    expect(r.state.score).not.toBe(state.score);
  });

  it('sets the cursor; asOf moves with events and applied decay, not with a read', () => {
    const e = ev('page_view', T0);
    const r = run([e], T0 + DAY);
    expect(r.state).toMatchObject({ lastEventAt: T0, lastEventKey: e.key, lastActivityAt: T0, asOf: T0 });
    // An event that arrives after that read but happened before it is still applied in order.
    const delayed = ev('email_open', T0 + DAY / 2);
    expect(isLate(r.state, delayed)).toBe(false);
    // Once decay (the 30-day reset) has been applied, an event before it is late.
    const decayed = applyEvents(model, r.state, [], T0 + 40 * DAY).state;
    expect(decayed.asOf).toBe(T0 + 30 * DAY);
    expect(isLate(decayed, ev('email_open', T0 + 20 * DAY))).toBe(true);
  });

  it('continues identically from a JSON round-tripped state (the DB stores it as JSON)', () => {
    const a = run(eventsForScore(70));
    const more = [ev('email_open', T0 + DAY), ev('demo_request', T0 + 2 * DAY)];
    const direct = applyEvents(model, a.state, more, T0 + 50 * DAY);
    const viaJson = applyEvents(model, JSON.parse(JSON.stringify(a.state)) as LeadState, more, T0 + 50 * DAY);
    expect(viaJson).toEqual(direct);
  });

  it('needsRederive compares model versions', () => {
    expect(needsRederive(model, initialState(model))).toBe(false);
    expect(needsRederive(model, { ...initialState(model), modelVersion: 'old' })).toBe(true);
  });
});

describe('rederive', () => {
  const cause = {
    ruleId: 'rederive' as const,
    reason: { en: 'Late event', vi: 'Sự kiện đến muộn' },
    eventId: 'late1',
  };

  it('writes a marker that zeroes the previous state, then the full replay', () => {
    const events = eventsForScore(85);
    const prev = run(events);
    const late = ev('email_bounce', T0 - DAY);
    const all = [...events, late];
    const r = rederive(model, prev.state, all, T0 + HOUR, cause);
    expect(r.trace[0]).toEqual({
      ruleId: 'rederive',
      modelVersion: 'default-2026.11.2',
      category: 'rederive',
      points: -85,
      fitDelta: -50,
      engagementDelta: -35,
      scoreBefore: 85,
      scoreAfter: 0,
      reason: cause.reason,
      eventId: 'late1',
      at: T0 + HOUR,
    });
    expect(r.state.score).toBe(75);
    expectTelescoping([...prev.trace, ...r.trace], r.state);
    expectTelescoping(r.trace.slice(1), r.state);
  });

  it('collapses stage changes to one (previous → final, at now)', () => {
    const events = eventsForScore(85);
    const prev = run(events);
    expect(prev.state.stage).toBe('SQL');
    const late = ev('zalo_unfollow', T0 - DAY);
    const r = rederive(model, prev.state, [late, ...events], T0 + HOUR, { ...cause, ruleId: 'merge' });
    expect(r.state).toMatchObject({ score: 75, stage: 'MQL' });
    expect(r.trace[0]?.category).toBe('merge');
    expect(r.stageChanges).toEqual([
      { from: 'SQL', to: 'MQL', at: T0 + HOUR, reason: cause.reason, eventId: 'late1' },
    ]);
  });

  it('emits no stage change when the stage is the same (no re-alert of old crossings)', () => {
    const events = eventsForScore(90);
    const prev = run(events);
    const r = rederive(model, prev.state, [ev('email_open', T0 - DAY), ...events], T0 + HOUR, cause);
    expect(r.stageChanges).toEqual([]);
    expect(r.state.stage).toBe('SQL');
  });

  it('sorts its input and equals a sorted replay', () => {
    const events = eventsForScore(66);
    const reversed = [...events].reverse();
    const r = rederive(model, initialState(model), reversed, T0 + DAY, cause);
    expect(r.state).toEqual(run(events, T0 + DAY).state);
  });

  it('uses the new model version', () => {
    const old = { ...initialState(model), modelVersion: 'old-1' };
    expect(rederive(model, old, [], T0, cause).state.modelVersion).toBe('default-2026.11.2');
  });

  it('the late-arrival flow gives the same state as sorted arrival', () => {
    const a = ev('attribute_update', T0, { lead: { title: 'CEO' } });
    const b = ev('page_view', T0 + MIN, { properties: { url: '/pricing' } });
    const c = ev('demo_request', T0 + 2 * MIN);
    let state = initialState(model);
    const seen: ScoringEvent[] = [];
    for (const e of [c, a, b]) {
      seen.push(e);
      state = isLate(state, e)
        ? rederive(model, state, seen, T0 + 3 * MIN, cause).state
        : applyEvents(model, state, [e], T0 + 3 * MIN).state;
    }
    expect(state).toEqual(run([a, b, c], T0 + 3 * MIN).state);
  });
});
