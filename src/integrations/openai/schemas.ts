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
