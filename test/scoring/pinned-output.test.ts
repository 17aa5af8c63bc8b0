/**
 * Pins the exact output of the engine (states as JSON, trace entries, stage changes) over
 * deterministic multi-lead runs, so optimisations of the engine cannot change behaviour
 * unnoticed. The digests were recorded before the engine was optimised; inputs are deep-frozen
 * so any write to an input state or event throws.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildWorkload, prepareForEngine, rng } from '../../bench/workload.ts';
import {
  applyEvents,
  applyEventsInPlace,
  initialState,
  isLate,
  rederive,
  ruleHitsByRule,
  sortEvents,
} from '../../src/scoring/index.ts';
import type { ApplyResult, LeadAttributes, LeadState, ScoringEvent } from '../../src/scoring/types.ts';
import { DAY, HOUR, model, T0 } from './helpers.ts';

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

/**
 * The state as the engine kept it when the hashes were pinned: rule hits keyed by rule id, fit
 * contributions as records keyed by rule id, each award with its expiry, attribute and answer
 * keys in id order. The in-memory layout (slots of the model, lists or records, derived fields)
 * is not behaviour; what the state holds is.
 */
function canonical(s: LeadState): unknown {
  const raw = s.ruleHits as unknown;
  const byRule: Record<string, number[]> =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw)
      ? (raw as Record<string, number[]>)
      : ruleHitsByRule(model, raw as number[]);
  const { fits } = s;
  return {
    modelVersion: s.modelVersion,
    stage: s.stage,
    score: s.score,
    fit: s.fit,
    engagement: s.engagement,
    fastTracked: s.fastTracked,
    attributes: sortedKeys(s.attributes),
    bant: sortedKeys(s.bant),
    fitContrib: Object.fromEntries(fits.map((f) => [f.ruleId, f.points])),
    fitEvidence: Object.fromEntries(fits.filter((f) => f.eventId !== null).map((f) => [f.ruleId, f.eventId])),
    fitEvidenceAt: Object.fromEntries(fits.filter((f) => f.at !== null).map((f) => [f.ruleId, f.at])),
    // Awards no longer carry their expiry (always at + the model's): shown as they used to be.
    awards: s.awards.map((a) => ({
      ...a,
      expiresAt: (a as { expiresAt?: number }).expiresAt ?? a.at + model.expiryMs,
    })),
    ruleHits: sortedKeys(byRule),
    lastPositiveAt: s.lastPositiveAt,
    lastActivityAt: s.lastActivityAt,
    lastEventAt: s.lastEventAt,
    lastEventKey: s.lastEventKey,
    asOf: s.asOf,
    doNotEmail: s.doNotEmail,
    doNotContact: s.doNotContact,
  };
}

function sortedKeys(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const rec = o as Record<string, unknown>;
  for (const k of Object.keys(rec).sort()) if (rec[k] !== undefined) out[k] = rec[k];
  return out;
}

class Digest {
  private readonly h = createHash('sha256');
  calls = 0;
  entries = 0;
  changes = 0;
  add(r: ApplyResult): void {
    this.calls++;
    this.entries += r.trace.length;
    this.changes += r.stageChanges.length;
    this.h.update(JSON.stringify({ ...r, state: canonical(r.state) }));
    this.h.update('\n');
  }
  addState(s: LeadState): void {
    this.h.update(JSON.stringify(canonical(s)));
    this.h.update('\n');
  }
  hex(): string {
    return this.h.digest('hex');
  }
}

const CAUSE = { ruleId: 'rederive' as const, reason: { en: 'Late event', vi: 'Sự kiện đến muộn' } };

const TITLES = ['Giám đốc', 'CEO', 'Trưởng nhóm', 'Sales Manager', 'Sinh viên', 'Kế toán', 'Intern'];
const INDUSTRIES = ['software', 'Fintech', 'IT Services', 'education', 'bán lẻ', 'construction'];
const EMAILS = ['a@gmail.com', 'b@acme.vn', 'c@yahoo.com.vn', 'd@mail.ru', 'e@corp.com'];
const TYPES = [
  'page_view',
  'page_view',
  'page_view',
  'email_open',
  'email_open',
  'email_click',
  'zalo_message',
  'content_download',
  'webinar_attended',
  'event_registration',
  'newsletter_signup',
  'form_submit',
  'zalo_follow',
  'zalo_unfollow',
  'call_unreachable',
  'email_bounce',
  'unsubscribe',
  'quote_request',
  'demo_request',
  'contact_sales',
  'attribute_update',
  'bant_update',
  'bant_update',
  'lead_disqualified',
  'lead_reopened',
  'deal_won',
  'deal_lost',
];
const URLS = ['/', '/blog/a', 'https://x.vn/bang-gia?x=1', '/pricing', 'https://x.vn/tinh-nang#a', ''];

/** A synthetic stream over many leads: every rule family, attribute churn, long gaps, late events. */
function synthetic(seed: number): { digest: Digest; states: Map<number, LeadState> } {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const digest = new Digest();
  const states = new Map<number, LeadState>();
  const seen = new Map<number, ScoringEvent[]>();
  const leadAttrs = new Map<number, LeadAttributes>();
  let t = T0;
  let n = 0;
  for (let batch = 0; batch < 400; batch++) {
    // Mostly short steps, sometimes weeks without traffic (expiry and inactivity resets).
    t += rand() < 0.05 ? Math.floor(rand() * 40 * DAY) : Math.floor(rand() * 6 * HOUR);
    const groups = new Map<number, ScoringEvent[]>();
    const size = 1 + Math.floor(rand() * 40);
    for (let k = 0; k < size; k++) {
      const lead = Math.floor(rand() * 120);
      const type = pick(TYPES);
      n++;
      let attrs = leadAttrs.get(lead);
      if (attrs === undefined || rand() < 0.08) {
        attrs = {
          email: pick(EMAILS),
          name: `Lead ${lead}`,
          title: pick(TITLES),
          companySize: pick([3, 10, 49, 50, 199, 200, 5000]),
          industry: pick(INDUSTRIES),
          ...(rand() < 0.3 ? { city: 'Hà Nội', phone: `+8490${lead}` } : {}),
        };
        leadAttrs.set(lead, attrs);
      }
      const e: ScoringEvent = {
        id: `s${seed}-${n}`,
        key: `k${String(n).padStart(7, '0')}`,
        type,
        // Late by up to a day now and then; equal times are common.
        occurredAt: t - (rand() < 0.04 ? Math.floor(rand() * DAY) : 0),
        properties:
          type === 'page_view' || type === 'email_click'
            ? { url: pick(URLS) }
            : type === 'zalo_message'
              ? { direction: pick(['inbound', 'outbound', undefined]) }
              : type === 'lead_disqualified' || type === 'deal_lost'
                ? pick([{ reason: 'spam' }, {}, { reason: '' }])
                : type === 'webinar_attended' || type === 'event_registration'
                  ? { name: pick(['Webinar CRM', 'Zalo OA 101', 'x'.repeat(90)]) }
                  : type === 'form_submit'
                    ? { form: pick(['contact', 'trial']) }
                    : {},
      };
      if (rand() < 0.8) e.lead = { ...attrs };
      if (type === 'attribute_update') e.lead = { ...attrs, title: pick(TITLES), industry: pick(INDUSTRIES) };
      if (rand() < 0.3) e.actor = pick(['api', 'rep:1', 'zalo']);
      if (type === 'bant_update') {
        e.bant = pick([
          { budget: { amount: 1e8, currency: 'VND' } },
          { budget: { amount: 100, currency: 'USD' }, authority: 'decision_maker' as const },
          { budget: 'none' as const },
          { budget: { amount: 3000, currency: 'EUR' } },
          { authority: 'influencer' as const, need: { confirmed: true, text: 'CRM' } },
          { authority: 'user' as const },
          { need: { confirmed: false } },
          { timeline: { monthsMax: 2 } },
          { timeline: { monthsMin: 4, monthsMax: 6 } },
          { timeline: { decideBy: '2026-05-01' } },
          { timeline: 'none' as const },
        ]);
      }
      const g = groups.get(lead);
      if (g === undefined) groups.set(lead, [e]);
      else g.push(e);
    }
    const now = t + (rand() < 0.2 ? Math.floor(rand() * 3 * DAY) : 0);
    for (const [lead, raw] of groups) {
      const evs = deepFreeze(sortEvents(raw));
      let state = states.get(lead);
      if (state === undefined) state = initialState(model);
      deepFreeze(state);
      const all = seen.get(lead) ?? [];
      all.push(...evs);
      seen.set(lead, all);
      const late = evs.some((e) => isLate(state, e));
      const r = late
        ? rederive(model, state, sortEvents(all), Math.max(now, state.asOf ?? 0), CAUSE)
        : applyEvents(model, state, evs, now);
      digest.add(r);
      states.set(lead, r.state);
    }
    // Reads with no events (decay only) for a few leads.
    if (batch % 10 === 0) {
      for (const [lead, state] of states) {
        if (lead % 5 !== batch % 5) continue;
        const r = applyEvents(model, deepFreeze(state), [], t + Math.floor(rand() * 50 * DAY));
        digest.add(r);
        if (rand() < 0.5) states.set(lead, r.state);
      }
    }
  }
  for (const s of states.values()) digest.addState(s);
  return { digest, states };
}

/**
 * The ingestion shape of the benchmark: validated workload events, per 500-event batch and lead.
 * `inPlace`: as ingestion applies them, on states given up to the engine (not frozen).
 */
function workload(inPlace = false): Digest {
  const endAt = Date.parse('2026-11-23T03:00:00Z');
  const { events } = buildWorkload({ events: 20_000, endAt, seed: 11 });
  const prepared = prepareForEngine(events, endAt, model.eventTypes);
  const digest = new Digest();
  const states = new Map<string, LeadState>();
  for (let i = 0; i < prepared.length; i += 500) {
    const slice = prepared.slice(i, i + 500);
    const now = (slice[slice.length - 1] as { ev: ScoringEvent }).ev.occurredAt;
    const groups = new Map<string, ScoringEvent[]>();
    for (const p of slice) {
      const g = groups.get(p.lead);
      if (g) g.push(p.ev);
      else groups.set(p.lead, [p.ev]);
    }
    for (const [lead, evs] of groups) {
      const state = states.get(lead) ?? initialState(model);
      const r = inPlace
        ? applyEventsInPlace(model, state, deepFreeze(evs), now)
        : applyEvents(model, deepFreeze(state), deepFreeze(evs), now);
      digest.add(r);
      states.set(lead, r.state);
    }
  }
  // Everything decays away (the states themselves are hashed after: not in place).
  for (const s of states.values()) digest.add(applyEvents(model, s, [], endAt + 120 * DAY));
  for (const s of states.values()) digest.addState(s);
  return digest;
}

describe('pinned engine output', () => {
  it('synthetic multi-lead stream', () => {
    const a = synthetic(1);
    const b = synthetic(2);
    expect({
      calls: a.digest.calls,
      entries: a.digest.entries,
      changes: a.digest.changes,
      hash: a.digest.hex(),
    }).toMatchInlineSnapshot(`
      {
        "calls": 8714,
        "changes": 1817,
        "entries": 38286,
        "hash": "ee2d09437841b49ad83f28baa8d666f023285a626b24cae50c5b0d6fa62c88c1",
      }
    `);
    expect({
      calls: b.digest.calls,
      entries: b.digest.entries,
      changes: b.digest.changes,
      hash: b.digest.hex(),
    }).toMatchInlineSnapshot(`
      {
        "calls": 8213,
        "changes": 1554,
        "entries": 43145,
        "hash": "d97b3713ee2412d681c54ad0e00f7ea2a1dd29e4ad1d3dc8b5578bcc75e898d9",
      }
    `);
  });

  it.each([
    ['on copies', false],
    ['in place', true],
  ])('benchmark ingestion shape, %s', (_, inPlace) => {
    const d = workload(inPlace);
    expect({ calls: d.calls, entries: d.entries, changes: d.changes, hash: d.hex() }).toMatchInlineSnapshot(`
      {
        "calls": 18027,
        "changes": 5534,
        "entries": 31476,
        "hash": "a66d6a2211641e3c0954439547d1dd8416554d2e87d09b4b1dfbb1a573561082",
      }
    `);
  });
});
