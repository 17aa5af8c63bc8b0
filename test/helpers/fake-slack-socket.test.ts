/** The fake Socket Mode server, checked against the real `@slack/socket-mode` client. */
import { SocketModeClient } from '@slack/socket-mode';
import { WebClient } from '@slack/web-api';
import { WebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';
import { type FakeSocketMode, startFakeSocketMode } from './fake-slack-socket.ts';
import { appMention, blockActions, eventCallback, slashCommand } from './slack-requests.ts';

describe('fake Socket Mode with the real SocketModeClient', () => {
  let fake: FakeSlack;
  let socket: FakeSocketMode;
  let client: SocketModeClient;
  const received: { type: string; body: Record<string, unknown>; retryNum?: number; reason?: string }[] = [];

  beforeAll(async () => {
    fake = await startFakeSlack();
    socket = await startFakeSocketMode(fake);
    client = new SocketModeClient({
      appToken: 'xapp-1-A0HOTLEAD-1-test',
      clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
    });
    client.on('slack_event', async ({ ack, type, body, retry_num, retry_reason }) => {
      received.push({ type, body, retryNum: retry_num, reason: retry_reason });
      await ack(type === 'slash_commands' ? { text: `got ${body.text}` } : undefined);
    });
    await client.start();
  });
  afterAll(async () => {
    await client.disconnect();
    await socket.close();
    await fake.close();
  });

  it('apps.connections.open takes an app-level token only and hands out a ws:// URL', async () => {
    expect(fake.callsTo('apps.connections.open')).toHaveLength(1);
    const bot = new WebClient('xoxb-test', { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
    await expect(bot.apps.connections.open()).rejects.toMatchObject({
      data: { error: 'not_allowed_token_type' },
    });
    const app = new WebClient('', {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      headers: { Authorization: 'Bearer xapp-1-A0HOTLEAD-1-test' },
    });
    const { url } = await app.apps.connections.open();
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f-]+&app_id=A0HOTLEAD$/);
  });

  it('a URL opens one connection: a second use, or a made-up ticket, is refused', async () => {
    const issue = async () => {
      const res = await fetch(`${fake.url}apps.connections.open`, {
        method: 'POST',
        headers: { authorization: 'Bearer xapp-1-A0HOTLEAD-1-test' },
      });
      return ((await res.json()) as { url: string }).url;
    };
    /** Opens a WebSocket to `url`: true if it opened (then closes it), false if refused. */
    const opens = (url: string) =>
      new Promise<boolean>((resolve) => {
        const ws = new WebSocket(url);
        ws.addEventListener('open', () => {
          ws.close(1000);
          resolve(true);
        });
        ws.addEventListener('error', () => resolve(false));
      });
    const url = await issue();
    const before = socket.connections;
    expect(await opens(url.replace(/ticket=[^&]+/, 'ticket=made-up'))).toBe(false);
    expect(await opens(url)).toBe(true);
    expect(await opens(url)).toBe(false);
    expect(socket.connections).toBe(before + 1);
  });

  it('wraps bodies in Slack’s envelopes and records the acks', async () => {
    const cmd = socket.deliver(slashCommand({ text: 'top 3', userId: 'U0LAN', channelId: 'C0SQL' }));
    const [cmdAck] = await socket.waitForAck(cmd);
    expect(cmdAck!.payload).toEqual({ text: 'got top 3' });

    const body = eventCallback(appMention({ text: '<@U0BOT> hi', userId: 'U0LAN', channel: 'C0SQL' }));
    const ev = socket.deliver(body);
    socket.deliver(body, { envelopeId: ev, retryAttempt: 1, retryReason: 'timeout' });
    const acks = await socket.waitForAck(ev, { count: 2 });
    expect(acks.map((a) => a.payload)).toEqual([{}, {}]);

    const click = socket.deliver(
      blockActions({
        actionId: 'hl_claim',
        value: 'L1',
        userId: 'U0LAN',
        channelId: 'C0SQL',
        messageTs: '1.2',
      }),
    );
    await socket.waitForAck(click);

    expect(received.map((r) => r.type)).toEqual([
      'slash_commands',
      'events_api',
      'events_api',
      'interactive',
    ]);
    expect(received[0]!.body).toMatchObject({ command: '/hotlead', text: 'top 3', user_id: 'U0LAN' });
    expect(received[1]).toMatchObject({ body: { type: 'event_callback' }, retryNum: 0, reason: '' });
    expect(received[2]).toMatchObject({ retryNum: 1, reason: 'timeout' });
    expect(received[3]!.body).toMatchObject({ type: 'block_actions', actions: [{ action_id: 'hl_claim' }] });
    expect(socket.sent.map((e) => e.type)).toEqual([
      'slash_commands',
      'events_api',
      'events_api',
      'interactive',
    ]);
  });
});
