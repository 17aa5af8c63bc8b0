/** The signed-request builders, checked against a real Bolt App and its HTTPReceiver. */
import { createServer } from 'node:net';
import {
  App,
  type BlockAction,
  type ButtonAction,
  isValidSlackRequest,
  type Logger,
  LogLevel,
  type StaticSelectAction,
} from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';
import {
  appHomeOpened,
  appMention,
  blockActions,
  directMessage,
  eventCallback,
  postSigned,
  sign,
  slashCommand,
  sslCheck,
  staticSelectValue,
  threadReply,
  urlVerification,
  viewSubmission,
} from './slack-requests.ts';

const SECRET = 'test-signing-secret';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('freePort: no TCP address');
  return addr.port;
}

interface Seen {
  kind: string;
  payload: unknown;
  context: Record<string, unknown>;
  body?: unknown;
}

describe('signed requests accepted by a real Bolt 5 App (HTTPReceiver)', () => {
  let fake: FakeSlack;
  let app: App;
  let base: string;
  const seen: Seen[] = [];
  const warnings: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (...m: unknown[]) => warnings.push(m.map(String).join(' ')),
    error: (...m: unknown[]) => warnings.push(m.map(String).join(' ')),
    setLevel() {},
    getLevel: () => LogLevel.WARN,
    setName() {},
  };
  const post = (body: string, opts: Partial<Parameters<typeof postSigned>[2]> = {}) =>
    postSigned(base, body, { secret: SECRET, ...opts });
  const kinds = () => seen.map((s) => s.kind);

  beforeAll(async () => {
    // Bolt calls auth.test in the App constructor when given a token: the fake must already run.
    fake = await startFakeSlack();
    app = new App({
      signingSecret: SECRET,
      token: 'xoxb-test',
      logger,
      clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
    });
    app.event('app_mention', async ({ event, context, body }) => {
      seen.push({ kind: 'app_mention', payload: event, context, body });
    });
    app.event('app_home_opened', async ({ event, context }) => {
      seen.push({ kind: 'app_home_opened', payload: event, context });
    });
    app.event('message', async ({ event, context }) => {
      seen.push({ kind: 'message', payload: event, context });
    });
    app.command('/hotlead', async ({ ack, command, respond, context }) => {
      seen.push({ kind: 'command', payload: command, context });
      await ack(`Scoring ${command.text}…`);
      await respond({ response_type: 'ephemeral', text: 'done' });
    });
    app.action<BlockAction<ButtonAction>>('hl_claim', async ({ ack, action, body, client, context }) => {
      seen.push({ kind: 'claim', payload: action, context, body });
      await ack();
      await client.chat.update({
        channel: body.channel?.id ?? '',
        ts: body.message?.ts ?? '',
        text: 'Claimed',
      });
    });
    app.action<BlockAction<StaticSelectAction>>('hl_snooze', async ({ ack, action, context }) => {
      seen.push({ kind: 'snooze', payload: action, context });
      await ack();
    });
    app.view('hl_not_fit_modal', async ({ ack, view, context }) => {
      seen.push({ kind: 'view', payload: view, context });
      await ack({ response_action: 'errors', errors: { note: 'Too short' } });
    });
    const port = await freePort();
    await app.start(port);
    base = `http://127.0.0.1:${port}`;
  });
  beforeEach(() => {
    seen.length = 0;
    warnings.length = 0;
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  it('sign() agrees with Bolt’s own verifySlackRequest, and a changed body breaks it', () => {
    const body = 'token=x&text=score+acme';
    const h = sign(body, 'shh', 1531420618);
    expect(h['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(h['x-slack-request-timestamp']).toBe('1531420618');
    const check = (b: string) =>
      isValidSlackRequest({
        signingSecret: 'shh',
        body: b,
        headers: { 'x-slack-signature': h['x-slack-signature'], 'x-slack-request-timestamp': 1531420618 },
        nowMilliseconds: 1531420618_000 + 60_000,
      });
    expect(check(body)).toBe(true);
    expect(check(`${body}!`)).toBe(false);
    expect(() => sign('x', '', 1)).toThrow(/secret is empty/);
    expect(() => sign('x', 's', 1.5)).toThrow(/whole seconds/);
  });

  it('Bolt asked the fake for auth.test, and uses its bot identity in context', async () => {
    // Sent from the constructor without awaiting; authorize() awaits it on the first request.
    await fake.waitFor('auth.test');
    const res = await post(
      eventCallback(appMention({ text: '<@U0BOT> score acme', userId: 'U0LAN', channel: 'C0SALES' }), {
        eventId: 'Ev0MENTION1',
      }),
    );
    expect(res.status).toBe(200);
    await vi.waitFor(() => expect(kinds()).toEqual(['app_mention']));
    const [s] = seen;
    expect(s?.payload).toMatchObject({ type: 'app_mention', text: '<@U0BOT> score acme', user: 'U0LAN' });
    expect(s?.body).toMatchObject({ event_id: 'Ev0MENTION1', type: 'event_callback', team_id: 'T0001' });
    expect(s?.context).toMatchObject({ botUserId: 'U0BOT', botId: 'B0BOT', teamId: 'T0001' });
    expect(s?.context.retryNum).toBeUndefined();
  });

  it('X-Slack-Retry-Num / -Reason are visible as context.retryNum / retryReason', async () => {
    const body = eventCallback(appMention({ text: '<@U0BOT> hi', userId: 'U0LAN', channel: 'C0SALES' }));
    expect((await post(body, { retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);
    await vi.waitFor(() => expect(kinds()).toEqual(['app_mention']));
    expect(seen[0]?.context).toMatchObject({ retryNum: 1, retryReason: 'http_timeout' });
  });

  it('DMs, thread replies and app_home_opened reach their listeners with Slack’s fields', async () => {
    await post(eventCallback(directMessage({ text: 'score acme', userId: 'U0LAN', channel: 'DU0LAN' })));
    await post(
      eventCallback(
        threadReply({
          text: 'budget 2 tỷ',
          userId: 'U0LAN',
          channel: 'C0SALES',
          threadTs: '1732345678.000100',
        }),
      ),
    );
    await post(eventCallback(appHomeOpened('U0LAN')));
    await vi.waitFor(() => expect(kinds().sort()).toEqual(['app_home_opened', 'message', 'message']));
    const payloads = seen.map((s) => s.payload);
    expect(payloads).toContainEqual(expect.objectContaining({ channel_type: 'im', channel: 'DU0LAN' }));
    expect(payloads).toContainEqual(
      expect.objectContaining({
        thread_ts: '1732345678.000100',
        text: 'budget 2 tỷ',
        channel_type: 'channel',
      }),
    );
    expect(payloads).toContainEqual(
      expect.objectContaining({ type: 'app_home_opened', tab: 'home', user: 'U0LAN' }),
    );
    expect(() => directMessage({ text: 'x', userId: 'U0LAN', channel: 'C0SALES' })).toThrow(/D… IM id/);
  });

  it('ignoreSelf: Bolt drops events from its own bot user', async () => {
    await post(eventCallback(directMessage({ text: 'echo', userId: 'U0BOT', channel: 'DU0LAN' })));
    await post(eventCallback(directMessage({ text: 'from a rep', userId: 'U0LAN', channel: 'DU0LAN' })));
    await vi.waitFor(() => expect(kinds()).toContain('message'));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.map((s) => (s.payload as { text?: string }).text)).toEqual(['from a rep']);
  });

  it('a slash command reaches app.command with the exact text; ack body and respond() work', async () => {
    const text = 'score "Acme & Co" 100% +vip';
    const res = await post(
      slashCommand({ text, userId: 'U0LAN', channelId: 'C0SALES', responseUrl: fake.responseUrl('cmd') }),
    );
    expect(res).toMatchObject({ status: 200, body: `Scoring ${text}…` });
    expect(seen[0]?.payload).toMatchObject({
      command: '/hotlead',
      text,
      user_id: 'U0LAN',
      channel_id: 'C0SALES',
    });
    const [r] = await fake.waitFor('response_url');
    expect(r?.body).toEqual({ response_type: 'ephemeral', text: 'done' });
  });

  it('a block action reaches app.action with value; the listener’s client talks to the fake', async () => {
    const res = await post(
      blockActions({
        actionId: 'hl_claim',
        value: 'L1',
        userId: 'U0LAN',
        channelId: 'C0SALES',
        messageTs: '1.000100',
      }),
    );
    expect(res.status).toBe(200);
    expect(seen[0]?.payload).toMatchObject({ type: 'button', action_id: 'hl_claim', value: 'L1' });
    expect(seen[0]?.body).toMatchObject({ user: { id: 'U0LAN' }, container: { message_ts: '1.000100' } });
    const [upd] = await fake.waitFor('chat.update');
    expect(upd).toMatchObject({
      token: 'xoxb-test',
      body: { channel: 'C0SALES', ts: '1.000100', text: 'Claimed' },
    });
  });

  it('a static_select action carries selected_option', async () => {
    const body = blockActions({
      actionId: 'hl_snooze',
      selectedOption: { value: 'L1|1d', text: '1 day' },
      userId: 'U0LAN',
      channelId: 'C0SALES',
      messageTs: '1.000100',
    });
    expect((await post(body)).status).toBe(200);
    expect(seen[0]?.payload).toMatchObject({ type: 'static_select', selected_option: { value: 'L1|1d' } });
    expect(() =>
      blockActions({
        actionId: 'x',
        value: 'a',
        selectedOption: { value: 'b' },
        userId: 'U1',
        channelId: 'C1',
        messageTs: '1.1',
      }),
    ).toThrow(/not both/);
  });

  it('a view_submission reaches app.view with state values; ack({response_action}) is the HTTP answer', async () => {
    const res = await post(
      viewSubmission({
        callbackId: 'hl_not_fit_modal',
        privateMetadata: { leadId: 'L1', channel: 'C0SALES', ts: '1.000100' },
        values: {
          reason: { reason_select: staticSelectValue('budget', 'No budget') },
          note: { note_input: 'ok' },
        },
        userId: 'U0LAN',
      }),
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_action: 'errors', errors: { note: 'Too short' } });
    expect(seen[0]?.payload).toMatchObject({
      callback_id: 'hl_not_fit_modal',
      private_metadata: '{"leadId":"L1","channel":"C0SALES","ts":"1.000100"}',
      state: {
        values: {
          reason: { reason_select: { type: 'static_select', selected_option: { value: 'budget' } } },
          note: { note_input: { type: 'plain_text_input', value: 'ok' } },
        },
      },
    });
  });

  it('a bad signature is refused with 401 and no listener runs', async () => {
    const body = slashCommand({ text: 'x', userId: 'U0LAN', channelId: 'C0SALES' });
    expect((await post(body, { signature: `v0=${'0'.repeat(64)}` })).status).toBe(401);
    expect((await post(body, { secret: 'another-secret' })).status).toBe(401);
    expect((await post(body, { unsigned: true })).status).toBe(401);
    expect(seen).toEqual([]);
    expect(warnings.filter((w) => w.includes('signature mismatch'))).toHaveLength(2);
  });

  it('a timestamp 6 minutes old is refused with 401 (even when correctly signed)', async () => {
    const body = eventCallback(appMention({ text: 'old', userId: 'U0LAN', channel: 'C0SALES' }));
    const sixMinAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await post(body, { timestampSec: sixMinAgo })).status).toBe(401);
    expect(warnings.some((w) => /stale/.test(w))).toBe(true);
    const fourMinAgo = Math.floor(Date.now() / 1000) - 4 * 60;
    expect((await post(body, { timestampSec: fourMinAgo })).status).toBe(200);
    await vi.waitFor(() => expect(kinds()).toEqual(['app_mention']));
  });

  it('url_verification must be signed and echoes the challenge; ssl_check needs no signature', async () => {
    const challenge = await post(urlVerification('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P'));
    expect(challenge).toMatchObject({
      status: 200,
      json: { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' },
    });
    expect((await post(urlVerification('c'), { unsigned: true })).status).toBe(401);
    const ssl = await post(sslCheck(), { unsigned: true });
    expect(ssl).toMatchObject({ status: 200, body: '' });
    expect(seen).toEqual([]);
  });

  it('Bolt needs the exact form content type: a charset suffix makes it parse the body as JSON (400)', async () => {
    const body = slashCommand({ text: 'x', userId: 'U0LAN', channelId: 'C0SALES' });
    const res = await post(body, { contentType: 'application/x-www-form-urlencoded; charset=utf-8' });
    expect(res.status).toBe(400);
    expect(seen).toEqual([]);
  });

  it('a request nobody acks gets 404 after ~3 s (Slack would then retry or show an error)', async () => {
    const t0 = Date.now();
    const res = await post(
      slashCommand({ command: '/unknown', text: 'x', userId: 'U0LAN', channelId: 'C0SALES' }),
    );
    expect(res.status).toBe(404);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2900);
    expect(warnings.some((w) => w.includes('not acknowledged within 3 seconds'))).toBe(true);
  });
});
