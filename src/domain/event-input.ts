/**
 * The boundary of ingestion: one zod schema for an inbound event, identities normalised
 * (email lower-cased, phone to E.164 with +84 by default), BANT free text parsed into typed
 * values. Anything that cannot be understood is rejected with the path of the field, and a
 * rejected event stores nothing.
 */
import { z } from 'zod';
import type { ErrorDetail } from '../errors/app-error.ts';
import { normalizeEmail, normalizePhone, parseBantText } from '../parse/index.ts';
import { AUTHORITY_LEVELS, type BantValues, type LeadAttributes } from '../scoring/types.ts';

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

const nonNegative = z.number().finite().nonnegative();
const none = z.union([z.literal('none'), z.null()]).transform(() => 'none' as const);

/** Typed BANT values accepted as they are; a string that is not one goes to the text parser. */
const TYPED_BANT = {
  budget: z.union([
    nonNegative.transform((amount) => ({ amount, currency: 'VND' })),
    none,
    z
      .object({
        amount: nonNegative,
        currency: z
          .string()
          .min(1)
          .transform((c) => c.toUpperCase()),
      })
      .strict(),
  ]),
  authority: z.enum(AUTHORITY_LEVELS),
  need: z.boolean().transform((confirmed) => ({ confirmed })),
  timeline: z.union([
    nonNegative.transform((monthsMax) => ({ monthsMax })),
    none,
    z
      .object({
        monthsMin: nonNegative.optional(),
        monthsMax: nonNegative.optional(),
        decideBy: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/)
          .optional(),
      })
      .strict(),
  ]),
} as const;
const BANT_FIELDS = ['budget', 'authority', 'need', 'timeline'] as const;

/** Typed values are taken as they are; strings go through the shared deterministic parser. */
function parseBantProperties(props: Record<string, unknown>, answeredAt: number, errors: ErrorDetail[]) {
  const bant: Record<string, unknown> = {};
  const bantRaw: NonNullable<InboundEvent['bantRaw']> = {};
  for (const field of BANT_FIELDS) {
    const value = props[field];
    if (value === undefined) continue;
    const typed = TYPED_BANT[field].safeParse(value);
    if (typed.success) {
      bant[field] = typed.data;
      continue;
    }
    const parsed = typeof value === 'string' ? parseBantText(field, value, answeredAt) : null;
    if (parsed != null) {
      bant[field] = parsed;
      bantRaw[field] = value as string;
      continue;
    }
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    errors.push({ path: `properties.${field}`, message: `could not understand “${shown}”` });
  }
  if (Object.keys(bant).length === 0 && errors.length === 0) {
    errors.push({
      path: 'properties',
      message: 'a bant_update needs at least one of budget, authority, need, timeline',
    });
  }
  return { bant: bant as BantValues, bantRaw };
}
