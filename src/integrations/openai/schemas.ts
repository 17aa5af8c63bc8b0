/**
 * Schemas of a BANT answer read by the model, in two layers:
 *
 *   - the WIRE schema is what the model is asked to produce (strict structured output): every
 *     key present, `null` where Hotlead's type has an optional field, 'none' kept as a string;
 *   - the ANSWER schema is what we accept on our side. It re-validates the raw JSON the model
 *     returned and turns it into Hotlead's typed BANT value (BantFieldValues), with the same
 *     conventions as the deterministic parser (src/parse/): an amount is positive with a
 *     3-letter currency code, a decide-by date is a real date not before the answer day and
 *     always comes with monthsMax (calendar months, rounded up), an empty timeline is refused.
 */
import { z } from 'zod';
import type { BantField, BantFieldValues } from '../../parse/bant.ts';
import type { CivilDate } from '../../parse/calendar.ts';
import { compareDates, monthsCeil, parseIsoDate, toIsoDate } from '../../parse/calendar.ts';
import { normalizeEmail } from '../../parse/email.ts';
import { LEAD_INTENTS } from '../../parse/extract.ts';
import { normalizePhone } from '../../parse/phone.ts';
import { foldText } from '../../parse/text.ts';
import { AUTHORITY_LEVELS } from '../../scoring/types.ts';

/** Longest timeline we accept, in months (10 years). */
const MAX_MONTHS = 120;
/** Longest need summary kept (the prompt asks for 120 characters). */
const MAX_NEED_TEXT = 200;

const months = z.number().int().min(0).max(MAX_MONTHS);

const WIRE_VALUES = {
  budget: z.union([
    z.object({
      amount: z.number().describe('Full amount in units of the currency: 200 triệu = 200000000'),
      currency: z.string().describe('ISO 4217 code as stated by the lead, e.g. VND, USD'),
    }),
    z.literal('none'),
  ]),
  authority: z.enum(AUTHORITY_LEVELS),
  need: z.object({ confirmed: z.boolean(), text: z.string().nullable() }),
  timeline: z.union([
    z.object({
      monthsMin: months.nullable(),
      monthsMax: months.nullable(),
      decideBy: z.string().describe('YYYY-MM-DD').nullable(),
    }),
    z.literal('none'),
  ]),
} as const;

/** What the model is asked to return for `field` (sent as a strict JSON schema). */
export function wireSchema(field: BantField) {
  return z.object({
    understood: z.boolean().describe('false when the answer does not clearly answer the question'),
    value: WIRE_VALUES[field].nullable(),
    confidence: z.number().min(0).max(1),
  });
}

const budget: z.ZodType<BantFieldValues['budget'], unknown> = z.union([
  z.literal('none'),
  z.strictObject({
    amount: z.number().positive().max(1e15),
    currency: z.string().regex(/^[A-Z]{3}$/, 'a 3-letter currency code'),
  }),
]);

const authority: z.ZodType<BantFieldValues['authority'], unknown> = z.enum(AUTHORITY_LEVELS);

const need: z.ZodType<BantFieldValues['need'], unknown> = z
  .strictObject({ confirmed: z.boolean(), text: z.string().max(MAX_NEED_TEXT).nullable() })
  .transform(({ confirmed, text }) => {
    const trimmed = text?.trim();
    return trimmed ? { confirmed, text: trimmed } : { confirmed };
  });

function timeline(today: CivilDate): z.ZodType<BantFieldValues['timeline'], unknown> {
  return z.union([
    z.literal('none'),
    z
      .strictObject({
        monthsMin: months.nullable(),
        monthsMax: months.nullable(),
        decideBy: z.string().nullable(),
      })
      .transform((v, ctx): BantFieldValues['timeline'] => {
        const fail = (message: string) => {
          ctx.issues.push({ code: 'custom', message, input: v });
          return z.NEVER;
        };
        const out: { monthsMin?: number; monthsMax?: number; decideBy?: string } = {};
        if (v.monthsMin !== null) out.monthsMin = v.monthsMin;
        if (v.monthsMax !== null) out.monthsMax = v.monthsMax;
        if (v.decideBy !== null) {
          const date = parseIsoDate(v.decideBy);
          if (!date) return fail('decideBy is not a YYYY-MM-DD date');
          if (compareDates(date, today) < 0) return fail('decideBy is before the answer day');
          out.decideBy = toIsoDate(date);
          out.monthsMax = monthsCeil(today, date);
          if (out.monthsMax > MAX_MONTHS) return fail('decideBy is too far away');
        }
        if (out.monthsMin === undefined && out.monthsMax === undefined) return fail('empty timeline');
        if (out.monthsMin !== undefined && out.monthsMax !== undefined && out.monthsMin > out.monthsMax) {
          return fail('monthsMin is above monthsMax');
        }
        return out;
      }),
  ]);
}

/** Hotlead's typed value of `field`; `today` (the answer day, Vietnam time) anchors timelines. */
export function bantValueSchema<F extends BantField>(
  field: F,
  today: CivilDate,
): z.ZodType<BantFieldValues[F], unknown>;
export function bantValueSchema(field: BantField, today: CivilDate): z.ZodType<unknown, unknown> {
  switch (field) {
    case 'budget':
      return budget;
    case 'authority':
      return authority;
    case 'need':
      return need;
    case 'timeline':
      return timeline(today);
  }
}

export type ModelAnswer<F extends BantField> =
  | { understood: true; value: BantFieldValues[F]; confidence: number }
  | { understood: false; confidence: number };

/**
 * The model's whole answer, validated on our side: `value` must be Hotlead's typed value when
 * `understood` is true (and is ignored otherwise).
 */
export function answerSchema<F extends BantField>(
  field: F,
  today: CivilDate,
): z.ZodType<ModelAnswer<F>, unknown> {
  const confidence = z.number().min(0).max(1);
  return z.union([
    z.strictObject({ understood: z.literal(true), value: bantValueSchema(field, today), confidence }),
    z
      .strictObject({ understood: z.literal(false), value: z.unknown(), confidence })
      .transform(({ confidence }) => ({ understood: false as const, confidence })),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Lead details from one message (prompt lead-extract)

/** What the model is asked to return for lead-extract: every key present, null when not said. */
export function leadWireSchema() {
  return z.object({
    name: z.string().nullable(),
    phone: z.string().describe('As written in the message').nullable(),
    email: z.string().nullable(),
    company: z.string().nullable(),
    title: z.string().nullable(),
    companySize: z.number().describe('Number of employees').nullable(),
    need: z.string().nullable(),
    budget: WIRE_VALUES.budget.nullable(),
    authority: WIRE_VALUES.authority.nullable(),
    timeline: WIRE_VALUES.timeline.nullable(),
    intent: z.enum(LEAD_INTENTS).nullable(),
    confidence: z.number().min(0).max(1),
  });
}

/** The root of the model's answer: the keys must all be there; each value is checked alone. */
export const leadAnswerRoot = z.strictObject({
  name: z.unknown(),
  phone: z.unknown(),
  email: z.unknown(),
  company: z.unknown(),
  title: z.unknown(),
  companySize: z.unknown(),
  need: z.unknown(),
  budget: z.unknown(),
  authority: z.unknown(),
  timeline: z.unknown(),
  intent: z.unknown(),
  confidence: z.number().min(0).max(1),
});

const shortText = (max: number) =>
  z
    .string()
    .transform((s) => s.trim().replace(/\s+/g, ' '))
    .pipe(z.string().min(1).max(max));

/** A word-for-word value (name, company, title): every word must stand in the message. */
function inMessage(message: string, max: number) {
  const words = new Set(foldText(message).split(/[^\p{L}\p{N}]+/u));
  return shortText(max).refine(
    (v) =>
      foldText(v)
        .split(/[^\p{L}\p{N}]+/u)
        .filter(Boolean)
        .every((w) => words.has(w)),
    'not in the message',
  );
}

/**
 * Per-field schemas of Hotlead's values, for one message: a phone is re-normalised to E.164
 * and its digits must stand in the message; an email must validate and stand in the message;
 * budget and timeline are checked like the BANT answers ('none' timeline is not a lead detail).
 */
export function leadFieldSchemas(message: string, today: CivilDate) {
  const digits = message.replace(/\D/g, '');
  return {
    name: inMessage(message, 100).refine((v) => !/[\d@]/.test(v), 'not a name'),
    phone: z.string().transform((v, ctx) => {
      const e164 = normalizePhone(v);
      // The national number must be in the message: no invented phones.
      if (!e164 || !digits.includes(e164.startsWith('+84') ? e164.slice(3) : e164.slice(1))) {
        ctx.issues.push({ code: 'custom', message: 'not a phone of the message', input: v });
        return z.NEVER;
      }
      return e164;
    }),
    email: z.string().transform((v, ctx) => {
      const email = normalizeEmail(v);
      if (!email || !message.toLowerCase().includes(email)) {
        ctx.issues.push({ code: 'custom', message: 'not an email of the message', input: v });
        return z.NEVER;
      }
      return email;
    }),
    company: inMessage(message, 150),
    title: inMessage(message, 100),
    companySize: z.number().int().positive().max(10_000_000),
    need: shortText(MAX_NEED_TEXT),
    budget: bantValueSchema('budget', today),
    authority: bantValueSchema('authority', today),
    timeline: bantValueSchema('timeline', today)
      .refine((t) => t !== 'none', 'no timeline')
      .transform((t) => t as Exclude<typeof t, 'none'>),
    intent: z.enum(LEAD_INTENTS),
  } as const;
}
