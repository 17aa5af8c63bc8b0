/**
 * The Slack app in Socket Mode (SLACK_APP_TOKEN set): the real Bolt app and the real
 * `@slack/socket-mode` client, connected to a fake Socket Mode server through the fake Web API's
 * `apps.connections.open`. Envelopes of Slack's shapes go in; what comes back is what a rep sees —
 * the acks' answers, messages in the channel and its threads, the alert updated in place.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { ingestEvents } from '../../src/domain/ingest.ts';
import { ACTION } from '../../src/integrations/slack/contract.ts';
import { createLogger } from '../../src/logger.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { BACKENDS, pgliteDb, type TestDb } from '../helpers/db.ts';
import { type FakeMessage, type FakeSlack, startFakeSlack } from '../helpers/fake-slack.ts';
import { type FakeSocketMode, startFakeSocketMode } from '../helpers/fake-slack-socket.ts';
import { actionIds, SQL_CHANNEL, seedTeam, until, visibleText } from '../helpers/slack-app.ts';
import {
  appMention,
  blockActions,
  eventCallback,
  newEventId,
  slashCommand,
} from '../helpers/slack-requests.ts';
import { APP_TOKEN, type SocketModeHarness, startSocketModeHarness } from '../helpers/slack-socket-app.ts';

const settle = () => new Promise((r) => setTimeout(r, 300));

describe.each(BACKENDS)('Slack in Socket Mode ($name)', ({ open }) => {
  let tdb: TestDb;
  let h: SocketModeHarness;
  let fake: FakeSlack;
  let socket: FakeSocketMode;
  let rt: Runtime;
  const clock = { now: Date.parse('2026-11-23T03:00:00Z') };

  beforeAll(async () => {
    tdb = await open();
    h = await startSocketModeHarness(tdb, clock);
    ({ fake, socket, rt } = h);
    await seedTeam(fake, tdb, ['U0LAN', 'U0MINH']);
  });
  afterAll(async () => {
    await h?.close();
    await tdb?.cleanup();
  });

  let seq = 0;
  /** A demo request from a new lead: fast-tracked to SQL, so it is alerted in the channel. */
  async function newSqlLead(name: string) {
    seq += 1;
    const email = `lead${seq}@socket${seq}.vn`;
    const [r] = await ingestEvents(
      rt.ingest,
      [
        {
          id: `socket-test-${seq}`,
          type: 'demo_request',
          occurredAt: new Date(clock.now).toISOString(),
          lead: { email, name, title: 'Giám đốc', company: `Thép Socket ${seq}`, companySize: 250 },
        },
      ],
      { source: 'web' },
    );
    return { leadId: r!.leadId!, email };
  }
  const alertMessages = () => fake.messages(SQL_CHANNEL).filter((m) => !m.thread_ts);
  async function alertFor(name: string): Promise<FakeMessage> {
    await until(async () => alertMessages().some((m) => visibleText(m).includes(name)));
    return alertMessages().find((m) => visibleText(m).includes(name))!;
  }

  it('connects with the app-level token: apps.connections.open, then Slack’s hello', () => {
    const opened = fake.callsTo('apps.connections.open');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.token).toBe(APP_TOKEN);
    expect(opened[0]!.ok).toBe(true);
    expect(socket.connections).toBe(1);
    expect(socket.openConnections).toBe(1);
    // Everything else goes out with the bot token.
    expect(fake.calls.filter((c) => c.method !== 'apps.connections.open').map((c) => c.token)).not.toContain(
      APP_TOKEN,
    );
  });

  it('/hotlead help is acked with its answer, in the language it was asked in', async () => {
    const responseUrl = fake.responseUrl('help');
    const vi = socket.deliver(
      slashCommand({ text: 'trợ giúp', userId: 'U0LAN', channelId: SQL_CHANNEL, responseUrl }),
    );
    const [ack] = await socket.waitForAck(vi);
    expect(ack!.payload).toMatchObject({ response_type: 'ephemeral' });
    const text = visibleText(ack!.payload as never);
    expect(text).toContain('Hotlead — các lệnh');
    expect(text).toContain('`/hotlead why &lt;lead&gt;` — vì sao lead này nóng');

    const en = socket.deliver(
      slashCommand({ text: 'help', userId: 'U0ANNA', channelId: SQL_CHANNEL, responseUrl }),
    );
    const [enAck] = await socket.waitForAck(en);
    expect(visibleText(enAck!.payload as never)).toContain('why this lead is hot');
    // The answer rode on the ack: nothing was sent to the response_url.
    expect(fake.callsTo('response_url')).toHaveLength(0);
  });

  it('Claim on an SQL alert claims it and updates the alert in place once, though the envelope comes twice', async () => {
    const { leadId } = await newSqlLead('Võ Thị Socket');
    const alert = await alertFor('Võ Thị Socket');
    expect(actionIds(alert)).toContain(ACTION.claim);
    const click = blockActions({
      actionId: ACTION.claim,
      value: leadId,
      userId: 'U0LAN',
      channelId: SQL_CHANNEL,
      messageTs: alert.ts,
      message: { text: alert.text, blocks: alert.blocks },
    });
    const envelope = socket.deliver(click);
    await socket.waitForAck(envelope);
    // Slack did not see the ack in time and delivers the same envelope again.
    socket.deliver(click, { envelopeId: envelope, retryAttempt: 1, retryReason: 'timeout' });
    const acks = await socket.waitForAck(envelope, { count: 2 });
    expect(acks.map((a) => a.payload)).toEqual([{}, {}]);

    await until(async () =>
      visibleText(alertMessages().find((m) => m.ts === alert.ts)!).includes('<@U0LAN> đã nhận'),
    );
    await settle();
    const updated = alertMessages().find((m) => m.ts === alert.ts)!;
    expect(visibleText(updated)).toMatch(/✅ <@U0LAN> đã nhận lúc \d\d:\d\d/);
    expect(actionIds(updated)).not.toContain(ACTION.claim);
    expect(fake.callsTo('chat.update').filter((c) => c.body.ts === alert.ts)).toHaveLength(1);
    expect(alertMessages().filter((m) => visibleText(m).includes('Võ Thị Socket'))).toHaveLength(1);
    const lead = await tdb.db.prisma.lead.findUnique({ where: { id: leadId } });
    expect(lead!.ownerId).toBe('rp_lan');
    expect(await tdb.db.prisma.assignment.count({ where: { leadId } })).toBe(1);
    // The redelivery is not a second rep: nobody is told the lead is taken.
    expect(fake.ephemerals()).toHaveLength(0);
  });

  it('an app_mention is answered in its thread once, though Slack delivers the event again', async () => {
    const { email } = await newSqlLead('Trịnh Văn Socket');
    await alertFor('Trịnh Văn Socket');
    const text = `<@U0BOT> why is ${email} hot?`;
    const ts = fake.postAsUser(SQL_CHANNEL, { user: 'U0MINH', text });
    const body = eventCallback(appMention({ text, userId: 'U0MINH', channel: SQL_CHANNEL, ts }), {
      eventId: newEventId(),
    });
    const first = socket.deliver(body);
    const again = socket.deliver(body, { retryAttempt: 1, retryReason: 'timeout' });
    await socket.waitForAck(first);
    await socket.waitForAck(again);
    const [reply] = await fake.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === ts);
    expect(reply!.body.channel).toBe(SQL_CHANNEL);
    expect(visibleText(reply!.body as never)).toContain('Trịnh Văn Socket');
    expect(visibleText(reply!.body as never)).toMatch(/SQL/);
    await settle();
    const thread = fake.messages(SQL_CHANNEL, ts);
    expect(thread.map((m) => m.user)).toEqual(['U0MINH', 'U0BOT']);
    expect(visibleText(thread[1]!)).toContain('Trịnh Văn Socket');
    expect(fake.callsTo('chat.postMessage').filter((c) => c.body.thread_ts === ts)).toHaveLength(1);
  });

  it('when Slack recycles the connection, the app reconnects with a new URL and keeps answering', async () => {
    socket.disconnect('refresh_requested');
    await socket.waitForConnections(2, 15_000);
    expect(fake.callsTo('apps.connections.open')).toHaveLength(2);
    const id = socket.deliver(slashCommand({ text: 'help', userId: 'U0ANNA', channelId: SQL_CHANNEL }));
    const [ack] = await socket.waitForAck(id);
    expect(visibleText(ack!.payload as never)).toContain('Hotlead — commands');
    // The recycled connection was closed properly (close frame, code 1000), not dropped.
    expect(socket.closeCodes).toEqual([1000]);
  });

  it('stop() returns once the WebSocket is closed with a close handshake', async () => {
    await rt.slack!.stop();
    expect(socket.closeCodes).toEqual([1000, 1000]);
  });
});

describe('Socket Mode with an app-level token Slack refuses', () => {
  it('start-up fails with a configuration error naming SLACK_APP_TOKEN, in the workspace language', async () => {
    const tdb = await pgliteDb();
    const fake = await startFakeSlack({ tokens: ['xoxb-test'] }); // the app token is not valid
    const socket = await startFakeSocketMode(fake);
    const config = parseConfig({
      LOG_LEVEL: 'silent',
      HOTLEAD_LANG: 'vi',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_APP_TOKEN: 'xapp-1-A0HOTLEAD-1-revoked',
      SLACK_SQL_CHANNEL: SQL_CHANNEL,
      SLACK_API_URL: fake.url,
    });
    const rt = await createRuntime(config, createLogger(config), { db: tdb.db, now: () => Date.now() });
    try {
      await expect(rt.slack!.start()).rejects.toMatchObject({
        code: 'BAD_CONFIG',
        userMessage: expect.stringMatching(/^Slack từ chối SLACK_APP_TOKEN \(invalid_auth\)/),
      });
      expect(socket.connections).toBe(0);
    } finally {
      await rt.slack?.stop();
      await rt.queue.close();
      await socket.close();
      await fake.close();
      await tdb.cleanup();
    }
  });
});
