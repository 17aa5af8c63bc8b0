/**
 * Zalo end to end, as people see it: signed webhook deliveries into Hotlead's server, the real
 * Bolt app and WebClient against the fake Slack API, the OA client against the fake Zalo API.
 * A follower chats, gives a phone and needs, merges with the web lead that has that phone,
 * becomes SQL; the alert's thread carries the conversation; a rep claims and replies in the
 * thread; the reply reaches the customer through the OA.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '../../src/domain/ingest.ts';
import { ACTION } from '../../src/integrations/slack/contract.ts';
import { pgliteDb, type TestDb } from '../helpers/db.ts';
import { type FakeZalo, startFakeZalo, storeTokens } from '../helpers/fake-zalo.ts';
import { SQL_CHANNEL, seedRep, type SlackHarness, startSlackHarness, until } from '../helpers/slack-app.ts';
import { eventCallback, newEventId, threadReply } from '../helpers/slack-requests.ts';
import { deliver, follow, oaEcho, submitInfo, userText, type ZaloApp } from '../helpers/zalo-requests.ts';

describe('Zalo OA end to end', () => {
  let tdb: TestDb;
  let h: SlackHarness;
  let zalo: FakeZalo;
  let app: ZaloApp;
  const clock = { now: Date.now() };

  beforeAll(async () => {
    tdb = await pgliteDb();
    zalo = await startFakeZalo();
    app = zalo.config;
    h = await startSlackHarness(tdb, clock, {
      ...zalo.env,
    });
    await storeTokens(tdb.db, zalo.issueTokens(), { now: clock.now });
    await seedRep(h, tdb, { id: 'rp_lan', slackUserId: 'U0LAN', name: 'Trần Lan', email: 'lan@hotlead.vn' });
  });
  afterAll(async () => {
    await h?.close();
    await zalo?.close();
    await tdb?.cleanup();
  });

  const inbound = () => tdb.db.prisma.zaloInbound.count();
  const said = (userId: string) => zalo.messagesTo(userId).map((m) => m.text ?? '[form]');

  it('refuses unsigned and wrongly signed deliveries, stores nothing, and ignores echoes of our own sends', async () => {
    const e = userText('9001', 'xin chào');
    expect((await deliver(h.base, app, e, { signature: null })).status).toBe(401);
    expect((await deliver(h.base, app, e, { signature: `mac=${'0'.repeat(64)}` })).status).toBe(401);
    expect(await inbound()).toBe(0);
    expect((await deliver(h.base, app, oaEcho('9001', 'tin của OA'))).status).toBe(200);
    expect(await inbound()).toBe(0);
  });

  it('a follower chats, becomes SQL with their web history, and a rep’s reply in the Slack thread reaches them on Zalo', async () => {
    // The web form lead that has the phone the customer will give in the chat.
    await ingestEvents(
      h.rt.ingest,
      [
        { id: 'web-1', type: 'form_submit', lead: { phone: '0912 345 678', email: 'lan@thepviet.vn' } },
        { id: 'web-2', type: 'webinar_attended', lead: { phone: '0912 345 678' } },
        { id: 'web-3', type: 'content_download', lead: { phone: '0912 345 678' } },
      ],
      { source: 'web' },
    );
    const user = '8812345678901234567'; // ids are 64-bit: strings, never numbers
    zalo.addUser({ id: user, displayName: 'Lan Nguyễn' });

    const f = follow(user);
    expect((await deliver(h.base, app, f)).status).toBe(200);
    expect((await deliver(h.base, app, f)).status).toBe(200); // Zalo re-delivers: nothing changes
    await until(async () => said(user).length >= 1);
    expect(said(user)[0]).toMatch(/cảm ơn anh\/chị đã quan tâm/i);
    expect(said(user)[0]).toMatch(/nhu cầu gì/);

    await deliver(
      h.base,
      app,
      userText(
        user,
        'Em là Lan, giám đốc công ty Thép Việt 300 nhân sự, cần phần mềm CRM, ngân sách khoảng 500 triệu, sđt 0912 345 678',
      ),
    );
    // Merged with the web lead by phone, scored, crossed into SQL: the alert is posted.
    await h.fake.waitFor(
      (c) => c.method === 'chat.postMessage' && c.body.channel === SQL_CHANNEL && !c.body.thread_ts,
      {
        timeoutMs: 8000,
      },
    );
    const leads = await tdb.db.prisma.lead.findMany({ where: { mergedIntoId: null } });
    expect(leads).toHaveLength(1);
    const lead = leads[0]!;
    expect(lead.stage).toBe('SQL');
    const identities = await tdb.db.prisma.leadIdentity.findMany({ where: { leadId: lead.id } });
    expect(identities.map((i) => `${i.kind}:${i.value}`).sort()).toEqual(
      ['email:lan@thepviet.vn', 'phone:+84912345678', `zalo:${user}`].sort(),
    );
    const alert = h.fake.messages(SQL_CHANNEL).find((m) => !m.thread_ts)!;
    // The conversation so far is in the alert's thread.
    await until(async () => h.fake.messages(SQL_CHANNEL, alert.ts).length >= 2, 8000);
    const transcript = h.fake.messages(SQL_CHANNEL, alert.ts)[1]!;
    expect(transcript.text).toContain('Lan Nguyễn'); // the Zalo display name, from the OA profile
    expect(transcript.text).toContain('ngân sách khoảng 500 triệu');
    expect(transcript.text).toMatch(/nhu cầu gì/); // the bot's question is part of it

    // A rep claims it and answers in the thread: the customer gets it on Zalo.
    await h.click(ACTION.claim, lead.id, 'U0LAN', alert.ts);
    await h.fake.waitFor('chat.update');
    const reply = 'Chào chị Lan, em là Lan bên Hotlead. Chiều nay em gọi chị để demo nhé!';
    const event = eventCallback(
      threadReply({
        text: reply,
        userId: 'U0LAN',
        channel: SQL_CHANNEL,
        threadTs: alert.ts,
        ts: '1795300000.000100',
      }),
      { eventId: newEventId() },
    );
    await h.post(event);
    await h.post(event, { retryNum: 1 }); // Slack's retry: sent once
    await until(async () => said(user).includes(reply), 8000);
    await new Promise((r) => setTimeout(r, 300));
    expect(said(user).filter((t) => t === reply)).toHaveLength(1);
    const logged = await tdb.db.prisma.zaloMessage.findMany({
      where: { leadId: lead.id },
      orderBy: { at: 'asc' },
    });
    expect(logged.map((m) => `${m.direction}:${m.author}`)).toContain('out:rep:U0LAN');
    expect(logged.map((m) => `${m.direction}:${m.author}`)).toContain('in:user');

    // The customer answers: it arrives in the thread, and the bot asks nothing more.
    const before = said(user).length;
    await deliver(h.base, app, userText(user, 'Dạ vâng, chiều nay em rảnh ạ'));
    await until(
      async () => h.fake.messages(SQL_CHANNEL, alert.ts).some((m) => m.text.includes('chiều nay em rảnh')),
      8000,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(said(user)).toHaveLength(before);
  });

  it('a customer who asks for a person is handed to the team in Slack; a reply outside the 48 h window is not sent, and the thread is told why', async () => {
    const user = '6600000000000000001';
    zalo.addUser({ id: user, displayName: 'Minh Trần' });
    await deliver(h.base, app, userText(user, 'Cho em gặp nhân viên tư vấn với ạ'));
    await until(async () => said(user).some((t) => /tư vấn viên/.test(t)));
    const [handoff] = await h.fake.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.channel === SQL_CHANNEL &&
        String(c.body.text).includes('muốn gặp nhân viên'),
    );
    expect(JSON.stringify(handoff!.body.blocks)).toContain('Cho em gặp nhân viên tư vấn với ạ');
    const parent = h.fake.messages(SQL_CHANNEL).find((m) => m.text.includes('muốn gặp nhân viên'))!;
    await until(
      async () =>
        (await tdb.db.prisma.zaloConversation.findUnique({ where: { userId: user } }))?.slackThreadTs ===
        parent.ts,
    );

    // Two days later the customer has said nothing more: the free window is closed.
    await tdb.db.prisma.zaloConversation.update({
      where: { userId: user },
      data: { lastInboundAt: new Date(Date.now() - 49 * 3_600_000) },
    });
    const sentBefore = said(user).length;
    await h.post(
      eventCallback(
        threadReply({
          text: 'Chào anh Minh!',
          userId: 'U0LAN',
          channel: SQL_CHANNEL,
          threadTs: parent.ts,
          ts: '1795400000.000100',
        }),
        {
          eventId: newEventId(),
        },
      ),
    );
    await until(async () =>
      h.fake.messages(SQL_CHANNEL, parent.ts).some((m) => m.text.includes('chưa gửi được')),
    );
    expect(
      h.fake.messages(SQL_CHANNEL, parent.ts).find((m) => m.text.includes('chưa gửi được'))!.text,
    ).toMatch(/48/);
    expect(said(user)).toHaveLength(sentBefore);
    const send = await tdb.db.prisma.zaloSend.findFirst({ where: { userId: user, author: 'rep:U0LAN' } });
    expect(send!.status).toBe('refused');
  });

  it('a photo is logged on the lead as what it is, and scored as a message', async () => {
    const user = '5500000000000000001';
    const image = {
      app_id: '',
      event_name: 'user_send_image',
      timestamp: String(Date.now()),
      sender: { id: user },
      recipient: { id: '1' },
      message: {
        msg_id: 'img-1',
        attachments: [{ type: 'image', payload: { url: 'https://zalo.example/p.jpg' } }],
      },
    };
    expect((await deliver(h.base, app, image)).status).toBe(200);
    await until(async () => (await tdb.db.prisma.zaloMessage.count({ where: { userId: user } })) === 1);
    const logged = await tdb.db.prisma.zaloMessage.findFirst({ where: { userId: user } });
    expect(logged!.text).toBe('[image] https://zalo.example/p.jpg');
    const trace = await tdb.db.prisma.scoreTrace.findMany({
      where: { leadId: logged!.leadId!, ruleId: 'eng.zalo_message' },
    });
    expect(trace.map((t) => t.points)).toEqual([2]);
  });

  it('both shapes of the contact form link the phone to the Zalo lead', async () => {
    for (const [user, shape, phone] of [
      ['7700000000000000001', 'a', '0987 654 321'],
      ['7700000000000000002', 'b', '+84 901 222 333'],
    ] as const) {
      await deliver(h.base, app, submitInfo(user, shape, { name: `Khách ${shape}`, phone }));
      await until(
        async () => (await tdb.db.prisma.leadIdentity.count({ where: { kind: 'zalo', value: user } })) === 1,
      );
      const zaloId = await tdb.db.prisma.leadIdentity.findFirst({ where: { kind: 'zalo', value: user } });
      const phones = await tdb.db.prisma.leadIdentity.findMany({
        where: { leadId: zaloId!.leadId, kind: 'phone' },
      });
      expect(phones).toHaveLength(1);
      const lead = await tdb.db.prisma.lead.findUnique({ where: { id: zaloId!.leadId } });
      expect(lead!.name).toBe(`Khách ${shape}`);
    }
  });
});
