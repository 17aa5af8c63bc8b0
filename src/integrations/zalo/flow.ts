/**
 * The Zalo qualification flow, pure: given what Hotlead knows about the customer and where the
 * conversation stands, what the bot says next (if anything). Polite, one question at a time,
 * skipping what is known, never asking twice in a row without an answer, stopping as soon as
 * the customer asks for a person, when a rep has replied, or when the flow is off. Texts live
 * in prompts/zalo-qualify.v1.json (Vietnamese first).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Lang } from '../../scoring/types.ts';

const text = z.object({ vi: z.string().min(1), en: z.string().min(1) });
const textsSchema = z.object({
  version: z.number().int(),
  greet: text,
  ask: z.object({ need: text, company: text, budget: text, timeline: text }),
  requestInfo: z.object({ title: text, subtitle: text, imageUrl: z.string().url() }),
  handoff: text,
  done: text,
});
export type FlowTexts = z.infer<typeof textsSchema>;

const PROMPT_FILE = path.resolve(import.meta.dirname, '../../../prompts/zalo-qualify.v1.json');
export const FLOW_TEXTS: FlowTexts = textsSchema.parse(JSON.parse(readFileSync(PROMPT_FILE, 'utf8')));

export const QUESTIONS = ['need', 'company', 'budget', 'timeline', 'contact'] as const;
export type Question = (typeof QUESTIONS)[number];

export interface Known {
  name: boolean;
  phone: boolean;
  need: boolean;
  company: boolean;
  budget: boolean;
  timeline: boolean;
}

export interface FlowState {
  /** qualifying | handed_off | stopped | done */
  flow: string;
  /** Questions asked so far, oldest first (the last is the open one): each is asked once. */
  asked: Question[];
  answeredSinceAsk: boolean;
  repReplied: boolean;
}

export type Say =
  | { kind: 'text'; text: string }
  | { kind: 'request_user_info'; title: string; subtitle: string; imageUrl: string };

export interface FlowStep {
  say: Say[];
  state: Pick<FlowState, 'flow' | 'asked' | 'answeredSinceAsk'>;
}

/** What the bot does after a customer's event. */
export function nextStep(
  s: FlowState,
  event: { kind: 'follow' | 'message'; asksForHuman: boolean; name: string | null },
  known: Known,
  opts: { enabled: boolean; lang: Lang },
): FlowStep {
  const L = opts.lang;
  const keep = {
    flow: s.flow,
    asked: s.asked,
    answeredSinceAsk: event.kind === 'message' ? true : s.answeredSinceAsk,
  };
  if (event.asksForHuman && s.flow !== 'handed_off') {
    return {
      say: [{ kind: 'text', text: FLOW_TEXTS.handoff[L] }],
      state: { ...keep, flow: 'handed_off' },
    };
  }
  if (!opts.enabled || s.repReplied || s.flow !== 'qualifying') return { say: [], state: keep };
  // Never ask twice in a row without an answer.
  if (event.kind === 'follow' && s.asked.length > 0 && !s.answeredSinceAsk) return { say: [], state: keep };
  // A question the customer answered in words the extractor could not read is not asked again.
  const q = QUESTIONS.find((x) => !isKnown(x, known) && !s.asked.includes(x));
  const say: Say[] = [];
  if (event.kind === 'follow') say.push({ kind: 'text', text: fill(FLOW_TEXTS.greet[L], event.name) });
  if (!q) {
    say.push({ kind: 'text', text: FLOW_TEXTS.done[L] });
    return { say: joined(say), state: { flow: 'done', asked: s.asked, answeredSinceAsk: true } };
  }
  say.push(
    q === 'contact'
      ? {
          kind: 'request_user_info',
          title: FLOW_TEXTS.requestInfo.title[L],
          subtitle: FLOW_TEXTS.requestInfo.subtitle[L],
          imageUrl: FLOW_TEXTS.requestInfo.imageUrl,
        }
      : { kind: 'text', text: FLOW_TEXTS.ask[q][L] },
  );
  return { say: joined(say), state: { flow: 'qualifying', asked: [...s.asked, q], answeredSinceAsk: false } };
}

/** Consecutive texts as one message: separate sends could arrive out of order. */
function joined(say: Say[]): Say[] {
  const out: Say[] = [];
  for (const x of say) {
    const last = out[out.length - 1];
    if (x.kind === 'text' && last?.kind === 'text')
      out[out.length - 1] = { kind: 'text', text: `${last.text}\n\n${x.text}` };
    else out.push(x);
  }
  return out;
}

function isKnown(q: Question, k: Known): boolean {
  return q === 'contact' ? k.name && k.phone : k[q];
}

function fill(t: string, name: string | null): string {
  return t.replace(' {name}', name ? ` ${name}` : '').replace('{name}', name ?? '');
}

/** The customer's language from one message: Vietnamese unless it is clearly English. */
export function languageOf(textIn: string, current: Lang): Lang {
  if (/[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]/i.test(textIn)) return 'vi';
  if (/\b(hello|hi|please|price|quote|need|want|company|thanks|thank you|budget)\b/i.test(textIn))
    return 'en';
  return current;
}
