import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldText } from '../../src/parse/text.ts';
import {
  applyEvents,
  fitPointsByRule,
  initialState,
  isLate,
  rederive,
  sortEvents,
} from '../../src/scoring/index.ts';
import type { LeadState, ScoringEvent, TraceEntryDraft } from '../../src/scoring/types.ts';
import { DAY, HOUR, model, T0 } from './helpers.ts';

const CAUSE = { ruleId: 'rederive' as const, reason: { en: 'Late event', vi: 'Sự kiện đến muộn' } };

/** Event templates covering every rule family, stage events and attribute/BANT updates. */
const TEMPLATES: Omit<ScoringEvent, 'id' | 'key' | 'occurredAt'>[] = [
  { type: 'email_open', properties: {} },
  { type: 'email_click', properties: { url: 'https://x.vn/a' } },
  { type: 'page_view', properties: { url: '/blog/a' } },
  { type: 'page_view', properties: { url: 'https://x.vn/bang-gia' } },
  { type: 'zalo_message', properties: { direction: 'inbound' } },
  { type: 'zalo_message', properties: { direction: 'outbound' } },
  { type: 'newsletter_signup', properties: {} },
  { type: 'webinar_attended', properties: {} },
  { type: 'content_download', properties: {} },
  { type: 'form_submit', properties: {} },
  { type: 'demo_request', properties: {} },
  { type: 'quote_request', properties: {} },
  { type: 'unsubscribe', properties: {} },
  { type: 'email_bounce', properties: {} },
  { type: 'call_unreachable', properties: {} },
  { type: 'zalo_unfollow', properties: {} },
  { type: 'zalo_follow', properties: {} },
  {
    type: 'attribute_update',
    properties: {},
    lead: { title: 'Giám đốc', companySize: 250, industry: 'Fintech' },
  },
  {
    type: 'attribute_update',
    properties: {},
    lead: { title: 'Trưởng nhóm', companySize: 20, email: 'a@gmail.com' },
  },
  { type: 'attribute_update', properties: {}, lead: { title: 'Sinh viên', email: 'a@acme.vn' } },
  {
    type: 'bant_update',
    properties: {},
    bant: { budget: { amount: 1e8, currency: 'VND' }, authority: 'decision_maker' },
  },
  {
    type: 'bant_update',
    properties: {},
    bant: { budget: { amount: 100, currency: 'USD' }, timeline: { monthsMax: 2 } },
  },
  {
    type: 'bant_update',
    properties: {},
    bant: { need: { confirmed: true }, timeline: { decideBy: '2026-05-01' } },
  },
  { type: 'lead_disqualified', properties: { reason: 'spam' } },
  { type: 'lead_reopened', properties: {} },
  { type: 'deal_won', properties: {} },
];

/** Offsets in hours over ~200 days, with many collisions of equal times. */
const eventArb = fc.record({
  template: fc.integer({ min: 0, max: TEMPLATES.length - 1 }),
  hour: fc.oneof(fc.integer({ min: 0, max: 48 }), fc.integer({ min: 0, max: 200 * 24 })),
});
const eventsArb = fc.array(eventArb, { minLength: 1, maxLength: 60 }).map((specs) =>
  sortEvents(
    specs.map(({ template, hour }, i) => ({
      ...(TEMPLATES[template] as Omit<ScoringEvent, 'id' | 'key' | 'occurredAt'>),
      id: `e${i}`,
      key: `k${String(i).padStart(3, '0')}`,
      occurredAt: T0 + hour * HOUR,
    })),
  ),
);

function comparable(s: LeadState) {
  return {
    score: s.score,
    fit: s.fit,
    engagement: s.engagement,
    stage: s.stage,
    fastTracked: s.fastTracked,
    attributes: s.attributes,
    bant: s.bant,
    awards: s.awards,
    fits: s.fits,
    doNotEmail: s.doNotEmail,
  };
}

/** Arrival loop of the ingestion layer: late → rederive over everything seen, else apply. */
function arrive(
  events: ScoringEvent[],
  delays: number[],
): { state: LeadState; trace: TraceEntryDraft[]; now: number } {
  let state = initialState(model);
  const trace: TraceEntryDraft[] = [];
  const seen: ScoringEvent[] = [];
  let now = 0;
  events.forEach((e, i) => {
    seen.push(e);
    now = Math.max(now, e.occurredAt) + (delays[i % delays.length] ?? 0);
    const r = isLate(state, e)
      ? rederive(model, state, sortEvents(seen), now, CAUSE)
      : applyEvents(model, state, [e], now);
    state = r.state;
    trace.push(...r.trace);
  });
  return { state, trace, now };
}

function sums(trace: TraceEntryDraft[]) {
  return trace.reduce(
    (acc, t) => ({
      score: acc.score + t.points,
      fit: acc.fit + t.fitDelta,
      engagement: acc.engagement + t.engagementDelta,
    }),
    { score: 0, fit: 0, engagement: 0 },
  );
}

const delaysArb = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 * DAY })), {
  minLength: 1,
  maxLength: 8,
});

describe('properties', () => {
  it('Σ trace = state, for random chunks with random reads in between', () => {
    fc.assert(
      fc.property(
        eventsArb,
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1 }),
        delaysArb,
        (events, chunkSizes, delays) => {
          let state = initialState(model);
          const trace: TraceEntryDraft[] = [];
          let i = 0;
          let c = 0;
          let now = 0;
          const seen: ScoringEvent[] = [];
          while (i < events.length) {
            const chunk = events.slice(i, i + (chunkSizes[c % chunkSizes.length] ?? 1));
            i += chunk.length;
            now =
              Math.max(now, (chunk[chunk.length - 1] as ScoringEvent).occurredAt) +
              (delays[c % delays.length] ?? 0);
            c++;
            seen.push(...chunk);
            const late = chunk.some((e) => isLate(state, e));
            const r = late ? rederive(model, state, seen, now, CAUSE) : applyEvents(model, state, chunk, now);
            state = r.state;
            trace.push(...r.trace);
            // A read at `now` with no events.
            const read = applyEvents(model, state, [], now + (delays[c % delays.length] ?? 0));
            state = read.state;
            now = state.asOf ?? now;
            trace.push(...read.trace);
          }
          expect(sums(trace)).toEqual({ score: state.score, fit: state.fit, engagement: state.engagement });
          let prev = 0;
          for (const t of trace) {
            expect(t.scoreBefore).toBe(prev);
            expect(t.points).toBe(t.scoreAfter - t.scoreBefore);
            prev = t.scoreAfter;
          }
          expect(state.score).toBe(Math.max(0, Math.min(100, state.fit + state.engagement)));
          expect(state.fit).toBeLessThanOrEqual(50);
          expect(state.engagement).toBeLessThanOrEqual(60);
          expect(state.engagement).toBeGreaterThanOrEqual(-30);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(eventsArb, fc.integer({ min: 0, max: 100 * DAY }), (events, extra) => {
        const now = (events[events.length - 1] as ScoringEvent).occurredAt + extra;
        const a = applyEvents(model, initialState(model), events, now);
        const b = applyEvents(model, initialState(model), events, now);
        expect(b).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });

  it('any arrival order gives the same final state as sorted application', () => {
    fc.assert(
      fc.property(
        eventsArb.chain((sorted) =>
          fc.tuple(
            fc.constant(sorted),
            fc.shuffledSubarray(sorted, { minLength: sorted.length, maxLength: sorted.length }),
          ),
        ),
        delaysArb,
        ([sorted, arrival], delays) => {
          const arrived = arrive(arrival, delays);
          const final = applyEvents(model, arrived.state, [], arrived.now);
          const reference = applyEvents(model, initialState(model), sorted, arrived.now);
          expect(comparable(final.state)).toEqual(comparable(reference.state));
          expect(sums([...arrived.trace, ...final.trace])).toEqual({
            score: final.state.score,
            fit: final.state.fit,
            engagement: final.state.engagement,
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('incremental fit recomputation equals a from-scratch evaluation of every rule', () => {
    fc.assert(
      fc.property(eventsArb, (events) => {
        const { state } = applyEvents(model, initialState(model), events, T0);
        const expected: Record<string, number> = {};
        const claimed = new Set<string>();
        const foldAttr = (a: keyof LeadState['attributes']) => {
          const v = state.attributes[a];
          return typeof v === 'string' ? foldText(v) : undefined;
        };
        for (const rule of model.fitRules) {
          if (rule.group !== undefined && claimed.has(rule.group)) continue;
          if (!rule.test(state, foldAttr)) continue;
          if (rule.group !== undefined) claimed.add(rule.group);
          if (rule.points !== 0) expected[rule.id] = rule.points;
        }
        expect(fitPointsByRule(state)).toEqual(expected);
        expect(state.fits.every((f) => f.eventId !== null && f.at !== null)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rederive over the same event set is idempotent', () => {
    fc.assert(
      fc.property(eventsArb, fc.integer({ min: 0, max: 100 * DAY }), (events, extra) => {
        const now = (events[events.length - 1] as ScoringEvent).occurredAt + extra;
        const once = rederive(model, initialState(model), events, now, CAUSE);
        const twice = rederive(model, once.state, events, now, CAUSE);
        expect(twice.state).toEqual(once.state);
        expect(twice.stageChanges).toEqual([]);
        expect(twice.trace.slice(1)).toEqual(once.trace.slice(1));
      }),
      { numRuns: 200 },
    );
  });
});
