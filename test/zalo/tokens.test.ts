/**
 * The OA's OAuth v4 tokens against the fake Zalo on PGlite and (DATABASE_URL) Postgres:
 * single-flight refresh across token stores standing for separate processes, refresh ahead of
 * expiry, the lost-refresh-token alert, and PKCE authorisation.
 */
import { describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { AppError } from '../../src/errors/app-error.ts';
import { ZaloApiError } from '../../src/integrations/zalo/api.ts';
import {
  createTokenStore,
  DEFAULT_OA_KEY,
  pkceChallenge,
  REFRESH_AHEAD_MS,
  type TokenStore,
} from '../../src/integrations/zalo/tokens.ts';
import { BACKENDS } from '../helpers/db.ts';
import { FAKE_ZALO_APP, storedTokens, storeTokens, ZALO_PATHS, zaloTestBed } from '../helpers/fake-zalo.ts';

describe.each(BACKENDS)('Zalo OAuth tokens ($name)', ({ open }) => {
  const bed = zaloTestBed(open);

  const store = (opts: { db?: Database; now?: () => number } = {}): TokenStore =>
    createTokenStore({
      db: opts.db ?? bed.db,
      config: bed.fake.config,
      logger: bed.logger,
      alert: bed.alert,
      timeoutMs: 2000,
      ...(opts.now ? { now: opts.now } : {}),
    });

  it('hands out the stored token while it has more than 30 minutes left', async () => {
    await expect(store().accessToken()).resolves.toBe(bed.issued.accessToken);
    expect(bed.fake.callsTo(ZALO_PATHS.token)).toHaveLength(0);
  });

  it('refreshes ahead of expiry (< 30 min left), stores the new pair before handing it out', async () => {
    const start = Date.now();
    let clock = start;
    const tokens = store({ now: () => clock });
    clock = start + 25 * 3_600_000 - REFRESH_AHEAD_MS + 60_000; // 29 min left
    const fresh = await tokens.accessToken();
    expect(fresh).not.toBe(bed.issued.accessToken);
    const calls = bed.fake.callsTo(ZALO_PATHS.token);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers.secret_key).toBe(FAKE_ZALO_APP.appSecret);
    expect(calls[0]?.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(calls[0]?.body).toEqual({
      app_id: FAKE_ZALO_APP.appId,
      grant_type: 'refresh_token',
      refresh_token: bed.issued.refreshToken,
    });
    const row = await storedTokens(bed.db);
    expect(row?.accessToken).toBe(fresh);
    expect(row?.refreshToken).not.toBe(bed.issued.refreshToken);
    // expires_in "90000" counted from the store's clock
    expect(row?.accessExpiresAt.getTime()).toBe(clock + 90_000_000);
    await expect(tokens.accessToken()).resolves.toBe(fresh);
    expect(bed.fake.callsTo(ZALO_PATHS.token)).toHaveLength(1);
  });

  it('a failed refresh ahead of expiry falls back to the still valid token, without an alert', async () => {
    let clock = Date.now();
    const tokens = store({ now: () => clock });
    clock += 25 * 3_600_000 - 10 * 60_000; // 10 min left
    bed.fake.dropNext(ZALO_PATHS.token);
    await expect(tokens.accessToken()).resolves.toBe(bed.issued.accessToken);
    expect(bed.alert).not.toHaveBeenCalled();
    expect((await storedTokens(bed.db))?.refreshToken).toBe(bed.issued.refreshToken);
  });

  it('two processes refreshing at once: ONE token call, both get the same new token', async () => {
    bed.fake.delay(ZALO_PATHS.token, 300); // a wide window for the second one to arrive in
    // Postgres: a second pool, as another process would have; PGlite: one instance per data dir.
    const other = bed.t.url ? await openDatabase({ databaseUrl: bed.t.url }) : bed.db;
    try {
      const a = store();
      const b = store({ db: other });
      const [ta, tb] = await Promise.all([
        a.refresh({ reason: 'test a', staleToken: bed.issued.accessToken }),
        b.refresh({ reason: 'test b', staleToken: bed.issued.accessToken }),
      ]);
      expect(bed.fake.callsTo(ZALO_PATHS.token)).toHaveLength(1);
      expect(ta).toBe(tb);
      expect(ta).not.toBe(bed.issued.accessToken);
      expect((await storedTokens(bed.db))?.accessToken).toBe(ta);
      expect(bed.alert).not.toHaveBeenCalled();
    } finally {
      if (other !== bed.db) await other.close();
    }
  });

  it('two refreshes without a stale token (each reads the row first) still make one call', async () => {
    bed.fake.delay(ZALO_PATHS.token, 200);
    const [ta, tb] = await Promise.all([store().refresh({ reason: 'a' }), store().refresh({ reason: 'b' })]);
    expect(ta).toBe(tb);
    expect(bed.fake.callsTo(ZALO_PATHS.token)).toHaveLength(1);
  });

  it('callers in one process share one refresh', async () => {
    const tokens = store();
    const all = await Promise.all([1, 2, 3, 4].map((i) => tokens.refresh({ reason: `caller ${i}` })));
    expect(new Set(all).size).toBe(1);
    expect(bed.fake.callsTo(ZALO_PATHS.token)).toHaveLength(1);
  });

  it('refreshes in a row chain the single-use refresh tokens; the old one is refused by Zalo', async () => {
    const tokens = store();
    const first = await tokens.refresh({ reason: 'one' });
    const second = await tokens.refresh({ reason: 'two', staleToken: first });
    expect(second).not.toBe(first);
    expect(bed.fake.callsTo(ZALO_PATHS.token).map((c) => c.error)).toEqual([0, 0]);
    // Reusing the first refresh token (what a second, unlocked refresh would do) is refused:
    await storeTokens(bed.db, bed.issued);
    await expect(tokens.refresh({ reason: 'stale pair' })).rejects.toMatchObject({
      code: 'ZALO_NOT_CONNECTED',
    });
  });

  it('a lost refresh token: alert once (vi + en), an error logged and thrown; the row is kept', async () => {
    bed.fake.revokeRefreshTokens();
    const tokens = store();
    const err = await tokens.refresh({ reason: 'test' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'ZALO_NOT_CONNECTED' });
    expect((err as AppError).userMessage).toContain('hotlead zalo connect');
    expect(bed.alert).toHaveBeenCalledTimes(1);
    const text = bed.alert.mock.calls[0]?.[0];
    expect(text?.vi).toContain('Mất kết nối Zalo OA: cần chạy lại `hotlead zalo connect`');
    expect(text?.en).toContain('Zalo OA disconnected: run `hotlead zalo connect` again');
    expect(text?.en).toContain('Invalid refresh token');
    expect(bed.logs).toContainEqual(
      expect.objectContaining({ level: 50, msg: expect.stringContaining('Zalo OA disconnected') }),
    );
    // Again (every send would ask): still an error, but managers are not spammed.
    await expect(tokens.refresh({ reason: 'again' })).rejects.toMatchObject({ code: 'ZALO_NOT_CONNECTED' });
    expect(bed.alert).toHaveBeenCalledTimes(1);
    expect((await storedTokens(bed.db))?.refreshToken).toBe(bed.issued.refreshToken);
  });

  it('no token stored at all: alert and ZALO_NOT_CONNECTED; an alert that fails does not hide it', async () => {
    await bed.db.transaction((tx) => tx.execute('DELETE FROM zalo_token'));
    bed.alert.mockRejectedValueOnce(new Error('slack down'));
    await expect(store().accessToken()).rejects.toMatchObject({ code: 'ZALO_NOT_CONNECTED' });
    expect(bed.alert).toHaveBeenCalledTimes(1);
    expect(bed.alert.mock.calls[0]?.[0].en).toContain('no token is stored');
    expect(bed.fake.callsTo(ZALO_PATHS.token)).toHaveLength(0);
  });

  it('the token endpoint unreachable: a retryable network error, no alert, the pair unchanged', async () => {
    bed.fake.dropNext(ZALO_PATHS.token);
    const err = await store()
      .refresh({ reason: 'test' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZaloApiError);
    expect(err).toMatchObject({ kind: 'network', retryable: true });
    expect(bed.alert).not.toHaveBeenCalled();
    expect((await storedTokens(bed.db))?.refreshToken).toBe(bed.issued.refreshToken);
  });

  it('PKCE: the URL carries an S256 challenge; the exchange sends its verifier and stores the pair', async () => {
    await bed.db.transaction((tx) => tx.execute('DELETE FROM zalo_token'));
    const tokens = store();
    const { url, state } = await tokens.authorizationUrl();
    const u = new URL(url);
    expect(`${u.origin}${u.pathname}`).toBe(`${bed.fake.url}/v4/oa/permission`);
    expect(u.searchParams.get('app_id')).toBe(FAKE_ZALO_APP.appId);
    expect(u.searchParams.get('redirect_uri')).toBe(FAKE_ZALO_APP.redirectUri);
    expect(u.searchParams.get('state')).toBe(state);
    const [saved] = await bed.db.transaction((tx) =>
      tx.query<{ code_verifier: string }>('SELECT code_verifier FROM zalo_oauth_state WHERE state = $1', [
        state,
      ]),
    );
    expect(saved?.code_verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(u.searchParams.get('code_challenge')).toBe(pkceChallenge(saved?.code_verifier ?? ''));

    const back = new URL(bed.fake.authorize(url));
    const code = back.searchParams.get('code') ?? '';
    await tokens.exchangeCode(code, state, { oaId: back.searchParams.get('oa_id') ?? '' });
    const [call] = bed.fake.callsTo(ZALO_PATHS.token);
    expect(call?.body).toEqual({
      app_id: FAKE_ZALO_APP.appId,
      grant_type: 'authorization_code',
      code,
      code_verifier: saved?.code_verifier,
    });
    expect(call?.error).toBe(0);
    const row = await storedTokens(bed.db);
    expect(row?.oaId).toBe(FAKE_ZALO_APP.oaId);
    await expect(tokens.accessToken()).resolves.toBe(row?.accessToken);
    // The state is spent: the same redirect cannot be replayed.
    await expect(tokens.exchangeCode(code, state)).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('PKCE: a verifier that does not match is refused (BAD_INPUT), nothing stored', async () => {
    await bed.db.transaction((tx) => tx.execute('DELETE FROM zalo_token'));
    const tokens = store();
    const first = await tokens.authorizationUrl();
    const second = await tokens.authorizationUrl();
    const code = new URL(bed.fake.authorize(first.url)).searchParams.get('code') ?? '';
    // The code of the first link with the second link's state (and so its verifier):
    const err = await tokens.exchangeCode(code, second.state).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_INPUT' });
    expect((err as AppError).userMessage).toContain('Invalid code verifier');
    expect(await storedTokens(bed.db)).toBeNull();
    await expect(tokens.exchangeCode('whatever', 'no-such-state')).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
  });

  it('a reconnect replaces the old pair (one row), keyed "default" when the redirect named no OA', async () => {
    const tokens = store();
    const { url, state } = await tokens.authorizationUrl();
    const code = new URL(bed.fake.authorize(url)).searchParams.get('code') ?? '';
    await tokens.exchangeCode(code, state);
    const row = await storedTokens(bed.db);
    expect(row?.oaId).toBe(DEFAULT_OA_KEY);
    expect(row?.accessToken).not.toBe(bed.issued.accessToken);
  });
});
