/** The fake Slack Web API, checked against the real `@slack/web-api` WebClient. */
import {
  ErrorCode,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebClient,
  WebClientEvent,
} from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';

const blocks = [
  { type: 'section', text: { type: 'mrkdwn', text: '*Acme* scored 87 — <https://x.vn|open>' } },
  {
    type: 'actions',
    elements: [
      { type: 'button', action_id: 'hl_claim', text: { type: 'plain_text', text: 'Claim' }, value: 'L1' },
    ],
  },
];

describe('fake Slack Web API with the real WebClient', () => {
  let fake: FakeSlack;
  let web: WebClient;
  beforeAll(async () => {
    fake = await startFakeSlack();
    fake.addUser({
      id: 'U0LAN',
      email: 'Lan@Acme.vn',
      name: 'lan',
      real_name: 'Nguyễn Lan',
      locale: 'vi-VN',
    });
    web = new WebClient('xoxb-test', { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('url is a slackApiUrl ending in /api/', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('auth.test answers the bot identity and records the bearer token', async () => {
    const res = await web.auth.test();
    expect(res).toMatchObject({
      ok: true,
      user: 'hotlead',
      team_id: 'T0001',
      user_id: 'U0BOT',
      bot_id: 'B0BOT',
    });
    expect(fake.calls).toEqual([
      expect.objectContaining({ method: 'auth.test', token: 'xoxb-test', status: 200, ok: true }),
    ]);
  });

  it('WebClient sends form-encoded bodies; blocks and metadata round-trip as objects', async () => {
    const metadata = { event_type: 'hl_alert', event_payload: { lead_id: 'L1' } };
    const res = await web.chat.postMessage({ channel: 'C0SALES', text: 'Acme is hot', blocks, metadata });
    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.body).toMatchObject({ channel: 'C0SALES', text: 'Acme is hot', blocks, metadata });
    expect(Array.isArray(call?.body.blocks)).toBe(true);
    expect(res).toMatchObject({ ok: true, channel: 'C0SALES', message: { text: 'Acme is hot', blocks } });
    expect(res.ts).toMatch(/^\d{10}\.\d{6}$/);
  });

  it('JSON bodies (apiCall with a fetch sending JSON) are parsed the same way', async () => {
    const res = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-json', 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C0SALES', text: 'hi', blocks }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C0SALES' });
    expect(fake.calls[0]).toMatchObject({ token: 'xoxb-json', body: { blocks } });
  });

  it('gives strictly increasing unique ts values', async () => {
    const tss: string[] = [];
    for (let i = 0; i < 5; i++)
      tss.push((await web.chat.postMessage({ channel: 'C1', text: `m${i}` })).ts ?? '');
    const asNum = tss.map(Number);
    expect(new Set(tss).size).toBe(5);
    expect(asNum).toEqual([...asNum].sort((a, b) => a - b));
    expect(asNum[1]).toBeGreaterThan(asNum[0] ?? Infinity);
  });

  it('messages() shows what a rep sees now: chat.update replaces text and blocks in place', async () => {
    const posted = await web.chat.postMessage({ channel: 'C0SALES', text: 'Acme is hot', blocks });
    const ts = posted.ts ?? '';
    const claimed = [{ type: 'section', text: { type: 'mrkdwn', text: 'Claimed by <@U0LAN>' } }];
    const upd = await web.chat.update({ channel: 'C0SALES', ts, text: 'Acme — claimed', blocks: claimed });
    expect(upd).toMatchObject({ ok: true, channel: 'C0SALES', ts, text: 'Acme — claimed' });
    expect(fake.messages('C0SALES')).toEqual([
      { ts, text: 'Acme — claimed', blocks: claimed, user: 'U0BOT' },
    ]);

    await web.chat.postMessage({ channel: 'C0SALES', text: 'why: budget 2 tỷ', thread_ts: ts });
    expect(fake.messages('C0SALES').map((m) => m.text)).toEqual(['Acme — claimed', 'why: budget 2 tỷ']);
    expect(fake.messages('C0SALES', ts)[1]).toMatchObject({ thread_ts: ts, text: 'why: budget 2 tỷ' });

    const history = await web.conversations.history({ channel: 'C0SALES' });
    expect(history.messages).toHaveLength(1);
    expect(history.messages?.[0]).toMatchObject({ ts, text: 'Acme — claimed', reply_count: 1 });
    const replies = await web.conversations.replies({ channel: 'C0SALES', ts });
    expect(replies.messages?.map((m) => m.text)).toEqual(['Acme — claimed', 'why: budget 2 tỷ']);
  });

  it('chat.update of an unknown message fails like Slack (message_not_found)', async () => {
    const e = await web.chat
      .update({ channel: 'C0SALES', ts: '1.000001', text: 'x' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WebAPIPlatformError);
    expect((e as WebAPIPlatformError).data.error).toBe('message_not_found');
  });

  it('rejects messages Slack would reject: no text, more than 50 blocks, unknown thread', async () => {
    const codes = async (p: Promise<unknown>) =>
      ((await p.catch((e: unknown) => e)) as WebAPIPlatformError).data?.error;
    expect(await codes(web.chat.postMessage({ channel: 'C1', text: '' }))).toBe('no_text');
    const many = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(await codes(web.chat.postMessage({ channel: 'C1', text: 'x', blocks: many }))).toBe(
      'invalid_blocks',
    );
    expect(await codes(web.chat.postMessage({ channel: 'C1', text: 'x', thread_ts: '9.000001' }))).toBe(
      'thread_not_found',
    );
    expect(fake.messages('C1')).toEqual([]);
  });

  it('chat.postEphemeral answers message_ts and is kept apart from channel messages', async () => {
    const res = await web.chat.postEphemeral({ channel: 'C0SALES', user: 'U0LAN', text: 'only you' });
    expect(res).toMatchObject({ ok: true, message_ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    expect(fake.ephemerals('C0SALES')).toEqual([
      { channel: 'C0SALES', user: 'U0LAN', text: 'only you', blocks: [], message_ts: res.message_ts },
    ]);
    expect(fake.messages('C0SALES')).toEqual([]);
  });

  it('conversations.open gives a stable D… channel per user; posting to a user id lands there', async () => {
    const a = await web.conversations.open({ users: 'U0LAN' });
    const b = await web.conversations.open({ users: 'U0LAN' });
    expect(a.channel?.id).toBe('DU0LAN');
    expect(b.channel?.id).toBe(a.channel?.id);
    const post = await web.chat.postMessage({ channel: 'U0LAN', text: 'your digest' });
    expect(post.channel).toBe('DU0LAN');
    expect(fake.messages('DU0LAN').map((m) => m.text)).toEqual(['your digest']);
  });

  it('users.lookupByEmail finds seeded users (case-insensitive) or answers users_not_found', async () => {
    const res = await web.users.lookupByEmail({ email: 'lan@acme.vn' });
    expect(res.user).toMatchObject({
      id: 'U0LAN',
      name: 'lan',
      real_name: 'Nguyễn Lan',
      tz: 'Asia/Ho_Chi_Minh',
      tz_offset: 7 * 3600,
      profile: { email: 'Lan@Acme.vn' },
    });
    const e = await web.users.lookupByEmail({ email: 'nobody@acme.vn' }).catch((x: unknown) => x);
    expect((e as WebAPIPlatformError).data.error).toBe('users_not_found');
  });

  it('users.info returns tz always and locale only with include_locale, like Slack', async () => {
    const plain = await web.users.info({ user: 'U0LAN' });
    expect(plain.user?.tz).toBe('Asia/Ho_Chi_Minh');
    expect(plain.user?.locale).toBeUndefined();
    const withLocale = await web.users.info({ user: 'U0LAN', include_locale: true });
    expect(withLocale.user?.locale).toBe('vi-VN');
    const e = await web.users.info({ user: 'U0NOPE' }).catch((x: unknown) => x);
    expect((e as WebAPIPlatformError).data.error).toBe('user_not_found');
  });

  it('views.open / views.update / views.publish answer a view with an id', async () => {
    const modal = {
      type: 'modal' as const,
      callback_id: 'hl_not_fit_modal',
      private_metadata: JSON.stringify({ leadId: 'L1' }),
      title: { type: 'plain_text' as const, text: 'Not a fit' },
      blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'Why?' } }],
    };
    const opened = await web.views.open({ trigger_id: '123.456.abc', view: modal });
    const id = opened.view?.id ?? '';
    expect(id).toMatch(/^V/);
    expect(opened.view).toMatchObject({
      callback_id: 'hl_not_fit_modal',
      private_metadata: '{"leadId":"L1"}',
    });
    const updated = await web.views.update({ view_id: id, view: { ...modal, blocks: [] } });
    expect(updated.view?.id).toBe(id);
    expect(fake.view(id)?.blocks).toEqual([]);

    const home = { type: 'home' as const, blocks: [{ type: 'divider' as const }] };
    const p1 = await web.views.publish({ user_id: 'U0LAN', view: home });
    const p2 = await web.views.publish({ user_id: 'U0LAN', view: home });
    expect(p1.view?.id).toMatch(/^V/);
    expect(p2.view?.id).toBe(p1.view?.id);
    expect(fake.homeView('U0LAN')?.blocks).toEqual([{ type: 'divider' }]);

    const e = await web.views.open({ trigger_id: '', view: modal }).catch((x: unknown) => x);
    expect((e as WebAPIPlatformError).data.error).toBe('invalid_arguments');
  });

  it('other methods answer { ok: true }', async () => {
    await expect(
      web.reactions.add({ channel: 'C1', timestamp: '1.000001', name: 'fire' }),
    ).resolves.toMatchObject({
      ok: true,
    });
  });

  it('fail() answers { ok:false, error } with HTTP 200 the given number of times', async () => {
    fake.fail('chat.postMessage', 'channel_not_found', { times: 2 });
    for (let i = 0; i < 2; i++) {
      const e = await web.chat.postMessage({ channel: 'C9', text: 'x' }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(WebAPIPlatformError);
      expect((e as WebAPIPlatformError).data.error).toBe('channel_not_found');
    }
    await expect(web.chat.postMessage({ channel: 'C9', text: 'x' })).resolves.toMatchObject({ ok: true });
    expect(fake.callsTo('chat.postMessage').map((c) => [c.status, c.ok, c.error])).toEqual([
      [200, false, 'channel_not_found'],
      [200, false, 'channel_not_found'],
      [200, true, undefined],
    ]);
    expect(fake.messages('C9')).toHaveLength(1);
  });

  it('rateLimit() with rejectRateLimitedCalls surfaces a rate-limited error carrying retryAfter', async () => {
    const strict = new WebClient('xoxb-test', {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    fake.rateLimit('chat.postMessage', { times: 1, retryAfterSec: 7, channel: 'C0SALES' });
    await expect(
      strict.chat.postMessage({ channel: 'C0OTHER', text: 'other channel passes' }),
    ).resolves.toBeTruthy();
    const e = await strict.chat.postMessage({ channel: 'C0SALES', text: 'x' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WebAPIRateLimitedError);
    expect((e as WebAPIRateLimitedError).code).toBe(ErrorCode.RateLimitedError);
    expect((e as WebAPIRateLimitedError).retryAfter).toBe(7);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.status === 429)).toHaveLength(1);
    expect(fake.messages('C0SALES')).toEqual([]);
  });

  it('by default WebClient waits Retry-After, then retries and succeeds', async () => {
    const patient = new WebClient('xoxb-test', { slackApiUrl: fake.url });
    const limited: number[] = [];
    patient.on(WebClientEvent.RATE_LIMITED, (sec: number) => limited.push(sec));
    fake.rateLimit('chat.postMessage', { times: 1, retryAfterSec: 1 });
    const res = await patient.chat.postMessage({ channel: 'C0SALES', text: 'eventually' });
    expect(res.ok).toBe(true);
    expect(limited).toEqual([1]);
    const [first, second] = fake.callsTo('chat.postMessage');
    expect(first?.status).toBe(429);
    expect(second?.status).toBe(200);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(fake.messages('C0SALES').map((m) => m.text)).toEqual(['eventually']);
  });

  it('WebClient facts the app must plan for: a 429 pauses the whole client; retries:0 still sleeps', async () => {
    const client = new WebClient('xoxb-test', { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
    fake.rateLimit('chat.postMessage', { times: 1, retryAfterSec: 1, channel: 'C0A' });
    const t0 = Date.now();
    // The client emits RATE_LIMITED and pauses its queue in the same tick.
    const paused = new Promise((resolve) => client.once(WebClientEvent.RATE_LIMITED, resolve));
    const limited = client.chat.postMessage({ channel: 'C0A', text: 'x' }).catch((e: unknown) => e);
    await paused;
    // A different channel and method, same client: queued until Retry-After has passed.
    const other = await client.chat.postMessage({ channel: 'C0B', text: 'y' }).then(() => Date.now() - t0);
    expect(other).toBeGreaterThanOrEqual(900);
    const e = await limited;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    // Without rejectRateLimitedCalls the failure is a generic request error, not WebAPIRateLimitedError.
    expect(e).not.toBeInstanceOf(WebAPIRateLimitedError);
    expect((e as { code?: unknown }).code).toBe(ErrorCode.RequestError);
    expect(String(e)).toMatch(/rate limit was exceeded.*retry-after: 1/);
  });

  it('delay() slows answers; a client timeout does not undo the post (as with real Slack)', async () => {
    fake.delay(300, 'chat.postMessage');
    const hasty = new WebClient('xoxb-test', {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      timeout: 100,
    });
    const started = Date.now();
    await expect(hasty.chat.postMessage({ channel: 'C2', text: 'slow' })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(300);
    expect(fake.messages('C2').map((m) => m.text)).toEqual(['slow']);
    const t0 = Date.now();
    await web.chat.postMessage({ channel: 'C2', text: 'slow 2' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    fake.delay(0, 'chat.postMessage');
  });

  it('waitFor resolves once the calls arrive, and times out listing the methods seen', async () => {
    const waiting = fake.waitFor('chat.postMessage', { count: 2 });
    void web.auth.test();
    void web.chat.postMessage({ channel: 'C3', text: 'a' });
    void web.chat.postMessage({ channel: 'C3', text: 'b' });
    const got = await waiting;
    expect(got.map((c) => c.body.text)).toEqual(['a', 'b']);
    await expect(fake.waitFor((c) => c.method === 'views.open', { timeoutMs: 50 })).rejects.toThrow(
      /timed out after 50 ms: 0 matching; methods seen: .*auth\.test.*chat\.postMessage×2/,
    );
  });

  it('postsPerChannel counts ok, 429 and failed posts and the busiest second per channel', async () => {
    fake.rateLimit('chat.postMessage', { times: 1, retryAfterSec: 1, channel: 'C0A' });
    fake.fail('chat.postMessage', 'is_archived', { channel: 'C0B' });
    const post = (channel: string) => web.chat.postMessage({ channel, text: 'x' }).catch(() => undefined);
    await post('C0A');
    await post('C0A');
    await post('C0A');
    await post('C0B');
    await post('C0B');
    expect(fake.postsPerChannel()).toEqual({
      C0A: { ok: 2, rateLimited: 1, failed: 0, maxPerSecond: 2 },
      C0B: { ok: 1, rateLimited: 0, failed: 1, maxPerSecond: 1 },
    });
  });

  it('answers not_authed without a token and invalid_auth for unknown tokens when tokens are set', async () => {
    const strict = await startFakeSlack({ tokens: ['xoxb-good'] });
    try {
      const anon = new WebClient(undefined, { slackApiUrl: strict.url, retryConfig: { retries: 0 } });
      const bad = new WebClient('xoxb-bad', { slackApiUrl: strict.url, retryConfig: { retries: 0 } });
      const good = new WebClient('xoxb-good', { slackApiUrl: strict.url, retryConfig: { retries: 0 } });
      expect(((await anon.auth.test().catch((e: unknown) => e)) as WebAPIPlatformError).data.error).toBe(
        'not_authed',
      );
      expect(((await bad.auth.test().catch((e: unknown) => e)) as WebAPIPlatformError).data.error).toBe(
        'invalid_auth',
      );
      await expect(good.auth.test()).resolves.toMatchObject({ ok: true });
    } finally {
      await strict.close();
    }
  });

  it('records response_url posts (Bolt respond()) under method response_url', async () => {
    const res = await fetch(fake.responseUrl('cmd1'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', text: 'Scoring…' }),
    });
    expect(res.status).toBe(200);
    expect(fake.callsTo('response_url')[0]?.body).toEqual({ response_type: 'ephemeral', text: 'Scoring…' });
  });

  it('refuses misuse with clear errors', () => {
    expect(() => fake.rateLimit('chat.postMessage', { times: 0, retryAfterSec: 1 })).toThrow(
      /times must be > 0/,
    );
    expect(() => fake.rateLimit('chat.postMessage', { times: 1, retryAfterSec: 0.5 })).toThrow(
      /whole number/,
    );
    expect(() => fake.addUser({ id: 'lan', email: 'x@y', name: 'x' })).toThrow(/bad user id/);
  });
});
