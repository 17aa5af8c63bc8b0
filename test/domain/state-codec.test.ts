import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PATH } from '../../src/domain/model-store.ts';
import { decodeState, encodeState } from '../../src/domain/state-codec.ts';
import { applyEvents, fitPointsByRule, initialState, parseModelText } from '../../src/scoring/index.ts';
import type { ScoringEvent } from '../../src/scoring/types.ts';

const parsed = parseModelText(readFileSync(DEFAULT_MODEL_PATH, 'utf8'));
if (!parsed.ok) throw new Error('default model does not parse');
const model = parsed.model;
const TYPES = [
  'page_view',
  'email_open',
  'webinar_attended',
  'demo_request',
  'unsubscribe',
  'bant_update',
  'attribute_update',
];
const T0 = Date.parse('2026-06-01T00:00:00Z');

describe('stored lead state', () => {
  it('round-trips every state the engine produces, and is smaller than plain JSON', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...TYPES), fc.integer({ min: 0, max: 200 })), { maxLength: 30 }),
        (raw) => {
          const events: ScoringEvent[] = raw
            .map(([type, day], i) => ({
              id: `ev_${i}`,
              key: `k${String(i).padStart(3, '0')}`,
              type,
              occurredAt: T0 + day * 86_400_000,
              properties: type === 'page_view' ? { url: i % 2 ? '/pricing' : '/' } : {},
              lead: { email: 'a@acme.vn', title: i % 2 ? 'CEO' : 'Sinh viên', companySize: 20 * i },
              ...(type === 'bant_update' ? { bant: { authority: 'decision_maker' as const } } : {}),
            }))
            .sort((a, b) => a.occurredAt - b.occurredAt || (a.key < b.key ? -1 : 1));
          const { state } = applyEvents(model, initialState(model), events, T0 + 250 * 86_400_000);
          // As the database hands it back: parsed json (pg) or the json text.
          const stored = JSON.stringify(encodeState(state, model));
          expect(decodeState(stored, model)).toEqual(JSON.parse(JSON.stringify(state)));
          expect(decodeState(JSON.parse(stored), model)).toEqual(JSON.parse(JSON.stringify(state)));
          // Rule hits are stored by rule id, whatever the order of the model's rules.
          expect(Object.keys(JSON.parse(stored).rh ?? {}).every((id) => model.eventRules.has(id))).toBe(true);
          if (state.awards.length > 2) expect(stored.length).toBeLessThan(JSON.stringify(state).length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('loads a state stored in the previous compact shape (v2)', () => {
    const { state } = applyEvents(
      model,
      initialState(model),
      [
        { id: 'e1', key: 'k1', type: 'email_open', occurredAt: T0, properties: {} },
        {
          id: 'e2',
          key: 'k2',
          type: 'attribute_update',
          occurredAt: T0 + 1,
          properties: {},
          lead: { title: 'CEO' },
        },
      ],
      T0 + 1,
    );
    const v2 = {
      modelVersion: state.modelVersion,
      stage: state.stage,
      score: state.score,
      fit: state.fit,
      engagement: state.engagement,
      fastTracked: false,
      attributes: { title: 'CEO' },
      bant: {},
      fitContrib: fitPointsByRule(state),
      lastPositiveAt: T0,
      lastActivityAt: T0 + 1,
      lastEventAt: T0 + 1,
      lastEventKey: 'k2',
      asOf: T0 + 1,
      doNotEmail: false,
      doNotContact: false,
      ruleHits: { 'eng.email_open': [T0] },
      v: 2,
      aw: state.awards.map((a) => [a.eventId, a.ruleId, a.points, a.at, a.at + model.expiryMs]),
      fe: Object.fromEntries(state.fits.map((f) => [f.ruleId, [f.eventId, T0 + 1]])),
    };
    expect(decodeState(JSON.stringify(v2), model)).toEqual(state);
  });

  it('loads a state stored in the plain shape (hits keyed by rule id)', () => {
    const { state } = applyEvents(
      model,
      initialState(model),
      [{ id: 'e1', key: 'k1', type: 'email_open', occurredAt: T0, properties: {}, lead: { title: 'CEO' } }],
      T0,
    );
    expect(state.fits).toHaveLength(1);
    // Fit contributions were records keyed by rule id.
    const { fits, ...rest } = state;
    const plain = {
      ...rest,
      fitContrib: { 'fit.title.decision_maker': 15 },
      fitEvidence: { 'fit.title.decision_maker': 'e1' },
      fitEvidenceAt: { 'fit.title.decision_maker': T0 },
      ruleHits: { 'eng.email_open': [T0] },
    };
    expect(decodeState(JSON.stringify(plain), model)).toEqual(state);
  });
});
