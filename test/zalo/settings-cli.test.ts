/**
 * `hotlead zalo settings` as an admin runs it (the real binary, an embedded data dir): without
 * a connected OA it says so; it shows the connected OA's settings in Vietnamese or English (or
 * JSON), changes the ones given, refuses a bad value naming the flag — and the bot follows what
 * was set: with the qualification flow off it asks nothing, with the paid window on it still
 * answers a customer whose last message is 49 h old (and not with it off).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { buildHttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createRuntime } from '../../src/runtime.ts';
import { runCli } from '../helpers/cli.ts';
import { FAKE_ZALO_APP, type FakeZalo, startFakeZalo, storeTokens } from '../helpers/fake-zalo.ts';
import { until } from '../helpers/slack-app.ts';
import { deliver, follow, userText } from '../helpers/zalo-requests.ts';

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);
const HOUR = 3_600_000;

describe('hotlead zalo settings', () => {
  let dir: string;
  let fake: FakeZalo;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hotlead-zalo-settings-'));
    fake = await startFakeZalo();
    env = {
      HOTLEAD_DATA_DIR: path.join(dir, 'data'),
      HOTLEAD_LANG: 'en',
      LOG_LEVEL: 'error',
      ...fake.env,
    };
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The embedded database, opened while no CLI process runs (one process per data dir). */
  async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
    const db = await openDatabase({ dataDir: env.HOTLEAD_DATA_DIR });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }

  it('without a connected OA: says so (and that Zalo is not configured), non-zero exit, no stack trace', {
    timeout: 60_000,
  }, async () => {
    const r = await runCli(['zalo', 'settings'], env);
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toContain('No Zalo OA is connected: run `hotlead zalo connect` first');
    expect(r.stdout).toBe('');
    noStack(r.stderr);

    const bare = await runCli(['zalo', 'settings', '--lang', 'vi'], {
      HOTLEAD_DATA_DIR: env.HOTLEAD_DATA_DIR ?? '',
      LOG_LEVEL: 'error',
    });
    expect(bare.code, bare.stderr).toBe(6);
    expect(bare.stderr).toContain('Chưa có Zalo OA nào được kết nối');
    for (const v of ['ZALO_APP_ID', 'ZALO_APP_SECRET', 'ZALO_OA_SECRET_KEY'])
      expect(bare.stderr).toContain(v);
    noStack(bare.stderr);
  });

  it('shows the connected OA’s defaults, in English, Vietnamese and JSON', { timeout: 60_000 }, async () => {
    await withDb((db) => storeTokens(db, fake.issueTokens())); // what `hotlead zalo connect` leaves
    const en = await runCli(['zalo', 'settings'], env);
    expect(en.stderr).toBe('');
    expect(en.code, en.stderr).toBe(0);
    expect(en.stdout).toContain(`Zalo OA ${FAKE_ZALO_APP.oaId} settings:`);
    expect(en.stdout).toMatch(/qualification questions \(--qualify\): on\n/);
    expect(en.stdout).toMatch(/paid 48 h – 7 day window \(--paid-window\): off\n/);

    const vi = await runCli(['zalo', 'settings', '--lang', 'vi'], env);
    expect(vi.code, vi.stderr).toBe(0);
    expect(vi.stdout).toContain(`Cài đặt Zalo OA ${FAKE_ZALO_APP.oaId}:`);
    expect(vi.stdout).toMatch(/\(--qualify\): bật\n/);
    expect(vi.stdout).toMatch(/\(--paid-window\): tắt\n/);

    const json = await runCli(['zalo', 'settings', '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      oaId: FAKE_ZALO_APP.oaId,
      qualify: true,
      allowPaidWindow: false,
    });
  });

  it('changes the settings given and keeps the others', { timeout: 60_000 }, async () => {
    const r = await runCli(['zalo', 'settings', '--qualify', 'off'], env);
    expect(r.stderr).toBe('');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Settings saved.');
    expect(r.stdout).toMatch(/\(--qualify\): off\n/);
    expect(r.stdout).toMatch(/\(--paid-window\): off\n/);

    const both = await runCli(['zalo', 'settings', '--paid-window', 'ON', '--json'], env);
    expect(both.code, both.stderr).toBe(0);
    expect(JSON.parse(both.stdout)).toEqual({
      oaId: FAKE_ZALO_APP.oaId,
      qualify: false,
      allowPaidWindow: true,
    });
    const row = await withDb((db) => db.prisma.zaloSettings.findMany());
    expect(row).toEqual([{ oaId: FAKE_ZALO_APP.oaId, qualify: false, allowPaidWindow: true }]);
  });

  it('refuses a bad value naming the flag: exit 2, no stack trace, nothing changed', {
    timeout: 60_000,
  }, async () => {
    const r = await runCli(['zalo', 'settings', '--qualify', 'on', '--paid-window', 'maybe'], env);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('--paid-window must be on or off (got “maybe”)');
    expect(r.stdout).toBe('');
    noStack(r.stderr);
    const vi = await runCli(['zalo', 'settings', '--qualify', 'có', '--lang', 'vi'], env);
    expect(vi.code, vi.stderr).toBe(2);
    expect(vi.stderr).toContain('--qualify phải là on hoặc off (nhận được “có”)');
    noStack(vi.stderr);

    const now = await runCli(['zalo', 'settings', '--json'], env);
    expect(JSON.parse(now.stdout)).toMatchObject({ qualify: false, allowPaidWindow: true });
  });

  /** Runs Hotlead's server on the data dir while `fn` delivers webhooks to it. */
  async function withServer(fn: (base: string, db: Database) => Promise<void>): Promise<void> {
    const config = parseConfig({ ...env, LOG_LEVEL: 'silent' });
    const rt = await createRuntime(config, createLogger(config));
    try {
      await rt.startWorker();
      const http = buildHttpServer({ db: rt.db, ingest: rt.ingest, logger: rt.logger, zalo: rt.zalo });
      try {
        await fn(await http.listen({ host: '127.0.0.1', port: 0 }), rt.db);
      } finally {
        await http.close();
      }
    } finally {
      await rt.close();
    }
  }

  const said = (userId: string) => fake.messagesTo(userId).map((m) => m.text ?? '[form]');
  const handled = (db: Database, userId: string) => async () =>
    (await db.prisma.zaloInbound.count({ where: { userId, status: { not: 'done' } } })) === 0 &&
    (await db.prisma.zaloInbound.count({ where: { userId } })) > 0;
  const twoDaysAgo = () => String(Date.now() - 49 * HOUR);

  it('the bot follows them: no questions with --qualify off; answers 48 h–7 d late only with --paid-window on', {
    timeout: 90_000,
  }, async () => {
    const users = [
      '5100000000000000001',
      '5100000000000000002',
      '5100000000000000003',
      '5100000000000000004',
    ];
    for (const id of users) fake.addUser({ id, displayName: `Khách ${id.slice(-1)}` });
    const [quiet, late, asked, tooLate] = users as [string, string, string, string];

    // Now: qualification off, paid window on.
    await withServer(async (base, db) => {
      await deliver(base, fake.config, follow(quiet));
      // A customer asking for a person, in a delivery Zalo made 49 h after the message.
      await deliver(
        base,
        fake.config,
        userText(late, 'Cho em gặp nhân viên tư vấn', { timestamp: twoDaysAgo() }),
      );
      await until(handled(db, quiet));
      expect(await db.prisma.zaloSend.count({ where: { userId: quiet } })).toBe(0);
      await until(async () => said(late).length === 1);
    });
    expect(said(quiet)).toEqual([]); // no greeting, no question
    expect(said(late)).toHaveLength(1);
    expect(said(late)[0]).toMatch(/tư vấn viên/);

    // Qualification on, paid window off.
    const r = await runCli(['zalo', 'settings', '--qualify', 'on', '--paid-window', 'off'], env);
    expect(r.code, r.stderr).toBe(0);
    await withServer(async (base, db) => {
      await deliver(base, fake.config, follow(asked));
      await deliver(
        base,
        fake.config,
        userText(tooLate, 'Cho em gặp nhân viên tư vấn', { timestamp: twoDaysAgo() }),
      );
      await until(async () => said(asked).length === 1);
      await until(
        async () =>
          (await db.prisma.zaloSend.findFirst({ where: { userId: tooLate } }))?.status === 'refused',
      );
      const send = await db.prisma.zaloSend.findFirstOrThrow({ where: { userId: tooLate } });
      expect(send.lastError).toContain('paid window is off');
    });
    expect(said(asked)[0]).toMatch(/nhu cầu gì/);
    expect(said(tooLate)).toEqual([]);
  });
});
