/**
 * Zalo's -32 ("over 4,000 requests/minute", app-wide) pauses every OA call of every worker:
 * two workers (two runtimes, each with its own job queue and HTTP server) share one database;
 * the fake Zalo answers the first send with -32. The customers see each bot message once, and
 * nothing reaches Zalo during the pause — not the refused send, not a message queued meanwhile
 * by the other worker, not a profile read.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { buildHttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { POSTGRES_URL, pgliteDb, postgresDb, type TestDb } from '../helpers/db.ts';
import { type FakeZalo, startFakeZalo, storeTokens, ZALO_PATHS } from '../helpers/fake-zalo.ts';
import { until } from '../helpers/slack-app.ts';
import { deliver, follow, userText } from '../helpers/zalo-requests.ts';

const PAUSE_MS = 1500;

const backends = [
  { name: 'PGlite', open: pgliteDb },
  ...(POSTGRES_URL ? [{ name: 'Postgres', open: postgresDb }] : []),
];

interface Worker {
  rt: Runtime;
  http: FastifyInstance;
  base: string;
}

describe.each(backends)('Zalo -32 pauses every OA call ($name)', ({ open }) => {
  let tdb: TestDb;
  let zalo: FakeZalo;
  const workers: Worker[] = [];

  beforeAll(async () => {
    tdb = await open();
    zalo = await startFakeZalo();
    const config = parseConfig({
      LOG_LEVEL: 'silent',
      ...zalo.env,
      ZALO_RATE_LIMIT_PAUSE_MS: String(PAUSE_MS),
      // A sweep far more eager than production's: it must not send early, nor twice.
      HOTLEAD_OUTBOX_POLL_MS: '100',
    });
    await storeTokens(tdb.db, zalo.issueTokens());
    for (let i = 0; i < 2; i++) {
      const rt = await createRuntime(config, createLogger(config), { db: tdb.db });
      await rt.startWorker();
      const http = buildHttpServer({ db: rt.db, ingest: rt.ingest, logger: rt.logger, zalo: rt.zalo });
      const base = await http.listen({ host: '127.0.0.1', port: 0 });
      workers.push({ rt, http, base });
    }
  });
  afterAll(async () => {
    for (const w of workers) {
      await w.http.close();
      await w.rt.queue.close(); // the database is the test's: its cleanup closes it
    }
    await zalo?.close();
    await tdb?.cleanup();
  });

  const said = (userId: string) => zalo.messagesTo(userId).map((m) => m.text ?? '[form]');
  const oaCalls = () => zalo.calls.filter((c) => c.path !== ZALO_PATHS.token);

  it('the refused message goes out once after the pause; one queued meanwhile by another worker waits for it; nothing twice', async () => {
    const [first, second] = workers as [Worker, Worker];
    const anh = '4400000000000000001';
    const binh = '4400000000000000002';
    zalo.addUser({ id: anh, displayName: 'Anh Lê' });
    zalo.addUser({ id: binh, displayName: 'Bình Phạm' });
    zalo.failNext(ZALO_PATHS.send, -32);

    // Anh follows the OA (worker 1): the bot's greeting is answered -32.
    expect((await deliver(first.base, zalo.config, follow(anh))).status).toBe(200);
    await until(async () => zalo.callsTo(ZALO_PATHS.send).some((c) => c.error === -32));
    const refused = zalo.callsTo(ZALO_PATHS.send).find((c) => c.error === -32)!;
    const pauseEnds = refused.at + PAUSE_MS;
    // Hotlead has taken the answer in: the refused send waits for a slot after the pause.
    await until(async () => {
      const send = await tdb.db.prisma.zaloSend.findFirst({ where: { userId: anh } });
      return send?.status === 'pending' && send.slotAt !== null;
    });
    const held = await tdb.db.prisma.zaloSend.findFirstOrThrow({ where: { userId: anh } });
    expect(held.slotAt!.getTime()).toBeGreaterThanOrEqual(pauseEnds);

    // Meanwhile Bình writes (worker 2): the bot's answer is queued during the pause.
    expect(
      (await deliver(second.base, zalo.config, userText(binh, 'Cho em hỏi giá phần mềm CRM'))).status,
    ).toBe(200);
    await until(async () => (await tdb.db.prisma.zaloSend.count({ where: { userId: binh } })) === 1);
    const queued = await tdb.db.prisma.zaloSend.findFirstOrThrow({ where: { userId: binh } });
    expect(queued.createdAt.getTime()).toBeLessThan(pauseEnds); // really queued during the pause

    // Both customers get their message, after the pause.
    await until(async () => said(anh).length === 1 && said(binh).length === 1, PAUSE_MS + 8000);
    expect(said(anh)[0]).toMatch(/cảm ơn anh\/chị đã quan tâm/i);
    for (const m of [...zalo.messagesTo(anh), ...zalo.messagesTo(binh)])
      expect(m.at).toBeGreaterThanOrEqual(pauseEnds);
    // Nothing reached Zalo during the pause: no send, no profile read.
    expect(oaCalls().filter((c) => c.at > refused.at && c.at < pauseEnds)).toEqual([]);

    // Well after (several sweeps of both workers): each message once, and no other send call.
    await new Promise((r) => setTimeout(r, 1000));
    expect(said(anh)).toHaveLength(1);
    expect(said(binh)).toHaveLength(1);
    expect(zalo.callsTo(ZALO_PATHS.send).map((c) => c.error)).toEqual([-32, 0, 0]);
    const rows = await tdb.db.prisma.zaloSend.findMany({ orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => [r.userId, r.status, r.attempts])).toEqual([
      [anh, 'sent', 2],
      [binh, 'sent', 1],
    ]);
  });
});
