/**
 * The per-channel limiter as Slack sees it: posts to one channel arrive at least the interval
 * apart, while messages to other channels (the reps' DMs) are not held behind them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '../../src/domain/ingest.ts';
import { pgliteDb, type TestDb } from '../helpers/db.ts';
import { SQL_CHANNEL, type SlackHarness, startSlackHarness, until } from '../helpers/slack-app.ts';

const INTERVAL = 400;

describe('Slack per-channel limiter', () => {
  let tdb: TestDb;
  let h: SlackHarness;
  const clock = { now: Date.parse('2026-11-23T03:00:00Z') };

  beforeAll(async () => {
    tdb = await pgliteDb();
    h = await startSlackHarness(tdb, clock, { SLACK_CHANNEL_INTERVAL_MS: String(INTERVAL) });
    for (const n of [1, 2, 3, 4]) {
      h.fake.addUser({ id: `U0R${n}`, email: `r${n}@hotlead.vn`, name: `r${n}` });
      await tdb.db.prisma.rep.create({
        data: {
          id: `rp_${n}`,
          name: `Rep ${n}`,
          email: `r${n}@hotlead.vn`,
          slackUserId: `U0R${n}`,
          industries: [],
        },
      });
    }
  });
  afterAll(async () => {
    await h?.close();
    await tdb?.cleanup();
  });

  /** Demo requests from new leads `Khách <n>`: each fast-tracked to SQL, so each is alerted. */
  const demoRequests = (ns: number[]) =>
    ingestEvents(
      h.rt.ingest,
      ns.map((n) => ({
        id: `rate-${n}`,
        type: 'demo_request',
        lead: { email: `lead${n}@acme${n}.vn`, name: `Khách ${n}`, title: 'CEO', companySize: 300 },
      })),
      { source: 'web' },
    );

  it('spaces posts to the alert channel and does not hold the DMs behind them', async () => {
    await demoRequests([1, 2, 3, 4]);
    const ok = (channel: (c: string) => boolean) =>
      h.fake.callsTo('chat.postMessage').filter((c) => c.status === 200 && channel(String(c.body.channel)));
    await until(
      async () => ok((c) => c === SQL_CHANNEL).length === 4 && ok((c) => c.startsWith('U0R')).length === 4,
      10_000,
    );
    const posts = ok((c) => c === SQL_CHANNEL).map((c) => c.at);
    // Posts leave at their slots, INTERVAL apart (the very first call also opens the HTTP
    // connection, so it arrives a little after its slot: measure from the second).
    expect(posts[3]! - posts[1]!).toBeGreaterThanOrEqual(2 * INTERVAL - 40);
    for (let i = 1; i < posts.length; i++)
      expect(posts[i]! - posts[i - 1]!).toBeGreaterThanOrEqual(INTERVAL / 4);
    // Four DMs go to four different channels: all of them are out before the last channel post.
    const dms = ok((c) => c.startsWith('U0R')).map((c) => c.at);
    expect(Math.max(...dms)).toBeLessThan(posts[3]!);
    // Each went out once.
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === SQL_CHANNEL)).toHaveLength(4);
  });

  it('a 429 keeps the channel quiet for Retry-After: the posts queued behind it wait, each goes out once', async () => {
    h.fake.reset();
    h.fake.rateLimit('chat.postMessage', { times: 1, retryAfterSec: 1, channel: SQL_CHANNEL });
    await demoRequests([5, 6, 7, 8]);
    const toChannel = () => h.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === SQL_CHANNEL);
    await until(async () => toChannel().filter((c) => c.status === 200).length === 4, 15_000);
    const limited = toChannel().filter((c) => c.status === 429);
    expect(limited).toHaveLength(1);
    // Nothing reached the channel during the second Slack asked for.
    const during = toChannel().filter((c) => c.at > limited[0]!.at && c.at < limited[0]!.at + 1000);
    expect(during).toEqual([]);
    // Every alert went out once.
    const names = toChannel()
      .filter((c) => c.status === 200)
      .map((c) => /Khách \d/.exec(JSON.stringify(c.body))?.[0]);
    expect(new Set(names).size).toBe(4);
  });
});
