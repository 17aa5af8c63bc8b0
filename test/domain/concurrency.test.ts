/**
 * Concurrent batches (several producers posting at once) that introduce the same new leads:
 * no batch fails, each person ends up as exactly one lead, and every ledger still sums up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '../../src/domain/ingest.ts';
import { BACKENDS, type TestDb } from '../helpers/db.ts';
import { type TestRuntime, testRuntime } from '../helpers/runtime.ts';

describe.each(BACKENDS)('concurrent ingestion on $name', ({ open }) => {
  let tdb: TestDb;
  let t: TestRuntime;
  beforeAll(async () => {
    tdb = await open();
    t = await testRuntime(tdb);
  });
  afterAll(async () => {
    await t.close();
    await tdb.cleanup();
  });

  it('creates one lead per person when parallel batches both see them first', {
    timeout: 60_000,
  }, async () => {
    // Sliding, overlapping windows: every batch introduces people another client is creating
    // at the same moment, round after round.
    const clients = 4;
    const rounds = 8;
    const window = 120;
    const step = 40;
    const people = (rounds + clients) * step + window - step;
    const batch = (client: number, round: number) =>
      Array.from({ length: window }, (_, i) => {
        const p = (round + client) * step + i;
        return {
          id: `c${client}-r${round}-p${p}`,
          type: p % 2 ? 'email_open' : 'page_view',
          occurredAt: new Date(t.clock.now - (rounds - round) * 60_000 - client * 1000).toISOString(),
          lead: {
            email: `person${p}@acme.vn`,
            ...(p % 3 === 0 ? { phone: `0912${String(100000 + p)}` } : {}),
          },
          properties: { url: '/tinh-nang' },
        };
      });
    const results = await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        const statuses: string[] = [];
        for (let round = 0; round < rounds; round++) {
          const r = await ingestEvents(t.rt.ingest, batch(client, round), { source: 'api' });
          statuses.push(...r.map((x) => x.status));
        }
        return statuses;
      }),
    );
    expect(results.flat().every((s) => s === 'accepted')).toBe(true);
    expect(await tdb.db.prisma.lead.count({ where: { mergedIntoId: null } })).toBe(people - step);
    expect(await tdb.db.prisma.event.count()).toBe(clients * rounds * window);
    const sums = await tdb.db.prisma.$queryRawUnsafe<{ bad: number }[]>(
      `SELECT count(*)::int AS bad FROM lead l
       WHERE l.score <> (SELECT coalesce(sum(points), 0) FROM score_trace t WHERE t.lead_id = l.id)`,
    );
    expect(sums[0]!.bad).toBe(0);
  });
});
