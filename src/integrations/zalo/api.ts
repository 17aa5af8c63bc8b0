/**
 * A small typed client of the Zalo OA Open API (v3.0) on `fetch` + zod: CS text messages,
 * the `request_user_info` form and the user profile. Every answer is `{ error, message, data? }`
 * — HTTP 200 on failure too — and is checked; each Zalo error code maps to a `ZaloErrorKind`
 * callers decide on (retry, stop the conversation, alert). The access token comes from the
 * `TokenStore`; `-216`/`-220` refresh it once and retry the call once.
 *
 * Ids (user, message) are 64-bit: they are kept as strings end to end, even if an answer
 * carried one as a bare JSON number (see `parseJsonKeepingIds`).
 */
import { z } from 'zod';
import type { ZaloConfig } from '../../config.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Logger } from '../../logger.ts';
import type { TokenStore } from './tokens.ts';

/** Zalo's limit for a CS text message. */
export const MAX_TEXT_CHARS = 2000;
const DEFAULT_TIMEOUT_MS = 10_000;

/** What a caller does about a failed call. */
export type ZaloErrorKind =
  /** `-32`: over 4,000 requests/minute — back off and retry. */
  | 'rate_limited'
  /** `-216`/`-220` still after one refresh, or no usable token: an admin must reconnect. */
  | 'token'
  /** `-230`/`-232`: outside the user's interaction window (7 days, or 48 h unpaid). */
  | 'window'
  /** `-213`: the user does not follow the OA (permanent for that user). */
  | 'not_follower'
  /** `-227`: the user is banned or inactive for 45+ days. */
  | 'user_inactive'
  /** `-204`/`-205`: the OA is disabled or not found — alert an admin. */
  | 'oa_disabled'
  /** `-211`: out of quota. */
  | 'quota'
  /** `-201`/`-233`/`-240`, unknown codes, refused locally (text too long), unexpected answers. */
  | 'permanent'
  /** fetch failed, timed out, or an HTTP 5xx without a Zalo answer — retry. */
  | 'network';

/** Code of failures that did not come from Zalo (network, local checks, unexpected answers). */
export const NO_ZALO_CODE = 0;

const KIND_BY_CODE: ReadonlyMap<number, ZaloErrorKind> = new Map([
  [-32, 'rate_limited'],
  [-216, 'token'],
  [-220, 'token'],
  [-213, 'not_follower'],
  [-227, 'user_inactive'],
  [-230, 'window'],
  [-232, 'window'],
  [-204, 'oa_disabled'],
  [-205, 'oa_disabled'],
  [-211, 'quota'],
  [-201, 'permanent'],
  [-233, 'permanent'],
  [-240, 'permanent'],
]);

const RETRYABLE: ReadonlySet<ZaloErrorKind> = new Set(['rate_limited', 'network']);

/** The kind a Zalo error code maps to (unknown codes: permanent). */
export function zaloErrorKind(code: number): ZaloErrorKind {
  return KIND_BY_CODE.get(code) ?? 'permanent';
}

export class ZaloApiError extends Error {
  /** Zalo's `error` code, or NO_ZALO_CODE (0) when the failure is not Zalo's answer. */
  readonly code: number;
  readonly kind: ZaloErrorKind;
  readonly retryable: boolean;

  constructor(kind: ZaloErrorKind, code: number, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ZaloApiError';
    this.kind = kind;
    this.code = code;
    this.retryable = RETRYABLE.has(kind);
  }
}

export interface ZaloUserProfile {
  displayName: string | null;
  isFollower: boolean;
  /** What the user shared with the OA (a `request_user_info` answer), null when nothing. */
  sharedInfo: { name?: string; phone?: string; address?: string; city?: string } | null;
}

export interface ZaloApi {
  /** A CS text message (≤ 2,000 characters), optionally quoting one of the user's messages. */
  sendText(userId: string, text: string, opts?: { quoteMessageId?: string }): Promise<{ messageId: string }>;
  /** The `request_user_info` form; the answer arrives later as a `user_submit_info` event. */
  requestUserInfo(
    userId: string,
    element: { title: string; subtitle: string; imageUrl: string },
  ): Promise<{ messageId: string }>;
  userProfile(userId: string): Promise<ZaloUserProfile>;
}

export interface ZaloApiDeps {
  config: ZaloConfig;
  tokens: TokenStore;
  logger: Logger;
  fetch?: typeof fetch;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
}

/** Integers too long for a double (16+ digits) outside strings: JSON.parse would round them. */
const STRING_OR_LONG_INT = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g;

/** JSON.parse, but integers of 16+ digits come back as strings (exact) instead of rounded numbers. */
export function parseJsonKeepingIds(text: string): unknown {
  return JSON.parse(text.replace(STRING_OR_LONG_INT, (m) => (m.startsWith('"') ? m : `"${m}"`)));
}

/** An id: a string, or a number that is exactly representable, as a string. */
const id = z.union([z.string().min(1), z.number().int().safe().transform(String)]);
/** Optional text; numbers (a phone) become strings, '' and null count as absent. */
const optionalText = z
  .union([z.string(), z.number().transform(String), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined || v.trim() === '' ? undefined : v));

const envelopeSchema = z.object({
  error: z.union([
    z.number().int(),
    z
      .string()
      .regex(/^-?\d+$/)
      .transform(Number),
  ]),
  message: z.string().optional().default(''),
  data: z.unknown().optional(),
});

const sentSchema = z.object({ message_id: id, user_id: id.optional() });

const profileSchema = z.object({
  display_name: optionalText,
  user_is_follower: z.boolean().optional(),
  shared_info: z
    .object({ name: optionalText, phone: optionalText, address: optionalText, city: optionalText })
    .nullish(),
});

export function createZaloApi(deps: ZaloApiDeps): ZaloApi {
  const { config, tokens, logger } = deps;
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  /** One HTTP exchange with a given token: the `data` of a successful answer, else a ZaloApiError. */
  async function once(
    what: string,
    path: string,
    init: { method: 'GET' | 'POST'; body?: unknown },
    token: string,
  ): Promise<unknown> {
    let res: Response;
    let text: string;
    try {
      res = await doFetch(`${config.apiUrl}${path}`, {
        method: init.method,
        headers: {
          access_token: token,
          accept: 'application/json',
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new ZaloApiError('network', NO_ZALO_CODE, `Zalo ${what}: ${describeFetchError(err)}`, {
        cause: err,
      });
    }
    logger.debug(
      {
        zalo: what,
        status: res.status,
        rateLimit: res.headers.get('x-ratelimit-limit'),
        rateRemain: res.headers.get('x-ratelimit-remain'),
      },
      'zalo api call',
    );
    let envelope: z.infer<typeof envelopeSchema>;
    try {
      envelope = envelopeSchema.parse(parseJsonKeepingIds(text));
    } catch (err) {
      // A 5xx page of a proxy or of Zalo itself is worth a retry; an unreadable 2xx is not
      // (a send may have happened: retrying could send it twice).
      const kind = res.status >= 500 ? 'network' : 'permanent';
      throw new ZaloApiError(kind, NO_ZALO_CODE, `Zalo ${what}: unexpected answer (HTTP ${res.status})`, {
        cause: err,
      });
    }
    if (envelope.error !== 0) {
      throw new ZaloApiError(
        zaloErrorKind(envelope.error),
        envelope.error,
        `Zalo ${what}: ${envelope.error} ${envelope.message}`.trim(),
      );
    }
    return envelope.data;
  }

  /** A call with the current token; on `-216`/`-220`, one refresh and one retry. */
  async function call(
    what: string,
    path: string,
    init: { method: 'GET' | 'POST'; body?: unknown },
  ): Promise<unknown> {
    const token = await withTokenErrors(() => tokens.accessToken());
    try {
      return await once(what, path, init, token);
    } catch (err) {
      if (!(err instanceof ZaloApiError) || err.kind !== 'token') throw err;
      logger.warn({ zalo: what, code: err.code }, 'zalo access token refused: refreshing once');
      const fresh = await withTokenErrors(() =>
        tokens.refresh({ reason: `${what} answered ${err.code}`, staleToken: token }),
      );
      return once(what, path, init, fresh);
    }
  }

  async function send(what: string, userId: string, message: Record<string, unknown>) {
    const data = await call(what, '/v3.0/oa/message/cs', {
      method: 'POST',
      body: { recipient: { user_id: userId }, message },
    });
    const parsed = sentSchema.safeParse(data);
    if (!parsed.success) {
      throw new ZaloApiError('permanent', NO_ZALO_CODE, `Zalo ${what}: success without a message_id`, {
        cause: parsed.error,
      });
    }
    return { messageId: parsed.data.message_id };
  }

  return {
    async sendText(userId, text, opts = {}) {
      if (text.trim() === '') {
        throw new ZaloApiError('permanent', NO_ZALO_CODE, 'Zalo sendText: the text is empty');
      }
      // UTF-16 units: never fewer than the characters Zalo counts, so nothing it would refuse passes.
      if (text.length > MAX_TEXT_CHARS) {
        throw new ZaloApiError(
          'permanent',
          NO_ZALO_CODE,
          `Zalo sendText: the text has ${text.length} characters; Zalo accepts at most ${MAX_TEXT_CHARS}`,
        );
      }
      return send('sendText', userId, {
        text,
        ...(opts.quoteMessageId ? { quote_message_id: opts.quoteMessageId } : {}),
      });
    },

    async requestUserInfo(userId, element) {
      return send('requestUserInfo', userId, {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'request_user_info',
            elements: [{ title: element.title, subtitle: element.subtitle, image_url: element.imageUrl }],
          },
        },
      });
    },

    async userProfile(userId) {
      const query = encodeURIComponent(JSON.stringify({ user_id: userId }));
      const data = await call('userProfile', `/v3.0/oa/user/detail?data=${query}`, { method: 'GET' });
      const parsed = profileSchema.safeParse(data ?? {});
      if (!parsed.success) {
        throw new ZaloApiError('permanent', NO_ZALO_CODE, 'Zalo userProfile: unexpected profile shape', {
          cause: parsed.error,
        });
      }
      const p = parsed.data;
      const shared = p.shared_info
        ? Object.fromEntries(Object.entries(p.shared_info).filter(([, v]) => v !== undefined))
        : null;
      return {
        displayName: p.display_name ?? null,
        isFollower: p.user_is_follower ?? false,
        sharedInfo: shared && Object.keys(shared).length > 0 ? shared : null,
      };
    },
  };
}

/**
 * Token store failures as API errors: "not connected" (no row, lost refresh token) is kind
 * 'token'; network failures of the OAuth endpoint stay as they are (ZaloApiError 'network').
 */
async function withTokenErrors(fn: () => Promise<string>): Promise<string> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError && err.code === 'ZALO_NOT_CONNECTED') {
      throw new ZaloApiError('token', NO_ZALO_CODE, err.userMessage, { cause: err });
    }
    throw err;
  }
}

function describeFetchError(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timed out';
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err instanceof Error ? err.message : String(err)}${cause}`;
}
