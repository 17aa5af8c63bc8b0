/**
 * The Slack alert benchmark (`npm run bench`; `--only-slack` runs just this, `--skip-slack` leaves it
 * out, `--slack-bullmq` also runs both phases with the jobs on BullMQ/Redis (REDIS_URL, default
 * redis://127.0.0.1:6379, under a unique key prefix that is deleted afterwards), `--slack-429 N`
 * injects N 429s into the burst's channel posts (default 2; 0 for a clean drain),
 * `--slack-steady-seconds N` sets the steady phase's length (default 20; 0 skips it) and
 * `--slack-concurrency N` the worker's job concurrency (default: the runtime's, 32 with Slack).
 *
 * Each phase gets a fresh Postgres database, a fresh fake Slack Web API (test/helpers/fake-slack.ts)
 * and the real runtime (`createRuntime` + `startWorker`, the real WebClient and Bolt wiring), 20
 * reps mapped to Slack users U0REP01…U0REP20. A crossing is a `demo_request` for a NEW lead,
 * ingested through `ingestEvents` (fast-tracked to SQL → one outbox row → one alert = a post in
 * the SQL channel + a DM to the routed rep). Arrival times are the fake server's (`at` of the
 * recorded `chat.postMessage`, matched to the lead by its unique name); the fake runs in this
 * process, so a busy event loop delays what it records too.
 *
 *  - steady: 5 crossings/s for 20 s at the REAL limiter interval (1 000 ms per channel). Latency
 *    = arrival of the message − the moment just before the crossing's ingest. Reported three
 *    ways: the first Slack message about the crossing (any channel), the routed rep's DM (20 DM
 *    channels, 0.25 msg/s each: below Slack's limits) and the SQL channel post (ONE channel at
 *    5/s: five times the 1 msg/s/channel limit, so its latency grows for as long as the load
 *    lasts — a property of the load, not of the code).
 *  - burst: 1 000 crossings ingested as fast as possible (batches of 100), the limiter interval
 *    scaled to 20 ms so the floor is 20 s, not 1 000 s. drainMs = first ingest → last alert
 *    message (post or DM) recorded; floorMs = the busiest channel's messages × interval.
 *
 * Both count duplicates (more than one successful post of the same alert to the same place),
 * 429s answered and whether each was followed by exactly one successful post, and alerts missing.
 * A benchmark: it asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../src/config.ts';
import { ingestEvents } from '../src/domain/ingest.ts';
import { createLogger } from '../src/logger.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { type FakeSlack, type FakeSlackCall, startFakeSlack } from '../test/helpers/fake-slack.ts';
import { dropRedisPrefix } from '../test/helpers/redis.ts';
import { freshPostgres } from './fresh-postgres.ts';

export type SlackBenchQueue = 'in-process' | 'bullmq';

export interface SlackBenchOptions {
  log: (line: string) => void;
  queue: SlackBenchQueue;
  /** For `queue: 'bullmq'`. */
  redisUrl?: string;
  /** Steady phase: crossings per second and for how long (default 5/s for 20 s). */
  steadyPerSec?: number;
  steadySeconds?: number;
  /** Burst phase: crossings (default 1 000) and the scaled limiter interval (default 20 ms). */
  burstCrossings?: number;
  burstIntervalMs?: number;
  /** 429s (Retry-After 1 s) injected into the burst's SQL-channel posts, spread over it. */
  burst429?: number;
  /** Job concurrency of the worker (default: the runtime's own, 32 with Slack configured). */
  workerConcurrency?: number;
}

export interface SlackSteadyResult {
  crossingsPerSec: number;
  crossings: number;
  /** SLACK_CHANNEL_INTERVAL_MS of this phase (the real limit). */
  intervalMs: number;
  /** First Slack message about the crossing, any channel. */
  p50Ms: number;
  p99Ms: number;
  /** The routed rep's DM. */
  dmP50Ms: number;
  dmP99Ms: number;
  /** The alert in the SQL channel (one channel at crossingsPerSec > its 1 msg/s limit). */
  channelP50Ms: number;
  channelP99Ms: number;
  channelMaxMs: number;
  duplicates: number;
  rateLimited: number;
  rateLimitedUnhandled: number;
  missing: number;
}

export interface SlackBurstResult {
  crossings: number;
  intervalMs: number;
  ingestMs: number;
  firstPostMs: number;
  drainMs: number;
  /** Last DM recorded (the DMs spread over 20 channels). */
  dmDrainMs: number;
  /** Last outbox row delivered to the Slack channel (alert routed, its sends queued). */
  dispatchedMs: number;
  /** First → last post in the busiest channel, and that span's floor ((posts − 1) × interval). */
  busiestSpanMs: number;
  busiestSpanFloorMs: number;
  floorMs: number;
  ratio: number;
  /** floorMs + the Retry-After seconds of the 429s answered on the busiest channel. */
  floorWithRetryAfterMs: number;
  ratioWithRetryAfter: number;
  busiestChannel: string;
  /** Most successful posts the busiest channel got in any 1 s window, and what the interval allows. */
  channelMaxPerSec: number;
  allowedPerSec: number;
  duplicates: number;
  rateLimited: number;
  rateLimitedUnhandled: number;
  missing: number;
}

export interface SlackBenchResult {
  queue: SlackBenchQueue;
  /** null with steadySeconds 0. */
  steady: SlackSteadyResult | null;
  burst: SlackBurstResult;
}

const SQL_CHANNEL = 'C0SQL';
const REPS = 20;
const repSlackId = (i: number) => `U0REP${String(i + 1).padStart(2, '0')}`;
const TOKEN = /HLB-[SB]\d{4}/;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchSlack(opts: SlackBenchOptions): Promise<SlackBenchResult> {
  // The WebClient logs through its own console logger (console.info on a 429 goes to stdout):
  // keep stdout for the --json figures while the bench runs.
  const info = console.info;
  const debug = console.debug;
  console.info = console.debug = (...args: unknown[]) => console.error(...args);
  try {
    return await runPhases(opts);
  } finally {
    console.info = info;
    console.debug = debug;
  }
}

async function runPhases(opts: SlackBenchOptions): Promise<SlackBenchResult> {
  const { log } = opts;
  const perSec = opts.steadyPerSec ?? 5;
  const seconds = opts.steadySeconds ?? 20;
  const concurrency = opts.workerConcurrency ? `, worker concurrency ${opts.workerConcurrency}` : '';
  let steady: SlackSteadyResult | null = null;
  if (seconds > 0) {
    log(
      `slack (${opts.queue} jobs${concurrency}): steady ${perSec} crossings/s for ${seconds} s, real limiter (1 000 ms/channel)…`,
    );
    const st = await withRig({ ...opts, intervalMs: 1000 }, (rig) => runSteady(rig, perSec, seconds));
    steady = st;
    log(
      `  latency = first chat.postMessage about the crossing recorded by the fake − just before its ingest:`,
    );
    log(`  first message, any channel (in practice the rep's DM): p50 ${st.p50Ms} ms, p99 ${st.p99Ms} ms`);
    log(
      `  rep's DM (${REPS} DM channels, ${perSec / REPS}/s each): p50 ${st.dmP50Ms} ms, p99 ${st.dmP99Ms} ms`,
    );
    log(
      `  ${SQL_CHANNEL} alert post (ONE channel at ${perSec}/s, Slack allows 1/s): p50 ${st.channelP50Ms} ms, p99 ${st.channelP99Ms} ms`,
    );
    log(
      `  duplicates ${st.duplicates}, 429s ${st.rateLimited} (unhandled ${st.rateLimitedUnhandled}), missing ${st.missing}`,
    );
  }

  const crossings = opts.burstCrossings ?? 1000;
  const intervalMs = opts.burstIntervalMs ?? 20;
  const inject = opts.burst429 ?? 2;
  log(
    `slack (${opts.queue} jobs${concurrency}): burst of ${crossings.toLocaleString('en')} crossings, limiter scaled to ${intervalMs} ms/channel, ${inject} injected 429s…`,
  );
  const burst = await withRig({ ...opts, intervalMs }, (rig) => runBurst(rig, crossings, intervalMs, inject));
  log(
    `  drain ${burst.drainMs} ms vs floor ${burst.floorMs} ms (${burst.busiestChannel} × ${intervalMs} ms): ratio ${burst.ratio}` +
      (burst.floorWithRetryAfterMs > burst.floorMs
        ? `; ${burst.ratioWithRetryAfter} of the floor + Retry-After (${burst.floorWithRetryAfterMs} ms)`
        : ''),
  );
  log(
    `  ingest ${burst.ingestMs} ms, all alerts routed after ${burst.dispatchedMs} ms, first post after ${burst.firstPostMs} ms, last DM after ${burst.dmDrainMs} ms`,
  );
  log(
    `  ${burst.busiestChannel}: first → last post ${burst.busiestSpanMs} ms (floor ${burst.busiestSpanFloorMs} ms), max ${burst.channelMaxPerSec} posts in 1 s (interval allows ${burst.allowedPerSec})`,
  );
  log(
    `  duplicates ${burst.duplicates}, 429s ${burst.rateLimited} (unhandled ${burst.rateLimitedUnhandled}), missing ${burst.missing}`,
  );
  return { queue: opts.queue, steady, burst };
}

interface Rig {
  rt: Runtime;
  fake: FakeSlack;
}

async function withRig<T>(
  o: SlackBenchOptions & { intervalMs: number },
  fn: (rig: Rig) => Promise<T>,
): Promise<T> {
  const pgdb = await freshPostgres();
  const prefix = `hlbench-${randomBytes(4).toString('hex')}`;
  let fake: FakeSlack | undefined;
  let rt: Runtime | undefined;
  try {
    fake = await startFakeSlack();
    const config = parseConfig({
      DATABASE_URL: pgdb.url,
      ...(o.queue === 'bullmq' ? { REDIS_URL: o.redisUrl, HOTLEAD_QUEUE_PREFIX: prefix } : {}),
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: 'x',
      SLACK_SQL_CHANNEL: SQL_CHANNEL,
      SLACK_API_URL: fake.url,
      SLACK_CHANNEL_INTERVAL_MS: String(o.intervalMs),
      // The sweeps only matter when a job is lost; the default poll keeps them out of the way.
      HOTLEAD_OUTBOX_POLL_MS: '2000',
      LOG_LEVEL: 'silent',
    });
    rt = await createRuntime(config, createLogger(config));
    await rt.db.prisma.rep.createMany({
      data: Array.from({ length: REPS }, (_, i) => ({
        id: `rp_bench_${i + 1}`,
        name: `Rep ${i + 1}`,
        email: `rep${i + 1}@bench.vn`,
        slackUserId: repSlackId(i),
        industries: [],
        maxOpenSql: 100_000,
      })),
    });
    await rt.startWorker(o.workerConcurrency ? { concurrency: o.workerConcurrency } : undefined);
    return await fn({ rt, fake });
  } finally {
    const step = async (what: string, f: () => Promise<unknown>) => {
      try {
        await f();
      } catch (err) {
        process.stderr.write(`slack bench clean-up: ${what} failed: ${String(err)}\n`);
      }
    };
    if (rt) await step('runtime close', () => rt!.close());
    if (fake) await step('fake Slack close', () => fake!.close());
    if (o.queue === 'bullmq' && o.redisUrl)
      await step('Redis keys', () => dropRedisPrefix(o.redisUrl!, prefix));
    await step('drop database', () => pgdb.drop());
  }
}

function crossingEvent(token: string, i: number) {
  return {
    id: `bench-${token}`,
    type: 'demo_request',
    occurredAt: new Date().toISOString(),
    lead: {
      email: `${token.toLowerCase()}@bench-${i}.vn`,
      name: `Khách ${token}`,
      title: 'Giám đốc',
      company: `Công ty Bench ${i}`,
      companySize: 250,
    },
  };
}

/** What the fake recorded, per crossing (matched by the token in the lead's name). */
class Tracker {
  #seen = 0;
  readonly channelAt = new Map<string, number>();
  readonly dmAt = new Map<string, number>();
  /** Successful posts per `${token}|channel|dm`. */
  readonly okPosts = new Map<string, number>();
  /** Sends (metadata send_id) answered 429, and successful posts per send. */
  readonly limitedSends = new Set<string>();
  readonly okBySend = new Map<string, number>();
  rateLimited = 0;
  retryAfterOnSqlMs = 0;
  lastAt = 0;

  constructor(readonly fake: FakeSlack) {}

  update(): void {
    const calls = this.fake.calls;
    for (; this.#seen < calls.length; this.#seen++) this.#take(calls[this.#seen]!);
  }

  #take(c: FakeSlackCall): void {
    if (c.method !== 'chat.postMessage' || c.body.thread_ts !== undefined) return;
    const channel = String(c.body.channel ?? '');
    const kind = channel === SQL_CHANNEL ? 'channel' : channel.startsWith('U0REP') ? 'dm' : null;
    if (!kind) return;
    const sendId = (c.body.metadata as { event_payload?: { send_id?: string } } | undefined)?.event_payload
      ?.send_id;
    if (c.status === 429) {
      this.rateLimited += 1;
      if (sendId) this.limitedSends.add(sendId);
      if (kind === 'channel') this.retryAfterOnSqlMs += 1000; // the bench injects Retry-After: 1
      return;
    }
    if (!c.ok) return;
    const token = TOKEN.exec(JSON.stringify(c.body))?.[0];
    if (!token) return;
    const key = `${token}|${kind}`;
    this.okPosts.set(key, (this.okPosts.get(key) ?? 0) + 1);
    if (sendId) this.okBySend.set(sendId, (this.okBySend.get(sendId) ?? 0) + 1);
    const at = kind === 'channel' ? this.channelAt : this.dmAt;
    if (!at.has(token)) at.set(token, c.at);
    this.lastAt = Math.max(this.lastAt, c.at);
  }

  done(tokens: string[]): boolean {
    return tokens.every((t) => this.channelAt.has(t) && this.dmAt.has(t));
  }

  async waitFor(tokens: string[], timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      this.update();
      if (this.done(tokens) || Date.now() > end) return;
      await sleep(25);
    }
  }

  counts(tokens: string[]) {
    let duplicates = 0;
    for (const n of this.okPosts.values()) duplicates += Math.max(0, n - 1);
    const missing = tokens.filter((t) => !this.channelAt.has(t) || !this.dmAt.has(t)).length;
    const rateLimitedUnhandled = [...this.limitedSends].filter((s) => this.okBySend.get(s) !== 1).length;
    return { duplicates, rateLimited: this.rateLimited, rateLimitedUnhandled, missing };
  }
}

async function runSteady({ rt, fake }: Rig, perSec: number, seconds: number): Promise<SlackSteadyResult> {
  const n = Math.round(perSec * seconds);
  const period = 1000 / perSec;
  const tokens = Array.from({ length: n }, (_, i) => `HLB-S${String(i).padStart(4, '0')}`);
  const t0 = new Map<string, number>();
  const tracker = new Tracker(fake);
  const start = Date.now() + 100;
  const ingests: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const due = start + i * period;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    const token = tokens[i]!;
    const ev = crossingEvent(token, i);
    t0.set(token, Date.now());
    ingests.push(ingestEvents(rt.ingest, [ev], { source: 'bench' }));
  }
  await Promise.all(ingests);
  // The SQL channel drains at 1 post/s: give it the time the limiter needs, and some.
  await tracker.waitFor(tokens, n * 1000 + 30_000);
  const dm: number[] = [];
  const channel: number[] = [];
  const first: number[] = [];
  for (const t of tokens) {
    const s = t0.get(t)!;
    const d = tracker.dmAt.get(t);
    const c = tracker.channelAt.get(t);
    if (d !== undefined) dm.push(d - s);
    if (c !== undefined) channel.push(c - s);
    if (d !== undefined || c !== undefined) first.push(Math.min(d ?? Infinity, c ?? Infinity) - s);
  }
  return {
    crossingsPerSec: perSec,
    crossings: n,
    intervalMs: rt.config.slack?.channelIntervalMs ?? 0,
    p50Ms: round(pct(first, 50)),
    p99Ms: round(pct(first, 99)),
    dmP50Ms: round(pct(dm, 50)),
    dmP99Ms: round(pct(dm, 99)),
    channelP50Ms: round(pct(channel, 50)),
    channelP99Ms: round(pct(channel, 99)),
    channelMaxMs: round(Math.max(0, ...channel)),
    ...tracker.counts(tokens),
  };
}

async function runBurst(
  { rt, fake }: Rig,
  n: number,
  intervalMs: number,
  inject429: number,
): Promise<SlackBurstResult> {
  const BATCH = 100;
  const tokens = Array.from({ length: n }, (_, i) => `HLB-B${String(i).padStart(4, '0')}`);
  const tracker = new Tracker(fake);
  const expectedFloor = n * intervalMs;
  const timers: NodeJS.Timeout[] = [];
  const start = Date.now();
  // 429s spread over the drain (Retry-After 1 s each), on the busiest channel.
  for (let k = 1; k <= inject429; k++) {
    timers.push(
      setTimeout(
        () => fake.rateLimit('chat.postMessage', { times: 1, retryAfterSec: 1, channel: SQL_CHANNEL }),
        (expectedFloor * k) / (inject429 + 1),
      ),
    );
  }
  try {
    for (let i = 0; i < n; i += BATCH) {
      const batch = tokens.slice(i, i + BATCH).map((t, j) => crossingEvent(t, i + j));
      await ingestEvents(rt.ingest, batch, { source: 'bench' });
    }
    const ingestMs = Date.now() - start;
    await tracker.waitFor(tokens, expectedFloor * 5 + 60_000);
    tracker.update();
    const perChannel = fake.postsPerChannel();
    let busiest = SQL_CHANNEL;
    for (const [ch, s] of Object.entries(perChannel)) {
      if (s.ok > (perChannel[busiest]?.ok ?? 0)) busiest = ch;
    }
    const busiestPosts = perChannel[busiest]?.ok ?? 0;
    const floorMs = busiestPosts * intervalMs;
    const floorWithRetryAfterMs = floorMs + (busiest === SQL_CHANNEL ? tracker.retryAfterOnSqlMs : 0);
    const drainMs = tracker.lastAt - start;
    const busiestTimes = fake
      .callsTo('chat.postMessage')
      .filter((c) => c.ok && c.body.channel === busiest && c.body.thread_ts === undefined)
      .map((c) => c.at);
    const [dispatched] = await rt.db.transaction((tx) =>
      tx.query<{ at: Date | null }>(`SELECT max(delivered_at) AS at FROM outbox`),
    );
    const firstPost = Math.min(...tracker.channelAt.values(), ...tracker.dmAt.values());
    return {
      crossings: n,
      intervalMs,
      ingestMs,
      firstPostMs: firstPost - start,
      drainMs,
      dmDrainMs: Math.max(0, ...tracker.dmAt.values()) - start,
      dispatchedMs: dispatched?.at ? new Date(dispatched.at).getTime() - start : -1,
      busiestSpanMs: Math.max(0, ...busiestTimes) - Math.min(...busiestTimes),
      busiestSpanFloorMs: (busiestTimes.length - 1) * intervalMs,
      floorMs,
      ratio: round(drainMs / floorMs, 3),
      floorWithRetryAfterMs,
      ratioWithRetryAfter: round(drainMs / floorWithRetryAfterMs, 3),
      busiestChannel: busiest,
      channelMaxPerSec: perChannel[busiest]?.maxPerSecond ?? 0,
      allowedPerSec: Math.floor(1000 / intervalMs),
      ...tracker.counts(tokens),
    };
  } finally {
    for (const t of timers) clearTimeout(t);
  }
}
