/**
 * "Why is this lead hot?" — a structured explanation of a lead's score, built only from its
 * state, its decay trace entries and the model. What-ifs are computed by really running the
 * engine on a copy of the state with a hypothetical answer or action at `now`.
 */
import type { CompiledEventRule, CompiledFitRule, ScoringModel } from './compile.ts';
import { applyEvents, fitContribution } from './engine.ts';
import { fillLabel } from './format.ts';
import type {
  BantState,
  BantStatus,
  Explanation,
  ExplanationDecay,
  ExplanationFactor,
  FitContribution,
  LeadState,
  Millis,
  MissingItem,
  ScoreStage,
  ScoringEvent,
  Stage,
  Text,
  TraceEntryDraft,
} from './types.ts';

const BANT_FIELDS = ['budget', 'authority', 'need', 'timeline'] as const;
type BantField = (typeof BANT_FIELDS)[number];
const RANK: Record<Stage, number> = { NEW: 0, WARM: 1, MQL: 2, SQL: 3, DISQUALIFIED: -1, WON: -1, LOST: -1 };
const NEXT: Record<ScoreStage, ScoreStage | null> = { NEW: 'WARM', WARM: 'MQL', MQL: 'SQL', SQL: null };

/**
 * Explains the lead as of `now`.
 * @param decayEntries the lead's decay trace entries (entries of other categories are ignored);
 *   decay due between `state.asOf` and `now` is computed here and added, so the explanation is
 *   current even when the periodic sweep has not run yet. Listed newest first.
 */
export function explain(
  model: ScoringModel,
  state: LeadState,
  decayEntries: readonly TraceEntryDraft[],
  now: Millis,
): Explanation {
  const current = applyEvents(model, state, [], now);
  const s = current.state;
  return {
    stage: s.stage,
    score: s.score,
    fitScore: s.fit,
    engagementScore: s.engagement,
    modelVersion: s.modelVersion,
    thresholds: { ...model.thresholds },
    fastTracked: s.fastTracked,
    factors: factors(model, s),
    decay: decayList([...decayEntries, ...current.trace]),
    bant: {
      budget: bantStatus(model, s, 'budget'),
      authority: bantStatus(model, s, 'authority'),
      need: bantStatus(model, s, 'need'),
      timeline: bantStatus(model, s, 'timeline'),
    },
    missing: missing(model, s, now),
    nextStage: RANK[s.stage] < 0 ? null : NEXT[s.stage as ScoreStage],
  };
}

// ---------------------------------------------------------------------------------------------
// Factors

/** Live contributions: each fit/BANT rule, and live awards grouped by rule; largest |points| first. */
function factors(model: ScoringModel, s: LeadState): ExplanationFactor[] {
  const out: ExplanationFactor[] = [];
  for (const rule of model.fitRules) {
    const fc = fitContribution(s, rule.id);
    if (fc === undefined || fc.points === 0) continue;
    out.push({
      ruleId: rule.id,
      category: rule.section,
      points: fc.points,
      reason: fitLabel(rule, s),
      at: fitEvidenceTime(rule, fc, s),
      eventId: fc.eventId ?? undefined,
      count: 1,
    });
  }
  // Contributions of rules the model no longer has (state derived under an older model).
  for (const fc of s.fits) {
    if (model.fitRuleIndex.has(fc.ruleId) || fc.points === 0) continue;
    out.push({
      ruleId: fc.ruleId,
      category: 'fit',
      points: fc.points,
      reason: { vi: fc.ruleId, en: fc.ruleId },
      at: fc.at ?? s.lastEventAt ?? 0,
      eventId: fc.eventId ?? undefined,
      count: 1,
    });
  }
  out.push(...awardFactors(model, s));
  out.sort((a, b) => Math.abs(b.points) - Math.abs(a.points) || b.at - a.at);
  return out;
}

function fitLabel(rule: CompiledFitRule, s: LeadState): Text {
  const raw = rule.read(s);
  return raw === undefined ? fillLabel(rule.label, { vi: '?', en: '?' }) : rule.render(raw);
}

function fitEvidenceTime(rule: CompiledFitRule, fc: FitContribution, s: LeadState): Millis {
  if (fc.at !== null) return fc.at;
  if (rule.section === 'bant') {
    const answer = s.bant[rule.field.slice(5) as BantField] as BantState[BantField];
    if (answer !== undefined) return answer.answeredAt;
  }
  return s.lastEventAt ?? 0;
}

function awardFactors(model: ScoringModel, s: LeadState): ExplanationFactor[] {
  const byRule = new Map<string, ExplanationFactor>();
  for (const a of s.awards) {
    const f = byRule.get(a.ruleId);
    if (f === undefined) {
      const rule = model.eventRules.get(a.ruleId);
      byRule.set(a.ruleId, {
        ruleId: a.ruleId,
        category: rule?.section ?? (a.points < 0 ? 'negative' : 'engagement'),
        points: a.points,
        reason: rule?.label ?? { vi: a.ruleId, en: a.ruleId },
        at: a.at,
        eventId: a.eventId,
        count: 1,
      });
    } else {
      f.points += a.points;
      f.count++;
      if (a.at >= f.at) {
        f.at = a.at;
        f.eventId = a.eventId;
      }
    }
  }
  const out = [...byRule.values()];
  for (const f of out) {
    if (f.count > 1) f.reason = { vi: `${f.reason.vi} ×${f.count}`, en: `${f.reason.en} ×${f.count}` };
  }
  if (s.fastTracked) {
    // The hold comes from the latest live award of a fast-track rule.
    const hold = [...s.awards].reverse().find((a) => model.eventRules.get(a.ruleId)?.fastTrack === true);
    const label = hold === undefined ? undefined : model.eventRules.get(hold.ruleId)?.label;
    if (hold !== undefined && label !== undefined) {
      out.push({
        ruleId: hold.ruleId,
        category: 'fast-track',
        points: 0,
        reason: { vi: `Giữ ở SQL (chuyển thẳng): ${label.vi}`, en: `Held in SQL (fast-track): ${label.en}` },
        at: hold.at,
        eventId: hold.eventId,
        count: 1,
      });
    }
  }
  return out;
}

function decayList(entries: readonly TraceEntryDraft[]): ExplanationDecay[] {
  return entries
    .filter((e) => e.category === 'decay')
    .map((e) => ({ ruleId: e.ruleId, points: e.points, reason: e.reason, at: e.at }))
    .sort((a, b) => b.at - a.at);
}

// ---------------------------------------------------------------------------------------------
// BANT

function bantStatus(model: ScoringModel, s: LeadState, field: BantField): BantStatus {
  const answer = s.bant[field] as BantState[BantField];
  const points = fieldPoints(model, s, `bant.${field}`);
  if (answer === undefined) return { known: false, points };
  const rule = model.fitRules.find((r) => r.field === `bant.${field}`);
  const value = rule?.display(answer.value);
  return value === undefined
    ? { known: true, points, answeredAt: answer.answeredAt }
    : { known: true, value, points, answeredAt: answer.answeredAt };
}

function fieldPoints(model: ScoringModel, s: LeadState, field: string): number {
  let sum = 0;
  for (const r of model.fitRules) if (r.field === field) sum += fitContribution(s, r.id)?.points ?? 0;
  return sum;
}

// ---------------------------------------------------------------------------------------------
// What is missing

interface Candidate {
  ruleId: string;
  what: Text;
  event: ScoringEvent;
  /** The rule must apply in the simulation for the item to count (fit/BANT). */
  mustContribute: boolean;
}

/**
 * Concrete what-ifs, each simulated with the engine at `now`: unknown (or improvable) BANT
 * answers, unknown fit attributes, and the strongest high-intent action. Only items that add
 * points or move the stage up are kept; largest gain first. Empty when SQL or terminal.
 */
function missing(model: ScoringModel, s: LeadState, now: Millis): MissingItem[] {
  if (s.stage === 'SQL' || RANK[s.stage] < 0) return [];
  const items: MissingItem[] = [];
  for (const c of candidates(model, s, now)) {
    const r = applyEvents(model, s, [c.event], now).state;
    if (c.mustContribute && fitContribution(r, c.ruleId) === undefined) continue;
    const gain = r.score - s.score;
    const up = RANK[r.stage] > RANK[s.stage];
    if (gain <= 0 && !up) continue;
    items.push({
      ruleId: c.ruleId,
      description: describe(c.what, gain, up ? r.stage : null, r.fastTracked),
      points: gain,
      reachesStage: r.stage,
    });
  }
  return items
    .map((item, i) => ({ item, i }))
    .sort(
      (a, b) =>
        b.item.points - a.item.points || RANK[b.item.reachesStage] - RANK[a.item.reachesStage] || a.i - b.i,
    )
    .map(({ item }) => item);
}

function candidates(model: ScoringModel, s: LeadState, now: Millis): Candidate[] {
  const out: Candidate[] = [];
  const best = new Map<string, CompiledFitRule>();
  for (const rule of model.fitRules) {
    if (rule.points <= 0 || rule.hypothetical === undefined) continue;
    const prev = best.get(rule.field);
    if (prev === undefined || rule.points > prev.points) best.set(rule.field, rule);
  }
  for (const [field, rule] of best) {
    const isBant = rule.section === 'bant';
    const unknown = rule.read(s) === undefined;
    // Fit attributes are facts about the lead: only unknown ones are worth asking for. A BANT
    // answer can still improve (a bigger budget, reaching the decision maker).
    if (!unknown && (!isBant || fieldPoints(model, s, field) >= rule.points)) continue;
    const hyp = rule.hypothetical as NonNullable<CompiledFitRule['hypothetical']>;
    out.push({
      ruleId: rule.id,
      what: rule.whatIf ?? fillPlaceholder(rule.label),
      event: whatIfEvent(rule.id, isBant ? 'bant_update' : 'attribute_update', now, hyp),
      mustContribute: true,
    });
  }
  const intent = strongestFastTrack(model);
  if (intent !== undefined) {
    out.push({
      ruleId: intent.id,
      what: intent.whatIf ?? intent.label,
      event: whatIfEvent(intent.id, intent.event, now, {}),
      mustContribute: false,
    });
  }
  return out;
}

/** The fast-track rule with the most points that needs no event properties. */
function strongestFastTrack(model: ScoringModel): CompiledEventRule | undefined {
  let best: CompiledEventRule | undefined;
  for (const rule of model.eventRules.values()) {
    if (!rule.fastTrack || rule.matchers.length > 0) continue;
    if (best === undefined || rule.points > best.points) best = rule;
  }
  return best;
}

function whatIfEvent(
  ruleId: string,
  type: string,
  now: Millis,
  data: { lead?: ScoringEvent['lead']; bant?: ScoringEvent['bant'] },
): ScoringEvent {
  return { id: `what-if:${ruleId}`, key: '\uffff', type, occurredAt: now, properties: {}, ...data };
}

function fillPlaceholder(label: Text): Text {
  return { vi: label.vi.replaceAll('{value}', '…'), en: label.en.replaceAll('{value}', '…') };
}

function describe(what: Text, gain: number, reaches: Stage | null, fastTracked: boolean): Text {
  const stage = reaches === null ? '' : ` → ${reaches}`;
  const ft: Text =
    fastTracked && reaches === 'SQL' ? { vi: ' (chuyển thẳng)', en: ' (fast-track)' } : { vi: '', en: '' };
  if (gain > 0) {
    return {
      vi: `${what.vi} sẽ cộng ${gain}${stage}${ft.vi}`,
      en: `${what.en} would add ${gain}${stage}${ft.en}`,
    };
  }
  return {
    vi: `${what.vi} sẽ đưa lead lên${stage}${ft.vi}`,
    en: `${what.en} would move the lead${stage}${ft.en}`,
  };
}
