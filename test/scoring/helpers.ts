/** Shared fixtures for scoring tests: the default model, event builders and invariant checks. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { applyEvents, initialState, parseModelText, type ScoringModel } from '../../src/scoring/index.ts';
import type { ApplyResult, LeadState, ScoringEvent, TraceEntryDraft } from '../../src/scoring/types.ts';

export const DEFAULT_MODEL_TEXT = readFileSync(
  fileURLToPath(new URL('../../models/default.yaml', import.meta.url)),
  'utf8',
);

export function loadDefaultModel(): ScoringModel {
  const r = parseModelText(DEFAULT_MODEL_TEXT);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.model;
}

export const model = loadDefaultModel();
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** 2026-01-05 09:00 in Vietnam. */
export const T0 = Date.UTC(2026, 0, 5, 2, 0);

let seq = 0;
/** An event with a unique id and a key that sorts in creation order. */
export function ev(type: string, at: number, extra: Partial<ScoringEvent> = {}): ScoringEvent {
  seq++;
  return {
    id: `e${seq}`,
    key: `k${String(seq).padStart(8, '0')}`,
    type,
    occurredAt: at,
    properties: {},
    ...extra,
  };
}

/** Six engagement events a minute apart from T0, worth 70 points: over the engagement cap (60). */
export function overCapEvents(): ScoringEvent[] {
  return [
    'webinar_attended',
    'webinar_attended',
    'content_download',
    'content_download',
    'form_submit',
    'form_submit',
  ].map((type, i) => ev(type, T0 + i * MIN));
}

/** Applies events (sorted by the caller) to a fresh lead; `now` defaults to the last event. */
export function run(
  events: ScoringEvent[],
  now?: number,
  m: ScoringModel = model,
  state?: LeadState,
): ApplyResult {
  const last = events.length > 0 ? (events[events.length - 1] as ScoringEvent).occurredAt : T0;
  return applyEvents(m, state ?? initialState(m), events, now ?? last);
}

/** Points the event was awarded (0 when it earned nothing or its award is gone). */
export function awarded(state: LeadState, e: ScoringEvent): number {
  return state.awards.filter((a) => a.eventId === e.id).reduce((s, a) => s + a.points, 0);
}

/** Trace entries sum to the state and each entry telescopes from the previous one. */
export function expectTelescoping(trace: TraceEntryDraft[], state: LeadState): void {
  let score = 0;
  let fit = 0;
  let engagement = 0;
  for (const e of trace) {
    expect(e.scoreBefore).toBe(score);
    expect(e.points).toBe(e.scoreAfter - e.scoreBefore);
    score += e.points;
    fit += e.fitDelta;
    engagement += e.engagementDelta;
  }
  expect(score).toBe(state.score);
  expect(fit).toBe(state.fit);
  expect(engagement).toBe(state.engagement);
}

const FIT_BLOCKS: [number, Partial<ScoringEvent>][] = [
  [15, { lead: { title: 'CEO' } }],
  [15, { bant: { budget: { amount: 100_000_000, currency: 'VND' } } }],
  [10, { lead: { companySize: 500 } }],
  [5, { lead: { industry: 'software' } }],
  [5, { lead: { email: 'ceo@acme.vn' } }],
];
const ENGAGEMENT_BLOCKS: [number, string, Record<string, unknown>][] = [
  [15, 'webinar_attended', {}],
  [15, 'webinar_attended', {}],
  [10, 'content_download', {}],
  [10, 'content_download', {}],
  [10, 'form_submit', {}],
  [10, 'form_submit', {}],
  ...Array.from({ length: 10 }, (): [number, string, Record<string, unknown>] => [
    1,
    'page_view',
    { url: '/blog' },
  ]),
  ...Array.from({ length: 5 }, (): [number, string, Record<string, unknown>] => [1, 'email_open', {}]),
];

/**
 * Events (one minute apart from `start`) that give a fresh lead exactly `score` points:
 * fit in steps of 5 (up to 50), the rest from engagement.
 */
export function eventsForScore(score: number, start = T0): ScoringEvent[] {
  const events: ScoringEvent[] = [];
  let t = start;
  let fitLeft = Math.min(50, score - (score % 5));
  for (const [pts, extra] of FIT_BLOCKS) {
    if (pts <= fitLeft) {
      events.push(ev(extra.bant ? 'bant_update' : 'attribute_update', t, extra));
      fitLeft -= pts;
      t += MIN;
    }
  }
  let engLeft = score - Math.min(50, score - (score % 5));
  for (const [pts, type, properties] of ENGAGEMENT_BLOCKS) {
    if (pts <= engLeft) {
      events.push(ev(type, t, { properties }));
      engLeft -= pts;
      t += MIN;
    }
  }
  if (fitLeft !== 0 || engLeft !== 0) throw new Error(`cannot build score ${score}`);
  return events;
}
