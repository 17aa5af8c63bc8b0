/**
 * Compiles a validated model spec into the structure the engine runs on: rules indexed by
 * event type and sorted by specificity, regexes precompiled against folded text, lists turned
 * into sets, and every per-rule reason text prepared once.
 */
import {
  both,
  compilePattern,
  DAY_MS,
  boundedMemo,
  emailDomain,
  fold,
  formatAuthority,
  formatBudget,
  formatNeed,
  formatTimeline,
  squash,
  timelineMonths,
  urlPath,
} from './format.ts';
import type {
  BantRuleSpec,
  EventRuleSpec,
  FitRuleSpec,
  ModelSpec,
  PropertyMatcherSpec,
} from './model-schema.ts';
import { BUILTIN_EVENT_TYPES } from './model-schema.ts';
import type { BantValues, LeadAttributes, LeadState, Text } from './types.ts';

/**
 * Inputs of fit/BANT rules the engine tracks (lead attributes in the order the engine merges
 * them, then the BANT answers); a rule's `slot` indexes this list.
 */
export const INPUT_FIELDS = [
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
  'bant.budget',
  'bant.authority',
  'bant.need',
  'bant.timeline',
] as const;
/** Index of the first BANT field in INPUT_FIELDS. */
export const BANT_SLOT = 10;

/** Returns the folded value of a string lead attribute (fold() memoises what is costly). */
export type FoldAttribute = (attribute: keyof LeadAttributes) => string | undefined;

/** A fit or BANT rule: its points count in the fit sub-score and never decay. */
export interface CompiledFitRule {
  id: string;
  section: 'fit' | 'bant';
  group: string | undefined;
  /** Index of the group (0…groupCount−1), −1 when the rule is in no group. */
  groupIndex: number;
  points: number;
  /** Label with a `{value}` placeholder for the input value. */
  label: Text;
  whatIf: Text | undefined;
  /** Input the rule reads: a lead attribute name or `bant.<field>`. */
  field: string;
  /** Index of `field` in INPUT_FIELDS (−1 when it is none of them). */
  slot: number;
  test(state: LeadState, foldAttr: FoldAttribute): boolean;
  /** Current raw input value (attribute value, or the BANT answer's value). */
  read(state: LeadState): unknown;
  display(value: unknown): Text;
  /** The label with `{value}` filled from a raw input value. */
  render(value: unknown): Text;
  /** Input that would make the rule match, for what-if simulation; undefined when unknown. */
  hypothetical: { lead?: LeadAttributes; bant?: BantValues } | undefined;
}

export interface PropertyTest {
  key: string;
  test(value: unknown): boolean;
}

/** An engagement or negative rule, triggered by one event type. */
export interface CompiledEventRule {
  id: string;
  section: 'engagement' | 'negative';
  event: string;
  points: number;
  label: Text;
  whatIf: Text | undefined;
  matchers: PropertyTest[];
  limit: { times: number; windowMs: number | null } | null;
  fastTrack: boolean;
  effects: { doNotEmail?: boolean; doNotContact?: boolean } | null;
  /** Matching counts as engagement activity (keeps the lead out of the inactivity reset). */
  engaging: boolean;
  detail: string | undefined;
  detailIsUrl: boolean;
  /** Reason of the decay entry when one of its awards expires. */
  expiredReason: Text;
  /** Reason of the fast-track entry. */
  fastTrackReason: Text;
  /** Memo of reasons by detail value (a cache only: it never changes what the rule does). */
  reasonCache: Map<string, Text>;
  /** Position in the file (engagement then negative), for tie-breaking. */
  order: number;
  /** The rule's number in `LeadState.ruleHits` (rules with a limit, from 0); -1 without a limit. */
  hitSlot: number;
}

/** Events by which a person (or the CRM) sets the stage. */
export const STAGE_EVENTS = {
  lead_disqualified: 'DISQUALIFIED',
  deal_won: 'WON',
  deal_lost: 'LOST',
  lead_reopened: 'REOPEN',
} as const;
export type StageEventEffect = (typeof STAGE_EVENTS)[keyof typeof STAGE_EVENTS];

/** What an event type does: its candidate rules and, for stage events, the stage it sets. */
export interface EventTypeInfo {
  /** Candidate rules, most specific first (ties: file order); empty when none. */
  rules: readonly CompiledEventRule[];
  stage: StageEventEffect | null;
}

export interface ScoringModel {
  /** The validated spec, as written (for `model show`). */
  spec: ModelSpec;
  version: string;
  thresholds: { WARM: number; MQL: number; SQL: number; hysteresis: number };
  caps: { fitMax: number; fitMin: number; engagementMax: number; engagementMin: number };
  expiryMs: number;
  expiryDays: number;
  inactivityMs: number;
  inactivityDays: number;
  currency: string;
  minDealSize: number;
  /** Currency code → units of the model currency (the model currency itself is 1). */
  rates: ReadonlyMap<string, number>;
  /** Known event types (listed ones plus the built-in ones). */
  eventTypes: ReadonlySet<string>;
  /** Fit rules then BANT rules, in file order. */
  fitRules: readonly CompiledFitRule[];
  /** Inputs read by at least one fit/BANT rule. */
  fitFields: ReadonlySet<string>;
  /** By INPUT_FIELDS index: 1 when at least one fit/BANT rule reads that input. */
  fitSlots: Uint8Array;
  /** Fit rule id → index in fitRules. */
  fitRuleIndex: ReadonlyMap<string, number>;
  /** Memo of capped-reason texts by original reason (a cache only; see the engine). */
  capNotes: Map<Text, (Text | undefined)[]>;
  /** Memo of score-stage-change reasons by cause (a cache only; see the engine). */
  stageReasons: Map<Text, Map<number, Text>>;
  /** Number of distinct fit/BANT groups. */
  groupCount: number;
  /** Event type → its rules and stage effect (one lookup per event). */
  byEventType: ReadonlyMap<string, EventTypeInfo>;
  eventRules: ReadonlyMap<string, CompiledEventRule>;
  /** The rules with a limit, in the order of their places in `LeadState.ruleHits`. */
  hitRules: readonly CompiledEventRule[];
}

/** Compiles a spec that passed `ModelSpecSchema` and the semantic checks. */
export function compileModel(spec: ModelSpec): ScoringModel {
  const expiryDays = spec.decay.engagementExpiryDays;
  const rates = new Map<string, number>(Object.entries(spec.currencyRates));
  rates.set(spec.currency, 1);
  const ctx: CompileContext = { spec, rates };

  const groups = new Map<string, number>();
  const fitRules = [
    ...spec.fit.map((r) => compileFitRule(r, ctx)),
    ...spec.bant.map((r) => compileBantRule(r, ctx)),
  ].map((rule): CompiledFitRule => {
    if (rule.group !== undefined && !groups.has(rule.group)) groups.set(rule.group, groups.size);
    const groupIndex = rule.group === undefined ? -1 : (groups.get(rule.group) as number);
    // One literal (same fields, same order) for every rule: the engine reads these objects for
    // every fit recomputation, and one shape keeps those reads monomorphic.
    return {
      id: internalize(rule.id),
      section: rule.section,
      group: rule.group,
      groupIndex,
      points: rule.points,
      label: rule.label,
      whatIf: rule.whatIf,
      field: rule.field,
      slot: (INPUT_FIELDS as readonly string[]).indexOf(rule.field),
      test: rule.test,
      read: rule.read,
      display: rule.display,
      render: labelRenderer(rule.label, rule.display, !IDENTITY_FIELDS.has(rule.field)),
      hypothetical: rule.hypothetical,
    };
  });
  const eventRuleList = [
    ...spec.engagement.map((r, i) => compileEventRule(r, 'engagement', i, expiryDays)),
    ...spec.negative.map((r, i) => compileEventRule(r, 'negative', spec.engagement.length + i, expiryDays)),
  ];
  const hitRules = eventRuleList.filter((r) => r.limit !== null);
  hitRules.forEach((r, slot) => {
    r.hitSlot = slot;
  });
  const rulesByEvent = new Map<string, CompiledEventRule[]>();
  for (const rule of eventRuleList) {
    const list = rulesByEvent.get(rule.event) ?? [];
    list.push(rule);
    rulesByEvent.set(rule.event, list);
  }
  // Most specific first: an event earns only the first rule that matches.
  for (const list of rulesByEvent.values()) {
    list.sort((a, b) => b.matchers.length - a.matchers.length || a.order - b.order);
  }

  return {
    spec,
    version: spec.version,
    thresholds: { ...spec.thresholds },
    caps: {
      fitMax: spec.caps.fit,
      fitMin: spec.caps.fitFloor ?? Number.NEGATIVE_INFINITY,
      engagementMax: spec.caps.engagement,
      engagementMin: spec.caps.engagementFloor,
    },
    expiryMs: expiryDays * DAY_MS,
    expiryDays,
    inactivityMs: spec.decay.inactivityResetDays * DAY_MS,
    inactivityDays: spec.decay.inactivityResetDays,
    currency: spec.currency,
    minDealSize: spec.minDealSize,
    rates,
    eventTypes: new Set([...spec.eventTypes, ...BUILTIN_EVENT_TYPES]),
    fitRules,
    fitFields: new Set(fitRules.map((r) => r.field)),
    fitSlots: Uint8Array.from(INPUT_FIELDS, (f) => (fitRules.some((r) => r.field === f) ? 1 : 0)),
    fitRuleIndex: new Map(fitRules.map((r, i) => [r.id, i])),
    capNotes: new Map(),
    stageReasons: new Map(),
    groupCount: groups.size,
    byEventType: eventTypeInfo(rulesByEvent),
    eventRules: new Map(eventRuleList.map((r) => [r.id, r])),
    hitRules,
  };
}

function eventTypeInfo(rulesByEvent: ReadonlyMap<string, CompiledEventRule[]>): Map<string, EventTypeInfo> {
  const info = new Map<string, EventTypeInfo>();
  for (const [type, rules] of rulesByEvent) info.set(type, { rules, stage: null });
  for (const [type, stage] of Object.entries(STAGE_EVENTS)) {
    info.set(type, { rules: info.get(type)?.rules ?? [], stage });
  }
  return info;
}

interface CompileContext {
  spec: ModelSpec;
  rates: ReadonlyMap<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Fit rules (lead attributes)

type FitRuleDraft = Omit<CompiledFitRule, 'groupIndex' | 'render' | 'slot'>;

/**
 * The same string as a property key (V8 interns keys): rule ids are compared with the rule ids
 * of decoded lead states (keys of the stored records, so interned too), and interned strings
 * compare by pointer, without reading their text.
 */
function internalize(s: string): string {
  return Object.keys({ [s]: true })[0] ?? s;
}

const MEMO_SIZE = 1024;

/** Attributes that identify the lead: their values rarely repeat, so their labels are not memoised. */
const IDENTITY_FIELDS: ReadonlySet<string> = new Set(['name', 'email', 'phone', 'zaloUserId', 'externalId']);

/**
 * Fills `{value}` by concatenation (labels are rendered for every fit trace entry). Texts of
 * string and number values are memoised: reasons are immutable and may be shared.
 */
function labelRenderer(
  label: Text,
  display: (v: unknown) => Text,
  memoise: boolean,
): (value: unknown) => Text {
  const vi = label.vi.split('{value}');
  const en = label.en.split('{value}');
  let render: (value: unknown) => Text;
  if (vi.length === 2 && en.length === 2) {
    const [viPre, viPost] = vi as [string, string];
    const [enPre, enPost] = en as [string, string];
    render = (value) => {
      const d = display(value);
      return { vi: viPre + d.vi + viPost, en: enPre + d.en + enPost };
    };
  } else {
    render = (value) => {
      const d = display(value);
      return { vi: vi.join(d.vi), en: en.join(d.en) };
    };
  }
  if (!memoise) return render;
  const memo = boundedMemo(render, MEMO_SIZE);
  return (value) => (typeof value === 'string' || typeof value === 'number' ? memo(value) : render(value));
}

function compileFitRule(rule: FitRuleSpec, ctx: CompileContext): FitRuleDraft {
  const w = rule.when;
  const attr = w.attribute;
  const tests: ((s: LeadState, f: FoldAttribute) => boolean)[] = [];
  const num = (s: LeadState): number | undefined => {
    const v = s.attributes[attr];
    return typeof v === 'number' ? v : undefined;
  };
  const addNumeric = (bound: number | undefined, cmp: (v: number, b: number) => boolean) => {
    if (bound === undefined) return;
    tests.push((s) => {
      const v = num(s);
      return v !== undefined && cmp(v, bound);
    });
  };
  addNumeric(w.gte, (v, b) => v >= b);
  addNumeric(w.gt, (v, b) => v > b);
  addNumeric(w.lte, (v, b) => v <= b);
  addNumeric(w.lt, (v, b) => v < b);

  if (w.matches !== undefined) {
    const re = compilePattern(w.matches);
    const matches = boundedMemo((v: string) => re.test(v), MEMO_SIZE);
    tests.push((_s, f) => {
      const v = f(attr);
      return v !== undefined && matches(v);
    });
  }
  if (w.inList !== undefined) {
    const set = squashedList(ctx, w.inList);
    const listed = boundedMemo((v: string) => set.has(v.replace(/[^a-z0-9]/g, '')), MEMO_SIZE);
    tests.push((_s, f) => {
      const v = f(attr);
      return v !== undefined && listed(v);
    });
  }
  if (w.notInList !== undefined) {
    const set = squashedList(ctx, w.notInList);
    const listed = boundedMemo((v: string) => set.has(v.replace(/[^a-z0-9]/g, '')), MEMO_SIZE);
    tests.push((_s, f) => {
      const v = f(attr);
      return v !== undefined && !listed(v);
    });
  }
  if (w.emailDomainInList !== undefined) {
    const isListed = domainMatcher(ctx, w.emailDomainInList);
    tests.push((s) => {
      const d = typeof s.attributes.email === 'string' ? emailDomain(s.attributes.email) : undefined;
      return d !== undefined && isListed(d);
    });
  }
  if (w.emailDomainNotInList !== undefined) {
    const isListed = domainMatcher(ctx, w.emailDomainNotInList);
    tests.push((s) => {
      const d = typeof s.attributes.email === 'string' ? emailDomain(s.attributes.email) : undefined;
      return d !== undefined && !isListed(d);
    });
  }

  const only = tests.length === 1 ? tests[0] : undefined;
  return {
    id: rule.id,
    section: 'fit',
    group: rule.group,
    points: rule.points,
    label: rule.label,
    whatIf: rule.whatIf,
    field: attr,
    test:
      only ??
      ((s, f) => {
        for (const t of tests) if (!t(s, f)) return false;
        return true;
      }),
    read: (s) => s.attributes[attr],
    display: (v) => both(String(v)),
    hypothetical: fitHypothetical(rule, ctx),
  };
}

function squashedList(ctx: CompileContext, name: string): ReadonlySet<string> {
  return new Set((ctx.spec.lists[name] ?? []).map(squash));
}

/**
 * Domain list semantics: an entry with a dot ("mail.ru") matches that domain and its
 * subdomains; an entry without one ("gmail", "yahoo") matches any domain whose first label is
 * it, so "yahoo" covers yahoo.com and yahoo.com.vn.
 */
function domainMatcher(ctx: CompileContext, name: string): (domain: string) => boolean {
  const labels = new Set<string>();
  const domains: string[] = [];
  for (const raw of ctx.spec.lists[name] ?? []) {
    const e = raw.trim().toLowerCase().replace(/^@/, '');
    if (e.includes('.')) domains.push(e);
    else labels.add(e);
  }
  const suffixes = domains.map((e) => `.${e}`);
  return (d) => {
    const dot = d.indexOf('.');
    if (labels.has(dot < 0 ? d : d.slice(0, dot))) return true;
    for (let i = 0; i < domains.length; i++) {
      if (d === domains[i] || d.endsWith(suffixes[i] as string)) return true;
    }
    return false;
  };
}

function fitHypothetical(rule: FitRuleSpec, ctx: CompileContext): CompiledFitRule['hypothetical'] {
  const w = rule.when;
  let value: string | number | undefined = rule.example;
  if (value === undefined) {
    if (w.gte !== undefined) value = w.gte;
    else if (w.gt !== undefined) value = Math.floor(w.gt) + 1;
    else if (w.inList !== undefined) value = ctx.spec.lists[w.inList]?.[0];
    else if (w.emailDomainNotInList !== undefined) value = 'contact@example.com';
  }
  if (value === undefined) return undefined;
  return { lead: { [w.attribute]: value } as LeadAttributes };
}

// ---------------------------------------------------------------------------------------------
// BANT rules

function compileBantRule(rule: BantRuleSpec, ctx: CompileContext): FitRuleDraft {
  const base = {
    id: rule.id,
    section: 'bant' as const,
    group: rule.group,
    points: rule.points,
    label: rule.label,
    whatIf: rule.whatIf,
    field: `bant.${rule.when.bant}`,
  };
  const w = rule.when;
  switch (w.bant) {
    case 'budget': {
      const amount = (a: number | 'minDealSize' | undefined) =>
        a === 'minDealSize' ? ctx.spec.minDealSize : a;
      const gte = amount(w.amountGte);
      const gt = amount(w.amountGt);
      const lte = amount(w.amountLte);
      const lt = amount(w.amountLt);
      const hasAmountTest = gte !== undefined || gt !== undefined || lte !== undefined || lt !== undefined;
      return {
        ...base,
        test: (s) => {
          const v = s.bant.budget?.value;
          if (v === undefined) return false;
          if (v === 'none') return w.none === true;
          if (w.none === true) return false;
          const rate = ctx.rates.get(v.currency.toUpperCase());
          if (rate === undefined) return !hasAmountTest; // unknown currency: not comparable
          const x = v.amount * rate;
          return (
            (gte === undefined || x >= gte) &&
            (gt === undefined || x > gt) &&
            (lte === undefined || x <= lte) &&
            (lt === undefined || x < lt)
          );
        },
        read: (s) => s.bant.budget?.value,
        display: (v) => formatBudget(v as NonNullable<BantValues['budget']>),
        hypothetical:
          w.none === true
            ? undefined
            : gte !== undefined
              ? { bant: { budget: { amount: gte, currency: ctx.spec.currency } } }
              : gt !== undefined
                ? { bant: { budget: { amount: gt + 1, currency: ctx.spec.currency } } }
                : undefined,
      };
    }
    case 'authority': {
      const allowed = new Set<string>(w.in);
      const first = w.in[0];
      return {
        ...base,
        test: (s) => {
          const v = s.bant.authority?.value;
          return v !== undefined && allowed.has(v);
        },
        read: (s) => s.bant.authority?.value,
        display: (v) => formatAuthority(v as NonNullable<BantValues['authority']>),
        hypothetical: first === undefined ? undefined : { bant: { authority: first } },
      };
    }
    case 'need':
      return {
        ...base,
        test: (s) => s.bant.need?.value.confirmed === w.confirmed,
        read: (s) => s.bant.need?.value,
        display: (v) => formatNeed(v as NonNullable<BantValues['need']>),
        hypothetical: { bant: { need: { confirmed: w.confirmed } } },
      };
    case 'timeline':
      return {
        ...base,
        test: (s) => {
          const a = s.bant.timeline;
          if (a === undefined) return false;
          if (a.value === 'none') return w.none === true;
          if (w.none === true) return false;
          const m = timelineMonths(a.value, a.answeredAt);
          return (
            m !== undefined &&
            (w.monthsLte === undefined || m <= w.monthsLte) &&
            (w.monthsLt === undefined || m < w.monthsLt) &&
            (w.monthsGte === undefined || m >= w.monthsGte) &&
            (w.monthsGt === undefined || m > w.monthsGt)
          );
        },
        read: (s) => s.bant.timeline?.value,
        display: (v) => formatTimeline(v as NonNullable<BantValues['timeline']>),
        hypothetical:
          w.none !== true &&
          w.monthsLte !== undefined &&
          (w.monthsGt === undefined || w.monthsGt < w.monthsLte)
            ? { bant: { timeline: { monthsMax: w.monthsLte } } }
            : undefined,
      };
  }
}

// ---------------------------------------------------------------------------------------------
// Engagement / negative rules

function compileEventRule(
  rule: EventRuleSpec,
  section: 'engagement' | 'negative',
  order: number,
  expiryDays: number,
): CompiledEventRule {
  const props = rule.properties ?? {};
  const matchers = Object.entries(props).map(([key, m]) => compileMatcher(key, m));
  const detailMatcher = rule.detail === undefined ? undefined : props[rule.detail];
  return {
    id: internalize(rule.id),
    section,
    event: rule.event,
    points: rule.points,
    label: rule.label,
    whatIf: rule.whatIf,
    matchers,
    limit: rule.limit
      ? {
          times: rule.limit.times,
          windowMs: rule.limit.perDays === undefined ? null : rule.limit.perDays * DAY_MS,
        }
      : null,
    fastTrack: rule.fastTrack === true,
    effects: rule.effects ?? null,
    engaging: rule.points > 0 || rule.fastTrack === true,
    detail: rule.detail,
    detailIsUrl: detailMatcher?.pathMatches !== undefined || rule.detail === 'url',
    expiredReason: {
      vi: `Điểm hết hạn sau ${expiryDays} ngày kể từ sự kiện: ${rule.label.vi}`,
      en: `Engagement expired ${expiryDays} days after the event: ${rule.label.en}`,
    },
    fastTrackReason: {
      vi: `Chuyển thẳng SQL: ${rule.label.vi}`,
      en: `Fast-track to SQL: ${rule.label.en}`,
    },
    reasonCache: new Map(),
    order,
    hitSlot: -1,
  };
}

const foldScalar = (v: unknown): unknown => (typeof v === 'string' ? fold(v) : v);

/** All operators of one property matcher must hold; strings compare folded. */
function compileMatcher(key: string, m: PropertyMatcherSpec): PropertyTest {
  const tests: ((v: unknown) => boolean)[] = [];
  if (m.exists !== undefined) {
    const want = m.exists;
    tests.push((v) => (v !== undefined && v !== null) === want);
  }
  if (m.equals !== undefined) {
    const e = foldScalar(m.equals);
    tests.push((v) => foldScalar(v) === e);
  }
  if (m.notEquals !== undefined) {
    const e = foldScalar(m.notEquals);
    tests.push((v) => foldScalar(v) !== e);
  }
  if (m.in !== undefined) {
    const set = new Set(m.in.map(foldScalar));
    tests.push((v) => set.has(foldScalar(v)));
  }
  if (m.matches !== undefined) {
    const re = compilePattern(m.matches);
    tests.push((v) => typeof v === 'string' && re.test(fold(v)));
  }
  if (m.pathMatches !== undefined) {
    const re = compilePattern(m.pathMatches);
    tests.push((v) => typeof v === 'string' && re.test(fold(urlPath(v))));
  }
  const only = tests.length === 1 ? tests[0] : undefined;
  const test = only ?? ((v: unknown) => tests.every((t) => t(v)));
  // Property values repeat (URLs, directions): string results are memoised.
  const memo = boundedMemo(test, MEMO_SIZE);
  return { key, test: (v) => (typeof v === 'string' ? memo(v) : test(v)) };
}
