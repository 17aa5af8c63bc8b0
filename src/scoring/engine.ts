/**
 * The pure scoring engine. It folds ordered events (and the passage of time) into a LeadState,
 * producing one trace entry per point given or taken and one stage change per stage move.
 *
 * Accounting model (what keeps the trace exact):
 * - Uncapped sums are kept internally: fitRaw = Σ fitContrib, engRaw = Σ live award points.
 *   fit = clamp(fitRaw, fitFloor, fitCap), engagement = clamp(engRaw, floor, cap),
 *   score = clamp(fit + engagement, 0, 100). Each trace entry records the change of these
 *   capped values, so a change swallowed by a cap has delta 0 and the sums always telescope:
 *   Σpoints = score, ΣfitDelta = fit, ΣengagementDelta = engagement.
 * - Time: before each event, every decay due at or before its occurredAt is applied at its due
 *   time (award expiry at event + engagementExpiryDays; inactivity reset at last engagement +
 *   inactivityResetDays); after the last event, decay due up to `now`.
 * - Stage is settled once per event and once per decay instant (never mid-event).
 */
import type { CompiledEventRule, CompiledFitRule, FoldAttribute, ScoringModel } from './compile.ts';
import { fillLabel, fold, urlPath } from './format.ts';
import type {
  ApplyResult,
  Award,
  BantState,
  BantValues,
  LeadAttributes,
  LeadState,
  Millis,
  ScoreStage,
  ScoringEvent,
  Stage,
  StageChangeDraft,
  Text,
  TraceCategory,
  TraceEntryDraft,
} from './types.ts';

/** Events by which a person (or the CRM) sets the stage. */
export const STAGE_EVENTS = {
  lead_disqualified: 'DISQUALIFIED',
  deal_won: 'WON',
  deal_lost: 'LOST',
  lead_reopened: 'REOPEN',
} as const;

/** Rule id of the inactivity-reset trace entry. */
export const INACTIVITY_RULE_ID = 'decay.inactivity';

const REASON_CACHE_SIZE = 512;
const TERMINAL: ReadonlySet<Stage> = new Set<Stage>(['DISQUALIFIED', 'WON', 'LOST']);
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
    attributes: {},
    bant: {},
    fitContrib: {},
    fitEvidence: {},
    fitEvidenceAt: {},
    awards: [],
    ruleHits: {},
    lastPositiveAt: null,
    lastActivityAt: null,
    lastEventAt: null,
    lastEventKey: null,
    asOf: null,
    doNotEmail: false,
    doNotContact: false,
  };
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
 * Applies ordered, not-late events, then decay up to `now`. Never mutates `state` or `events`.
 * Reasons in the returned entries may share (immutable) objects between entries.
 */
export function applyEvents(
  model: ScoringModel,
  state: LeadState,
  events: readonly ScoringEvent[],
  now: Millis,
): ApplyResult {
  const run = beginRun(model, state);
  for (const e of events) {
    advanceTo(run, e.occurredAt);
    applyEvent(run, e);
  }
  advanceTo(run, now);
  const s = run.s;
  // asOf marks the latest instant at which something time-dependent was applied (an event or
  // a decay). Reading at `now` with nothing due does not move it: an event that arrives a little
  // late, with no decay due in between, still applies incrementally.
  if (s.lastEventAt !== null && (s.asOf === null || s.lastEventAt > s.asOf)) s.asOf = s.lastEventAt;
  return { state: s, trace: run.trace, stageChanges: run.changes };
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
  const replay = applyEvents(model, initialState(model), sortEvents(allEvents), now);
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

/** When the next award expiry or inactivity reset is due, or null when nothing will decay. */
export function nextDecayAt(model: ScoringModel, state: LeadState): Millis | null {
  let next = Number.POSITIVE_INFINITY;
  let positives = false;
  for (const a of state.awards) {
    if (a.expiresAt < next) next = a.expiresAt;
    if (a.points > 0) positives = true;
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
  if (TERMINAL.has(current)) return current;
  if (fastTracked) return 'SQL';
  const plain = scoreStage(model, score);
  const cur = current as ScoreStage;
  if (SCORE_RANK[plain] >= SCORE_RANK[cur]) return plain;
  return score <= lowerBound(model, cur) - model.thresholds.hysteresis ? plain : cur;
}

function lowerBound(model: ScoringModel, stage: ScoreStage): number {
  return stage === 'NEW' ? 0 : model.thresholds[stage];
}

// ---------------------------------------------------------------------------------------------
// Run: a private copy of the state plus running sums. The input state is never mutated: its
// nested containers are shared until first written, then copied once per call (copy-on-write
// keeps single-event calls cheap; award objects themselves are never mutated).

interface Run {
  m: ScoringModel;
  s: LeadState;
  fitRaw: number;
  engRaw: number;
  /**
   * Live awards with points > 0 (the inactivity reset applies only when there are some);
   * -1 = not counted yet. Counted lazily: most calls never need it.
   */
  positives: number;
  trace: TraceEntryDraft[];
  changes: StageChangeDraft[];
  awardsOwned: boolean;
  fitOwned: boolean;
  /** ruleHits (the record) already copied in this call; its arrays are replaced, never mutated. */
  hitsOwned: boolean;
  /** Folded string attributes, created on the first fit recomputation of the call. */
  folded: Map<string, string | undefined> | null;
}

function beginRun(model: ScoringModel, state: LeadState): Run {
  const s: LeadState = {
    modelVersion: state.modelVersion,
    stage: state.stage,
    score: state.score,
    fit: state.fit,
    engagement: state.engagement,
    fastTracked: state.fastTracked,
    attributes: state.attributes,
    bant: state.bant,
    fitContrib: state.fitContrib,
    fitEvidence: state.fitEvidence,
    fitEvidenceAt: state.fitEvidenceAt ?? {},
    awards: state.awards,
    ruleHits: state.ruleHits,
    lastPositiveAt: state.lastPositiveAt,
    lastActivityAt: state.lastActivityAt,
    lastEventAt: state.lastEventAt,
    lastEventKey: state.lastEventKey,
    asOf: state.asOf,
    doNotEmail: state.doNotEmail,
    doNotContact: state.doNotContact,
  };
  return {
    m: model,
    s,
    fitRaw: uncappedFit(model, s),
    engRaw: uncappedEngagement(model, s),
    positives: -1,
    trace: [],
    changes: [],
    awardsOwned: false,
    fitOwned: false,
    hitsOwned: false,
    folded: null,
  };
}

/**
 * The uncapped sums equal the stored sub-scores unless those sit on a cap; only then are they
 * summed again (this keeps calls from touching every award of every lead).
 */
function uncappedFit(model: ScoringModel, s: LeadState): number {
  if (s.fit > model.caps.fitMin && s.fit < model.caps.fitMax) return s.fit;
  let sum = 0;
  for (const k in s.fitContrib) sum += s.fitContrib[k] ?? 0;
  return sum;
}

function uncappedEngagement(model: ScoringModel, s: LeadState): number {
  if (s.engagement > model.caps.engagementMin && s.engagement < model.caps.engagementMax) return s.engagement;
  let sum = 0;
  for (const a of s.awards) sum += a.points;
  return sum;
}

function positiveAwards(run: Run): number {
  if (run.positives < 0) {
    let n = 0;
    for (const a of run.s.awards) if (a.points > 0) n++;
    run.positives = n;
  }
  return run.positives;
}

function ownAwards(run: Run): Award[] {
  if (!run.awardsOwned) {
    run.s.awards = run.s.awards.slice();
    run.awardsOwned = true;
  }
  return run.s.awards;
}

/** Copies the fit inputs and contributions before their first write in this call. */
function ownFit(run: Run): void {
  if (run.fitOwned) return;
  const s = run.s;
  s.attributes = { ...s.attributes };
  s.bant = { ...s.bant };
  s.fitContrib = { ...s.fitContrib };
  s.fitEvidence = { ...s.fitEvidence };
  s.fitEvidenceAt = { ...s.fitEvidenceAt };
  run.fitOwned = true;
}

/** Stores a new hit list for the rule (hit arrays are shared with the input state: never mutated). */
function setHits(run: Run, ruleId: string, hits: Millis[]): void {
  if (!run.hitsOwned) {
    run.s.ruleHits = { ...run.s.ruleHits };
    run.hitsOwned = true;
  }
  run.s.ruleHits[ruleId] = hits;
}

function foldAttrOf(run: Run): FoldAttribute {
  const folded = run.folded ?? new Map<string, string | undefined>();
  run.folded = folded;
  const attrs = run.s.attributes;
  return (attr) => {
    if (folded.has(attr)) return folded.get(attr);
    const v = attrs[attr];
    const f = typeof v === 'string' ? fold(v) : undefined;
    folded.set(attr, f);
    return f;
  };
}

/**
 * Changes the uncapped sums by (dFit, dEng), recomputes the capped sub-scores and the score,
 * and appends the telescoping trace entry.
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
  run.fitRaw += dFit;
  run.engRaw += dEng;
  const fit = clamp(run.fitRaw, c.fitMin, c.fitMax);
  const eng = clamp(run.engRaw, c.engagementMin, c.engagementMax);
  const score = clamp(fit + eng, 0, 100);
  s.fit = fit;
  s.engagement = eng;
  s.score = score;
  const fitDelta = fit - fit0;
  const engagementDelta = eng - eng0;
  const points = score - score0;
  if (fitDelta !== dFit || engagementDelta !== dEng || points !== fitDelta + engagementDelta) {
    reason = withCapNote(run, reason, dFit, dEng, fitDelta, engagementDelta, points);
  }
  run.trace.push({
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
  });
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : Math.min(v, hi);
}

/** Says which cap swallowed (part of) the change: "(capped at 60)". */
function withCapNote(
  run: Run,
  reason: Text,
  dFit: number,
  dEng: number,
  fitDelta: number,
  engDelta: number,
  points: number,
): Text {
  const c = run.m.caps;
  const notes: Text[] = [];
  if (fitDelta !== dFit) {
    const atCap = run.fitRaw >= c.fitMax || run.fitRaw - dFit >= c.fitMax;
    notes.push(
      atCap
        ? { vi: `điểm phù hợp chạm trần ${c.fitMax}`, en: `fit capped at ${c.fitMax}` }
        : { vi: `điểm phù hợp chạm sàn ${c.fitMin}`, en: `fit floored at ${c.fitMin}` },
    );
  }
  if (engDelta !== dEng) {
    const atCap = run.engRaw >= c.engagementMax || run.engRaw - dEng >= c.engagementMax;
    notes.push(
      atCap
        ? { vi: `điểm tương tác chạm trần ${c.engagementMax}`, en: `capped at ${c.engagementMax}` }
        : { vi: `điểm tương tác chạm sàn ${c.engagementMin}`, en: `floored at ${c.engagementMin}` },
    );
  }
  if (points !== fitDelta + engDelta)
    notes.push({ vi: 'tổng điểm giới hạn 0–100', en: 'score limited to 0–100' });
  return {
    vi: `${reason.vi} (${notes.map((n) => n.vi).join('; ')})`,
    en: `${reason.en} (${notes.map((n) => n.en).join('; ')})`,
  };
}

// ---------------------------------------------------------------------------------------------
// Decay

const RESET_REASON: Text = {
  vi: 'Không có tương tác trong {days} ngày: đặt lại điểm tương tác',
  en: 'No engagement for {days} days: engagement reset',
};
const RESET_RELEASE_NOTE: Text = { vi: '; bỏ giữ SQL (fast-track)', en: '; fast-track hold released' };
const UNKNOWN_EXPIRY: Text = { vi: 'Điểm tương tác hết hạn', en: 'Engagement expired' };

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
    const first = s.awards[0];
    const expiry = first === undefined ? Number.POSITIVE_INFINITY : first.expiresAt;
    const reset = resetDue(run, t);
    const due = Math.min(expiry, reset);
    if (due > t) return;
    const traceStart = run.trace.length;
    for (let a = s.awards[0]; a !== undefined && a.expiresAt <= due; a = s.awards[0]) {
      ownAwards(run).shift();
      expire(run, a);
    }
    if (resetDue(run, due) <= due) inactivityReset(run, due);
    settleStage(run, due, undefined, null, traceStart, 'decay');
    if (s.asOf === null || due > s.asOf) s.asOf = due;
  }
}

function expire(run: Run, a: Award): void {
  if (a.points > 0 && run.positives > 0) run.positives--;
  const reason = run.m.eventRules.get(a.ruleId)?.expiredReason ?? UNKNOWN_EXPIRY;
  record(run, a.ruleId, 'decay', 0, -a.points, reason, a.expiresAt, a.eventId);
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
  run.awardsOwned = true;
  run.positives = 0;
  const released = s.fastTracked;
  s.fastTracked = false;
  const days = String(run.m.inactivityDays);
  const reason: Text = {
    vi: RESET_REASON.vi.replace('{days}', days) + (released ? RESET_RELEASE_NOTE.vi : ''),
    en: RESET_REASON.en.replace('{days}', days) + (released ? RESET_RELEASE_NOTE.en : ''),
  };
  record(run, INACTIVITY_RULE_ID, 'decay', 0, 0 - removed, reason, at, undefined);
}

// ---------------------------------------------------------------------------------------------
// Events

function applyEvent(run: Run, e: ScoringEvent): void {
  const s = run.s;
  const traceStart = run.trace.length;
  if (e.lead !== undefined || e.bant !== undefined) mergeAndRescoreFit(run, e);

  const candidates = run.m.rulesByEvent.get(e.type);
  if (candidates !== undefined) {
    const rule = pickRule(candidates, e);
    if (rule !== undefined) applyEventRule(run, rule, e);
  }

  let forced: Stage | null = null;
  let manualReason: Text | null = null;
  const stageEvent = STAGE_EVENTS[e.type as keyof typeof STAGE_EVENTS] as
    | (typeof STAGE_EVENTS)[keyof typeof STAGE_EVENTS]
    | undefined;
  if (stageEvent !== undefined) {
    s.fastTracked = false;
    forced = stageEvent === 'REOPEN' ? scoreStage(run.m, s.score) : stageEvent;
    manualReason = manualStageReason(e, forced);
  }

  s.lastActivityAt = e.occurredAt;
  s.lastEventAt = e.occurredAt;
  s.lastEventKey = e.key;
  settleStage(run, e.occurredAt, e.id, forced, traceStart, e.type, manualReason);
}

/** The most specific matching rule (candidates are pre-sorted); no fallback to a generic one. */
function pickRule(candidates: readonly CompiledEventRule[], e: ScoringEvent): CompiledEventRule | undefined {
  const props = e.properties ?? {};
  outer: for (const rule of candidates) {
    for (const m of rule.matchers) {
      if (!m.test(props[m.key])) continue outer;
    }
    return rule;
  }
  return undefined;
}

function applyEventRule(run: Run, rule: CompiledEventRule, e: ScoringEvent): void {
  const s = run.s;
  const t = e.occurredAt;
  if (rule.engaging) s.lastPositiveAt = t;
  // Consent is honoured whether or not the rule still earns points.
  if (rule.effects !== null) {
    if (rule.effects.doNotEmail !== undefined) s.doNotEmail = rule.effects.doNotEmail;
    if (rule.effects.doNotContact !== undefined) s.doNotContact = rule.effects.doNotContact;
  }
  if (rule.points !== 0 && withinLimit(run, rule, t)) {
    ownAwards(run).push({
      eventId: e.id,
      ruleId: rule.id,
      points: rule.points,
      at: t,
      expiresAt: t + run.m.expiryMs,
    });
    if (rule.points > 0 && run.positives >= 0) run.positives++;
    record(run, rule.id, rule.section, 0, rule.points, eventReason(rule, e), t, e.id);
  }
  // High intent holds SQL; a person-set terminal stage is not overridden.
  if (rule.fastTrack && !s.fastTracked && !TERMINAL.has(s.stage)) {
    s.fastTracked = true;
    const reason: Text = {
      vi: `Chuyển thẳng SQL: ${rule.label.vi}`,
      en: `Fast-track to SQL: ${rule.label.en}`,
    };
    record(run, rule.id, 'fast-track', 0, 0, reason, t, e.id);
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
  const current = run.s.ruleHits[rule.id];
  if (current === undefined) {
    setHits(run, rule.id, [t]);
    return true;
  }
  let stale = 0;
  if (limit.windowMs !== null) {
    const from = t - limit.windowMs;
    while (stale < current.length && (current[stale] as number) <= from) stale++;
  }
  if (current.length - stale >= limit.times) return false;
  const hits = stale === 0 ? current.slice() : current.slice(stale);
  hits.push(t);
  setHits(run, rule.id, hits);
  return true;
}

/** "Pricing page viewed (/bang-gia)"; memoised per rule and detail value (reasons are immutable). */
function eventReason(rule: CompiledEventRule, e: ScoringEvent): Text {
  if (rule.detail === undefined) return rule.label;
  const raw = e.properties?.[rule.detail];
  if (raw === undefined || raw === null || raw === '') return rule.label;
  const key = String(raw);
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

/**
 * Merges the event's attributes (undefined never erases) and BANT answers (answeredAt =
 * occurredAt), then recomputes every fit/BANT rule: one entry per rule whose contribution
 * changed. Exclusive groups: the first matching rule of a group (file order) wins.
 */
function mergeAndRescoreFit(run: Run, e: ScoringEvent): void {
  // Integrations re-send the lead's attributes with every event: unchanged values are a no-op.
  if (!changesInputs(run.s, e)) return;
  ownFit(run);
  const s = run.s;
  const previous = new Map<string, unknown>();
  let relevant = false;
  if (e.lead !== undefined) {
    const lead = e.lead as Record<string, unknown>;
    const attrs = s.attributes as Record<string, unknown>;
    for (const k of ATTRIBUTE_KEYS) {
      const v = lead[k];
      if (v === undefined || attrs[k] === v) continue;
      previous.set(k, attrs[k]);
      attrs[k] = v;
      run.folded?.delete(k);
      if (run.m.fitFields.has(k)) relevant = true;
    }
  }
  if (e.bant !== undefined) relevant = mergeBant(run, e, previous) || relevant;
  if (relevant) rescoreFit(run, e, previous);
}

// Scratch buffers of the fit recomputation (the engine is synchronous and never re-entered).
let oldPoints = new Float64Array(32);
let newPoints = new Float64Array(32);
let groupClaimed = new Uint8Array(16);
let groupTouched = new Uint8Array(16);

/**
 * Recomputes fit/BANT contributions after `previous` (field → old value) changed. Rules whose
 * input did not change (nor any input of their exclusive group) keep their previous result, so
 * only the touched rules are tested. Removals are recorded before additions.
 */
function rescoreFit(run: Run, e: ScoringEvent, previous: Map<string, unknown>): void {
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
  for (const rule of rules)
    if (rule.groupIndex >= 0 && previous.has(rule.field)) groupTouched[rule.groupIndex] = 1;

  let foldAttr: FoldAttribute | null = null;
  let changes = 0;
  for (let i = 0; i < n; i++) {
    const rule = rules[i] as CompiledFitRule;
    const g = rule.groupIndex;
    const old = s.fitContrib[rule.id] ?? 0;
    let pts = 0;
    if (g < 0 || groupClaimed[g] === 0) {
      const retest = rule.points === 0 || previous.has(rule.field) || (g >= 0 && groupTouched[g] === 1);
      if (retest) foldAttr ??= foldAttrOf(run);
      const matched = retest ? rule.test(s, foldAttr as FoldAttribute) : old !== 0;
      if (matched) {
        pts = rule.points;
        if (g >= 0) groupClaimed[g] = 1;
      }
    }
    oldPoints[i] = old;
    newPoints[i] = pts;
    if (pts !== old) changes++;
    else if (pts !== 0 && previous.has(rule.field)) setEvidence(s, rule.id, e);
  }
  if (changes === 0) return;
  for (let i = 0; i < n; i++) {
    if (newPoints[i] === 0 && oldPoints[i] !== 0) {
      rescoreRule(run, e, rules[i] as CompiledFitRule, oldPoints[i] as number, 0, previous);
    }
  }
  for (let i = 0; i < n; i++) {
    const pts = newPoints[i] as number;
    if (pts !== 0 && pts !== oldPoints[i]) {
      rescoreRule(run, e, rules[i] as CompiledFitRule, oldPoints[i] as number, pts, previous);
    }
  }
}

function rescoreRule(
  run: Run,
  e: ScoringEvent,
  rule: CompiledFitRule,
  old: number,
  pts: number,
  previous: Map<string, unknown>,
): void {
  const s = run.s;
  if (pts === 0) {
    delete s.fitContrib[rule.id];
    delete s.fitEvidence[rule.id];
    if (s.fitEvidenceAt) delete s.fitEvidenceAt[rule.id];
  } else {
    s.fitContrib[rule.id] = pts;
    setEvidence(s, rule.id, e);
  }
  record(
    run,
    rule.id,
    rule.section,
    pts - old,
    0,
    fitReason(rule, s, previous, pts === 0),
    e.occurredAt,
    e.id,
  );
}

/** Lead attributes the engine keeps (LeadAttributes); other keys of `event.lead` are ignored. */
const ATTRIBUTE_KEYS = [
  'name',
  'email',
  'phone',
  'zaloUserId',
  'externalId',
  'company',
  'title',
  'companySize',
  'industry',
  'city',
] as const satisfies readonly (keyof LeadAttributes)[];

/** True when the event sets an attribute to a new value or gives any BANT answer. */
function changesInputs(s: LeadState, e: ScoringEvent): boolean {
  const b = e.bant;
  if (
    b !== undefined &&
    (b.budget !== undefined || b.authority !== undefined || b.need !== undefined || b.timeline !== undefined)
  ) {
    return true;
  }
  const l = e.lead;
  if (l === undefined) return false;
  const a = s.attributes;
  // Unrolled on purpose: this runs for every event, and integrations attach the lead to each one.
  return (
    (l.email !== undefined && l.email !== a.email) ||
    (l.title !== undefined && l.title !== a.title) ||
    (l.companySize !== undefined && l.companySize !== a.companySize) ||
    (l.industry !== undefined && l.industry !== a.industry) ||
    (l.name !== undefined && l.name !== a.name) ||
    (l.phone !== undefined && l.phone !== a.phone) ||
    (l.company !== undefined && l.company !== a.company) ||
    (l.city !== undefined && l.city !== a.city) ||
    (l.zaloUserId !== undefined && l.zaloUserId !== a.zaloUserId) ||
    (l.externalId !== undefined && l.externalId !== a.externalId)
  );
}

function mergeBant(run: Run, e: ScoringEvent, previous: Map<string, unknown>): boolean {
  const s = run.s;
  const b = e.bant as BantValues;
  const bant = s.bant as Record<string, unknown>;
  let relevant = false;
  for (const k of ['budget', 'authority', 'need', 'timeline'] as const) {
    const v = b[k];
    if (v === undefined) continue;
    const field = `bant.${k}`;
    previous.set(field, (s.bant[k] as BantState[typeof k])?.value);
    bant[k] = { value: v, answeredAt: e.occurredAt, eventId: e.id };
    if (run.m.fitFields.has(field)) relevant = true;
  }
  return relevant;
}

function setEvidence(s: LeadState, ruleId: string, e: ScoringEvent): void {
  s.fitEvidence[ruleId] = e.id;
  if (s.fitEvidenceAt === undefined) s.fitEvidenceAt = {};
  s.fitEvidenceAt[ruleId] = e.occurredAt;
}

/** "Title “Giám đốc” is a decision maker"; on removal, the label with the previous value. */
function fitReason(
  rule: CompiledFitRule,
  s: LeadState,
  previous: Map<string, unknown>,
  removed: boolean,
): Text {
  const value = removed && previous.has(rule.field) ? previous.get(rule.field) : rule.read(s);
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
  run.changes.push({ from, to, at, reason, eventId });
}

/**
 * The entry (of those the event or decay instant produced) that made the move: the fast-track
 * entry, or the first whose score crossed the boundary; else the last one, else the event type.
 */
function causeOf(run: Run, traceStart: number, causeType: string, from: Stage, to: Stage): Text {
  const t = run.trace;
  if (t.length === traceStart) return { vi: causeType, en: causeType };
  const up = TERMINAL.has(from) || SCORE_RANK[to as ScoreStage] > SCORE_RANK[from as ScoreStage];
  const bound = up
    ? lowerBound(run.m, to as ScoreStage)
    : lowerBound(run.m, from as ScoreStage) - run.m.thresholds.hysteresis;
  for (let i = traceStart; i < t.length; i++) {
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
  return (t[t.length - 1] as TraceEntryDraft).reason;
}

function scoreStageReason(run: Run, from: Stage, to: Stage, cause: Text): Text {
  const s = run.s;
  if (to === 'SQL' && s.fastTracked) return cause; // the fast-track entry: "Fast-track to SQL: Demo requested"

  const toRank = SCORE_RANK[to as ScoreStage];
  const fromRank = TERMINAL.has(from) ? -1 : SCORE_RANK[from as ScoreStage];
  if (toRank > fromRank) {
    const bound = lowerBound(run.m, to as ScoreStage);
    return {
      vi: `Điểm ${s.score} đạt ${to} (≥ ${bound}): ${cause.vi}`,
      en: `Score ${s.score} reached ${to} (≥ ${bound}): ${cause.en}`,
    };
  }
  const exit = lowerBound(run.m, from as ScoreStage) - run.m.thresholds.hysteresis;
  return {
    vi: `Điểm ${s.score} giảm xuống ≤ ${exit}: rời ${from}: ${cause.vi}`,
    en: `Score ${s.score} fell to ≤ ${exit}: leaves ${from}: ${cause.en}`,
  };
}
