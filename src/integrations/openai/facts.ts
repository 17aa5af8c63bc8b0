/**
 * The compact facts of a lead explanation sent to the model for the "why" answer, in one
 * language. Only what a rep needs (no ids, no model version, no epoch times): times become
 * Vietnam-calendar dates (YYYY-MM-DD) and a day count, so any date or number the model writes
 * back can be checked against this object (number-guard.ts).
 */
import type { LeadExplanation } from '../../domain/leads.ts';
import { dayNumber, toIsoDate, vnToday } from '../../parse/calendar.ts';
import type { BantStatus, Lang } from '../../scoring/types.ts';

/** How many of each list are sent: enough for 2–3 reasons, small enough to keep the guard tight. */
const MAX_FACTORS = 5;
const MAX_DECAY = 3;
const MAX_MISSING = 3;
/** Scores are clamped to 0–100 by the scoring core. */
const MAX_SCORE = 100;

export interface ExplanationFacts {
  lang: Lang;
  lead: { name?: string; company?: string; title?: string };
  stage: string;
  fastTracked?: true;
  score: number;
  maxScore: number;
  fit: number;
  engagement: number;
  thresholds: { WARM: number; MQL: number; SQL: number };
  nextStage: string | null;
  factors: { points: number; reason: string; date: string; daysAgo: number; count?: number }[];
  decay: { points: number; reason: string; date: string }[];
  bant: Record<
    'budget' | 'authority' | 'need' | 'timeline',
    { known: boolean; value?: string; points?: number }
  >;
  missing: { item: string; points: number; reachesStage: string }[];
}

export function explanationFacts(e: LeadExplanation, lang: Lang, now: number): ExplanationFacts {
  const today = dayNumber(vnToday(now));
  const date = (at: number) => toIsoDate(vnToday(at));
  const bant = (b: BantStatus) => ({
    known: b.known,
    ...(b.value ? { value: b.value[lang] } : {}),
    ...(b.known ? { points: b.points } : {}),
  });
  return {
    lang,
    lead: {
      ...(e.lead.name ? { name: e.lead.name } : {}),
      ...(e.lead.company ? { company: e.lead.company } : {}),
      ...(e.lead.title ? { title: e.lead.title } : {}),
    },
    stage: e.stage,
    ...(e.fastTracked ? { fastTracked: true as const } : {}),
    score: e.score,
    maxScore: MAX_SCORE,
    fit: e.fitScore,
    engagement: e.engagementScore,
    thresholds: { WARM: e.thresholds.WARM, MQL: e.thresholds.MQL, SQL: e.thresholds.SQL },
    nextStage: e.nextStage,
    factors: [...e.factors]
      .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
      .slice(0, MAX_FACTORS)
      .map((f) => ({
        points: f.points,
        reason: f.reason[lang],
        date: date(f.at),
        daysAgo: Math.max(0, today - dayNumber(vnToday(f.at))),
        ...(f.count > 1 ? { count: f.count } : {}),
      })),
    decay: e.decay
      .slice(-MAX_DECAY)
      .map((d) => ({ points: d.points, reason: d.reason[lang], date: date(d.at) })),
    bant: {
      budget: bant(e.bant.budget),
      authority: bant(e.bant.authority),
      need: bant(e.bant.need),
      timeline: bant(e.bant.timeline),
    },
    missing: e.missing
      .slice(0, MAX_MISSING)
      .map((m) => ({ item: m.description[lang], points: m.points, reachesStage: m.reachesStage })),
  };
}
