/**
 * The pure scoring engine. It folds ordered events (and the passage of time) into a LeadState,
 * producing one trace entry per point given or taken and one stage change per stage move.
 *
 * Accounting model (what keeps the trace exact):
 * - Uncapped sums are kept internally: fitRaw = Σ fit contributions, engRaw = Σ live award points.
 *   fit = clamp(fitRaw, fitFloor, fitCap), engagement = clamp(engRaw, floor, cap),
 *   score = clamp(fit + engagement, 0, 100). Each trace entry records the change of these
 *   capped values, so a change swallowed by a cap has delta 0 and the sums always telescope:
 *   Σpoints = score, ΣfitDelta = fit, ΣengagementDelta = engagement.
 * - Time: before each event, every decay due at or before its occurredAt is applied at its due
 *   time (award expiry at event + engagementExpiryDays; inactivity reset at last engagement +
 *   inactivityResetDays); after the last event, decay due up to `now`.
 * - Stage is settled once per event and once per decay instant (never mid-event).
 */
import {
  BANT_SLOT,
  type CompiledEventRule,
  type CompiledFitRule,
  type FoldAttribute,
  INPUT_FIELDS,
  type PropertyTest,
  type ScoringModel,
} from './compile.ts';
import { fillLabel, fold, urlPath } from './format.ts';
import type {
  ApplyResult,
  Award,
  BantState,
  FitContribution,
  LeadAttributes,
  LeadState,
  Millis,
  RuleHits,
  ScoreStage,
  ScoringEvent,
  Stage,
  StageChangeDraft,
  Text,
  TraceCategory,
  TraceEntryDraft,
} from './types.ts';

export { STAGE_EVENTS } from './compile.ts';

/** Rule id of the inactivity-reset trace entry. */
export const INACTIVITY_RULE_ID = 'decay.inactivity';

const REASON_CACHE_SIZE = 512;
/** Stages set by a person or the CRM; the score does not move a lead out of them. */
function isTerminal(stage: Stage): boolean {
  return stage === 'DISQUALIFIED' || stage === 'WON' || stage === 'LOST';
}
const SCORE_RANK: Record<ScoreStage, number> = { NEW: 0, WARM: 1, MQL: 2, SQL: 3 };

/** A fresh lead: score 0, stage NEW. */
export function initialState(model: ScoringModel): LeadState {
  return {
    modelVersion: model.version,
    stage: 'NEW',
    score: 0,
    fit: 0,
    engagement: 0,
    fastTracked: false,
    attributes: shapedAttributes(NO_ATTRIBUTES),
    bant: shapedBant(NO_BANT),
    fits: [],
    awards: [],
    nextExpiryAt: null,
    ruleHits: [],
    lastPositiveAt: null,
    lastActivityAt: null,
    lastEventAt: null,
    lastEventKey: null,
    asOf: null,
    doNotEmail: false,
    doNotContact: false,
  };
}

/**
 * Attributes with every key present (undefined when unknown), in INPUT_FIELDS order: all lead
 * states then share one object shape, and setting an attribute never changes it.
 */
export function shapedAttributes(a: LeadAttributes): LeadAttributes {
  return {
    name: a.name,
    email: a.email,
    phone: a.phone,
    zaloUserId: a.zaloUserId,
    externalId: a.externalId,
    company: a.company,
    title: a.title,
    companySize: a.companySize,
    industry: a.industry,
    city: a.city,
  };
}

/** BANT answers with every key present (see `shapedAttributes`). */
export function shapedBant(b: BantState): BantState {
  return { budget: b.budget, authority: b.authority, need: b.need, timeline: b.timeline };
}

/** The rule's entry in `state.fits`; undefined when the rule grants nothing. */
export function fitContribution(state: LeadState, ruleId: string): FitContribution | undefined {
  return state.fits[fitIndex(state.fits, ruleId)];
}

/** Points by fit/BANT rule id, of the rules that grant some. */
export function fitPointsByRule(state: LeadState): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of state.fits) out[f.ruleId] = f.points;
  return out;
}

/** `state.ruleHits` keyed by rule id, as it is stored; rules without hits are left out. */
export function ruleHitsByRule(model: ScoringModel, hits: RuleHits): Record<string, Millis[]> {
  const out: Record<string, Millis[]> = {};
  for (let i = 0; i + 1 < hits.length; i += 2) {
    const rule = model.hitRules[hits[i] as number];
    if (rule === undefined) continue;
    const times = out[rule.id];
    if (times === undefined) out[rule.id] = [hits[i + 1] as number];
    else times.push(hits[i + 1] as number);
  }
  return out;
}

/**
 * The inverse of `ruleHitsByRule`: hits of rules the model has no limit for are dropped, and a
 * rule keeps at most its limit's number of hits (the latest).
 */
export function ruleHitsFromRecord(
  model: ScoringModel,
  byRule: Record<string, Millis[]> | undefined,
): RuleHits {
  const pairs: [slot: number, at: Millis][] = [];
  for (const id of Object.keys(byRule ?? {})) {
    const rule = model.eventRules.get(id);
    if (rule === undefined || rule.limit === null) continue;
    for (const at of (byRule![id] as Millis[]).slice(-rule.limit.times)) pairs.push([rule.hitSlot, at]);
  }
  pairs.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  return pairs.flat();
}

/** Total order of events: occurredAt, then key (code-unit order). */
export function compareEvents(a: ScoringEvent, b: ScoringEvent): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt - b.occurredAt;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Returns a new array sorted by (occurredAt, key). */
export function sortEvents(events: readonly ScoringEvent[]): ScoringEvent[] {
  return events.slice().sort(compareEvents);
}

/**
 * True when the event cannot be applied incrementally: it sorts before the last applied event,
 * or decay has already been applied past its time. The caller then uses `rederive`.
 */
export function isLate(state: LeadState, event: ScoringEvent): boolean {
  if (state.asOf !== null && event.occurredAt < state.asOf) return true;
  if (state.lastEventAt === null) return false;
  if (event.occurredAt !== state.lastEventAt) return event.occurredAt < state.lastEventAt;
  return event.key < (state.lastEventKey ?? '');
}

/** True when the state was derived under another model version (the caller should rederive). */
export function needsRederive(model: ScoringModel, state: LeadState): boolean {
  return state.modelVersion !== model.version;
}

/**
 * Applies ordered, not-late events, then decay up to `now`. Never mutates `state` or `events`
 * (it works on a copy: `cloneState`). Reasons in the returned entries may share (immutable)
 * objects between entries.
 */
export function applyEvents(
  model: ScoringModel,
  state: LeadState,
  events: readonly ScoringEvent[],
  now: Millis,
): ApplyResult {
  return applyEventsInPlace(model, cloneState(state), events, now);
}

/**
 * `applyEvents` on a state the caller gives up: the returned state is `state` itself, changed
 * in place (no copy). For callers that own a fresh state, such as ingestion, which decodes each
 * lead's state from its row for every batch. Never mutates `events`.
 */
export function applyEventsInPlace(
  model: ScoringModel,
  state: LeadState,
  events: readonly ScoringEvent[],
  now: Millis,
): ApplyResult {
  const run = beginRun(model, state);
  const s = run.s;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as ScoringEvent;
    advanceTo(run, e.occurredAt);
    applyEvent(run, e);
  }
  // asOf marks the latest instant at which something time-dependent was applied (an event or
  // a decay). Reading at `now` with nothing due does not move it: an event that arrives a little
  // late, with no decay due in between, still applies incrementally. The events are not late
  // (none sorts before asOf), so after them asOf is the last one's time (set without reading
  // the previous value: a scattered number that would cost a cache miss); decay applied after
  // the last event moves it on.
  if (events.length > 0) s.asOf = s.lastEventAt;
  else if (s.lastEventAt !== null && (s.asOf === null || s.lastEventAt > s.asOf)) s.asOf = s.lastEventAt;
  advanceTo(run, now);
  return { state: s, trace: takeAll(TRACE, run.nTrace), stageChanges: takeAll(CHANGES, run.nChanges) };
}

/**
 * A copy of a state that shares nothing the engine changes in place: containers are copied;
 * award and BANT answer objects, which are replaced and never mutated, are shared.
 */
export function cloneState(state: LeadState): LeadState {
  return {
    modelVersion: state.modelVersion,
    stage: state.stage,
    score: state.score,
    fit: state.fit,
    engagement: state.engagement,
    fastTracked: state.fastTracked,
    attributes: shapedAttributes(state.attributes),
    bant: shapedBant(state.bant),
    fits: state.fits.slice(),
    awards: state.awards.slice(),
    nextExpiryAt: state.nextExpiryAt,
    ruleHits: state.ruleHits.slice(),
    lastPositiveAt: state.lastPositiveAt,
    lastActivityAt: state.lastActivityAt,
    lastEventAt: state.lastEventAt,
    lastEventKey: state.lastEventKey,
    asOf: state.asOf,
    doNotEmail: state.doNotEmail,
    doNotContact: state.doNotContact,
  };
}

/** The result lists of a call that produced none (most calls change no stage): frozen, shared. */
const NOTHING: readonly never[] = Object.freeze([]);

/**
 * The first n entries of a scratch list as a new array of the exact size; the scratch slots are
 * cleared (not truncated: setting an array's length is slow), so nothing is kept across calls.
 */
function takeAll<T>(scratch: (T | undefined)[], n: number): T[] {
  if (n === 0) return NOTHING as unknown as T[];
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) {
    out[i] = scratch[i] as T;
    scratch[i] = undefined;
  }
  return out;
}

/**
 * Rebuilds the state from all events (late arrival, merge, new model). Emits one marker entry
 * (category = cause.ruleId) that takes score/fit/engagement from prevState to 0, then the full
 * replay's entries, so the lead's trace keeps telescoping. Stage changes are collapsed to at most
 * one (prevState.stage → final stage, at `now`), so a re-derivation never re-alerts old crossings.
 */
export function rederive(
  model: ScoringModel,
  prevState: LeadState,
  allEvents: readonly ScoringEvent[],
  now: Millis,
  cause: { ruleId: 'rederive' | 'merge'; reason: Text; eventId?: string },
): ApplyResult {
  const marker: TraceEntryDraft = {
    ruleId: cause.ruleId,
    modelVersion: model.version,
    category: cause.ruleId,
    points: 0 - prevState.score,
    fitDelta: 0 - prevState.fit,
    engagementDelta: 0 - prevState.engagement,
    scoreBefore: prevState.score,
    scoreAfter: 0,
    reason: cause.reason,
    eventId: cause.eventId,
    at: now,
  };
  const replay = applyEventsInPlace(model, initialState(model), sortEvents(allEvents), now);
  const stageChanges: StageChangeDraft[] = [];
  if (replay.state.stage !== prevState.stage) {
    stageChanges.push({
      from: prevState.stage,
      to: replay.state.stage,
      at: now,
      reason: cause.reason,
      eventId: cause.eventId,
    });
  }
  return { state: replay.state, trace: [marker, ...replay.trace], stageChanges };
}

/**
 * When the earliest of these awards expires, null without any: awards expire the model's expiry
 * after their time, and are kept in time order.
 */
export function earliestExpiry(model: ScoringModel, awards: readonly Award[]): Millis | null {
  const first = awards[0];
  return first === undefined ? null : first.at + model.expiryMs;
}

/** When the next award expiry or inactivity reset is due, or null when nothing will decay. */
export function nextDecayAt(model: ScoringModel, state: LeadState): Millis | null {
  let next = earliestExpiry(model, state.awards) ?? Number.POSITIVE_INFINITY;
  let positives = false;
  for (const a of state.awards) {
    if (a.points > 0) {
      positives = true;
      break;
    }
  }
  if (state.lastPositiveAt !== null && (positives || state.fastTracked)) {
    const reset = state.lastPositiveAt + model.inactivityMs;
    if (reset < next) next = reset;
  }
  return next === Number.POSITIVE_INFINITY ? null : next;
}

/** Plain stage of a score (no hysteresis). */
export function scoreStage(model: ScoringModel, score: number): ScoreStage {
  const t = model.thresholds;
  return score >= t.SQL ? 'SQL' : score >= t.MQL ? 'MQL' : score >= t.WARM ? 'WARM' : 'NEW';
}

/**
 * Stage the lead should have now. Terminal stages are held; a fast-tracked lead is SQL; moving
 * up is immediate; a score stage is left only when score ≤ its lower bound − hysteresis, and
 * then the lead goes to the plain stage of its score.
 */
export function settledStage(
  model: ScoringModel,
  current: Stage,
  score: number,
  fastTracked: boolean,
): Stage {
  if (isTerminal(current)) return current;
  if (fastTracked) return 'SQL';
  const plain = scoreStage(model, score);
  const cur = current as ScoreStage;
  if (scoreRank(plain) >= scoreRank(cur)) return plain;
  return score <= lowerBound(model, cur) - model.thresholds.hysteresis ? plain : cur;
}

function lowerBound(model: ScoringModel, stage: ScoreStage): number {
  switch (stage) {
    case 'NEW':
      return 0;
    case 'WARM':
      return model.thresholds.WARM;
    case 'MQL':
      return model.thresholds.MQL;
    case 'SQL':
      return model.thresholds.SQL;
  }
  return model.thresholds[stage];
}

/** SCORE_RANK[stage] without a keyed lookup. */
function scoreRank(stage: ScoreStage): number {
  switch (stage) {
    case 'NEW':
      return 0;
    case 'WARM':
      return 1;
    case 'MQL':
      return 2;
    case 'SQL':
      return 3;
  }
  return SCORE_RANK[stage];
}

// ---------------------------------------------------------------------------------------------
// Run: the state being changed in place plus running sums. Award objects and BANT answers are
// never mutated (they are replaced), so `cloneState` may share them.
//
// Lead states are many, so what a lead has accumulated is kept in lists, never in records keyed
// by rule id: such records would get their keys in many orders, V8 would see thousands of object
// shapes, and every keyed load or store on them would be slow (megamorphic). Fit contributions
// and awards are short lists of small objects; rule hits, read for most events, are one flat
// list of (rule slot, time) pairs.

interface Run {
  m: ScoringModel;
  s: LeadState;
  /**
   * Uncapped fit (Σ fitContrib) and engagement (Σ live award points). NaN when the input
   * sub-score sits exactly on a cap: the sum is then only computed if a change needs it (a
   * change towards the cap it sits on cannot move the capped value).
   */
  fitRaw: number;
  engRaw: number;
  /**
   * Live awards with points > 0 (the inactivity reset applies only when there are some);
   * -1 = not counted yet. Counted lazily: most calls never need it.
   */
  positives: number;
  /** Entries and stage changes so far, in TRACE and CHANGES. */
  nTrace: number;
  nChanges: number;
}

// Scratch of the current call, reset by beginRun (the engine is synchronous and never
// re-entered): the run record and the trace / stage-change lists, of which the result gets
// exact-size copies. Reusing them keeps per-call garbage (and so GC work) down.
let RUN: Run | null = null;
const TRACE: (TraceEntryDraft | undefined)[] = [];
const CHANGES: (StageChangeDraft | undefined)[] = [];

function beginRun(model: ScoringModel, s: LeadState): Run {
  const fitRaw = uncappedFit(model, s);
  const engRaw = uncappedEngagement(model, s);
  let run = RUN;
  if (run === null) {
    run = { m: model, s, fitRaw, engRaw, positives: -1, nTrace: 0, nChanges: 0 };
    RUN = run;
    return run;
  }
  run.m = model;
  run.s = s;
  run.fitRaw = fitRaw;
  run.engRaw = engRaw;
  run.positives = -1;
  run.nTrace = 0;
  run.nChanges = 0;
  return run;
}

/**
 * The uncapped sums equal the stored sub-scores unless those sit on a cap (then NaN: summed
 * when needed, see `record`) or beyond it (summed now).
 */
function uncappedFit(model: ScoringModel, s: LeadState): number {
  const c = model.caps;
  if (s.fit > c.fitMin && s.fit < c.fitMax) return s.fit;
  if (s.fit === c.fitMax || s.fit === c.fitMin) return Number.NaN;
  return sumFits(s);
}

function uncappedEngagement(model: ScoringModel, s: LeadState): number {
  const c = model.caps;
  if (s.engagement > c.engagementMin && s.engagement < c.engagementMax) return s.engagement;
  if (s.engagement === c.engagementMax || s.engagement === c.engagementMin) return Number.NaN;
  return sumAwards(s);
}

function sumFits(s: LeadState): number {
  let sum = 0;
  const fits = s.fits;
  for (let i = 0; i < fits.length; i++) sum += (fits[i] as FitContribution).points;
  return sum;
}

function sumAwards(s: LeadState): number {
  let sum = 0;
  const awards = s.awards;
  for (let i = 0; i < awards.length; i++) sum += (awards[i] as Award).points;
  return sum;
}

function positiveAwards(run: Run): number {
  if (run.positives < 0) {
    let n = 0;
    const awards = run.s.awards;
    for (let i = 0; i < awards.length; i++) if ((awards[i] as Award).points > 0) n++;
    run.positives = n;
  }
  return run.positives;
}

// The attributes folded by `foldAttr` (set before each fit recomputation; the engine is
// synchronous and never re-entered). fold() is pure and memoised, so no per-call cache is kept.
const NO_ATTRIBUTES: LeadAttributes = {};
const NO_BANT: BantState = {};
let foldTarget: LeadAttributes = NO_ATTRIBUTES;
const foldAttr: FoldAttribute = (attr) => {
  const v = foldTarget[attr];
  return typeof v === 'string' ? fold(v) : undefined;
};

/**
 * Changes the uncapped sums by (dFit, dEng), recomputes the capped sub-scores and the score,
 * and appends the telescoping trace entry. Callers change fits / awards before recording,
 * so a sum still unknown (NaN) is computed from them when the change could move the capped value.
 */
function record(
  run: Run,
  ruleId: string,
  category: TraceCategory,
  dFit: number,
  dEng: number,
  reason: Text,
  at: Millis,
  eventId: string | undefined,
): void {
  const s = run.s;
  const c = run.m.caps;
  const fit0 = s.fit;
  const eng0 = s.engagement;
  const score0 = s.score;

  const fitRaw = nextRaw(run.fitRaw, dFit, fit0, c.fitMin, c.fitMax, s, sumFits);
  const fit = Number.isNaN(fitRaw) ? fit0 : clamp(fitRaw, c.fitMin, c.fitMax);
  run.fitRaw = fitRaw;
  const engRaw = nextRaw(run.engRaw, dEng, eng0, c.engagementMin, c.engagementMax, s, sumAwards);
  const eng = Number.isNaN(engRaw) ? eng0 : clamp(engRaw, c.engagementMin, c.engagementMax);
  run.engRaw = engRaw;

  const score = clamp(fit + eng, 0, 100);
  s.fit = fit;
  s.engagement = eng;
  s.score = score;
  const fitDelta = fit - fit0;
  const engagementDelta = eng - eng0;
  const points = score - score0;
  if (fitDelta !== dFit || engagementDelta !== dEng || points !== fitDelta + engagementDelta) {
    const fitNote = swallowedBy(fitDelta, dFit, fitRaw, fit0, c.fitMax);
    const engNote = swallowedBy(engagementDelta, dEng, engRaw, eng0, c.engagementMax);
    reason = withCapNote(run.m, reason, fitNote, engNote, points !== fitDelta + engagementDelta ? 1 : 0);
  }
  TRACE[run.nTrace++] = {
    ruleId,
    modelVersion: run.m.version,
    category,
    points,
    fitDelta,
    engagementDelta,
    scoreBefore: score0,
    scoreAfter: score,
    reason,
    eventId,
    at,
  };
}

/**
 * An uncapped sum after a change of d. An unknown sum (NaN: the capped value sits on a cap)
 * stays unknown unless the change could move the capped value; it is then summed (the caller
 * has already applied the change to the state).
 */
function nextRaw(
  raw: number,
  d: number,
  before: number,
  min: number,
  max: number,
  s: LeadState,
  sum: (s: LeadState) => number,
): number {
  if (!Number.isNaN(raw)) return raw + d;
  if (d === 0 || (d > 0 ? before === max : before === min)) return raw;
  return sum(s);
}

/**
 * Which cap swallowed (part of) a change of a sub-score: 0 = none, 1 = the cap, 2 = the floor.
 * An unknown (NaN) uncapped sum sits on the cap the change went towards.
 */
function swallowedBy(delta: number, d: number, raw: number, before: number, max: number): number {
  if (delta === d) return 0;
  if (Number.isNaN(raw)) return before === max ? 1 : 2;
  return raw >= max || raw - d >= max ? 1 : 2;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : Math.min(v, hi);
}

/**
 * Says which cap swallowed (part of) the change: "(capped at 60)". The text depends only on the
 * reason, the model's caps and which notes apply, so it is memoised per model and reason
 * (reasons are immutable and may be shared between entries).
 */
function withCapNote(
  model: ScoringModel,
  reason: Text,
  fitNote: number,
  engNote: number,
  scoreNote: number,
): Text {
  const code = fitNote * 6 + engNote * 2 + scoreNote;
  const memo = model.capNotes;
  let texts = memo.get(reason);
  if (texts === undefined) {
    texts = [];
    if (memo.size >= REASON_CACHE_SIZE) memo.clear();
    memo.set(reason, texts);
  }
  let text = texts[code];
  if (text !== undefined) return text;
  const c = model.caps;
  const notes: Text[] = [];
  if (fitNote !== 0) {
    notes.push(
      fitNote === 1
        ? { vi: `điểm phù hợp chạm trần ${c.fitMax}`, en: `fit capped at ${c.fitMax}` }
        : { vi: `điểm phù hợp chạm sàn ${c.fitMin}`, en: `fit floored at ${c.fitMin}` },
    );
  }
  if (engNote !== 0) {
    notes.push(
      engNote === 1
        ? { vi: `điểm tương tác chạm trần ${c.engagementMax}`, en: `capped at ${c.engagementMax}` }
        : { vi: `điểm tương tác chạm sàn ${c.engagementMin}`, en: `floored at ${c.engagementMin}` },
    );
  }
  if (scoreNote !== 0) notes.push({ vi: 'tổng điểm giới hạn 0–100', en: 'score limited to 0–100' });
  text = {
    vi: `${reason.vi} (${notes.map((n) => n.vi).join('; ')})`,
    en: `${reason.en} (${notes.map((n) => n.en).join('; ')})`,
  };
  texts[code] = text;
  return text;
}

// ---------------------------------------------------------------------------------------------
// Decay

const RESET_REASON: Text = {
  vi: 'Không có tương tác trong {days} ngày: đặt lại điểm tương tác',
  en: 'No engagement for {days} days: engagement reset',
};
const RESET_RELEASE_NOTE: Text = { vi: '; bỏ giữ SQL (fast-track)', en: '; fast-track hold released' };
const UNKNOWN_EXPIRY: Text = { vi: 'Điểm tương tác hết hạn', en: 'Engagement expired' };
/** Inactivity-reset reasons by days, [plain, with the fast-track release note]. */
const RESET_REASONS = new Map<number, [Text, Text]>();

function resetReason(days: number, released: boolean): Text {
  let texts = RESET_REASONS.get(days);
  if (texts === undefined) {
    const d = String(days);
    const vi = RESET_REASON.vi.replace('{days}', d);
    const en = RESET_REASON.en.replace('{days}', d);
    texts = [
      { vi, en },
      { vi: vi + RESET_RELEASE_NOTE.vi, en: en + RESET_RELEASE_NOTE.en },
    ];
    if (RESET_REASONS.size >= REASON_CACHE_SIZE) RESET_REASONS.clear();
    RESET_REASONS.set(days, texts);
  }
  return texts[released ? 1 : 0];
}

/**
 * When the inactivity reset is due (Infinity when there is nothing to reset). A reset later than
 * `until` is returned without checking for positive awards: it cannot be due yet anyway.
 */
function resetDue(run: Run, until: Millis): number {
  const s = run.s;
  if (s.lastPositiveAt === null) return Number.POSITIVE_INFINITY;
  const due = s.lastPositiveAt + run.m.inactivityMs;
  if (due > until || s.fastTracked || positiveAwards(run) > 0) return due;
  return Number.POSITIVE_INFINITY;
}

/**
 * Applies every decay due at or before `t`, each at its own due time; awards are kept in
 * expiry order (uniform expiry, appended in event order), so expiries come off the front.
 */
function advanceTo(run: Run, t: Millis): void {
  const s = run.s;
  for (;;) {
    const expiry = s.nextExpiryAt ?? Number.POSITIVE_INFINITY;
    const reset = resetDue(run, t);
    const due = Math.min(expiry, reset);
    if (due > t) return;
    const traceStart = run.nTrace;
    const expiryMs = run.m.expiryMs;
    for (let a = s.awards[0]; a !== undefined && a.at + expiryMs <= due; a = s.awards[0]) {
      s.awards.shift();
      s.nextExpiryAt = earliestExpiry(run.m, s.awards);
      expire(run, a);
    }
    if (resetDue(run, due) <= due) inactivityReset(run, due);
    settleStage(run, due, undefined, null, traceStart, 'decay', null);
    if (s.asOf === null || due > s.asOf) s.asOf = due;
  }
}

function expire(run: Run, a: Award): void {
  if (a.points > 0 && run.positives > 0) run.positives--;
  const reason = run.m.eventRules.get(a.ruleId)?.expiredReason ?? UNKNOWN_EXPIRY;
  record(run, a.ruleId, 'decay', 0, -a.points, reason, a.at + run.m.expiryMs, a.eventId);
}

/** The "exit": removes every live positive award; negatives stay until their own expiry. */
function inactivityReset(run: Run, at: Millis): void {
  const s = run.s;
  let removed = 0;
  const kept: Award[] = [];
  for (const a of s.awards) {
    if (a.points > 0) removed += a.points;
    else kept.push(a);
  }
  s.awards = kept;
  s.nextExpiryAt = earliestExpiry(run.m, kept);
  run.positives = 0;
  const released = s.fastTracked;
  s.fastTracked = false;
  const reason = resetReason(run.m.inactivityDays, released);
  record(run, INACTIVITY_RULE_ID, 'decay', 0, 0 - removed, reason, at, undefined);
}

// ---------------------------------------------------------------------------------------------
// Events

function applyEvent(run: Run, e: ScoringEvent): void {
  const s = run.s;
  const traceStart = run.nTrace;
  // Set first (nothing below reads them): the rule and its award then reuse the stored time.
  s.lastActivityAt = e.occurredAt;
  s.lastEventAt = s.lastActivityAt;
  s.lastEventKey = e.key;
  if (e.lead !== undefined || e.bant !== undefined) mergeInputs(run, e);

  const info = run.m.byEventType.get(e.type);
  if (info === undefined) {
    settleStage(run, s.lastEventAt as Millis, e.id, null, traceStart, e.type, null);
    return;
  }
  if (info.rules.length > 0) {
    const rule = pickRule(info.rules, e);
    if (rule !== undefined) applyEventRule(run, rule, e);
  }

  let forced: Stage | null = null;
  let manualReason: Text | null = null;
  const stageEvent = info.stage;
  if (stageEvent !== null) {
    s.fastTracked = false;
    forced = stageEvent === 'REOPEN' ? scoreStage(run.m, s.score) : stageEvent;
    manualReason = manualStageReason(e, forced);
  }

  settleStage(run, s.lastEventAt as Millis, e.id, forced, traceStart, e.type, manualReason);
}

const NO_PROPERTIES: Record<string, unknown> = {};

/** The most specific matching rule (candidates are pre-sorted); no fallback to a generic one. */
function pickRule(candidates: readonly CompiledEventRule[], e: ScoringEvent): CompiledEventRule | undefined {
  const props = e.properties ?? NO_PROPERTIES;
  outer: for (let i = 0; i < candidates.length; i++) {
    const rule = candidates[i] as CompiledEventRule;
    const matchers = rule.matchers;
    for (let j = 0; j < matchers.length; j++) {
      const m = matchers[j] as PropertyTest;
      if (!m.test(props[m.key])) continue outer;
    }
    return rule;
  }
  return undefined;
}

function applyEventRule(run: Run, rule: CompiledEventRule, e: ScoringEvent): void {
  const s = run.s;
  // = e.occurredAt, as stored by applyEvent (one boxed number shared by the state and award).
  const t = s.lastEventAt as Millis;
  if (rule.engaging) s.lastPositiveAt = t;
  // Consent is honoured whether or not the rule still earns points.
  if (rule.effects !== null) {
    if (rule.effects.doNotEmail !== undefined) s.doNotEmail = rule.effects.doNotEmail;
    if (rule.effects.doNotContact !== undefined) s.doNotContact = rule.effects.doNotContact;
  }
  if (rule.points !== 0 && withinLimit(run, rule, t)) {
    if (s.nextExpiryAt === null) s.nextExpiryAt = t + run.m.expiryMs;
    s.awards.push({ eventId: e.id, ruleId: rule.id, points: rule.points, at: t });
    if (rule.points > 0 && run.positives >= 0) run.positives++;
    record(run, rule.id, rule.section, 0, rule.points, eventReason(rule, e), t, e.id);
  }
  // High intent holds SQL; a person-set terminal stage is not overridden.
  if (rule.fastTrack && !s.fastTracked && !isTerminal(s.stage)) {
    s.fastTracked = true;
    record(run, rule.id, 'fast-track', 0, 0, rule.fastTrackReason, t, e.id);
  }
}

/**
 * Frequency limit over the rule's own earlier hits in the window (t − perDays, t]; a hit exactly
 * perDays old has left the window. Records the hit when allowed, dropping hits that left the
 * window, so a rule's hit list never holds more than its limit.
 */
function withinLimit(run: Run, rule: CompiledEventRule, t: Millis): boolean {
  const limit = rule.limit;
  if (limit === null) return true;
  const h = run.s.ruleHits;
  const slot = rule.hitSlot;
  const from = limit.windowMs === null ? Number.NEGATIVE_INFINITY : t - limit.windowMs;
  let live = 0;
  let stale = 0;
  for (let i = 0; i < h.length; i += 2) {
    if (h[i] !== slot) continue;
    if ((h[i + 1] as number) <= from) stale++;
    else live++;
  }
  if (stale > 0) {
    // Drop this rule's hits that left its window, keeping the others in order.
    let w = 0;
    for (let i = 0; i < h.length; i += 2) {
      if (h[i] === slot && (h[i + 1] as number) <= from) continue;
      h[w] = h[i] as number;
      h[w + 1] = h[i + 1] as number;
      w += 2;
    }
    h.length = w;
  }
  if (live >= limit.times) return false;
  h.push(slot, t);
  // Pairs stay in (time, slot) order (events come in time order; equal times by slot), the
  // order a stored list is loaded in.
  for (let i = h.length - 2; i >= 2 && h[i - 1] === t && (h[i - 2] as number) > slot; i -= 2) {
    h[i] = h[i - 2] as number;
    h[i - 2] = slot;
  }
  return true;
}

/** "Pricing page viewed (/bang-gia)"; memoised per rule and detail value (reasons are immutable). */
function eventReason(rule: CompiledEventRule, e: ScoringEvent): Text {
  if (rule.detail === undefined) return rule.label;
  const raw = e.properties?.[rule.detail];
  if (raw === undefined || raw === null || raw === '') return rule.label;
  const key = typeof raw === 'string' ? raw : String(raw);
  const cached = rule.reasonCache.get(key);
  if (cached !== undefined) return cached;
  let d = rule.detailIsUrl ? urlPath(key) : key;
  if (d.length > 80) d = `${d.slice(0, 79)}…`;
  const reason: Text = { vi: `${rule.label.vi} (${d})`, en: `${rule.label.en} (${d})` };
  if (rule.reasonCache.size >= REASON_CACHE_SIZE) rule.reasonCache.clear();
  rule.reasonCache.set(key, reason);
  return reason;
}

function manualStageReason(e: ScoringEvent, to: Stage): Text {
  const by = e.actor === undefined ? '' : ` (${e.actor})`;
  const why =
    typeof e.properties?.reason === 'string' && e.properties.reason !== '' ? `: ${e.properties.reason}` : '';
  switch (e.type) {
    case 'lead_disqualified':
      return { vi: `Bị loại${by}${why}`, en: `Disqualified${by}${why}` };
    case 'deal_won':
      return { vi: `Thắng hợp đồng${by}${why}`, en: `Deal won${by}${why}` };
    case 'deal_lost':
      return { vi: `Mất hợp đồng${by}${why}`, en: `Deal lost${by}${why}` };
    default:
      return {
        vi: `Mở lại${by}${why}: theo điểm → ${to}`,
        en: `Reopened${by}${why}: stage from score → ${to}`,
      };
  }
}

// ---------------------------------------------------------------------------------------------
// Fit and BANT

const UNKNOWN_VALUE: Text = { vi: '?', en: '?' };
const NO_LONGER: Text = { vi: 'Không còn áp dụng: ', en: 'No longer applies: ' };

// Scratch buffers of the fit recomputation (the engine is synchronous and never re-entered).
// By INPUT_FIELDS slot: whether the event changed that input, its previous and its new value.
const changed = new Uint8Array(INPUT_FIELDS.length);
/** Some slot of `changed` is set. */
let anyChanged = false;
const previous: unknown[] = new Array<unknown>(INPUT_FIELDS.length).fill(undefined);
const current: unknown[] = new Array<unknown>(INPUT_FIELDS.length).fill(undefined);
let oldPoints = new Float64Array(32);
let newPoints = new Float64Array(32);
let groupClaimed = new Uint8Array(16);
let groupTouched = new Uint8Array(16);

/**
 * Merges the event's attributes (undefined never erases) and BANT answers (answeredAt =
 * occurredAt), then recomputes the fit/BANT rules whose inputs changed: one entry per rule whose
 * contribution changed. Exclusive groups: the first matching rule of a group (file order) wins.
 */
function mergeInputs(run: Run, e: ScoringEvent): void {
  if (anyChanged) clearChanged(); // a call that threw cannot leak into this one
  let relevant = false;
  const l = e.lead;
  if (l !== undefined) relevant = mergeLead(run, l);
  const b = e.bant;
  if (b !== undefined) {
    if (b.budget !== undefined) relevant = setBant(run, e, 0, 'budget', b.budget) || relevant;
    if (b.authority !== undefined) relevant = setBant(run, e, 1, 'authority', b.authority) || relevant;
    if (b.need !== undefined) relevant = setBant(run, e, 2, 'need', b.need) || relevant;
    if (b.timeline !== undefined) relevant = setBant(run, e, 3, 'timeline', b.timeline) || relevant;
  }
  if (relevant) rescoreFit(run, e);
  if (anyChanged) clearChanged();
}

/**
 * Takes the event's lead attributes; true when an input a fit rule reads changed. Unrolled, in
 * INPUT_FIELDS order (new keys are added in that order): this runs for every event, and
 * integrations attach the lead to each one. An input no rule reads is taken as given, without
 * reading the value it replaces.
 */
function mergeLead(run: Run, l: LeadAttributes): boolean {
  const a = run.s.attributes;
  const reads = run.m.fitSlots;
  let r = false;
  if (l.name !== undefined) {
    if (reads[0] === 0) a.name = l.name;
    else if (l.name !== a.name) {
      markChanged(0, a.name, l.name);
      a.name = l.name;
      r = true;
    }
  }
  if (l.email !== undefined) {
    if (reads[1] === 0) a.email = l.email;
    else if (l.email !== a.email) {
      markChanged(1, a.email, l.email);
      a.email = l.email;
      r = true;
    }
  }
  if (l.phone !== undefined) {
    if (reads[2] === 0) a.phone = l.phone;
    else if (l.phone !== a.phone) {
      markChanged(2, a.phone, l.phone);
      a.phone = l.phone;
      r = true;
    }
  }
  if (l.zaloUserId !== undefined) {
    if (reads[3] === 0) a.zaloUserId = l.zaloUserId;
    else if (l.zaloUserId !== a.zaloUserId) {
      markChanged(3, a.zaloUserId, l.zaloUserId);
      a.zaloUserId = l.zaloUserId;
      r = true;
    }
  }
  if (l.externalId !== undefined) {
    if (reads[4] === 0) a.externalId = l.externalId;
    else if (l.externalId !== a.externalId) {
      markChanged(4, a.externalId, l.externalId);
      a.externalId = l.externalId;
      r = true;
    }
  }
  if (l.company !== undefined) {
    if (reads[5] === 0) a.company = l.company;
    else if (l.company !== a.company) {
      markChanged(5, a.company, l.company);
      a.company = l.company;
      r = true;
    }
  }
  if (l.title !== undefined) {
    if (reads[6] === 0) a.title = l.title;
    else if (l.title !== a.title) {
      markChanged(6, a.title, l.title);
      a.title = l.title;
      r = true;
    }
  }
  if (l.companySize !== undefined) {
    if (reads[7] === 0) a.companySize = l.companySize;
    else if (l.companySize !== a.companySize) {
      markChanged(7, a.companySize, l.companySize);
      a.companySize = l.companySize;
      r = true;
    }
  }
  if (l.industry !== undefined) {
    if (reads[8] === 0) a.industry = l.industry;
    else if (l.industry !== a.industry) {
      markChanged(8, a.industry, l.industry);
      a.industry = l.industry;
      r = true;
    }
  }
  if (l.city !== undefined) {
    if (reads[9] === 0) a.city = l.city;
    else if (l.city !== a.city) {
      markChanged(9, a.city, l.city);
      a.city = l.city;
      r = true;
    }
  }
  return r;
}

/** Resets the scratch buffers. */
function clearChanged(): void {
  anyChanged = false;
  for (let i = 0; i < changed.length; i++) {
    changed[i] = 0;
    previous[i] = undefined;
    current[i] = undefined;
  }
}

/** Notes the previous and new value of a changed input. */
function markChanged(slot: number, old: unknown, value: unknown): void {
  anyChanged = true;
  changed[slot] = 1;
  previous[slot] = old;
  current[slot] = value;
}

/** Stores one BANT answer; true when a rule reads it. */
function setBant(run: Run, e: ScoringEvent, index: number, k: keyof BantState, v: unknown): boolean {
  const slot = BANT_SLOT + index;
  const bant = run.s.bant as Record<string, BantState[keyof BantState]>;
  markChanged(slot, bant[k]?.value, v);
  bant[k] = { value: v, answeredAt: e.occurredAt, eventId: e.id } as BantState[keyof BantState];
  return run.m.fitSlots[slot] === 1;
}

/**
 * Recomputes fit/BANT contributions after the inputs marked in `changed` changed. Rules whose
 * input did not change (nor any input of their exclusive group) keep their previous result, so
 * only the touched rules are tested. Removals are recorded before additions.
 */
function rescoreFit(run: Run, e: ScoringEvent): void {
  const m = run.m;
  const s = run.s;
  const rules = m.fitRules;
  const n = rules.length;
  if (oldPoints.length < n) {
    oldPoints = new Float64Array(n);
    newPoints = new Float64Array(n);
  }
  if (groupClaimed.length < m.groupCount) {
    groupClaimed = new Uint8Array(m.groupCount);
    groupTouched = new Uint8Array(m.groupCount);
  }
  groupClaimed.fill(0, 0, m.groupCount);
  groupTouched.fill(0, 0, m.groupCount);
  for (let i = 0; i < n; i++) {
    const rule = rules[i] as CompiledFitRule;
    if (rule.groupIndex >= 0 && isChanged(rule)) groupTouched[rule.groupIndex] = 1;
  }

  // Previous contributions by rule index.
  for (let i = 0; i < n; i++) oldPoints[i] = 0;
  const fits = s.fits;
  for (let f = 0; f < fits.length; f++) {
    const fc = fits[f] as FitContribution;
    const i = m.fitRuleIndex.get(fc.ruleId);
    if (i !== undefined) oldPoints[i] = fc.points;
  }

  foldTarget = s.attributes;
  let changes = 0;
  for (let i = 0; i < n; i++) {
    const rule = rules[i] as CompiledFitRule;
    const g = rule.groupIndex;
    const old = oldPoints[i] as number;
    let pts = 0;
    if (g < 0 || groupClaimed[g] === 0) {
      const retest = rule.points === 0 || isChanged(rule) || (g >= 0 && groupTouched[g] === 1);
      const matched = retest ? rule.test(s, foldAttr) : old !== 0;
      if (matched) {
        pts = rule.points;
        if (g >= 0) groupClaimed[g] = 1;
      }
    }
    newPoints[i] = pts;
    if (pts !== old) changes++;
    else if (pts !== 0 && isChanged(rule)) setFit(s, rule, e);
  }
  foldTarget = NO_ATTRIBUTES;
  if (changes === 0) return;
  for (let i = 0; i < n; i++) {
    if (newPoints[i] === 0 && oldPoints[i] !== 0) {
      rescoreRule(run, e, rules[i] as CompiledFitRule, oldPoints[i] as number, 0);
    }
  }
  for (let i = 0; i < n; i++) {
    const pts = newPoints[i] as number;
    if (pts !== 0 && pts !== oldPoints[i]) {
      rescoreRule(run, e, rules[i] as CompiledFitRule, oldPoints[i] as number, pts);
    }
  }
}

/** Whether the event changed the rule's input. */
function isChanged(rule: CompiledFitRule): boolean {
  return rule.slot >= 0 && changed[rule.slot] === 1;
}

function rescoreRule(run: Run, e: ScoringEvent, rule: CompiledFitRule, old: number, pts: number): void {
  const s = run.s;
  if (pts === 0) s.fits.splice(fitIndex(s.fits, rule.id), 1);
  else setFit(s, rule, e);
  const at = s.lastEventAt as Millis; // = e.occurredAt (see setFit)
  record(run, rule.id, rule.section, pts - old, 0, fitReason(rule, run.s, pts === 0), at, e.id);
}

/** Where the rule's contribution is in `fits`, −1 when the rule grants nothing. */
function fitIndex(fits: readonly FitContribution[], ruleId: string): number {
  for (let i = 0; i < fits.length; i++) if ((fits[i] as FitContribution).ruleId === ruleId) return i;
  return -1;
}

/**
 * Sets the rule's contribution (its points: a rule that applies grants all of them), with this
 * event as its evidence. Entries are replaced, not changed. The points are read from the rule,
 * not from the engine's Float64Array scratch: a number read from a typed array would make V8
 * keep the field as a boxed double, one more object per entry.
 */
function setFit(s: LeadState, rule: CompiledFitRule, e: ScoringEvent): void {
  const ruleId = rule.id;
  // at = e.occurredAt, as stored by applyEvent.
  const entry: FitContribution = { ruleId, points: rule.points, eventId: e.id, at: s.lastEventAt as Millis };
  const i = fitIndex(s.fits, ruleId);
  if (i < 0) s.fits.push(entry);
  else s.fits[i] = entry;
}

/** "Title “Giám đốc” is a decision maker"; on removal, the label with the previous value. */
function fitReason(rule: CompiledFitRule, s: LeadState, removed: boolean): Text {
  // An input this event changed: its previous or new value (= rule.read(s)) is at hand.
  const value = isChanged(rule) ? (removed ? previous : current)[rule.slot] : rule.read(s);
  const label = value === undefined ? fillLabel(rule.label, UNKNOWN_VALUE) : rule.render(value);
  return removed ? { vi: NO_LONGER.vi + label.vi, en: NO_LONGER.en + label.en } : label;
}

// ---------------------------------------------------------------------------------------------
// Stage

/**
 * Settles the stage after an event or a decay instant and records the change, if any.
 * `forced` is the stage set by a person (terminal stage or reopen → plain score stage).
 */
function settleStage(
  run: Run,
  at: Millis,
  eventId: string | undefined,
  forced: Stage | null,
  traceStart: number,
  causeType: string,
  manualReason: Text | null = null,
): void {
  const s = run.s;
  const from = s.stage;
  const to = forced ?? settledStage(run.m, from, s.score, s.fastTracked);
  if (to === from) return;
  s.stage = to;
  const reason =
    manualReason ?? scoreStageReason(run, from, to, causeOf(run, traceStart, causeType, from, to));
  CHANGES[run.nChanges++] = { from, to, at, reason, eventId };
}

/**
 * The entry (of those the event or decay instant produced) that made the move: the fast-track
 * entry, or the first whose score crossed the boundary; else the last one, else the event type.
 */
function causeOf(run: Run, traceStart: number, causeType: string, from: Stage, to: Stage): Text {
  const t = TRACE;
  const n = run.nTrace;
  if (n === traceStart) return { vi: causeType, en: causeType };
  const up = isTerminal(from) || scoreRank(to as ScoreStage) > scoreRank(from as ScoreStage);
  const bound = up
    ? lowerBound(run.m, to as ScoreStage)
    : lowerBound(run.m, from as ScoreStage) - run.m.thresholds.hysteresis;
  for (let i = traceStart; i < n; i++) {
    const e = t[i] as TraceEntryDraft;
    if (
      to === 'SQL' && run.s.fastTracked
        ? e.category === 'fast-track'
        : up
          ? e.scoreAfter >= bound
          : e.scoreAfter <= bound
    ) {
      return e.reason;
    }
  }
  return (t[n - 1] as TraceEntryDraft).reason;
}

function scoreStageReason(run: Run, from: Stage, to: Stage, cause: Text): Text {
  const s = run.s;
  if (to === 'SQL' && s.fastTracked) return cause; // the fast-track entry: "Fast-track to SQL: Demo requested"

  const toRank = scoreRank(to as ScoreStage);
  const fromRank = isTerminal(from) ? -1 : scoreRank(from as ScoreStage);
  const up = toRank > fromRank;
  // The text depends on the direction, the stage it names, the score and the cause (and the
  // model's thresholds): memoised per model and cause, for integer scores (reasons are immutable).
  const score = s.score;
  const code =
    Number.isInteger(score) && score >= 0 && score <= 100 ? (up ? toRank : 4 + fromRank) * 128 + score : -1;
  const memo = run.m.stageReasons;
  let texts = code < 0 ? undefined : memo.get(cause);
  const cached = texts?.get(code);
  if (cached !== undefined) return cached;
  let text: Text;
  if (up) {
    const bound = lowerBound(run.m, to as ScoreStage);
    text = {
      vi: `Điểm ${score} đạt ${to} (≥ ${bound}): ${cause.vi}`,
      en: `Score ${score} reached ${to} (≥ ${bound}): ${cause.en}`,
    };
  } else {
    const exit = lowerBound(run.m, from as ScoreStage) - run.m.thresholds.hysteresis;
    text = {
      vi: `Điểm ${score} giảm xuống ≤ ${exit}: rời ${from}: ${cause.vi}`,
      en: `Score ${score} fell to ≤ ${exit}: leaves ${from}: ${cause.en}`,
    };
  }
  if (code >= 0) {
    if (texts === undefined) {
      if (memo.size >= REASON_CACHE_SIZE) memo.clear();
      texts = new Map();
      memo.set(cause, texts);
    }
    texts.set(code, text);
  }
  return text;
}
