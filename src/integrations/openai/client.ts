/**
 * Hotlead's optional OpenAI layer: an `Llm` port with two narrow jobs, each a fallback helper
 * for a deterministic path that stays the default.
 *
 *   - extractBantAnswer: reads one BANT answer the parser (parseBantText) could not read, with
 *     structured output (Chat Completions, strict `json_schema` response format). The raw JSON
 *     is validated again with our own zod schema (schemas.ts); anything invalid, not
 *     understood, or below MIN_CONFIDENCE is null.
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
import type { OpenAiConfig } from '../../config.ts';
import type { LeadExplanation } from '../../domain/leads.ts';
import type { Logger } from '../../logger.ts';
import type { BantField, BantFieldValues } from '../../parse/bant.ts';
import { toIsoDate, vnToday } from '../../parse/calendar.ts';
import { nextTet } from '../../parse/lunar.ts';
import type { Lang } from '../../scoring/types.ts';
import { explanationFacts } from './facts.ts';
import { collectFacts, unsupportedNumbers } from './number-guard.ts';
import { loadPrompt, type Prompt, promptLabel } from './prompts.ts';
import { answerSchema, wireSchema } from './schemas.ts';

/** Below this the model's reading is not used: the bot asks again instead. */
export const MIN_CONFIDENCE = 0.5;
/** A "why" reply longer than this is discarded (Slack reps want a few sentences). */
export const MAX_PHRASE_CHARS = 1200;
/** Longest BANT answer sent to the model; the rest is cut. */
const MAX_ANSWER_CHARS = 1000;
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

export interface Llm {
  /** The model this port calls (for logs and diagnostics). */
  readonly model: string;
  extractBantAnswer<F extends BantField>(
    field: F,
    text: string,
    opts: ExtractOptions,
  ): Promise<BantExtraction<F> | null>;
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
      // Our own validation of the raw JSON: the SDK's parse is not trusted alone.
      let raw: unknown;
      try {
        raw = JSON.parse(choice.message.content ?? '');
      } catch {
        return warn(prompt, 'invalid JSON', extra);
      }
      const parsed = answerSchema(field, today).safeParse(raw);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
        return warn(prompt, 'schema mismatch', { ...extra, issues });
      }
      const answer = parsed.data;
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
