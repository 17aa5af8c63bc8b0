import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { buildHttpServer } from '../../src/http/server.ts';
import { BACKENDS, type TestDb } from '../helpers/db.ts';
import { type TestRuntime, testRuntime } from '../helpers/runtime.ts';

describe.each(BACKENDS)('POST /api/v1/events on $name', ({ open }) => {
  let tdb: TestDb;
  let t: TestRuntime;
  let app: ReturnType<typeof buildHttpServer>;
  let key: string;
  beforeAll(async () => {
    tdb = await open();
    t = await testRuntime(tdb);
    app = buildHttpServer({ db: tdb.db, ingest: t.rt.ingest, logger: { error() {} } });
    key = (await createApiKey(tdb.db, 'test')).key;
  });
  afterAll(async () => {
    await app.close();
    await t.close();
    await tdb.cleanup();
  });
  const post = (body: unknown, auth = `Bearer ${key}`) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: auth },
      payload: body as object,
    });

  it('refuses requests without a valid key (401) and stores nothing', async () => {
    const ev = { id: 'k-1', type: 'email_open', lead: { email: 'a@b.vn' } };
    expect((await post(ev, '')).statusCode).toBe(401);
    const wrong = await post(ev, 'Bearer hl_notakey');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('UNAUTHORIZED');
    expect(await tdb.db.prisma.event.count({ where: { key: 'k-1' } })).toBe(0);
  });

  it('accepts one event (200) and a batch; a repeat is a duplicate', async () => {
    const one = await post({ id: 'h-1', type: 'newsletter_signup', lead: { email: 'one@b.vn' } });
    expect(one.statusCode).toBe(200);
    expect(one.json().results).toEqual([
      { index: 0, id: 'h-1', status: 'accepted', leadId: expect.stringMatching(/^ld_/) },
    ]);
    const batch = await post({
      events: [
        { id: 'h-1', type: 'newsletter_signup', lead: { email: 'one@b.vn' } },
        { id: 'h-2', type: 'email_open', lead: { email: 'one@b.vn' } },
      ],
    });
    expect(batch.statusCode).toBe(200);
    expect(batch.json().results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'accepted']);
  });

  it('answers 207 with per-item errors when some items are rejected', async () => {
    const res = await post({
      events: [
        { id: 'p-1', type: 'email_open', lead: { email: 'ok@b.vn' } },
        { id: 'p-2', type: 'page_view', lead: { email: 'ok@b.vn' } },
        { id: 'p-3', type: 'email_open', occurredAt: 'yesterday', lead: { email: 'ok@b.vn' } },
      ],
    });
    expect(res.statusCode).toBe(207);
    const results = res.json().results;
    expect(results[0].status).toBe('accepted');
    expect(results[1]).toMatchObject({ status: 'rejected', errors: [{ path: 'properties.url' }] });
    expect(results[2]).toMatchObject({ status: 'rejected', errors: [{ path: 'occurredAt' }] });
  });

  it('answers 400 for an unusable body', async () => {
    expect((await post([1, 2])).statusCode).toBe(400);
    expect((await post({ events: 'nope' })).json().error.message).toContain('events');
    const tooMany = await post({ events: Array.from({ length: 1001 }, (_, i) => ({ id: `x${i}` })) });
    expect(tooMany.statusCode).toBe(400);
    const malformed = await app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: '{"id": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).not.toContain('at ');
  });

  it('reports health and readiness', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('ready');
  });
});
