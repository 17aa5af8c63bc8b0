/**
 * How a LeadState is stored in lead.state. Every ingestion batch rewrites the state of each
 * lead it touches, so its size is write cost: the two biggest parts are stored compactly —
 * awards as tuples, fit evidence as [event id, time] pairs — and restored on load. States
 * stored in the plain shape (no `v`) load as they are.
 */
import type { Award, LeadState } from '../scoring/types.ts';

type AwardTuple = [eventId: string, ruleId: string, points: number, at: number, expiresAt: number];

export interface StoredStateV2 extends Omit<LeadState, 'awards' | 'fitEvidence' | 'fitEvidenceAt'> {
  v: 2;
  aw: AwardTuple[];
  fe: Record<string, [eventId: string, at: number | null]>;
}

/** The stored shape, as a value for the json column (the bulk writer serialises it). */
export function encodeState(state: LeadState): StoredStateV2 {
  const { awards, fitEvidence, fitEvidenceAt, ...rest } = state;
  const fe: StoredStateV2['fe'] = {};
  for (const rule of Object.keys(fitEvidence)) fe[rule] = [fitEvidence[rule]!, fitEvidenceAt?.[rule] ?? null];
  const stored: StoredStateV2 = {
    ...rest,
    v: 2,
    aw: awards.map((a) => [a.eventId, a.ruleId, a.points, a.at, a.expiresAt]),
    fe,
  };
  return stored;
}

export function decodeState(raw: unknown): LeadState {
  const value = (typeof raw === 'string' ? JSON.parse(raw) : raw) as LeadState | StoredStateV2;
  if (!('v' in value) || value.v !== 2) return value as LeadState;
  const { v: _v, aw, fe, ...rest } = value;
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
  return { ...rest, awards, fitEvidence, fitEvidenceAt };
}
