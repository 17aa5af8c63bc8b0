/**
 * The LLM inside Zalo webhook processing, end to end: Hotlead's server with the Zalo OA
 * configured and OPENAI_API_KEY / OPENAI_BASE_URL pointing at the fake Chat Completions API
 * (the real `openai` SDK), signed deliveries of messages the deterministic extractor cannot
 * fully read. What the LLM reads is stored on the lead with its provenance (the BANT answer's
 * source ends in `:llm`, the event records each field's extractor); a malformed answer — not
 * JSON, or fields that fail validation — stores nothing, and what the parser read still counts.
 * A message is read once, however many sweeps pass while it is being processed.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { showLead } from '../../src/domain/leads.ts';
import { buildHttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { pgliteDb, type TestDb } from '../helpers/db.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../helpers/fake-openai.ts';
import { type FakeZalo, startFakeZalo, storeTokens, ZALO_PATHS } from '../helpers/fake-zalo.ts';
import { until } from '../helpers/slack-app.ts';
import { deliver, userText } from '../helpers/zalo-requests.ts';

/** The company is written in lower case after "bên", the budget in slang ("củ": million). */
const MESSAGE =
  'Dạ em bên nhà sách phương nam, bọn em muốn làm app đặt sách cho khách, kinh phí tầm hai trăm củ ạ';

/** A full lead-extract answer (every key, null unless given), as the strict schema requires. */
function answer(values: Record<string, unknown>, confidence = 0.8) {
  const keys = ['name', 'phone', 'email', 'company', 'title', 'companySize', 'need', 'budget'];
  const rest = ['authority', 'timeline', 'intent'];
  return { ...Object.fromEntries([...keys, ...rest].map((k) => [k, null])), ...values, confidence };
}

describe('Zalo webhook with the LLM extractor', () => {
  let tdb: TestDb;
  let zalo: FakeZalo;
  let openai: FakeOpenAi;
  let rt: Runtime;
  let http: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    tdb = await pgliteDb();
    zalo = await startFakeZalo();
    openai = await startFakeOpenAi();
    const config = parseConfig({
      LOG_LEVEL: 'silent',
      ...zalo.env,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: openai.baseUrl,
      // Sweeps far more often than processing one message takes: none may process it again.
      HOTLEAD_OUTBOX_POLL_MS: '50',
    });
    await storeTokens(tdb.db, zalo.issueTokens());
    rt = await createRuntime(config, createLogger(config), { db: tdb.db });
    await rt.startWorker();
    http = buildHttpServer({ db: rt.db, ingest: rt.ingest, logger: rt.logger, zalo: rt.zalo });
    base = await http.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await http?.close();
    await rt?.queue.close(); // the database is the test's: its cleanup closes it
    await openai?.close();
    await zalo?.close();
    await tdb?.cleanup();
  });
  beforeEach(() => {
    openai.requests.length = 0;
  });

  /** Delivers the customer's message and waits until Hotlead has processed it; the lead's id. */
  async function customerWrites(userId: string, msgId: string): Promise<string> {
    zalo.addUser({ id: userId, displayName: `Khách ${userId.slice(-1)}` });
    expect((await deliver(base, zalo.config, userText(userId, MESSAGE, { msgId }))).status).toBe(200);
    await until(
      async () => (await tdb.db.prisma.zaloInbound.findFirst({ where: { userId } }))?.status === 'done',
    );
    const identity = await tdb.db.prisma.leadIdentity.findFirstOrThrow({
      where: { kind: 'zalo', value: userId },
    });
    return identity.leadId;
  }
  const answers = (leadId: string) =>
    tdb.db.prisma.bantAnswer.findMany({ where: { leadId }, orderBy: { field: 'asc' } });
  const messageEvent = (leadId: string) =>
    tdb.db.prisma.event.findFirstOrThrow({ where: { leadId, type: 'zalo_message' } });

  it('stores what the LLM read — the company and a budget in slang — with the LLM as their source', async () => {
    openai.reply(
      answer({
        company: 'Nhà sách Phương Nam',
        need: 'app đặt sách cho khách',
        budget: { amount: 200_000_000, currency: 'VND' },
      }),
    );
    zalo.delay(ZALO_PATHS.userDetail, 400); // a slow profile read: processing outlasts sweeps
    const leadId = await customerWrites('3300000000000000001', 'msg-llm-1');
    zalo.delay(ZALO_PATHS.userDetail, 0);

    // The LLM was asked about this very message, once; the profile was read once.
    expect(openai.requests).toHaveLength(1);
    expect(zalo.callsTo(ZALO_PATHS.userDetail)).toHaveLength(1);
    const user = (openai.requests[0]!.body.messages as { role: string; content: string }[])[1]!;
    expect(JSON.parse(user.content).message).toBe(MESSAGE);

    const lead = await showLead(rt.read, leadId);
    expect(lead.company).toBe('Nhà sách Phương Nam');
    expect(lead.bant.budget?.value).toEqual({ amount: 200_000_000, currency: 'VND' });
    expect(lead.bant.need?.value).toEqual({ confirmed: true });
    // Each answer says who read it: the budget the LLM, the need the deterministic parser.
    expect((await answers(leadId)).map((a) => [a.field, a.value, a.source, a.confidence])).toEqual([
      ['budget', { amount: 200_000_000, currency: 'VND' }, 'zalo:msg-llm-1:llm', 0.8],
      ['need', { confirmed: true }, 'zalo:msg-llm-1', 0.7],
    ]);
    const payload = (await messageEvent(leadId)).payload as { properties: Record<string, unknown> };
    expect(payload.properties.extracted).toEqual({
      company: { extractor: 'llm', confidence: 0.8 },
      budget: { extractor: 'llm', confidence: 0.8 },
      need: { extractor: 'parser', confidence: 0.7 },
    });
  });

  it.each([
    ['not JSON', '3300000000000000002', '{"company": "Nhà sách Phương Nam", "budget": '],
    [
      'fields that fail validation: a company not in the message, a negative budget',
      '3300000000000000003',
      answer({ company: 'Công ty Sách Việt', budget: { amount: -200, currency: 'VND' } }),
    ],
  ])(
    'a malformed answer (%s) stores nothing; the parser’s reading still does',
    async (_what, userId, reply) => {
      openai.reply(reply);
      const msgId = `msg-bad-${userId.slice(-1)}`;
      const leadId = await customerWrites(userId, msgId);
      expect(openai.requests.length).toBeGreaterThan(0);

      const lead = await showLead(rt.read, leadId);
      expect(lead.company).toBeNull();
      expect(lead.bant.budget).toBeUndefined();
      expect((await answers(leadId)).map((a) => [a.field, a.source])).toEqual([['need', `zalo:${msgId}`]]);
      const payload = (await messageEvent(leadId)).payload as { properties: Record<string, unknown> };
      expect(payload.properties.extracted).toEqual({ need: { extractor: 'parser', confidence: 0.7 } });
    },
  );
});
