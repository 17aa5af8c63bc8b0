/**
 * How a LeadState is stored in lead.state. Every ingestion batch rewrites the state of each lead
 * it touches, and measured, those bytes are most of a batch's write (Postgres parses, stores and
 * logs each one): the stored form (v3) is compact. Short keys; each fit rule's contribution,
 * evidence event and time in one entry; awards as tuples; times equal to the last event's, false
 * flags, empty answers and unknown attributes left out. Rule hits, kept as (rule slot, time)
 * pairs in memory, are stored keyed by rule id, so a stored state does not depend on the order of
 * rules in a model file. Older stored shapes (v2, and plain states without `v`) still load.
 */
import type { ScoringModel } from '../scoring/index.ts';
import {
  earliestExpiry,
  ruleHitsByRule,
  ruleHitsFromRecord,
  shapedAttributes,
  shapedBant,
} from '../scoring/index.ts';
import type {
  Award,
  BantState,
  FitContribution,
  LeadAttributes,
  LeadState,
  Millis,
  Stage,
} from '../scoring/types.ts';

/**
 * [event id, rule id, points, at]. (States stored before awards lost their own expiry may add
 * one: it was always at + the model's expiry, and it is ignored.)
 */
type AwardTuple = [eventId: string, ruleId: string, points: number, at: number, expiresAt?: number];

type StoredTime = Millis | '=' | null;

/** Rule hits keyed by rule id (how they are stored). */
type StoredRuleHits = Record<string, Millis[]>;

export interface StoredStateV3 {
  v: 3;
  /** modelVersion */
  mv: string;
  st: Stage;
  sc: number;
  f: number;
  e: number;
  /** fastTracked, doNotEmail, doNotContact: present (1) only when true. */
  ft?: 1;
  dne?: 1;
  dnc?: 1;
  /** Known attributes. */
  at?: LeadAttributes;
  /** Given BANT answers. */
  b?: BantState;
  /** Fit/BANT rule id → [points, evidence event id, evidence time or null]. */
  fc?: Record<string, [points: number, eventId: string | null, at: number | null]>;
  aw?: AwardTuple[];
  rh?: StoredRuleHits;
  /** [lastEventAt, lastActivityAt, lastPositiveAt, asOf]; "=" = same as lastEventAt. */
  t: [Millis | null, StoredTime, StoredTime, StoredTime];
  /** lastEventKey */
  k?: string;
}

/** The stored shape, as a value for the json column (the bulk writer serialises it). */
export function encodeState(s: LeadState, model: ScoringModel): StoredStateV3 {
  const stored: StoredStateV3 = {
    v: 3,
    mv: s.modelVersion,
    st: s.stage,
    sc: s.score,
    f: s.fit,
    e: s.engagement,
    t: [
      s.lastEventAt,
      sameAsLast(s, s.lastActivityAt),
      sameAsLast(s, s.lastPositiveAt),
      sameAsLast(s, s.asOf),
    ],
  };
  if (s.fastTracked) stored.ft = 1;
  if (s.doNotEmail) stored.dne = 1;
  if (s.doNotContact) stored.dnc = 1;
  const at = defined(s.attributes);
  if (at !== undefined) stored.at = at;
  const b = defined(s.bant);
  if (b !== undefined) stored.b = b;
  if (s.fits.length > 0) {
    const fc: NonNullable<StoredStateV3['fc']> = {};
    for (const f of s.fits) fc[f.ruleId] = [f.points, f.eventId, f.at];
    stored.fc = fc;
  }
  if (s.awards.length > 0) {
    stored.aw = s.awards.map((a) => [a.eventId, a.ruleId, a.points, a.at]);
  }
  const rh = ruleHitsByRule(model, s.ruleHits);
  for (const _ in rh) {
    stored.rh = rh;
    break;
  }
  if (s.lastEventKey !== null) stored.k = s.lastEventKey;
  return stored;
}

export function decodeState(raw: unknown, model: ScoringModel): LeadState {
  const value = (typeof raw === 'string' ? JSON.parse(raw) : raw) as
    | StoredStateV3
    | StoredStateV2
    | PlainStoredState;
  if ('v' in value && value.v === 3) return decodeV3(value, model);
  if ('v' in value && value.v === 2) return decodeV2(value, model);
  const { fitContrib, fitEvidence, fitEvidenceAt, ...plain } = value as PlainStoredState;
  return {
    ...plain,
    fits: fitsFromRecords(fitContrib, (ruleId) => [fitEvidence[ruleId], fitEvidenceAt?.[ruleId]]),
    attributes: shapedAttributes(plain.attributes),
    bant: shapedBant(plain.bant),
    ruleHits: ruleHitsFromRecord(model, plain.ruleHits),
    awards: plain.awards.map(({ eventId, ruleId, points, at }) => ({ eventId, ruleId, points, at })),
    nextExpiryAt: earliestExpiry(model, plain.awards),
  };
}

function decodeV3(v: StoredStateV3, model: ScoringModel): LeadState {
  const fits: FitContribution[] = [];
  if (v.fc !== undefined) {
    for (const ruleId of Object.keys(v.fc)) {
      const [points, eventId, at] = v.fc[ruleId]!;
      fits.push({ ruleId, points, eventId, at });
    }
  }
  const awards = awardsFromTuples(v.aw ?? []);
  const [lastEventAt, lastActivityAt, lastPositiveAt, asOf] = v.t;
  const last = (t: StoredTime) => (t === '=' ? lastEventAt : t);
  return {
    modelVersion: v.mv,
    stage: v.st,
    score: v.sc,
    fit: v.f,
    engagement: v.e,
    fastTracked: v.ft === 1,
    attributes: shapedAttributes(v.at ?? {}),
    bant: shapedBant(v.b ?? {}),
    fits,
    awards,
    nextExpiryAt: earliestExpiry(model, awards),
    ruleHits: ruleHitsFromRecord(model, v.rh),
    lastPositiveAt: last(lastPositiveAt),
    lastActivityAt: last(lastActivityAt),
    lastEventAt,
    lastEventKey: v.k ?? null,
    asOf: last(asOf),
    doNotEmail: v.dne === 1,
    doNotContact: v.dnc === 1,
  };
}

/** A time equal to the last event's (the usual case) is stored as "=". */
function sameAsLast(s: LeadState, t: Millis | null): StoredTime {
  return t !== null && t === s.lastEventAt ? '=' : t;
}

/** The record without its undefined values; undefined when nothing is left. */
function defined<T extends object>(o: T): T | undefined {
  let out: Record<string, unknown> | undefined;
  for (const [k, val] of Object.entries(o)) {
    if (val === undefined) continue;
    out ??= {};
    out[k] = val;
  }
  return out as T | undefined;
}

// Older stored shapes, still read.

/** Fit contributions as states before v3 kept them: records keyed by rule id. */
type FitRecords = {
  fitContrib: Record<string, number>;
  fitEvidence: Record<string, string>;
  fitEvidenceAt?: Record<string, Millis>;
};

type PlainStoredState = Omit<LeadState, 'ruleHits' | 'nextExpiryAt' | 'fits'> &
  FitRecords & { ruleHits?: StoredRuleHits };

interface StoredStateV2 extends Omit<LeadState, 'awards' | 'nextExpiryAt' | 'fits' | 'ruleHits'> {
  v: 2;
  fitContrib: Record<string, number>;
  ruleHits: StoredRuleHits;
  aw: [eventId: string, ruleId: string, points: number, at: number, expiresAt: number][];
  fe: Record<string, [eventId: string, at: number | null]>;
}

function decodeV2(value: StoredStateV2, model: ScoringModel): LeadState {
  const { v: _v, aw, fe, ruleHits, fitContrib, ...rest } = value;
  const awards = awardsFromTuples(aw);
  return {
    ...rest,
    attributes: shapedAttributes(rest.attributes),
    bant: shapedBant(rest.bant),
    ruleHits: ruleHitsFromRecord(model, ruleHits),
    awards,
    nextExpiryAt: earliestExpiry(model, awards),
    fits: fitsFromRecords(fitContrib, (ruleId) => fe[ruleId]),
  };
}

/** Awards from their stored tuples (a fifth element, the old stored expiry, is ignored). */
function awardsFromTuples(tuples: readonly AwardTuple[]): Award[] {
  return tuples.map(([eventId, ruleId, points, at]) => ({ eventId, ruleId, points, at }));
}

/** Fit contributions from the records keyed by rule id that v2 and plain states kept. */
function fitsFromRecords(
  contrib: Record<string, number>,
  evidenceOf: (ruleId: string) => readonly [eventId?: string | null, at?: Millis | null] | undefined,
): FitContribution[] {
  return Object.keys(contrib).map((ruleId) => {
    const [eventId, at] = evidenceOf(ruleId) ?? [];
    return { ruleId, points: contrib[ruleId]!, eventId: eventId ?? null, at: at ?? null };
  });
}
