/**
 * The OA's OAuth v4 tokens, kept in `zalo_token` (one row: the connected OA).
 *
 * The refresh token is single-use — every refresh returns a new pair and kills the old refresh
 * token — so two refreshes must never run at once, and the new pair must be stored before it
 * is used. A refresh therefore runs in one database transaction that first takes an advisory
 * lock all processes share, re-reads the row (a process that waited finds the pair another one
 * just stored and uses it instead of refreshing again), calls the token endpoint, updates the
 * row and commits; only then is the new access token handed out. Within a process, concurrent
 * callers share one refresh.
 *
 * A lost connection (no row, or Zalo refusing the refresh token) cannot be repaired here: an
 * admin must run `hotlead zalo connect` again. It is logged as an error, reported through the
 * `alert` callback (Slack in production; at most once an hour per process) and thrown as
 * AppError `ZALO_NOT_CONNECTED`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ZaloConfig } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import type { Sql } from '../../db/sql.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Logger } from '../../logger.ts';
import { NO_ZALO_CODE, ZaloApiError } from './api.ts';

/** Advisory lock key of token refreshes and code exchanges ("HLZT"). */
export const TOKEN_LOCK_KEY = 0x484c5a54;
/** An access token with less left than this is refreshed before use. */
export const REFRESH_AHEAD_MS = 30 * 60_000;
/** Zalo's refresh tokens live 3 months. */
const REFRESH_TOKEN_TTL_MS = 90 * 24 * 3_600_000;
/** How long a `hotlead zalo connect` authorisation may take before its state is refused. */
const OAUTH_STATE_TTL_MS = 60 * 60_000;
/** The lost-connection alert repeats at most this often per process. */
const ALERT_EVERY_MS = 60 * 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;
/** Row key when the redirect did not name the OA. */
export const DEFAULT_OA_KEY = 'default';

export interface TokenStore {
  /** A valid access token; refreshed first when it expires within REFRESH_AHEAD_MS. */
  accessToken(): Promise<string>;
  /**
   * Refreshes the pair, single-flight across processes, and returns the new access token.
   * `staleToken` is the token that was refused: if the stored one already differs (another
   * process refreshed meanwhile) and is fresh, that one is returned without a refresh.
   */
  refresh(opts: { reason: string; staleToken?: string }): Promise<string>;
  /** The OA permission URL (PKCE S256); state and verifier are stored in `zalo_oauth_state`. */
  authorizationUrl(): Promise<{ url: string; state: string }>;
  /** Exchanges the redirect's code (with the state's verifier) and stores the pair, replacing any. */
  exchangeCode(code: string, state: string, opts?: { oaId?: string }): Promise<void>;
}

/** A bilingual text for managers (Slack) — the caller posts it. */
export type ZaloAlert = (text: { vi: string; en: string }) => Promise<void>;

export interface TokenStoreDeps {
  db: Database;
  config: ZaloConfig;
  logger: Logger;
  alert: ZaloAlert;
  now?: () => number;
  fetch?: typeof fetch;
  /** Per-request timeout of the token endpoint; default 10 s. */
  timeoutMs?: number;
}

interface TokenRow {
  oaId: string;
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: number;
}

const rowSchema = z
  .object({
    oa_id: z.string(),
    access_token: z.string(),
    refresh_token: z.string(),
    access_expires_at: z.coerce.date(),
  })
  .transform(
    (r): TokenRow => ({
      oaId: r.oa_id,
      accessToken: r.access_token,
      refreshToken: r.refresh_token,
      accessExpiresAt: r.access_expires_at.getTime(),
    }),
  );

const grantedSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.union([z.string().regex(/^\d+$/).transform(Number), z.number().int().nonnegative()]),
});

const oauthErrorSchema = z.object({
  error: z.union([z.number(), z.string()]).refine((e) => String(e) !== '0'),
  error_name: z.string().optional(),
  error_reason: z.string().optional(),
  error_description: z.string().optional(),
});

type TokenAnswer =
  | { ok: true; accessToken: string; refreshToken: string; expiresInMs: number }
  | { ok: false; error: string };

/** Why the connection is lost: a fixed reason each (plus Zalo's own words when it gave some). */
type LostReason = { kind: 'no_token' } | { kind: 'refresh_refused'; error: string };

class LostConnection extends Error {
  constructor(readonly reason: LostReason) {
    super(reason.kind);
  }
}

export function createTokenStore(deps: TokenStoreDeps): TokenStore {
  const { db, config, logger } = deps;
  const now = deps.now ?? Date.now;
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let inflight: Promise<string> | null = null;
  let lastAlertAt: number | null = null;

  const readRow = async (tx: Sql): Promise<TokenRow | null> => {
    const rows = await tx.query(
      'SELECT oa_id, access_token, refresh_token, access_expires_at FROM zalo_token ORDER BY updated_at DESC LIMIT 1',
    );
    return rows[0] ? rowSchema.parse(rows[0]) : null;
  };
  const lock = (tx: Sql) => tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [TOKEN_LOCK_KEY]);
  const isFresh = (row: TokenRow) => row.accessExpiresAt - now() > REFRESH_AHEAD_MS;

  /** Logs, alerts (throttled; an alert that fails is logged, never hides the error) and returns the error to throw. */
  async function lostConnection(reason: LostReason): Promise<AppError> {
    const why =
      reason.kind === 'no_token'
        ? { vi: 'chưa có token nào được lưu', en: 'no token is stored' }
        : {
            vi: `Zalo từ chối refresh token (${reason.error})`,
            en: `Zalo refused the refresh token (${reason.error})`,
          };
    logger.error({ reason }, `Zalo OA disconnected: ${why.en}; run \`hotlead zalo connect\` again`);
    const t = now();
    if (lastAlertAt === null || t - lastAlertAt >= ALERT_EVERY_MS) {
      lastAlertAt = t;
      await deps
        .alert({
          vi: `Mất kết nối Zalo OA: cần chạy lại \`hotlead zalo connect\` (${why.vi}). Bot không thể trả lời khách trên Zalo cho đến khi kết nối lại.`,
          en: `Zalo OA disconnected: run \`hotlead zalo connect\` again (${why.en}). The bot cannot answer Zalo customers until it is reconnected.`,
        })
        .catch((err: unknown) => logger.error({ err }, 'could not send the Zalo disconnection alert'));
    }
    return new AppError(
      'ZALO_NOT_CONNECTED',
      `Zalo OA is not connected (${why.en}): run \`hotlead zalo connect\``,
    );
  }

  async function requestToken(form: Record<string, string>): Promise<TokenAnswer> {
    let res: Response;
    let text: string;
    try {
      res = await doFetch(`${config.oauthUrl}/v4/oa/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: config.appSecret },
        body: new URLSearchParams({ app_id: config.appId, ...form }).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new ZaloApiError('network', NO_ZALO_CODE, 'Zalo OAuth: the token endpoint did not answer', {
        cause: err,
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const granted = grantedSchema.safeParse(body);
    if (granted.success) {
      const g = granted.data;
      return {
        ok: true,
        accessToken: g.access_token,
        refreshToken: g.refresh_token,
        expiresInMs: g.expires_in * 1000,
      };
    }
    const refused = oauthErrorSchema.safeParse(body);
    if (refused.success) {
      const e = refused.data;
      const words = e.error_description ?? e.error_reason ?? e.error_name;
      return { ok: false, error: `${e.error}${words ? `: ${words}` : ''}` };
    }
    // Neither a pair nor an OAuth error (a proxy page, an outage): transient, not a lost token.
    throw new ZaloApiError('network', NO_ZALO_CODE, `Zalo OAuth: unexpected answer (HTTP ${res.status})`);
  }

  async function refreshUnderLock(reason: string, staleToken: string | undefined): Promise<string> {
    const seen = staleToken ?? (await db.transaction(readRow))?.accessToken;
    try {
      return await db.transaction(async (tx) => {
        await lock(tx);
        const row = await readRow(tx);
        if (!row) throw new LostConnection({ kind: 'no_token' });
        if (row.accessToken !== seen && isFresh(row)) {
          logger.info({ reason }, 'zalo token: another process refreshed it meanwhile');
          return row.accessToken;
        }
        const answer = await requestToken({ grant_type: 'refresh_token', refresh_token: row.refreshToken });
        if (!answer.ok) throw new LostConnection({ kind: 'refresh_refused', error: answer.error });
        const t = now();
        await tx.execute(
          `UPDATE zalo_token SET access_token = $2, refresh_token = $3, access_expires_at = $4,
             refresh_expires_at = $5, updated_at = now() WHERE oa_id = $1`,
          [
            row.oaId,
            answer.accessToken,
            answer.refreshToken,
            new Date(t + answer.expiresInMs),
            new Date(t + REFRESH_TOKEN_TTL_MS),
          ],
        );
        logger.info(
          { reason, accessExpiresAt: new Date(t + answer.expiresInMs).toISOString() },
          'zalo token refreshed',
        );
        return answer.accessToken;
      });
    } catch (err) {
      if (err instanceof LostConnection) throw await lostConnection(err.reason);
      throw err;
    }
  }

  const store: TokenStore = {
    async accessToken() {
      const row = await db.transaction(readRow);
      if (!row) throw await lostConnection({ kind: 'no_token' });
      if (isFresh(row)) {
        lastAlertAt = null;
        return row.accessToken;
      }
      try {
        return await store.refresh({ reason: 'expires soon', staleToken: row.accessToken });
      } catch (err) {
        // Refreshing ahead failed for a passing reason: the current token still works for now.
        if (err instanceof ZaloApiError && err.retryable && row.accessExpiresAt > now()) {
          logger.warn({ err }, 'zalo token: refresh ahead of expiry failed; using the current token');
          return row.accessToken;
        }
        throw err;
      }
    },

    refresh({ reason, staleToken }) {
      inflight ??= refreshUnderLock(reason, staleToken)
        .then((token) => {
          lastAlertAt = null;
          return token;
        })
        .finally(() => {
          inflight = null;
        });
      return inflight;
    },

    async authorizationUrl() {
      if (!config.redirectUri) {
        throw new AppError('BAD_CONFIG', 'Set ZALO_REDIRECT_URI (the callback URL of the Zalo app)', {
          details: [{ path: 'ZALO_REDIRECT_URI', message: 'required by `hotlead zalo connect`' }],
        });
      }
      const verifier = randomBytes(32).toString('base64url');
      const state = randomBytes(16).toString('base64url');
      await db.transaction(async (tx) => {
        await tx.execute('DELETE FROM zalo_oauth_state WHERE created_at < $1', [
          new Date(now() - OAUTH_STATE_TTL_MS),
        ]);
        await tx.execute(
          'INSERT INTO zalo_oauth_state (state, code_verifier, created_at) VALUES ($1, $2, $3)',
          [state, verifier, new Date(now())],
        );
      });
      const params = new URLSearchParams({
        app_id: config.appId,
        redirect_uri: config.redirectUri,
        code_challenge: pkceChallenge(verifier),
        state,
      });
      return { url: `${config.oauthUrl}/v4/oa/permission?${params.toString()}`, state };
    },

    async exchangeCode(code, state, opts = {}) {
      const oaId = opts.oaId ?? DEFAULT_OA_KEY;
      await db
        .transaction(async (tx) => {
          await lock(tx);
          const found = await tx.query<{ code_verifier: string; created_at: Date }>(
            'SELECT code_verifier, created_at FROM zalo_oauth_state WHERE state = $1 FOR UPDATE',
            [state],
          );
          const entry = found[0];
          if (!entry || now() - new Date(entry.created_at).getTime() > OAUTH_STATE_TTL_MS) {
            throw new AppError(
              'BAD_INPUT',
              'Unknown or expired state: run `hotlead zalo connect` again and use the new link',
            );
          }
          const answer = await requestToken({
            grant_type: 'authorization_code',
            code,
            code_verifier: entry.code_verifier,
          });
          if (!answer.ok) {
            throw new AppError(
              'BAD_INPUT',
              `Zalo refused the authorisation code (${answer.error}): run \`hotlead zalo connect\` again`,
            );
          }
          const t = now();
          await tx.execute('DELETE FROM zalo_oauth_state WHERE state = $1', [state]);
          await tx.execute('DELETE FROM zalo_token');
          await tx.execute(
            `INSERT INTO zalo_token (oa_id, access_token, refresh_token, access_expires_at, refresh_expires_at)
             VALUES ($1, $2, $3, $4, $5)`,
            [
              oaId,
              answer.accessToken,
              answer.refreshToken,
              new Date(t + answer.expiresInMs),
              new Date(t + REFRESH_TOKEN_TTL_MS),
            ],
          );
        })
        .catch((err: unknown) => {
          if (err instanceof ZaloApiError) {
            throw new AppError('ZALO_NOT_CONNECTED', `Could not reach Zalo's OAuth server: try again`, {
              cause: err,
            });
          }
          throw err;
        });
      lastAlertAt = null;
      logger.info({ oaId }, 'Zalo OA connected');
    },
  };
  return store;
}

/** PKCE S256: base64url(sha256(verifier)). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
