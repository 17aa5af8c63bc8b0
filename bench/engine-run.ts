/**
 * The engine benchmark's workload and timed loop, shared by `npm run bench` (bench/run.ts) and
 * `npm run bench:ab` (bench/ab.ts, which runs two versions of the engine on it).
 *
 * The events are applied as ingestion applies them: each 500-event batch's events grouped by
 * lead and applied in place to the leads' states, which stay in memory between batches.
 */
import type { ScoringModel } from '../src/scoring/compile.ts';
import type { ApplyResult, LeadState, ScoringEvent } from '../src/scoring/types.ts';
import { buildWorkload, prepareForEngine } from './workload.ts';

/** The engine's entry points a run calls (a module of the current or of another version). */
export interface EngineUnderTest {
  applyEventsInPlace(model: ScoringModel, state: LeadState, events: ScoringEvent[], now: number): ApplyResult;
  initialState(model: ScoringModel): LeadState;
}

export interface EngineWorkload {
  events: number;
  leads: number;
  /** Each batch: its events grouped by lead (with each group's lead number) and its `now`. */
  batches: { now: number; groups: ScoringEvent[][]; leads: number[] }[];
}

export const ENGINE_EVENTS = 200_000;
export const ENGINE_END_AT = Date.parse('2026-11-23T03:00:00Z');

/**
 * Validating and normalising the events, grouping a batch's events by lead and finding each
 * lead's row are ingestion's jobs: they are done here, before any clock starts.
 */
export function engineWorkload(knownTypes: ReadonlySet<string>, batch: number): EngineWorkload {
  const { events } = buildWorkload({ events: ENGINE_EVENTS, endAt: ENGINE_END_AT, seed: 7 });
  const prepared = prepareForEngine(events, ENGINE_END_AT, knownTypes);
  const leadNumbers = new Map<string, number>();
  const batches: EngineWorkload['batches'] = [];
  for (let i = 0; i < prepared.length; i += batch) {
    const byLead = new Map<number, ScoringEvent[]>();
    for (const p of prepared.slice(i, i + batch)) {
      let n = leadNumbers.get(p.lead);
      if (n === undefined) {
        n = leadNumbers.size;
        leadNumbers.set(p.lead, n);
      }
      const g = byLead.get(n);
      if (g) g.push(p.ev);
      else byLead.set(n, [p.ev]);
    }
    const now = prepared[Math.min(prepared.length - 1, i + batch - 1)]!.ev.occurredAt;
    batches.push({ now, groups: [...byLead.values()], leads: [...byLead.keys()] });
  }
  return { events: prepared.length, leads: leadNumbers.size, batches };
}

/**
 * One run over the whole workload from fresh states; returns the time spent in the engine (ms).
 * `fresh`: each batch's event objects are built anew just before the batch is scored (not
 * timed), as ingestion builds them from the request it is handling; otherwise the events built
 * once for the whole run are used, long after they were made (cold in memory). `batchTimes`,
 * when given, receives each batch's time.
 */
export function timeEngineRun(
  engine: EngineUnderTest,
  model: ScoringModel,
  work: EngineWorkload,
  fresh: boolean,
  batchTimes?: number[],
): number {
  const states = new Array<LeadState | undefined>(work.leads).fill(undefined);
  let elapsed = 0;
  for (let b = 0; b < work.batches.length; b++) {
    const { now, groups: built, leads } = work.batches[b]!;
    const groups = fresh ? built.map((g) => g.map(freshEvent)) : built;
    const t0 = performance.now();
    for (let g = 0; g < groups.length; g++) {
      const lead = leads[g]!;
      const r = engine.applyEventsInPlace(model, states[lead] ?? engine.initialState(model), groups[g]!, now);
      states[lead] = r.state;
    }
    const dt = performance.now() - t0;
    if (batchTimes) batchTimes[b] = dt;
    elapsed += dt;
  }
  return elapsed;
}

/** An event as ingestion hands it to the engine: its own objects, made for this batch. */
function freshEvent(e: ScoringEvent): ScoringEvent {
  return {
    ...e,
    properties: { ...e.properties },
    ...(e.lead ? { lead: { ...e.lead } } : {}),
    ...(e.bant ? { bant: structuredClone(e.bant) } : {}),
  };
}

export const perSecond = (events: number, ms: number) => Math.round(events / (ms / 1000));
