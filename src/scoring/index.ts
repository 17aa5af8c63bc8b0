/**
 * Public API of the pure scoring core: model parsing, the engine and explanations.
 * Nothing here performs I/O or reads a clock; times are epoch-ms arguments.
 */
export type { CompiledEventRule, CompiledFitRule, ScoringModel } from './compile.ts';
export {
  applyEvents,
  applyEventsInPlace,
  cloneState,
  compareEvents,
  earliestExpiry,
  fitContribution,
  fitPointsByRule,
  INACTIVITY_RULE_ID,
  initialState,
  isLate,
  needsRederive,
  nextDecayAt,
  rederive,
  ruleHitsByRule,
  shapedAttributes,
  shapedBant,
  ruleHitsFromRecord,
  STAGE_EVENTS,
  scoreStage,
  settledStage,
  sortEvents,
} from './engine.ts';
export { explain } from './explain.ts';
export type { ModelError, ModelSpec, ParseModelResult } from './model-schema.ts';
export { BUILTIN_EVENT_TYPES, ModelSpecSchema, parseModel, parseModelText } from './model-schema.ts';
export * from './types.ts';
