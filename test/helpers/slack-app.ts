/**
 * The Slack app as tests drive it: a production runtime (createRuntime) with Slack configured,
 * the real Bolt app behind Hotlead's HTTP server, the real WebClient talking to the fake Slack
 * Web API, and a clock the test moves. Plus what a person reads in a message.
 */
import type { FastifyInstance } from 'fastify';
import { parseConfig } from '../../src/config.ts';
import { buildHttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import type { TestDb } from './db.ts';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';
import { blockActions, type PostSignedResult, postSigned } from './slack-requests.ts';

export const SECRET = 'test-signing-secret';
export const SQL_CHANNEL = 'C0SQL';

export interface SlackHarness {
  fake: FakeSlack;
  rt: Runtime;
  http: FastifyInstance;
  /** Base URL of Hotlead's HTTP server. */
  base: string;
  /** Signs and posts a Slack request body to `/slack/events`. */
  post(
    body: string,
    opts?: { retryNum?: number; timestampSec?: number; signature?: string },
  ): Promise<PostSignedResult>;
  /** A person clicks a button of a message in the alert channel (signed `block_actions`). */
  click(actionId: string, value: string, userId: string, messageTs: string): Promise<PostSignedResult>;
  /** What the bot said in a thread of the alert channel (texts, oldest first, the parent left out). */
  threadTexts(threadTs: string): string[];
  close(): Promise<void>;
}

/**
 * The environment of a Slack test runtime against `fake` (the bot token, the alert channel, no
 * per-channel spacing); the HTTP harness adds the signing secret, Socket Mode the app token.
 */
export function slackEnv(fake: FakeSlack): Record<string, string> {
  return {
    LOG_LEVEL: 'silent',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SQL_CHANNEL: SQL_CHANNEL,
    SLACK_API_URL: fake.url,
    SLACK_CHANNEL_INTERVAL_MS: '0',
  };
}

export async function startSlackHarness(
  tdb: TestDb,
  clock: { now: number },
  env: Record<string, string> = {},
): Promise<SlackHarness> {
  const fake = await startFakeSlack();
  const config = parseConfig({ ...slackEnv(fake), SLACK_SIGNING_SECRET: SECRET, ...env });
  const rt = await createRuntime(config, createLogger(config), { db: tdb.db, now: () => clock.now });
  await rt.startWorker();
  const http = buildHttpServer({
    db: rt.db,
    ingest: rt.ingest,
    logger: rt.logger,
    slack: rt.slack?.receiver,
    zalo: rt.zalo,
  });
  const base = await http.listen({ host: '127.0.0.1', port: 0 });
  await rt.slack?.start();
  return {
    fake,
    rt,
    http,
    base,
    post: (body, opts = {}) => postSigned(base, body, { secret: SECRET, ...opts }),
    click: (actionId, value, userId, messageTs) =>
      postSigned(base, blockActions({ actionId, value, userId, channelId: SQL_CHANNEL, messageTs }), {
        secret: SECRET,
      }),
    threadTexts: (threadTs) =>
      fake
        .messages(SQL_CHANNEL, threadTs)
        .filter((m) => m.ts !== threadTs)
        .map((m) => m.text),
    async close() {
      await http.close();
      await rt.slack?.stop();
      await rt.queue.close(); // the database is the test's: its cleanup closes it
      await fake.close();
    },
  };
}

/** Every text in a message's or view's blocks, joined: what a person reads. */
export function visibleText(m: { text?: string; blocks?: unknown[] }): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  walk(m.blocks ?? []);
  return out.join('\n');
}

/** action_ids of the buttons and menus a message offers. */
export function actionIds(m: { blocks?: unknown[] }): string[] {
  const ids: string[] = [];
  for (const b of (m.blocks ?? []) as { type: string; elements?: { action_id?: string }[] }[]) {
    if (b.type === 'actions') for (const e of b.elements ?? []) if (e.action_id) ids.push(e.action_id);
  }
  return ids;
}

/** Polls until `check` holds (work after Slack's ack happens asynchronously). */
export async function until(check: () => Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A rep on the team who is also a Slack user (in the fake's directory and the rep table). */
export async function seedRep(
  h: SlackHarness,
  tdb: TestDb,
  rep: { id: string; slackUserId: string; name: string; email: string; role?: string; locale?: string },
): Promise<void> {
  h.fake.addUser({
    id: rep.slackUserId,
    email: rep.email,
    name: rep.email.split('@')[0]!,
    real_name: rep.name,
    locale: rep.locale ?? 'vi-VN',
  });
  await tdb.db.prisma.rep.create({
    data: {
      id: rep.id,
      name: rep.name,
      email: rep.email,
      slackUserId: rep.slackUserId,
      industries: [],
      ...(rep.role ? { role: rep.role } : {}),
    },
  });
}

/** The people of the Slack tests, as Slack users: Lan and Minh (Vietnamese) and Anna (English). */
const TEAM = [
  {
    slack: 'U0LAN',
    rep: 'rp_lan',
    email: 'lan@hotlead.vn',
    name: 'Trần Lan',
    locale: 'vi-VN',
    language: 'vi',
  },
  {
    slack: 'U0MINH',
    rep: 'rp_minh',
    email: 'minh@hotlead.vn',
    name: 'Lê Minh',
    locale: 'vi-VN',
    language: 'vi',
  },
  {
    slack: 'U0ANNA',
    rep: 'rp_anna',
    email: 'anna@hotlead.vn',
    name: 'Anna Smith',
    locale: 'en-US',
    language: 'en',
  },
] as const;
export type TeamMember = (typeof TEAM)[number]['slack'];

/** Puts the whole team in the fake's directory and makes `reps` reps of the team (routing picks among them). */
export async function seedTeam(fake: FakeSlack, tdb: TestDb, reps: TeamMember[]): Promise<void> {
  for (const p of TEAM) {
    fake.addUser({
      id: p.slack,
      email: p.email,
      name: p.email.split('@')[0]!,
      real_name: p.name,
      locale: p.locale,
    });
    if (!reps.includes(p.slack)) continue;
    await tdb.db.prisma.rep.create({
      data: {
        id: p.rep,
        name: p.name,
        email: p.email,
        slackUserId: p.slack,
        language: p.language,
        industries: [],
      },
    });
  }
}
