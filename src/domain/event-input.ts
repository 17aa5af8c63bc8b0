/**
 * The boundary of ingestion: one zod schema for an inbound event, identities normalised
 * (email lower-cased, phone to E.164 with +84 by default), BANT free text parsed into typed
 * values. Anything that cannot be understood is rejected with the path of the field, and a
 * rejected event stores nothing.
 */
import { z } from 'zod';
import type { ErrorDetail } from '../errors/app-error.ts';
import { normalizeEmail, normalizePhone, parseBantText } from '../parse/index.ts';
import type { BantValues, LeadAttributes } from '../scoring/types.ts';

export const MAX_BATCH = 1000;
/** Events dated further ahead than this are refused: a future event would make every real one look late. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

const leadSchema = z
  .object({
    email: text(320).optional(),
    phone: z.union([text(40), z.number()]).optional(),
    zaloUserId: text(64).optional(),
    externalId: text(128).optional(),
    name: text(200).optional(),
    company: text(200).optional(),
    title: text(200).optional(),
    companySize: z
      .union([z.number(), z.string().regex(/^\s*\d[\d.,\s]*\+?\s*$/, 'must be a number of employees')])
      .optional(),
    industry: text(100).optional(),
    city: text(100).optional(),
  })
  .strict();

const eventSchema = z
  .object({
    id: text(200),
    type: text(64),
    occurredAt: z.iso
      .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-11-23T09:30:00+07:00' })
      .optional(),
    lead: leadSchema,
    properties: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export interface IdentityRef {
  kind: 'email' | 'phone' | 'zalo' | 'external';
  value: string;
}

/** A validated, normalised event ready for the domain. */
export interface InboundEvent {
  key: string;
  type: string;
  occurredAt: number;
  identities: IdentityRef[];
  lead: LeadAttributes;
  properties: Record<string, unknown>;
  bant?: BantValues;
  /** Free text the BANT values were parsed from, for provenance. */
  bantRaw?: Partial<Record<keyof BantValues, string>>;
}

export type ValidationResult = { ok: true; event: InboundEvent } | { ok: false; errors: ErrorDetail[] };

export interface ValidationContext {
  now: number;
  knownTypes: ReadonlySet<string>;
}

export function validateEvent(raw: unknown, ctx: ValidationContext): ValidationResult {
  const parsed = eventSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(event)', message: i.message })),
    };
  }
  const input = parsed.data;
  const errors: ErrorDetail[] = [];
  if (!ctx.knownTypes.has(input.type)) {
    errors.push({ path: 'type', message: `unknown event type “${input.type}” (see \`hotlead model show\`)` });
  }
  const occurredAt = input.occurredAt ? Date.parse(input.occurredAt) : ctx.now;
  if (occurredAt > ctx.now + MAX_CLOCK_SKEW_MS) {
    errors.push({ path: 'occurredAt', message: 'is in the future' });
  }
  const { lead, identities } = normaliseLead(input.lead, errors);
  const properties = input.properties ?? {};
  if (input.type === 'page_view' && typeof properties.url !== 'string') {
    errors.push({ path: 'properties.url', message: 'a page_view needs the page url' });
  }
  let bant: BantValues | undefined;
  let bantRaw: InboundEvent['bantRaw'];
  if (input.type === 'bant_update') {
    ({ bant, bantRaw } = parseBantProperties(properties, occurredAt, errors));
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    event: { key: input.id, type: input.type, occurredAt, identities, lead, properties, bant, bantRaw },
  };
}

function normaliseLead(input: z.infer<typeof leadSchema>, errors: ErrorDetail[]) {
  const lead: LeadAttributes = {};
  const identities: IdentityRef[] = [];
  if (input.email !== undefined) {
    const email = normalizeEmail(input.email);
    if (email) {
      lead.email = email;
      identities.push({ kind: 'email', value: email });
    } else errors.push({ path: 'lead.email', message: `“${input.email}” is not a valid email address` });
  }
  if (input.phone !== undefined) {
    const phone = normalizePhone(String(input.phone));
    if (phone) {
      lead.phone = phone;
      identities.push({ kind: 'phone', value: phone });
    } else errors.push({ path: 'lead.phone', message: `“${input.phone}” is not a valid phone number` });
  }
  if (input.zaloUserId !== undefined) {
    lead.zaloUserId = input.zaloUserId;
    identities.push({ kind: 'zalo', value: input.zaloUserId });
  }
  if (input.externalId !== undefined) {
    lead.externalId = input.externalId;
    identities.push({ kind: 'external', value: input.externalId });
  }
  if (
    input.email === undefined &&
    input.phone === undefined &&
    input.zaloUserId === undefined &&
    input.externalId === undefined
  ) {
    errors.push({
      path: 'lead',
      message: 'needs at least one identity: email, phone, zaloUserId or externalId',
    });
  }
  for (const field of ['name', 'company', 'title', 'industry', 'city'] as const) {
    if (input[field] !== undefined) lead[field] = input[field];
  }
  if (input.companySize !== undefined) {
    const size =
      typeof input.companySize === 'number'
        ? input.companySize
        : Number(input.companySize.replace(/[^\d]/g, ''));
    if (Number.isInteger(size) && size >= 0 && size <= 10_000_000) lead.companySize = size;
    else errors.push({ path: 'lead.companySize', message: 'must be a whole number of employees' });
  }
  return { lead, identities };
}

const AUTHORITIES = ['decision_maker', 'influencer', 'user'] as const;

/** Typed values are taken as they are; strings go through the shared deterministic parser. */
function parseBantProperties(props: Record<string, unknown>, answeredAt: number, errors: ErrorDetail[]) {
  const bant: BantValues = {};
  const bantRaw: NonNullable<InboundEvent['bantRaw']> = {};
  const fail = (field: string, value: unknown) =>
    errors.push({ path: `properties.${field}`, message: `could not understand “${String(value)}”` });

  const budget = props.budget;
  if (budget !== undefined) {
    if (typeof budget === 'number' && Number.isFinite(budget) && budget >= 0) {
      bant.budget = { amount: budget, currency: 'VND' };
    } else if (budget === 'none' || budget === null) {
      bant.budget = 'none';
    } else if (
      typeof budget === 'object' &&
      budget !== null &&
      typeof (budget as { amount?: unknown }).amount === 'number' &&
      typeof (budget as { currency?: unknown }).currency === 'string'
    ) {
      const b = budget as { amount: number; currency: string };
      bant.budget = { amount: b.amount, currency: b.currency.toUpperCase() };
    } else if (typeof budget === 'string') {
      const v = parseBantText('budget', budget, answeredAt);
      if (v == null) fail('budget', budget);
      else {
        bant.budget = v as NonNullable<BantValues['budget']>;
        bantRaw.budget = budget;
      }
    } else fail('budget', budget);
  }

  const authority = props.authority;
  if (authority !== undefined) {
    if (typeof authority === 'string' && (AUTHORITIES as readonly string[]).includes(authority)) {
      bant.authority = authority as BantValues['authority'];
    } else if (typeof authority === 'string') {
      const v = parseBantText('authority', authority, answeredAt);
      if (v == null) fail('authority', authority);
      else {
        bant.authority = v as BantValues['authority'];
        bantRaw.authority = authority;
      }
    } else fail('authority', authority);
  }

  const need = props.need;
  if (need !== undefined) {
    if (typeof need === 'boolean') bant.need = { confirmed: need };
    else if (typeof need === 'string') {
      const v = parseBantText('need', need, answeredAt);
      if (v == null) fail('need', need);
      else {
        bant.need = v as BantValues['need'];
        bantRaw.need = need;
      }
    } else fail('need', need);
  }

  const timeline = props.timeline;
  if (timeline !== undefined) {
    if (typeof timeline === 'number' && Number.isFinite(timeline) && timeline >= 0) {
      bant.timeline = { monthsMax: timeline };
    } else if (timeline === 'none' || timeline === null) {
      bant.timeline = 'none';
    } else if (typeof timeline === 'object' && timeline !== null) {
      const t = timeline as { monthsMin?: unknown; monthsMax?: unknown; decideBy?: unknown };
      const okNum = (v: unknown) => v === undefined || (typeof v === 'number' && v >= 0);
      const okDate =
        t.decideBy === undefined ||
        (typeof t.decideBy === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(t.decideBy));
      if (okNum(t.monthsMin) && okNum(t.monthsMax) && okDate) bant.timeline = t as BantValues['timeline'];
      else fail('timeline', JSON.stringify(timeline));
    } else if (typeof timeline === 'string') {
      const v = parseBantText('timeline', timeline, answeredAt);
      if (v == null) fail('timeline', timeline);
      else {
        bant.timeline = v as BantValues['timeline'];
        bantRaw.timeline = timeline;
      }
    } else fail('timeline', timeline);
  }
  if (Object.keys(bant).length === 0 && errors.length === 0) {
    errors.push({
      path: 'properties',
      message: 'a bant_update needs at least one of budget, authority, need, timeline',
    });
  }
  return { bant, bantRaw };
}
