/**
 * The scoring model file: its zod schema, semantic checks and parsing from YAML/JSON text.
 * `parseModel` returns either a compiled `ScoringModel` (what the engine consumes; the raw
 * validated spec stays available as `model.spec` for `model show`) or EVERY error found,
 * each with a dotted path such as `engagement.3.limit.times`.
 */
import YAML, { LineCounter } from 'yaml';
import { z } from 'zod';
import { compileModel, type ScoringModel } from './compile.ts';
import { compilePattern } from './format.ts';
import { AUTHORITY_LEVELS } from './types.ts';

/** Event types every model accepts, whether or not it lists them. */
export const BUILTIN_EVENT_TYPES = [
  'attribute_update',
  'bant_update',
  'deal_won',
  'deal_lost',
  'lead_disqualified',
  'lead_reopened',
] as const;

/** Lead attributes a fit rule may read. */
export const FIT_ATTRIBUTES = [
  'name',
  'email',
  'phone',
  'company',
  'title',
  'companySize',
  'industry',
  'city',
] as const;
const NUMERIC_ATTRIBUTES: ReadonlySet<string> = new Set(['companySize']);

const TextSchema = z.strictObject({ vi: z.string().min(1), en: z.string().min(1) });

/** A regex source matched against folded text; invalid patterns are reported at their path. */
const RegexSource = z
  .string()
  .min(1)
  .superRefine((source, ctx) => {
    try {
      compilePattern(source);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `Invalid regular expression: ${(err as Error).message}` });
    }
  });

const RuleId = z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'Rule id may only contain letters, digits and . _ : -');
const Points = z.number().int();
const Scalar = z.union([z.string(), z.number(), z.boolean()]);

const AttributeCondition = z
  .strictObject({
    attribute: z.enum(FIT_ATTRIBUTES),
    matches: RegexSource.optional(),
    gte: z.number().optional(),
    gt: z.number().optional(),
    lte: z.number().optional(),
    lt: z.number().optional(),
    inList: z.string().optional(),
    notInList: z.string().optional(),
    emailDomainInList: z.string().optional(),
    emailDomainNotInList: z.string().optional(),
  })
  .refine((c) => Object.keys(c).length > 1, { message: 'A condition needs at least one operator' });

/** Amounts are in the model currency; the string refers to the model's `minDealSize`. */
const Amount = z.union([z.number().nonnegative(), z.literal('minDealSize')]);

const BantCondition = z.discriminatedUnion('bant', [
  z.strictObject({
    bant: z.literal('budget'),
    none: z.boolean().optional(),
    amountGte: Amount.optional(),
    amountGt: Amount.optional(),
    amountLte: Amount.optional(),
    amountLt: Amount.optional(),
  }),
  z.strictObject({ bant: z.literal('authority'), in: z.array(z.enum(AUTHORITY_LEVELS)).min(1) }),
  z.strictObject({ bant: z.literal('need'), confirmed: z.boolean() }),
  z.strictObject({
    bant: z.literal('timeline'),
    none: z.boolean().optional(),
    monthsLte: z.number().nonnegative().optional(),
    monthsLt: z.number().nonnegative().optional(),
    monthsGte: z.number().nonnegative().optional(),
    monthsGt: z.number().nonnegative().optional(),
  }),
]);

const ruleBase = {
  id: RuleId,
  label: TextSchema,
  points: Points,
  description: z.string().optional(),
  /** Phrase used by "what is missing" (e.g. "A confirmed timeline under 3 months"). */
  whatIf: TextSchema.optional(),
};

const FitRule = z.strictObject({
  ...ruleBase,
  /** Rules sharing a group are exclusive: the first matching one (file order) wins. */
  group: z.string().min(1).optional(),
  when: AttributeCondition,
  /** A value that satisfies the rule, used to simulate "what if" (needed for regex rules). */
  example: z.union([z.string(), z.number()]).optional(),
});

const BantRule = z.strictObject({
  ...ruleBase,
  group: z.string().min(1).optional(),
  when: BantCondition,
});

const PropertyMatcher = z
  .strictObject({
    equals: Scalar.optional(),
    notEquals: Scalar.optional(),
    in: z.array(Scalar).min(1).optional(),
    matches: RegexSource.optional(),
    /** Regex on the folded path of a URL-valued property. */
    pathMatches: RegexSource.optional(),
    exists: z.boolean().optional(),
  })
  .refine((m) => Object.keys(m).length > 0, { message: 'A property matcher needs at least one operator' });

const Limit = z.strictObject({
  times: z.number().int().positive().max(1000),
  /** Rolling window; omitted = over the lead's whole life ("once"). */
  perDays: z.number().positive().optional(),
});

const EventRule = z.strictObject({
  ...ruleBase,
  event: z.string().min(1),
  properties: z.record(z.string(), PropertyMatcher).optional(),
  limit: Limit.optional(),
  /** High-intent: holds the lead in SQL until a person sets the stage or the inactivity reset. */
  fastTrack: z.boolean().optional(),
  /** Consent flags set whenever the rule matches (even when its limit is exhausted). */
  effects: z
    .strictObject({ doNotEmail: z.boolean().optional(), doNotContact: z.boolean().optional() })
    .optional(),
  /** Event property shown in the reason, e.g. `url` → "Pricing page viewed (/bang-gia)". */
  detail: z.string().optional(),
});

const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'Expected a 3-letter currency code (e.g. USD)');

export const ModelSpecSchema = z.strictObject({
  version: z.string().min(1),
  description: z.string().optional(),
  currency: CurrencyCode.default('VND'),
  /** Smallest budget (model currency) that counts as a real deal. */
  minDealSize: z.number().nonnegative(),
  /** 1 unit of the key currency = N units of the model currency. */
  currencyRates: z.record(CurrencyCode, z.number().positive()).default({}),
  thresholds: z.strictObject({
    WARM: z.number().int(),
    MQL: z.number().int(),
    SQL: z.number().int(),
    hysteresis: z.number().int().nonnegative(),
  }),
  caps: z.strictObject({
    fit: z.number().int().positive(),
    fitFloor: z.number().int().nonpositive().optional(),
    engagement: z.number().int().positive(),
    engagementFloor: z.number().int().nonpositive(),
  }),
  decay: z.strictObject({
    engagementExpiryDays: z.number().positive(),
    inactivityResetDays: z.number().positive(),
  }),
  lists: z.record(z.string(), z.array(z.string().min(1))).default({}),
  eventTypes: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'Event types are snake_case')).min(1),
  fit: z.array(FitRule).default([]),
  bant: z.array(BantRule).default([]),
  engagement: z.array(EventRule).default([]),
  negative: z.array(EventRule).default([]),
});

export type ModelSpec = z.output<typeof ModelSpecSchema>;
export type FitRuleSpec = z.output<typeof FitRule>;
export type BantRuleSpec = z.output<typeof BantRule>;
export type EventRuleSpec = z.output<typeof EventRule>;
export type PropertyMatcherSpec = z.output<typeof PropertyMatcher>;

export interface ModelError {
  /** Dotted path into the model ("engagement.3.limit.times"); "" for the whole document. */
  path: string;
  message: string;
  /** 1-based line in the source text (parseModelText only, when known). */
  line?: number;
}
export type ParseModelResult = { ok: true; model: ScoringModel } | { ok: false; errors: ModelError[] };

/** Validates and compiles a model object (already parsed from YAML/JSON). */
export function parseModel(input: unknown): ParseModelResult {
  const parsed = ModelSpecSchema.safeParse(input);
  const errors: ModelError[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  // Semantic checks read the raw input defensively so they are reported together with schema errors.
  errors.push(...semanticErrors(input));
  if (errors.length > 0 || !parsed.success) return { ok: false, errors: dedupe(errors) };
  return { ok: true, model: compileModel(parsed.data) };
}

/** Parses YAML (or JSON, a subset of YAML) text; errors carry the source line when known. */
export function parseModelText(text: string): ParseModelResult {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        const message = e.message.split('\n')[0] ?? e.message;
        return { path: '', message: `YAML syntax error at line ${line}, column ${col}: ${message}`, line };
      }),
    };
  }
  const result = parseModel(doc.toJS());
  if (result.ok) return result;
  for (const err of result.errors) {
    const line = lineOf(doc, lineCounter, err.path);
    if (line !== undefined) err.line = line;
  }
  return result;
}

/** Line of the deepest existing node on a dotted path. */
function lineOf(doc: YAML.Document, lc: LineCounter, path: string): number | undefined {
  const keys: (string | number)[] =
    path === '' ? [] : path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  for (let n = keys.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return lc.linePos(range[0]).line;
  }
  return undefined;
}

function dedupe(errors: ModelError[]): ModelError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.path}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Semantic checks (on the raw input, tolerant of any shape: shape errors come from zod).

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const RULE_SECTIONS = ['fit', 'bant', 'engagement', 'negative'] as const;
const LIST_OPERATORS = ['inList', 'notInList', 'emailDomainInList', 'emailDomainNotInList'] as const;
const NUMERIC_OPERATORS = ['gte', 'gt', 'lte', 'lt'] as const;
const TEXT_OPERATORS = ['matches', ...LIST_OPERATORS] as const;

function semanticErrors(input: unknown): ModelError[] {
  if (!isObj(input)) return [];
  return [
    ...thresholdErrors(input.thresholds),
    ...duplicateIdErrors(input),
    ...conditionErrors(input),
    ...eventRuleErrors(input),
  ];
}

function thresholdErrors(t: unknown): ModelError[] {
  if (!isObj(t)) return [];
  const errors: ModelError[] = [];
  const { WARM, MQL, SQL } = t;
  if (typeof WARM === 'number' && WARM <= 0) {
    errors.push({ path: 'thresholds.WARM', message: 'WARM must be greater than 0' });
  }
  if (typeof WARM === 'number' && typeof MQL === 'number' && MQL <= WARM) {
    errors.push({ path: 'thresholds.MQL', message: `MQL (${MQL}) must be greater than WARM (${WARM})` });
  }
  if (typeof MQL === 'number' && typeof SQL === 'number' && SQL <= MQL) {
    errors.push({ path: 'thresholds.SQL', message: `SQL (${SQL}) must be greater than MQL (${MQL})` });
  }
  if (typeof SQL === 'number' && SQL > 100) {
    errors.push({ path: 'thresholds.SQL', message: 'SQL must be at most 100 (scores are clamped to 0–100)' });
  }
  return errors;
}

function duplicateIdErrors(input: Obj): ModelError[] {
  const errors: ModelError[] = [];
  const firstAt = new Map<string, string>();
  for (const section of RULE_SECTIONS) {
    arr(input[section]).forEach((rule, i) => {
      if (!isObj(rule) || typeof rule.id !== 'string') return;
      const path = `${section}.${i}.id`;
      const first = firstAt.get(rule.id);
      if (first === undefined) firstAt.set(rule.id, path);
      else errors.push({ path, message: `Duplicate rule id "${rule.id}" (first defined at ${first})` });
    });
  }
  return errors;
}

/** Fit conditions: lists must exist, numeric operators only on numeric attributes and vice versa. */
function conditionErrors(input: Obj): ModelError[] {
  const errors: ModelError[] = [];
  const lists = isObj(input.lists) ? input.lists : {};
  arr(input.fit).forEach((rule, i) => {
    if (!isObj(rule) || !isObj(rule.when)) return;
    const when = rule.when;
    const base = `fit.${i}.when`;
    for (const op of LIST_OPERATORS) {
      const name = when[op];
      if (typeof name === 'string' && !(name in lists)) {
        errors.push({ path: `${base}.${op}`, message: `Unknown list "${name}" (define it under lists)` });
      }
    }
    if (typeof when.attribute !== 'string') return;
    const numeric = NUMERIC_ATTRIBUTES.has(when.attribute);
    const wrongOps = numeric ? TEXT_OPERATORS : NUMERIC_OPERATORS;
    for (const op of wrongOps) {
      if (when[op] !== undefined) {
        errors.push({
          path: `${base}.${op}`,
          message: `Operator ${op} cannot be used on ${numeric ? 'numeric' : 'text'} attribute ${when.attribute}`,
        });
      }
    }
    if (
      when.attribute !== 'email' &&
      (when.emailDomainInList !== undefined || when.emailDomainNotInList !== undefined)
    ) {
      errors.push({ path: `${base}.attribute`, message: 'E-mail domain operators need attribute: email' });
    }
  });
  return errors;
}

/** Event rules: known event types, sign of points per section. */
function eventRuleErrors(input: Obj): ModelError[] {
  const errors: ModelError[] = [];
  const known = new Set<string>([
    ...BUILTIN_EVENT_TYPES,
    ...arr(input.eventTypes).filter((t) => typeof t === 'string'),
  ]);
  for (const section of ['engagement', 'negative'] as const) {
    arr(input[section]).forEach((rule, i) => {
      if (!isObj(rule)) return;
      if (typeof rule.event === 'string' && !known.has(rule.event)) {
        errors.push({
          path: `${section}.${i}.event`,
          message: `Event type "${rule.event}" is not listed in eventTypes`,
        });
      }
      if (typeof rule.points === 'number') {
        if (section === 'negative' && rule.points >= 0) {
          errors.push({
            path: `${section}.${i}.points`,
            message: 'Negative rules must give negative points',
          });
        }
        if (section === 'engagement' && rule.points < 0) {
          errors.push({
            path: `${section}.${i}.points`,
            message: 'Engagement rules give points ≥ 0 (use negative:)',
          });
        }
      }
    });
  }
  return errors;
}
