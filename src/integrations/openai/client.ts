/**
 * Hotlead's optional OpenAI layer: an `Llm` port with two narrow jobs, each a fallback helper
 * for a deterministic path that stays the default.
 *
 *   - extractBantAnswer: reads one BANT answer the parser (parseBantText) could not read, with
 *     structured output (Chat Completions, strict `json_schema` response format). The raw JSON
 *     is validated again with our own zod schema (schemas.ts); anything invalid, not
 *     understood, or below MIN_CONFIDENCE is null.
 *   - extractLead: reads the lead details of one message (name, phone, company, budget, …) for
 *     the fields the deterministic extractor (extractLeadDetails) left absent. Each field is
 *     validated on its own (schemas.ts leadFieldSchemas): an invalid one is dropped, the rest
 *     kept; phones are re-normalised and must stand in the message.
 *   - phraseExplanation: rewords a lead explanation in a few sentences; a reply stating any
 *     number that is not among the facts sent (number-guard.ts), or too long, is null.
 *
 * Every failure (network, timeout, HTTP error, refusal, truncation, invalid JSON, schema
 * mismatch, guard) resolves to null with a warning naming the prompt id@version: callers fall
 * back to the deterministic path and users never see an error from here.
 */
import OpenAI from 'openai';
import { ContentFilterFinishReasonError, LengthFinishReasonError } from 'openai/error';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { ChatCompletion, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { z } from 'zod';
import type { OpenAiConfig } from '../../config.ts';
import type { LeadExplanation } from '../../domain/leads.ts';
import type { Logger } from '../../logger.ts';
import type { BantField, BantFieldValues } from '../../parse/bant.ts';
import { toIsoDate, vnToday } from '../../parse/calendar.ts';
import { type Extraction, LEAD_FIELDS, type LeadField } from '../../parse/extract.ts';
import { nextTet } from '../../parse/lunar.ts';
import type { Lang } from '../../scoring/types.ts';
import { explanationFacts } from './facts.ts';
import { collectFacts, unsupportedNumbers } from './number-guard.ts';
import { loadPrompt, type Prompt, promptLabel } from './prompts.ts';
import { answerSchema, leadAnswerRoot, leadFieldSchemas, leadWireSchema, wireSchema } from './schemas.ts';

/** Below this the model's reading is not used: the bot asks again instead. */
export const MIN_CONFIDENCE = 0.5;
/** A "why" reply longer than this is discarded (Slack reps want a few sentences). */
export const MAX_PHRASE_CHARS = 1200;
/** Longest BANT answer sent to the model; the rest is cut. */
const MAX_ANSWER_CHARS = 1000;
/** Longest message sent to the lead-extract prompt; the rest is cut. */
const MAX_MESSAGE_CHARS = 2000;
const DEFAULT_TIMEOUT_MS = 8000;
const DEFAULT_MAX_RETRIES = 2;

export interface BantExtraction<F extends BantField> {
  value: BantFieldValues[F];
  /** 0–1, at least MIN_CONFIDENCE. */
  confidence: number;
}

export interface ExtractOptions {
  /** Language of the system prompt (the answer itself may be in either). */
  lang: Lang;
  /** When the answer was given: relative timelines are resolved against its Vietnam date. */
  answeredAt: number | Date;
}

export interface LeadExtractLlmOptions {
  /** Language of the system prompt (the message itself may be in either). */
  lang: Lang;
  /** When the message was received: relative timelines are resolved against its Vietnam date. */
  now: number | Date;
}

export interface Llm {
  /** The model this port calls (for logs and diagnostics). */
  readonly model: string;
  extractBantAnswer<F extends BantField>(
    field: F,
    text: string,
    opts: ExtractOptions,
  ): Promise<BantExtraction<F> | null>;
  /**
   * Lead details of one message, each validated alone (invalid fields dropped) and marked
   * extractor 'llm' with the model's confidence; null on any failure, below MIN_CONFIDENCE,
   * or when no field survives validation.
   */
  extractLead(text: string, opts: LeadExtractLlmOptions): Promise<Partial<Extraction> | null>;
  /** A short reply in `lang` explaining the lead's score; `now` (default Date.now()) dates "days ago". */
  phraseExplanation(e: LeadExplanation, lang: Lang, opts?: { now?: number }): Promise<string | null>;
}

export interface LlmOptions {
  /** Per-attempt timeout (SDK `timeout`); default 8 s. */
  timeoutMs?: number;
  /** SDK retries on connection errors, 408/409/429/5xx; default 2. */
  maxRetries?: number;
}

export type LlmLogger = Pick<Logger, 'warn' | 'info'>;

/** The port, or null when OpenAI is not configured (config.openai undefined). */
export function createLlm(config: OpenAiConfig, logger: LlmLogger, options?: LlmOptions): Llm;
export function createLlm(
  config: OpenAiConfig | undefined,
  logger: LlmLogger,
  options?: LlmOptions,
): Llm | null;
export function createLlm(
  config: OpenAiConfig | undefined,
  logger: LlmLogger,
  options: LlmOptions = {},
): Llm | null {
  if (!config) return null;
  const client = new OpenAI({
    apiKey: config.apiKey,
    ...(config.baseUrl ? { baseURL: config.baseUrl } : {}),
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
  });
  const { model } = config;
  // Read at start-up: a missing prompt file stops start-up rather than failing per request.
  const bantPrompt = loadPrompt('bant-extract');
  const whyPrompt = loadPrompt('why-phrase');
  const leadPrompt = loadPrompt('lead-extract');

  function warn(prompt: Prompt, reason: string, extra: Record<string, unknown> = {}): null {
    logger.warn({ prompt: promptLabel(prompt), model, reason, ...extra }, `openai: ${reason}, falling back`);
    return null;
  }

  /** The single choice of a completion, or null (logged) when the call or the answer failed. */
  async function complete(
    prompt: Prompt,
    extra: Record<string, unknown>,
    call: () => Promise<ChatCompletion>,
  ): Promise<ChatCompletion.Choice | null> {
    let completion: ChatCompletion;
    try {
      completion = await call();
    } catch (error) {
      return warn(prompt, failureReason(error), { ...extra, error: errorMessage(error) });
    }
    const choice = completion.choices[0];
    if (!choice) return warn(prompt, 'no choice in the answer', extra);
    if (choice.message.refusal) return warn(prompt, 'model refused', extra);
    if (choice.finish_reason === 'length') return warn(prompt, 'answer truncated', extra);
    if (choice.finish_reason === 'content_filter') return warn(prompt, 'content filtered', extra);
    return choice;
  }

  /**
   * The choice's raw JSON validated again with our own schema (the SDK's parse is not trusted
   * alone); null (logged) when it is not JSON or does not match.
   */
  function validated<T>(
    prompt: Prompt,
    extra: Record<string, unknown>,
    choice: ChatCompletion.Choice,
    schema: z.ZodType<T, unknown>,
  ): T | null {
    let raw: unknown;
    try {
      raw = JSON.parse(choice.message.content ?? '');
    } catch {
      return warn(prompt, 'invalid JSON', extra);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      return warn(prompt, 'schema mismatch', { ...extra, issues });
    }
    return parsed.data;
  }

  return {
    model,

    async extractBantAnswer<F extends BantField>(
      field: F,
      text: string,
      opts: ExtractOptions,
    ): Promise<BantExtraction<F> | null> {
      if (text.trim() === '') return null;
      const prompt = bantPrompt;
      const today = vnToday(opts.answeredAt);
      const tet = nextTet(today);
      const input = {
        field,
        answer: text.slice(0, MAX_ANSWER_CHARS),
        answeredOn: toIsoDate(today),
        nextTet: tet && toIsoDate(tet),
      };
      const extra = { field, chars: text.length };
      const choice = await complete(prompt, extra, () =>
        client.chat.completions.parse({
          model,
          messages: messages(prompt, opts.lang, input),
          response_format: zodResponseFormat(wireSchema(field), `bant_${field}`),
          max_completion_tokens: 300,
        }),
      );
      if (!choice) return null;
      const answer = validated(prompt, extra, choice, answerSchema(field, today));
      if (!answer) return null;
      if (!answer.understood || answer.confidence < MIN_CONFIDENCE) {
        logger.info(
          { prompt: promptLabel(prompt), model, ...extra, confidence: answer.confidence },
          answer.understood
            ? 'openai: BANT answer read with low confidence'
            : 'openai: BANT answer not understood',
        );
        return null;
      }
      return { value: answer.value, confidence: answer.confidence };
    },

    async extractLead(text, opts) {
      if (text.trim() === '') return null;
      const prompt = leadPrompt;
      const today = vnToday(opts.now);
      const tet = nextTet(today);
      const message = text.slice(0, MAX_MESSAGE_CHARS);
      const input = { message, receivedOn: toIsoDate(today), nextTet: tet && toIsoDate(tet) };
      const extra = { chars: text.length };
      const choice = await complete(prompt, extra, () =>
        client.chat.completions.parse({
          model,
          messages: messages(prompt, opts.lang, input),
          response_format: zodResponseFormat(leadWireSchema(), 'lead_details'),
          max_completion_tokens: 500,
        }),
      );
      if (!choice) return null;
      const root = validated(prompt, extra, choice, leadAnswerRoot);
      if (!root) return null;
      const { confidence } = root;
      if (confidence < MIN_CONFIDENCE) {
        logger.info(
          { prompt: promptLabel(prompt), model, ...extra, confidence },
          'openai: lead read with low confidence',
        );
        return null;
      }
      // Each field on its own: what does not validate is dropped, never stored.
      const schemas = leadFieldSchemas(message, today);
      const out: Partial<Extraction> = { confidence, fields: {} };
      const values = out as Record<string, unknown>;
      const dropped: LeadField[] = [];
      for (const key of LEAD_FIELDS) {
        const value = root[key];
        if (value === null || value === undefined) continue;
        const parsed = schemas[key].safeParse(value);
        if (!parsed.success) {
          dropped.push(key);
          continue;
        }
        values[key] = parsed.data;
        out.fields![key] = { extractor: 'llm', confidence };
      }
      if (dropped.length > 0) {
        logger.warn(
          { prompt: promptLabel(prompt), model, ...extra, dropped },
          'openai: invalid lead fields dropped',
        );
      }
      return Object.keys(out.fields ?? {}).length > 0 ? out : null;
    },

    async phraseExplanation(e, lang, opts = {}) {
      const prompt = whyPrompt;
      const facts = explanationFacts(e, lang, opts.now ?? Date.now());
      const extra = { leadId: e.leadId, lang };
      const choice = await complete(prompt, extra, () =>
        client.chat.completions.create({
          model,
          messages: messages(prompt, lang, facts),
          max_completion_tokens: 400,
        }),
      );
      if (!choice) return null;
      const reply = choice.message.content?.trim();
      if (!reply) return warn(prompt, 'empty answer', extra);
      if (reply.length > MAX_PHRASE_CHARS)
        return warn(prompt, 'answer too long', { ...extra, chars: reply.length });
      const unsupported = unsupportedNumbers(reply, collectFacts(facts));
      if (unsupported.length > 0) {
        return warn(prompt, 'answer states numbers not in the facts', { ...extra, numbers: unsupported });
      }
      return reply;
    },
  };
}

/** System prompt in `lang`, then the input as JSON (data, never instructions). */
function messages(prompt: Prompt, lang: Lang, input: unknown): ChatCompletionMessageParam[] {
  return [
    { role: 'system', content: prompt.text[lang] },
    { role: 'user', content: JSON.stringify(input) },
  ];
}

/** A short reason for the log (never shown to users). */
function failureReason(error: unknown): string {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return 'timeout';
  if (error instanceof OpenAI.APIConnectionError) return 'network error';
  if (error instanceof OpenAI.APIError) return `HTTP ${error.status ?? 'error'}`;
  if (error instanceof LengthFinishReasonError) return 'answer truncated';
  if (error instanceof ContentFilterFinishReasonError) return 'content filtered';
  if (error instanceof SyntaxError) return 'invalid JSON';
  if (error instanceof Error && error.name === 'ZodError') return 'schema mismatch';
  return 'request failed';
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}
