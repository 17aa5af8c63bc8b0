/**
 * Contracts of the pure scoring core. Everything here is plain JSON-serialisable data: the
 * lead state is persisted by the data layer (lead.state, through a codec that keys the per-rule
 * lists by rule id) and trace/stage drafts are written by it. Times are epoch milliseconds; the
 * core never reads a clock.
 */

export type Millis = number;

export const STAGES = ['NEW', 'WARM', 'MQL', 'SQL', 'DISQUALIFIED', 'WON', 'LOST'] as const;
export type Stage = (typeof STAGES)[number];
/** Stages derived from the score; the others are set by people or deal events. */
export const SCORE_STAGES = ['NEW', 'WARM', 'MQL', 'SQL'] as const;
export type ScoreStage = (typeof SCORE_STAGES)[number];
export const TERMINAL_STAGES = ['DISQUALIFIED', 'WON', 'LOST'] as const;

export const TRACE_CATEGORIES = [
  'fit',
  'engagement',
  'negative',
  'decay',
  'bant',
  'fast-track',
  'manual',
  'merge',
  'rederive',
] as const;
export type TraceCategory = (typeof TRACE_CATEGORIES)[number];

export type Lang = 'vi' | 'en';
/** Every human text the core produces exists in both languages. */
export interface Text {
  vi: string;
  en: string;
}

/** What the lead tells us about itself (fit inputs). Identities are already normalised. */
export interface LeadAttributes {
  name?: string;
  email?: string; // lower-cased
  phone?: string; // E.164
  zaloUserId?: string;
  externalId?: string;
  company?: string;
  title?: string;
  companySize?: number;
  industry?: string;
  city?: string;
}

export const AUTHORITY_LEVELS = ['decision_maker', 'influencer', 'user'] as const;
export type Authority = (typeof AUTHORITY_LEVELS)[number];

/** Typed BANT values, as produced by validation/parsing at the boundary. */
export interface BantValues {
  /** 'none' = the lead has no budget set aside. */
  budget?: { amount: number; currency: string } | 'none';
  authority?: Authority;
  need?: { confirmed: boolean; text?: string };
  /** Relative months from when the answer was given, and/or an absolute decide-by date (YYYY-MM-DD). 'none' = no timeline / no rush. */
  timeline?: { monthsMin?: number; monthsMax?: number; decideBy?: string } | 'none';
}

/** A BANT answer as held in the state: the value plus when it was given (timeline is relative to it). */
export interface BantAnswerState<T> {
  value: T;
  answeredAt: Millis;
  eventId: string;
}
export interface BantState {
  budget?: BantAnswerState<NonNullable<BantValues['budget']>>;
  authority?: BantAnswerState<Authority>;
  need?: BantAnswerState<NonNullable<BantValues['need']>>;
  timeline?: BantAnswerState<NonNullable<BantValues['timeline']>>;
}

/** An inbound activity as the core sees it (already validated and normalised). */
export interface ScoringEvent {
  /** Stored event id: the evidence referenced by trace entries. */
  id: string;
  /** Client idempotency key; second part of the ordering key (occurredAt, key). */
  key: string;
  type: string;
  occurredAt: Millis;
  properties: Record<string, unknown>;
  /** Lead attributes carried by the event (any event may update them). */
  lead?: LeadAttributes;
  /** Typed BANT values (bant_update). */
  bant?: BantValues;
  /** Who caused it: 'api', 'rep:<id>', 'zalo', … (used in manual stage reasons). */
  actor?: string;
}

/**
 * A live engagement (or negative) award: points that still count. It expires the model's
 * `engagementExpiryDays` after `at` (the same for every award, so awards expire in the order
 * they were given).
 */
export interface Award {
  eventId: string;
  ruleId: string;
  points: number;
  at: Millis;
}

/**
 * Points a fit or BANT rule currently grants (before the sub-score cap), with the event that last
 * set the rule's input and its time (for explanations; null in states stored before they were
 * kept). Entries are replaced, never changed, so copies of a state may share them.
 */
export interface FitContribution {
  ruleId: string;
  points: number;
  eventId: string | null;
  at: Millis | null;
}

/** See `LeadState.ruleHits`. */
export type RuleHits = number[];

export interface LeadState {
  modelVersion: string;
  stage: Stage;
  score: number;
  fit: number;
  engagement: number;
  /** Held in SQL by a fast-track rule until a person sets the stage or the inactivity reset. */
  fastTracked: boolean;
  attributes: LeadAttributes;
  bant: BantState;
  /** The fit/BANT rules that currently grant points: one entry per rule, in no particular order. */
  fits: FitContribution[];
  awards: Award[];
  /**
   * When the earliest live award expires (`awards[0].at` + the expiry), null without awards:
   * kept here so that checking for due expiries, done for every event, does not read the award
   * list.
   */
  nextExpiryAt: Millis | null;
  /**
   * When the rules with a limit fired, as one flat list of pairs in time order: the rule's
   * `hitSlot` in the model the state was derived under, then the time. A rule's hits that left
   * its window are dropped when it fires again, so the list holds at most each rule's limit. A
   * flat list, not a record of lists keyed by rule id: it is read for most events, one list is
   * one memory access where a record of lists is several, and most leads have few hits.
   */
  ruleHits: RuleHits;
  lastPositiveAt: Millis | null;
  lastActivityAt: Millis | null;
  /** Ordering cursor: the last applied event. */
  lastEventAt: Millis | null;
  lastEventKey: string | null;
  /** Time up to which decay has been applied (≥ lastEventAt when set). */
  asOf: Millis | null;
  doNotEmail: boolean;
  doNotContact: boolean;
}

/** One append-only ledger line. Σpoints = score, ΣfitDelta = fit, ΣengagementDelta = engagement. */
export interface TraceEntryDraft {
  ruleId: string;
  modelVersion: string;
  category: TraceCategory;
  /** Change of the total score (after all caps and the 0–100 clamp). */
  points: number;
  fitDelta: number;
  engagementDelta: number;
  scoreBefore: number;
  scoreAfter: number;
  reason: Text;
  eventId?: string;
  at: Millis;
}

export interface StageChangeDraft {
  from: Stage;
  to: Stage;
  at: Millis;
  reason: Text;
  eventId?: string;
}

export interface ApplyResult {
  state: LeadState;
  trace: TraceEntryDraft[];
  stageChanges: StageChangeDraft[];
}

/** Structured explanation, rendered per channel. */
export interface Explanation {
  stage: Stage;
  score: number;
  fitScore: number;
  engagementScore: number;
  modelVersion: string;
  thresholds: { WARM: number; MQL: number; SQL: number; hysteresis: number };
  fastTracked: boolean;
  factors: ExplanationFactor[];
  decay: ExplanationDecay[];
  bant: {
    budget: BantStatus;
    authority: BantStatus;
    need: BantStatus;
    timeline: BantStatus;
  };
  missing: MissingItem[];
  nextStage: ScoreStage | null;
}
export interface ExplanationFactor {
  ruleId: string;
  category: TraceCategory;
  points: number;
  reason: Text;
  at: Millis;
  eventId?: string;
  /** How many events this factor aggregates (e.g. 5 email opens). */
  count: number;
}
export interface ExplanationDecay {
  ruleId: string;
  points: number;
  reason: Text;
  at: Millis;
}
export interface BantStatus {
  known: boolean;
  /** Display value, both languages (e.g. "200.000.000 ₫"). */
  value?: Text;
  points: number;
  answeredAt?: Millis;
}
export interface MissingItem {
  ruleId: string;
  description: Text;
  points: number;
  reachesStage: Stage;
}
