/**
 * A fake of Zalo's OA Open API and OAuth v4 endpoints (node:http on 127.0.0.1) for the real
 * client: point `ZALO_API_URL` and `ZALO_OAUTH_URL` (or `fake.config`) at `fake.url`.
 *
 *   POST /v3.0/oa/message/cs     CS text / request_user_info; checks the bare `access_token`
 *                                header (unknown → -216, expired → -220), the JSON body, the
 *                                text length and that the user follows the OA (-213).
 *   GET  /v3.0/oa/user/detail    `?data={"user_id":"…"}` → the user of the directory.
 *   POST /v4/oa/access_token     form body; checks `secret_key`, `app_id`, the grant type, the
 *                                PKCE verifier against the challenge `authorize()` saw, and
 *                                that refresh tokens are used once (a used one is refused).
 *
 * Every request is recorded in `calls`. Scripts: `failNext(path, code, times)` answers Zalo's
 * error code (HTTP 200, like Zalo); `dropNext` cuts the connection; `delay` slows a path down;
 * `expireAccessTokens` / `revokeRefreshTokens` / `tokenLifetime` control the tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, type Mock, vi } from 'vitest';
import type { ZaloConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import type { ZaloAlert } from '../../src/integrations/zalo/tokens.ts';
import type { Logger } from '../../src/logger.ts';
import type { TestDb } from './db.ts';

export const FAKE_ZALO_APP = {
  appId: '2811474951837493218',
  appSecret: 'fake-app-secret',
  oaSecretKey: 'fake-oa-secret-key',
  oaId: '4318840366227430588',
  redirectUri: 'https://hotlead.example/zalo/oauth/callback',
} as const;

export const ZALO_PATHS = {
  send: '/v3.0/oa/message/cs',
  userDetail: '/v3.0/oa/user/detail',
  token: '/v4/oa/access_token',
} as const;
export type FakeZaloPath = (typeof ZALO_PATHS)[keyof typeof ZALO_PATHS];

/** The OA API error codes of the brief, with the fake's wording. */
export const ZALO_ERROR_MESSAGES: Readonly<Record<number, string>> = {
  [-32]: 'Exceeded the rate limit',
  [-201]: 'Parameters are invalid',
  [-204]: 'Official Account is disabled',
  [-205]: 'Official Account does not exist',
  [-211]: 'Out of quota',
  [-213]: 'User has not followed the Official Account',
  [-216]: 'Access token is invalid',
  [-220]: 'Access token has expired',
  [-227]: 'User is banned or has been inactive for more than 45 days',
  [-230]: 'User has not interacted with the OA in the last 7 days',
  [-232]: 'User has not interacted with the OA: message outside the interaction window',
  [-233]: 'Message type is not supported',
  [-240]: 'The v2 API for this message type is discontinued',
};

/** The fake's own OAuth error codes (Zalo's answer shape: error, error_name, error_description). */
export const OAUTH_ERRORS = {
  invalidSecret: -14002,
  invalidAppId: -14003,
  invalidCode: -14005,
  invalidRefreshToken: -14014,
  invalidVerifier: -14019,
  unsupportedGrant: -14001,
} as const;

export interface FakeZaloCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** JSON body (OA API) or form fields (OAuth); null without a body. */
  body: unknown;
  at: number;
  /** The `error` answered (0 = success), or 'dropped' when the connection was cut. */
  error: number | 'dropped';
}

export interface FakeZaloUser {
  id: string;
  displayName: string;
  isFollower?: boolean;
  sharedInfo?: { name?: string; phone?: string; address?: string; city?: string; district?: string } | null;
}

export interface FakeZaloMessage {
  messageId: string;
  userId: string;
  text?: string;
  quoteMessageId?: string;
  attachment?: unknown;
  accessToken: string;
  at: number;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds, as a string (like Zalo). */
  expiresIn: string;
}

/** hex: "6c1d3ab2…"; numeric: a 19-digit string; numeric-json: 19 digits as a bare JSON number. */
export type MessageIdStyle = 'hex' | 'numeric' | 'numeric-json';

export interface FakeZalo {
  /** Base URL of both the OA API and OAuth. */
  url: string;
  /** A ZaloConfig pointing at the fake. */
  config: ZaloConfig;
  /** The environment that points Hotlead's Zalo integration at this fake (app keys, base URLs). */
  env: Record<string, string>;
  calls: FakeZaloCall[];
  callsTo(path: FakeZaloPath): FakeZaloCall[];
  /** The next `times` requests to `path` answer `code` (OA API: `{error, message}`; OAuth: `{error, error_description}`). */
  failNext(path: FakeZaloPath, code: number, times?: number): void;
  /** The next `times` requests to `path` have their connection cut (fetch fails). */
  dropNext(path: FakeZaloPath, times?: number): void;
  /** Every request to `path` waits `ms` before it is answered. */
  delay(path: FakeZaloPath, ms: number): void;
  addUser(user: FakeZaloUser): void;
  messagesTo(userId: string): FakeZaloMessage[];
  /** A valid pair, as if an admin had just connected the OA. */
  issueTokens(opts?: { expiresInSeconds?: number }): IssuedTokens;
  /** The given access token (default: every one issued so far) now answers -220. */
  expireAccessTokens(token?: string): void;
  /** Every refresh token issued so far is refused from now on (an admin revoked the app, 3 months passed…). */
  revokeRefreshTokens(): void;
  /** `expires_in` of the pairs issued from now on (default 90000 s = 25 h). */
  tokenLifetime(seconds: number): void;
  messageIds(style: MessageIdStyle): void;
  /**
   * The admin opens the authorisation URL and consents: checks it and returns the redirect URL
   * Zalo would send the browser to (`redirect_uri?code=…&oa_id=…&state=…`).
   */
  authorize(authorizationUrl: string): string;
  close(): Promise<void>;
}

interface AccessTokenState {
  expiresAt: number;
  expired: boolean;
}

export async function startFakeZalo(): Promise<FakeZalo> {
  const calls: FakeZaloCall[] = [];
  const failures = new Map<string, { code: number | 'drop'; left: number }[]>();
  const delays = new Map<string, number>();
  const users = new Map<string, FakeZaloUser>();
  const messages: FakeZaloMessage[] = [];
  const accessTokens = new Map<string, AccessTokenState>();
  /** refresh token → still usable */
  const refreshTokens = new Map<string, boolean>();
  const codes = new Map<string, { challenge: string; used: boolean }>();
  let lifetime = 90_000;
  let idStyle: MessageIdStyle = 'hex';
  let remain = 4000;

  const issue = (seconds = lifetime): IssuedTokens => {
    const accessToken = `at_${randomBytes(12).toString('hex')}`;
    const refreshToken = `rt_${randomBytes(12).toString('hex')}`;
    accessTokens.set(accessToken, { expiresAt: Date.now() + seconds * 1000, expired: false });
    refreshTokens.set(refreshToken, true);
    return { accessToken, refreshToken, expiresIn: String(seconds) };
  };

  const takeFailure = (path: string): number | 'drop' | null => {
    const queue = failures.get(path);
    const head = queue?.[0];
    if (!queue || !head) return null;
    head.left -= 1;
    if (head.left <= 0) queue.shift();
    return head.code;
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const isForm = (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
    let body: unknown = null;
    if (text) {
      try {
        body = isForm ? Object.fromEntries(new URLSearchParams(text)) : JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const call: FakeZaloCall = {
      method: req.method ?? '',
      path,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      at: Date.now(),
      error: 0,
    };
    calls.push(call);
    const wait = delays.get(path) ?? 0;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));

    const scripted = takeFailure(path);
    if (scripted === 'drop') {
      call.error = 'dropped';
      req.socket.destroy();
      return;
    }
    const answer = (status: number, payload: Record<string, unknown>) => {
      call.error = typeof payload.error === 'number' ? payload.error : 0;
      send(res, status, payload, idStyle);
    };
    if (path === ZALO_PATHS.token) {
      if (scripted !== null) return answer(200, oauthError(scripted, 'Scripted failure'));
      return answer(200, handleToken(req, body));
    }
    if (path === ZALO_PATHS.send || path === ZALO_PATHS.userDetail) {
      res.setHeader('X-RateLimit-Limit', '4000');
      remain = Math.max(0, remain - 1);
      res.setHeader('X-RateLimit-Remain', String(remain));
      if (scripted !== null) return answer(200, apiError(scripted));
      const token = req.headers.access_token;
      const state = typeof token === 'string' ? accessTokens.get(token) : undefined;
      if (!state) return answer(200, apiError(-216));
      if (state.expired || state.expiresAt <= Date.now()) return answer(200, apiError(-220));
      if (path === ZALO_PATHS.send && req.method === 'POST')
        return answer(200, handleSend(body, token as string));
      if (path === ZALO_PATHS.userDetail && req.method === 'GET') return answer(200, handleDetail(url));
    }
    answer(404, { error: 404, message: `fake-zalo: no route ${req.method} ${path}` });
  });

  function handleSend(body: unknown, accessToken: string): Record<string, unknown> {
    const b = body as { recipient?: { user_id?: unknown }; message?: Record<string, unknown> } | null;
    const userId = b?.recipient?.user_id;
    const message = b?.message;
    if (typeof userId !== 'string' || !message) return apiError(-201);
    const user = users.get(userId);
    if (!user) return apiError(-201);
    const text = message.text;
    const attachment = message.attachment;
    if (text !== undefined && (typeof text !== 'string' || text.length === 0 || text.length > 2000))
      return apiError(-201);
    if (text === undefined && attachment === undefined) return apiError(-201);
    if (user.isFollower === false) return apiError(-213);
    const messageId =
      idStyle === 'hex'
        ? randomBytes(16).toString('hex')
        : `7${Array.from(randomBytes(18), (b) => String(b % 10)).join('')}`;
    messages.push({
      messageId,
      userId,
      ...(typeof text === 'string' ? { text } : {}),
      ...(typeof message.quote_message_id === 'string' ? { quoteMessageId: message.quote_message_id } : {}),
      ...(attachment !== undefined ? { attachment } : {}),
      accessToken,
      at: Date.now(),
    });
    return { error: 0, message: 'Success', data: { message_id: messageId, user_id: userId } };
  }

  function handleDetail(url: URL): Record<string, unknown> {
    let userId: unknown;
    try {
      userId = (JSON.parse(url.searchParams.get('data') ?? '') as { user_id?: unknown }).user_id;
    } catch {
      return apiError(-201);
    }
    const user = typeof userId === 'string' ? users.get(userId) : undefined;
    if (!user) return apiError(-201);
    return {
      error: 0,
      message: 'Success',
      data: {
        user_id: user.id,
        user_id_by_app: `9${user.id.slice(1)}`,
        display_name: user.displayName,
        avatar: 'https://s120-ava-talk.zadn.vn/fake.jpg',
        user_is_follower: user.isFollower ?? true,
        user_last_interaction_date: '21/11/2026',
        ...(user.sharedInfo ? { shared_info: user.sharedInfo } : {}),
      },
    };
  }

  function handleToken(req: IncomingMessage, body: unknown): Record<string, unknown> {
    const form = (body && typeof body === 'object' ? body : {}) as Record<string, string>;
    if (req.headers.secret_key !== FAKE_ZALO_APP.appSecret)
      return oauthError(OAUTH_ERRORS.invalidSecret, 'Invalid secret_key');
    if (form.app_id !== FAKE_ZALO_APP.appId) return oauthError(OAUTH_ERRORS.invalidAppId, 'Invalid app_id');
    if (form.grant_type === 'refresh_token') {
      const rt = form.refresh_token ?? '';
      if (refreshTokens.get(rt) !== true)
        return oauthError(OAUTH_ERRORS.invalidRefreshToken, 'Invalid refresh token');
      refreshTokens.set(rt, false); // single use
      return pairAnswer(issue());
    }
    if (form.grant_type === 'authorization_code') {
      const entry = codes.get(form.code ?? '');
      if (!entry || entry.used) return oauthError(OAUTH_ERRORS.invalidCode, 'Invalid authorization code');
      entry.used = true;
      const verifier = form.code_verifier ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== entry.challenge)
        return oauthError(OAUTH_ERRORS.invalidVerifier, 'Invalid code verifier');
      return pairAnswer(issue());
    }
    return oauthError(OAUTH_ERRORS.unsupportedGrant, 'Unsupported grant_type');
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    env: {
      ZALO_APP_ID: FAKE_ZALO_APP.appId,
      ZALO_APP_SECRET: FAKE_ZALO_APP.appSecret,
      ZALO_OA_SECRET_KEY: FAKE_ZALO_APP.oaSecretKey,
      ZALO_API_URL: url,
      ZALO_OAUTH_URL: url,
    },
    config: {
      appId: FAKE_ZALO_APP.appId,
      appSecret: FAKE_ZALO_APP.appSecret,
      oaSecretKey: FAKE_ZALO_APP.oaSecretKey,
      apiUrl: url,
      oauthUrl: url,
      redirectUri: FAKE_ZALO_APP.redirectUri,
      rateLimitPauseMs: 60_000,
    },
    calls,
    callsTo: (path) => calls.filter((c) => c.path === path),
    failNext(path, code, times = 1) {
      failures.set(path, [...(failures.get(path) ?? []), { code, left: times }]);
    },
    dropNext(path, times = 1) {
      failures.set(path, [...(failures.get(path) ?? []), { code: 'drop', left: times }]);
    },
    delay(path, ms) {
      delays.set(path, ms);
    },
    addUser(user) {
      users.set(user.id, user);
    },
    messagesTo: (userId) => messages.filter((m) => m.userId === userId),
    issueTokens: (opts = {}) => issue(opts.expiresInSeconds),
    expireAccessTokens(token) {
      for (const [t, state] of accessTokens) if (token === undefined || t === token) state.expired = true;
    },
    revokeRefreshTokens() {
      for (const t of refreshTokens.keys()) refreshTokens.set(t, false);
    },
    tokenLifetime(seconds) {
      lifetime = seconds;
    },
    messageIds(style) {
      idStyle = style;
    },
    authorize(authorizationUrl) {
      const u = new URL(authorizationUrl);
      const p = u.searchParams;
      if (u.pathname !== '/v4/oa/permission')
        throw new Error(`fake-zalo: not a permission URL: ${u.pathname}`);
      if (p.get('app_id') !== FAKE_ZALO_APP.appId) throw new Error('fake-zalo: wrong app_id');
      const redirectUri = p.get('redirect_uri');
      const challenge = p.get('code_challenge');
      const state = p.get('state');
      if (!redirectUri || !challenge || !state)
        throw new Error('fake-zalo: redirect_uri, code_challenge and state are required');
      if (!/^[A-Za-z0-9_-]{43}$/.test(challenge))
        throw new Error('fake-zalo: code_challenge is not a base64url SHA-256');
      const code = `code_${randomBytes(10).toString('hex')}`;
      codes.set(code, { challenge, used: false });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('oa_id', FAKE_ZALO_APP.oaId);
      back.searchParams.set('state', state);
      back.searchParams.set('code_challenge', challenge);
      return back.toString();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function apiError(code: number): Record<string, unknown> {
  return { error: code, message: ZALO_ERROR_MESSAGES[code] ?? `fake-zalo error ${code}` };
}

function oauthError(code: number, description: string): Record<string, unknown> {
  return { error: code, error_name: 'Invalid parameter', error_description: description };
}

function pairAnswer(t: IssuedTokens): Record<string, unknown> {
  return { access_token: t.accessToken, refresh_token: t.refreshToken, expires_in: t.expiresIn };
}

function send(
  res: ServerResponse,
  status: number,
  payload: Record<string, unknown>,
  style: MessageIdStyle,
): void {
  let json = JSON.stringify(payload);
  // Zalo sends ids as strings; this style checks the client survives one sent as a bare number.
  if (style === 'numeric-json') json = json.replace(/"message_id":"(\d+)"/, '"message_id":$1');
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(json);
}

/**
 * Stores a pair the fake issued as the connected OA's (what `hotlead zalo connect` leaves
 * behind), expiring `expiresInMs` after `now`.
 */
export async function storeTokens(
  db: Database,
  tokens: IssuedTokens,
  opts: { now?: number; expiresInMs?: number; oaId?: string } = {},
): Promise<void> {
  const now = opts.now ?? Date.now();
  await db.transaction(async (tx) => {
    await tx.execute('DELETE FROM zalo_token');
    await tx.execute(
      `INSERT INTO zalo_token (oa_id, access_token, refresh_token, access_expires_at, refresh_expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        opts.oaId ?? FAKE_ZALO_APP.oaId,
        tokens.accessToken,
        tokens.refreshToken,
        new Date(now + (opts.expiresInMs ?? Number(tokens.expiresIn) * 1000)),
        new Date(now + 90 * 24 * 3_600_000),
      ],
    );
  });
}

/** The stored pair (null when none). */
export async function storedTokens(
  db: Database,
): Promise<{ oaId: string; accessToken: string; refreshToken: string; accessExpiresAt: Date } | null> {
  const rows = await db.transaction((tx) =>
    tx.query<{ oa_id: string; access_token: string; refresh_token: string; access_expires_at: Date }>(
      'SELECT oa_id, access_token, refresh_token, access_expires_at FROM zalo_token',
    ),
  );
  if (rows.length > 1) throw new Error(`zalo_token holds ${rows.length} rows; one expected`);
  const r = rows[0];
  return r
    ? {
        oaId: r.oa_id,
        accessToken: r.access_token,
        refreshToken: r.refresh_token,
        accessExpiresAt: new Date(r.access_expires_at),
      }
    : null;
}

export interface ZaloTestBed {
  t: TestDb;
  db: Database;
  fake: FakeZalo;
  /** The pair stored before each test (valid, 25 h). */
  issued: IssuedTokens;
  /** A debug-level logger whose lines land in `logs`. */
  logger: Logger;
  logs: Record<string, unknown>[];
  alert: Mock<ZaloAlert>;
}

/**
 * Registers the vitest hooks of a Zalo suite: one database per suite (`open`), and per test a
 * fresh fake Zalo, a stored valid pair, no PKCE states, a capturing logger and an alert mock.
 */
export function zaloTestBed(open: () => Promise<TestDb>): ZaloTestBed {
  const bed = { logs: [] } as unknown as ZaloTestBed;
  beforeAll(async () => {
    bed.t = await open();
    bed.db = bed.t.db;
  });
  afterAll(async () => {
    await bed.t.cleanup();
  });
  beforeEach(async () => {
    bed.fake = await startFakeZalo();
    bed.issued = bed.fake.issueTokens();
    await storeTokens(bed.db, bed.issued);
    await bed.db.transaction((tx) => tx.execute('DELETE FROM zalo_oauth_state'));
    const logs: Record<string, unknown>[] = [];
    bed.logs = logs;
    bed.logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
    bed.alert = vi.fn<ZaloAlert>(async () => {});
  });
  afterEach(async () => {
    await bed.fake.close();
  });
  return bed;
}
