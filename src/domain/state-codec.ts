/**
 * How a LeadState is stored in lead.state. Every ingestion batch rewrites the state of each
 * lead it touches, so its size is write cost: the two biggest parts are stored compactly —
 * awards as tuples, fit evidence as [event id, time] pairs — and restored on load. Rule hits,
 * indexed by the model's rule slots in memory, are stored keyed by rule id, so a stored state
 * does not depend on the order of rules in a model file. States stored in the plain shape (no
 * `v`) load as they are.
 */
import type { ScoringModel } from '../scoring/index.ts';
import { ruleHitsByRule, ruleHitsFromRecord, shapedAttributes, shapedBant } from '../scoring/index.ts';
import type { Award, LeadState, Millis } from '../scoring/types.ts';

type AwardTuple = [eventId: string, ruleId: string, points: number, at: number, expiresAt: number];

/** Rule hits keyed by rule id (how they are stored). */
type StoredRuleHits = Record<string, Millis[]>;

export interface StoredStateV2
  extends Omit<LeadState, 'awards' | 'nextExpiryAt' | 'fitEvidence' | 'fitEvidenceAt' | 'ruleHits'> {
  v: 2;
  ruleHits: StoredRuleHits;
  aw: AwardTuple[];
  fe: Record<string, [eventId: string, at: number | null]>;
}

/** The stored shape, as a value for the json column (the bulk writer serialises it). */
export function encodeState(state: LeadState, model: ScoringModel): StoredStateV2 {
  const { awards, nextExpiryAt: _derived, fitEvidence, fitEvidenceAt, ruleHits, ...rest } = state;
  const fe: StoredStateV2['fe'] = {};
  for (const rule of Object.keys(fitEvidence)) fe[rule] = [fitEvidence[rule]!, fitEvidenceAt?.[rule] ?? null];
  const stored: StoredStateV2 = {
    ...rest,
    ruleHits: ruleHitsByRule(model, ruleHits),
    v: 2,
    aw: awards.map((a) => [a.eventId, a.ruleId, a.points, a.at, a.expiresAt]),
    fe,
  };
  return stored;
}

type PlainStoredState = Omit<LeadState, 'ruleHits' | 'nextExpiryAt'> & { ruleHits?: StoredRuleHits };

export function decodeState(raw: unknown, model: ScoringModel): LeadState {
  const value = (typeof raw === 'string' ? JSON.parse(raw) : raw) as PlainStoredState | StoredStateV2;
  if (!('v' in value) || value.v !== 2) {
    const plain = value as PlainStoredState;
    return {
      ...plain,
      attributes: shapedAttributes(plain.attributes),
      bant: shapedBant(plain.bant),
      ruleHits: ruleHitsFromRecord(model, plain.ruleHits),
      nextExpiryAt: plain.awards[0]?.expiresAt ?? null,
    };
  }
  const { v: _v, aw, fe, ruleHits, ...rest } = value;
  const fitEvidence: Record<string, string> = {};
  const fitEvidenceAt: Record<string, number> = {};
  for (const rule of Object.keys(fe)) {
    const [eventId, at] = fe[rule]!;
    fitEvidence[rule] = eventId;
    if (at !== null) fitEvidenceAt[rule] = at;
  }
  const awards: Award[] = aw.map(([eventId, ruleId, points, at, expiresAt]) => ({
    eventId,
    ruleId,
    points,
    at,
    expiresAt,
  }));
  return {
    ...rest,
    attributes: shapedAttributes(rest.attributes),
    bant: shapedBant(rest.bant),
    ruleHits: ruleHitsFromRecord(model, ruleHits),
    awards,
    nextExpiryAt: awards[0]?.expiresAt ?? null,
    fitEvidence,
    fitEvidenceAt,
  };
}
