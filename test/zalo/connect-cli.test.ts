/**
 * `hotlead zalo connect` as an admin runs it, against the fake Zalo: the link (PKCE), then the
 * code given with --code/--state or the redirect URL pasted on standard input; the pair lands
 * in the database. Embedded PGlite always, Postgres when DATABASE_URL is set.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { runCli } from '../helpers/cli.ts';
import { POSTGRES_URL, postgresDb, type TestDb } from '../helpers/db.ts';
import {
  FAKE_ZALO_APP,
  type FakeZalo,
  startFakeZalo,
  storedTokens,
  ZALO_PATHS,
} from '../helpers/fake-zalo.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/hotlead.js');
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

const backends = [
  { name: 'embedded PGlite', postgres: false },
  ...(POSTGRES_URL ? [{ name: 'postgres', postgres: true }] : []),
];

describe.each(backends)('hotlead zalo connect ($name)', ({ postgres }) => {
  let dir: string;
  let pg: TestDb | undefined;
  let fake: FakeZalo;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hotlead-zalo-'));
    fake = await startFakeZalo();
    pg = postgres ? await postgresDb() : undefined;
    env = {
      HOTLEAD_DATA_DIR: path.join(dir, 'data'),
      HOTLEAD_LANG: 'en',
      LOG_LEVEL: 'error',
      ...fake.env,
      ZALO_REDIRECT_URI: FAKE_ZALO_APP.redirectUri,
      ...(pg?.url ? { DATABASE_URL: pg.url } : {}),
    };
  });
  afterAll(async () => {
    await fake.close();
    await pg?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  /** The stored pair, read after the CLI process has exited (it owned the embedded data dir). */
  const stored = async () => {
    if (pg) return storedTokens(pg.db);
    const db = await openDatabase({ dataDir: env.HOTLEAD_DATA_DIR });
    try {
      return await storedTokens(db);
    } finally {
      await db.close();
    }
  };

  it('without Zalo configured: names the missing variables, exits non-zero, no stack trace', {
    timeout: 60_000,
  }, async () => {
    const r = await runCli(['zalo', 'connect'], { HOTLEAD_DATA_DIR: env.HOTLEAD_DATA_DIR ?? '' });
    expect(r.code).toBe(2);
    for (const v of ['ZALO_APP_ID', 'ZALO_APP_SECRET', 'ZALO_OA_SECRET_KEY', 'ZALO_REDIRECT_URI'])
      expect(r.stderr).toContain(v);
    noStack(r.stderr);
  });

  it('prints the PKCE link, then completes with --code/--state and stores the pair', {
    timeout: 60_000,
  }, async () => {
    const first = await runCli(['zalo', 'connect'], env); // no input: link and a hint only
    expect(first.code).toBe(0);
    const link = first.stdout.match(/https?:\/\/\S+\/v4\/oa\/permission\?\S+/)?.[0];
    expect(link).toBeDefined();
    expect(new URL(link ?? '').searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const back = new URL(fake.authorize(link ?? ''));
    const code = back.searchParams.get('code') ?? '';
    const state = back.searchParams.get('state') ?? '';
    expect(first.stdout).toContain(`--state ${state}`);

    const r = await runCli(['zalo', 'connect', '--code', code, '--state', state, '--lang', 'vi'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Đã kết nối Zalo OA');
    const tokenCall = fake.callsTo(ZALO_PATHS.token).at(-1);
    expect(tokenCall?.error).toBe(0);
    expect(tokenCall?.body).toMatchObject({ grant_type: 'authorization_code', code });
    const row = await stored();
    expect(row?.accessToken).toMatch(/^at_/);

    // The same code and state again: refused clearly (the state is spent).
    const again = await runCli(['zalo', 'connect', '--code', code, '--state', state], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('run `hotlead zalo connect` again');
    noStack(again.stderr);
  });

  it('takes the redirect URL pasted on standard input (and keeps the OA id it names)', {
    timeout: 60_000,
  }, async () => {
    const child = spawn(process.execPath, [BIN, 'zalo', 'connect'], {
      env: { ...withoutServices(process.env), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const link = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no link printed\n${out}\n${err}`)), 45_000);
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/https?:\/\/\S+\/v4\/oa\/permission\?\S+/);
        if (m && out.includes('press Enter')) {
          clearTimeout(timer);
          resolve(m[0]);
        }
      });
    });
    child.stdin.end(`${fake.authorize(link)}\n`);
    expect(await exited).toBe(0);
    expect(err).toBe('');
    expect(out).toContain(`Zalo OA ${FAKE_ZALO_APP.oaId} connected`);
    expect((await stored())?.oaId).toBe(FAKE_ZALO_APP.oaId);
  });
});

function withoutServices(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.DATABASE_URL;
  delete copy.REDIS_URL;
  return copy;
}
