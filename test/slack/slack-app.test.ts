/**
 * The Slack app end to end: the real Bolt app behind Hotlead's HTTP server, driven by signed
 * requests shaped like Slack's, talking through the real WebClient to a fake Slack Web API.
 * Assertions are on what people see in Slack (messages, their buttons, ephemerals, modals) and
 * on the lead's state — never on internal calls.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingestEvents } from '../../src/domain/ingest.ts';
import { ACTION, BANT_EDIT_INPUT, NOT_FIT_INPUT, VIEW } from '../../src/integrations/slack/contract.ts';
import { naturalQuestion } from '../../src/integrations/slack/app.ts';
import { linkRepsByEmail } from '../../src/integrations/slack/people.ts';
import type { Runtime } from '../../src/runtime.ts';
import { BACKENDS, type TestDb } from '../helpers/db.ts';
import type { FakeMessage, FakeSlack } from '../helpers/fake-slack.ts';
import {
  actionIds,
  SECRET,
  SQL_CHANNEL,
  type SlackHarness,
  seedTeam,
  startSlackHarness,
  until,
  visibleText,
} from '../helpers/slack-app.ts';
import {
  appMention,
  blockActions,
  directMessage,
  eventCallback,
  newEventId,
  postSigned,
  slashCommand,
  staticSelectValue,
  threadReply,
  viewSubmission,
} from '../helpers/slack-requests.ts';

describe.each(BACKENDS)('Slack app ($name)', ({ open }) => {
  let tdb: TestDb;
  let h: SlackHarness;
  let fake: FakeSlack;
  let rt: Runtime;
  let base: string;
  const clock = { now: Date.parse('2026-11-23T03:00:00Z') };

  beforeAll(async () => {
    tdb = await open();
    h = await startSlackHarness(tdb, clock);
    ({ fake, rt, base } = h);
    // Lan and Minh are the reps routing picks among; Anna is a Slack user who is not a rep.
    await seedTeam(fake, tdb, ['U0LAN', 'U0MINH']);
  });
  afterAll(async () => {
    await h?.close();
    await tdb?.cleanup();
  });
  beforeEach(() => fake.reset());

  let seq = 0;
  /** Ingests a demo request for a new lead: fast-tracked to SQL, so it alerts. */
  async function newSqlLead(name: string, extra: Record<string, unknown> = {}) {
    seq += 1;
    const email = `lead${seq}@thepviet${seq}.vn`;
    const [r] = await ingestEvents(
      rt.ingest,
      [
        {
          id: `slack-test-${seq}`,
          type: 'demo_request',
          occurredAt: new Date(clock.now).toISOString(),
          lead: { email, name, title: 'Giám đốc', company: `Thép Việt ${seq}`, companySize: 250, ...extra },
        },
      ],
      { source: 'web' },
    );
    return { leadId: r!.leadId!, email };
  }
  const alertMessages = () => fake.messages(SQL_CHANNEL).filter((m) => !m.thread_ts);
  async function alertFor(name: string): Promise<FakeMessage> {
    await fake.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.status === 200 &&
        c.body.channel === SQL_CHANNEL &&
        JSON.stringify(c.body).includes(name),
    );
    const msg = alertMessages().find((m) => visibleText(m).includes(name));
    expect(msg, `alert for ${name}`).toBeDefined();
    return msg!;
  }
  const post: SlackHarness['post'] = (body, opts) => h.post(body, opts);
  const click: SlackHarness['click'] = (...args) => h.click(...args);

  it('posts a new SQL to the channel with who, score, reasons and the rep’s buttons, and DMs the routed rep', async () => {
    const { leadId } = await newSqlLead('Nguyễn Thị Hoa');
    const alert = await alertFor('Nguyễn Thị Hoa');
    const text = visibleText(alert);
    const lead = await tdb.db.prisma.lead.findUnique({ where: { id: leadId } });
    expect(lead!.stage).toBe('SQL');
    expect(text).toContain('Giám đốc');
    expect(text).toMatch(/Thép Việt/);
    expect(text).toContain(`${lead!.score} điểm`);
    // The top reasons from the trace, with their points.
    expect(text).toMatch(/\+30\*?\s+Yêu cầu demo/);
    expect(text).toMatch(/\+15\*?\s+Chức danh “Giám đốc”/);
    expect(actionIds(alert)).toEqual(
      expect.arrayContaining([ACTION.claim, ACTION.why, ACTION.startBant, ACTION.snooze, ACTION.notFit]),
    );
    // Routed to one of the reps: mentioned in the alert and told in a DM.
    expect(text).toMatch(/<@U0(LAN|MINH)>/);
    const rep = /<@(U0LAN|U0MINH)>/.exec(text)![1]!;
    const [dm] = await fake.waitFor((c) => c.method === 'chat.postMessage' && c.body.channel === rep);
    expect(String(dm!.body.text)).toContain('Nguyễn Thị Hoa');
  });

  it('routes alerts round-robin between the reps', async () => {
    await newSqlLead('Phạm Văn Một');
    const a = visibleText(await alertFor('Phạm Văn Một'));
    await newSqlLead('Phạm Văn Hai');
    const b = visibleText(await alertFor('Phạm Văn Hai'));
    const who = (t: string) => /<@(U0LAN|U0MINH)>/.exec(t)?.[1];
    expect(who(a)).toBeDefined();
    expect(who(b)).toBeDefined();
    expect(who(a)).not.toBe(who(b));
  });

  it('two reps click Claim at the same moment: exactly one wins, the message says who, the other is told', async () => {
    const { leadId } = await newSqlLead('Võ Thị Claim');
    const alert = await alertFor('Võ Thị Claim');
    const click = (userId: string) =>
      post(
        blockActions({
          actionId: ACTION.claim,
          value: leadId,
          userId,
          channelId: SQL_CHANNEL,
          messageTs: alert.ts,
        }),
      );
    const [r1, r2] = await Promise.all([click('U0LAN'), click('U0MINH')]);
    expect(r1.status).toBe(200);
    expect(r2.status).toBe(200);
    await fake.waitFor('chat.update');
    const [ephemeral] = await fake.waitFor('chat.postEphemeral');
    const lead = await tdb.db.prisma.lead.findUnique({ where: { id: leadId }, include: { owner: true } });
    const winner = lead!.owner!.slackUserId!;
    const loser = winner === 'U0LAN' ? 'U0MINH' : 'U0LAN';
    expect(ephemeral!.body.user).toBe(loser);
    expect(visibleText(ephemeral!.body as never) + String(ephemeral!.body.text)).toContain(lead!.owner!.name);
    const updated = alertMessages().find((m) => m.ts === alert.ts)!;
    expect(visibleText(updated)).toContain(`<@${winner}>`);
    expect(actionIds(updated)).not.toContain(ACTION.claim);
    expect(await tdb.db.prisma.assignment.count({ where: { leadId } })).toBe(1);
  });

  it('Snooze updates the alert in place with the time it comes back', async () => {
    const { leadId } = await newSqlLead('Đỗ Văn Snooze');
    const alert = await alertFor('Đỗ Văn Snooze');
    await post(
      blockActions({
        actionId: ACTION.snooze,
        selectedOption: { value: `${leadId}|3d`, text: '3 ngày' },
        userId: 'U0LAN',
        channelId: SQL_CHANNEL,
        messageTs: alert.ts,
      }),
    );
    await fake.waitFor('chat.update');
    const updated = alertMessages().find((m) => m.ts === alert.ts)!;
    expect(visibleText(updated)).toMatch(/26\/11/); // 3 days after 23/11
    expect(actionIds(updated)).toContain(ACTION.claim);
  });

  it('Not a fit opens a modal; submitting it disqualifies the lead with the reason in its trace and on the alert', async () => {
    const { leadId } = await newSqlLead('Bùi Văn Loại');
    const alert = await alertFor('Bùi Văn Loại');
    await click(ACTION.notFit, leadId, 'U0MINH', alert.ts);
    const [opened] = await fake.waitFor('views.open');
    const view = opened!.body.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe(VIEW.notFit);
    const res = await post(
      viewSubmission({
        callbackId: VIEW.notFit,
        privateMetadata: view.private_metadata,
        userId: 'U0MINH',
        values: {
          [NOT_FIT_INPUT.reasonBlock]: {
            [NOT_FIT_INPUT.reasonSelect]: staticSelectValue('wrong_industry', 'Sai ngành'),
          },
          [NOT_FIT_INPUT.noteBlock]: { [NOT_FIT_INPUT.noteInput]: 'bán lẻ thời trang' },
        },
      }),
    );
    expect(res.status).toBe(200);
    await fake.waitFor('chat.update');
    const lead = await tdb.db.prisma.lead.findUnique({ where: { id: leadId } });
    expect(lead!.stage).toBe('DISQUALIFIED');
    const change = await tdb.db.prisma.stageChange.findFirst({ where: { leadId, toStage: 'DISQUALIFIED' } });
    expect(change!.reasonVi).toContain('Sai ngành — bán lẻ thời trang');
    const updated = alertMessages().find((m) => m.ts === alert.ts)!;
    expect(visibleText(updated)).toContain('Sai ngành');
    expect(actionIds(updated)).toEqual([]);
  });

  it('/hotlead why answers with the explanation, and a lead that does not exist gets a helpful answer', async () => {
    const { email } = await newSqlLead('Hoàng Thị Why');
    const res = await post(slashCommand({ text: `why ${email}`, userId: 'U0LAN', channelId: SQL_CHANNEL }));
    expect(res.status).toBe(200);
    const body = res.json as { response_type: string; text: string; blocks: unknown[] };
    expect(body.response_type).toBe('ephemeral');
    expect(visibleText(body)).toMatch(/SQL/);
    const missing = await post(
      slashCommand({ text: 'vì sao nobody@nowhere.vn', userId: 'U0LAN', channelId: SQL_CHANNEL }),
    );
    expect(visibleText(missing.json as never) + (missing.json as { text: string }).text).toContain(
      'Không tìm thấy lead “nobody@nowhere.vn”',
    );
    const help = await post(slashCommand({ text: '', userId: 'U0ANNA', channelId: SQL_CHANNEL }));
    expect(visibleText(help.json as never)).toMatch(/why/);
  });

  it('/hotlead mine lists the leads I claimed', async () => {
    const { leadId } = await newSqlLead('Lý Thị Mine');
    const alert = await alertFor('Lý Thị Mine');
    await click(ACTION.claim, leadId, 'U0LAN', alert.ts);
    await fake.waitFor('chat.update');
    const res = await post(slashCommand({ text: 'mine', userId: 'U0LAN', channelId: SQL_CHANNEL }));
    expect(visibleText(res.json as never)).toContain('Lý Thị Mine');
  });

  it('a mention is answered in its thread once, even when Slack retries the event', async () => {
    const { email } = await newSqlLead('Trịnh Văn Mention');
    await alertFor('Trịnh Văn Mention');
    const eventId = newEventId();
    const text = `<@U0BOT> why is ${email} hot?`;
    // The rep's message is in the channel, as in Slack: the answer goes to its thread.
    const ts = fake.postAsUser(SQL_CHANNEL, { user: 'U0LAN', text });
    const body = eventCallback(appMention({ text, userId: 'U0LAN', channel: SQL_CHANNEL, ts }), { eventId });
    expect((await post(body)).status).toBe(200);
    expect((await post(body, { retryNum: 1 })).status).toBe(200);
    const [reply] = await fake.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === ts);
    expect(reply!.ok).toBe(true);
    expect(visibleText(reply!.body as never)).toMatch(/SQL/);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.callsTo('chat.postMessage').filter((c) => c.body.thread_ts === ts)).toHaveLength(1);
    expect(fake.messages(SQL_CHANNEL, ts).map((m) => m.user)).toEqual(['U0LAN', 'U0BOT']);
  });

  it('a DM with a question the bot does not understand gets a helpful answer', async () => {
    await post(
      eventCallback(
        directMessage({ text: 'hello there', userId: 'U0ANNA', channel: 'D0ANNA', ts: '1795000001.000100' }),
      ),
    );
    const [reply] = await fake.waitFor((c) => c.method === 'chat.postMessage' && c.body.channel === 'D0ANNA');
    expect(visibleText(reply!.body as never) + String(reply!.body.text)).toMatch(/help/i);
  });

  it('refuses unsigned, wrongly signed and stale requests and stores nothing', async () => {
    const before = await tdb.db.prisma.slackSend.count();
    const body = slashCommand({ text: 'top', userId: 'U0LAN', channelId: SQL_CHANNEL });
    expect((await post(body, { signature: 'v0=deadbeef' })).status).toBe(401);
    expect((await post(body, { timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect((await postSigned(base, body, { secret: SECRET, unsigned: true })).status).toBe(401);
    expect(await tdb.db.prisma.slackSend.count()).toBe(before);
    expect(fake.calls).toHaveLength(0);
  });

  it('a 429 from Slack is waited out: the alert is posted once, nothing is doubled', async () => {
    fake.rateLimit('chat.postMessage', { times: 1, retryAfterSec: 1, channel: SQL_CHANNEL });
    await newSqlLead('Mai Văn Limit');
    await alertFor('Mai Văn Limit');
    // Whichever post to the channel met the 429 was retried after Retry-After, once.
    const limited = fake.callsTo('chat.postMessage').filter((c) => c.status === 429);
    expect(limited).toHaveLength(1);
    const sendId = (c: { body: Record<string, unknown> }) =>
      (c.body.metadata as { event_payload?: { send_id?: string } } | undefined)?.event_payload?.send_id;
    await until(async () =>
      fake.callsTo('chat.postMessage').some((c) => c.status === 200 && sendId(c) === sendId(limited[0]!)),
    );
    const delivered = fake
      .callsTo('chat.postMessage')
      .filter((c) => c.status === 200)
      .map(sendId);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(alertMessages().filter((m) => visibleText(m).includes('Mai Văn Limit'))).toHaveLength(1);
  });

  it('a send whose process died after Slack accepted it is not posted again', async () => {
    await newSqlLead('Cao Thị Crash');
    const alert = await alertFor('Cao Thị Crash');
    await until(
      async () =>
        (await tdb.db.prisma.slackSend.count({ where: { channel: SQL_CHANNEL, ts: alert.ts } })) === 1,
    );
    // The process died between Slack's answer and recording it: the row still says "sending".
    const row = await tdb.db.prisma.slackSend.findFirst({ where: { channel: SQL_CHANNEL, ts: alert.ts } });
    await tdb.db.prisma.slackSend.update({
      where: { id: row!.id },
      data: { status: 'sending', ts: null, lockedUntil: new Date(clock.now - 1000) },
    });
    await rt.queue.enqueue('slack.sweep', {});
    await fake.waitFor('conversations.history');
    await until(
      async () => (await tdb.db.prisma.slackSend.findUnique({ where: { id: row!.id } }))!.status === 'sent',
    );
    const after = await tdb.db.prisma.slackSend.findUnique({ where: { id: row!.id } });
    expect(after!.status).toBe('sent');
    expect(after!.ts).toBe(alert.ts);
    expect(alertMessages().filter((m) => visibleText(m).includes('Cao Thị Crash'))).toHaveLength(1);
  });
  it('an alert unclaimed past its SLA is re-pinged to its rep and escalated to managers, once', async () => {
    await tdb.db.prisma.rep.upsert({
      where: { id: 'rp_boss' },
      update: {},
      create: {
        id: 'rp_boss',
        name: 'Sếp Hùng',
        email: 'hung@hotlead.vn',
        slackUserId: 'U0BOSS',
        role: 'manager',
        industries: [],
      },
    });
    await newSqlLead('Quách Văn Sla');
    const alert = await alertFor('Quách Văn Sla');
    const rep = /<@(U0LAN|U0MINH)>/.exec(visibleText(alert))![1]!;
    clock.now += 31 * 60_000;
    await rt.queue.enqueue('slack.sweep', {});
    const [ping] = await fake.waitFor(
      (c) => c.method === 'chat.postMessage' && c.body.thread_ts === alert.ts,
      {
        timeoutMs: 8000,
      },
    );
    expect(String(ping!.body.text)).toContain(`<@${rep}>`);
    expect(String(ping!.body.text)).toMatch(/chưa được nhận sau 30 phút/);
    await fake.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.channel === 'U0BOSS' &&
        String(c.body.text).includes('Quách Văn Sla'),
      { timeoutMs: 8000 },
    );
    await fake.waitFor(
      (c) =>
        c.method === 'chat.postMessage' && c.body.channel === rep && String(c.body.text).includes('30 phút'),
      { timeoutMs: 8000 },
    );
    await rt.queue.enqueue('slack.sweep', {});
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.callsTo('chat.postMessage').filter((c) => c.body.thread_ts === alert.ts)).toHaveLength(1);
    expect(
      fake
        .callsTo('chat.postMessage')
        .filter((c) => c.body.channel === 'U0BOSS' && String(c.body.text).includes('Quách Văn Sla')),
    ).toHaveLength(1);
  });

  it('a snoozed alert comes back open when its time is up', async () => {
    const { leadId } = await newSqlLead('Ninh Thị Wake');
    const alert = await alertFor('Ninh Thị Wake');
    await post(
      blockActions({
        actionId: ACTION.snooze,
        selectedOption: { value: `${leadId}|1d`, text: '1 ngày' },
        userId: 'U0MINH',
        channelId: SQL_CHANNEL,
        messageTs: alert.ts,
      }),
    );
    await fake.waitFor('chat.update');
    expect(visibleText(alertMessages().find((m) => m.ts === alert.ts)!)).toMatch(/Hoãn đến/);
    clock.now += 24 * 3_600_000 + 60_000;
    await rt.queue.enqueue('slack.sweep', {});
    await fake.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === alert.ts);
    await until(
      async () => !visibleText(alertMessages().find((m) => m.ts === alert.ts)!).includes('Hoãn đến'),
    );
    expect(actionIds(alertMessages().find((m) => m.ts === alert.ts)!)).toContain(ACTION.claim);
  });

  it('a rep known only by email is linked to their Slack user by users.lookupByEmail', async () => {
    fake.addUser({ id: 'U0AN', email: 'an@hotlead.vn', name: 'an', real_name: 'Võ An' });
    await tdb.db.prisma.rep.create({
      data: { id: 'rp_an', name: 'Võ An', email: 'an@hotlead.vn', industries: [], active: false },
    });
    await tdb.db.prisma.rep.create({
      data: { id: 'rp_ghost', name: 'Ghost', email: 'ghost@nowhere.vn', industries: [], active: false },
    });
    await tdb.db.prisma.rep.updateMany({
      where: { id: { in: ['rp_an', 'rp_ghost'] } },
      data: { active: true },
    });
    expect(await linkRepsByEmail(tdb.db, rt.slack!.client)).toBe(1);
    expect((await tdb.db.prisma.rep.findUnique({ where: { id: 'rp_an' } }))!.slackUserId).toBe('U0AN');
    expect((await tdb.db.prisma.rep.findUnique({ where: { id: 'rp_ghost' } }))!.slackUserId).toBeNull();
    // Back out of routing so the other tests keep their two reps.
    await tdb.db.prisma.rep.updateMany({
      where: { id: { in: ['rp_an', 'rp_ghost'] } },
      data: { active: false },
    });
  });

  describe('BANT by conversation', () => {
    let msgTs = 1795100000;
    const nextTs = () => `${++msgTs}.000100`;
    /** The bot's replies in a thread, after the parent. */
    const botSays = (threadTs: string) =>
      fake.messages(SQL_CHANNEL, threadTs).filter((m) => m.ts !== threadTs);
    async function waitSays(threadTs: string, n: number) {
      await until(async () => botSays(threadTs).length >= n);
      return botSays(threadTs).map((m) => m.text);
    }
    const answer = (
      threadTs: string,
      text: string,
      opts: { eventId?: string; ts?: string; retryNum?: number } = {},
    ) =>
      post(
        eventCallback(
          threadReply({ text, userId: 'U0LAN', channel: SQL_CHANNEL, threadTs, ts: opts.ts ?? nextTs() }),
          {
            eventId: opts.eventId ?? newEventId(),
          },
        ),
        opts.retryNum === undefined ? {} : { retryNum: opts.retryNum },
      );

    it('asks one question at a time in the alert’s thread, confirms what it understood, accepts corrections and stores each answer', async () => {
      const { leadId } = await newSqlLead('Đinh Thị Bant');
      const alert = await alertFor('Đinh Thị Bant');
      await click(ACTION.startBant, leadId, 'U0LAN', alert.ts);
      let says = await waitSays(alert.ts, 1);
      expect(says[0]).toContain('<@U0LAN>');
      expect(says[0]).toMatch(/\nNgân sách dự kiến/);

      await answer(alert.ts, 'khoảng 200 triệu');
      says = await waitSays(alert.ts, 2);
      expect(says[1]).toBe('Ngân sách: 200.000.000 ₫ — đúng không?');

      // Slack delivers the "yes" twice (a retry of the same event): it counts once.
      const yesTs = nextTs();
      const yesId = newEventId();
      await answer(alert.ts, 'đúng', { ts: yesTs, eventId: yesId });
      await answer(alert.ts, 'đúng', { ts: yesTs, eventId: yesId, retryNum: 1 });
      says = await waitSays(alert.ts, 3);
      expect(says[2]).toMatch(/^Người này có phải là người quyết định/);
      const budget = await tdb.db.prisma.bantAnswer.findFirst({ where: { leadId, field: 'budget' } });
      expect(budget!.value).toEqual({ amount: 200_000_000, currency: 'VND' });
      expect(budget!.source).toBe('slack:U0LAN');
      const trace = await tdb.db.prisma.scoreTrace.findMany({ where: { leadId, category: 'bant' } });
      expect(trace.map((t) => t.reasonVi).join('\n')).toMatch(/200\.000\.000/);

      await answer(alert.ts, 'phải hỏi sếp');
      says = await waitSays(alert.ts, 4);
      expect(says[3]).toMatch(/— đúng không\?$/);
      await answer(alert.ts, 'không, anh ấy là giám đốc');
      says = await waitSays(alert.ts, 5);
      expect(says[4]).toMatch(/quyết định.*— đúng không\?$/i);
      await answer(alert.ts, 'ok');
      says = await waitSays(alert.ts, 6);
      expect(says[5]).toMatch(/^Khách đã xác nhận nhu cầu/);
      const authority = await tdb.db.prisma.bantAnswer.findFirst({ where: { leadId, field: 'authority' } });
      expect(authority!.value).toBe('decision_maker');

      await answer(alert.ts, 'ừm để xem');
      says = await waitSays(alert.ts, 7);
      expect(says[6]).toMatch(/chưa hiểu/);
      await answer(alert.ts, 'bỏ qua');
      says = await waitSays(alert.ts, 8);
      expect(says[7]).toMatch(/^Khi nào khách cần/);
      await answer(alert.ts, 'trong 2 tháng');
      await waitSays(alert.ts, 9);
      await answer(alert.ts, 'chuẩn');
      says = await waitSays(alert.ts, 10);
      expect(says[9]).toMatch(/Xong BANT/);
      await new Promise((r) => setTimeout(r, 200));
      expect(botSays(alert.ts)).toHaveLength(10); // nothing asked twice
      expect(await tdb.db.prisma.bantAnswer.count({ where: { leadId, field: 'budget' } })).toBe(1);
    });

    it('skips what is already known with good confidence, and a second Start BANT asks nothing twice', async () => {
      const { leadId, email } = await newSqlLead('Kiều Văn Known');
      await ingestEvents(
        rt.ingest,
        [
          {
            id: `known-${leadId}`,
            type: 'bant_update',
            lead: { email },
            properties: { budget: 300_000_000, authority: 'decision_maker' },
          },
        ],
        { source: 'crm' },
      );
      const alert = await alertFor('Kiều Văn Known');
      const start = () => click(ACTION.startBant, leadId, 'U0LAN', alert.ts);
      await start();
      await start();
      const says = await waitSays(alert.ts, 1);
      expect(says[0]).toMatch(/\nKhách đã xác nhận nhu cầu/);
      await new Promise((r) => setTimeout(r, 200));
      expect(botSays(alert.ts)).toHaveLength(1);
    });

    it('answers can be edited in a modal; what it cannot understand is refused naming the field', async () => {
      const { leadId } = await newSqlLead('Lâm Thị Edit');
      const alert = await alertFor('Lâm Thị Edit');
      await click(ACTION.editBant, leadId, 'U0LAN', alert.ts);
      const [opened] = await fake.waitFor('views.open');
      const view = opened!.body.view as { callback_id: string; private_metadata: string };
      expect(view.callback_id).toBe(VIEW.bantEdit);
      const submit = (budget: string, timeline: string) =>
        post(
          viewSubmission({
            callbackId: VIEW.bantEdit,
            privateMetadata: view.private_metadata,
            userId: 'U0LAN',
            values: {
              [BANT_EDIT_INPUT.budget.block]: { [BANT_EDIT_INPUT.budget.action]: budget },
              [BANT_EDIT_INPUT.timeline.block]: { [BANT_EDIT_INPUT.timeline.action]: timeline },
            },
          }),
        );
      const refused = await submit('tầm 1,5 tỷ', 'sớm thôi');
      expect(refused.json).toMatchObject({
        response_action: 'errors',
        errors: { [BANT_EDIT_INPUT.timeline.block]: expect.stringContaining('sớm thôi') },
      });
      expect(await tdb.db.prisma.bantAnswer.count({ where: { leadId } })).toBe(0);
      const ok = await submit('tầm 1,5 tỷ', 'quý 1 năm sau');
      expect(ok.status).toBe(200);
      await until(async () => (await tdb.db.prisma.bantAnswer.count({ where: { leadId } })) === 2);
      const budget = await tdb.db.prisma.bantAnswer.findFirst({ where: { leadId, field: 'budget' } });
      expect(budget!.value).toEqual({ amount: 1_500_000_000, currency: 'VND' });
      expect(await tdb.db.prisma.bantAnswer.count({ where: { leadId, field: 'timeline' } })).toBe(1);
    });
  });
});

describe('natural questions', () => {
  it.each([
    ['why is Acme hot?', 'why Acme'],
    ['vì sao lead chị Lan nóng?', 'vì sao Lan'],
    ['vi sao anh Khoa nong vay', 'vi sao Khoa'],
    ['why lead0903111222', 'why lead0903111222'],
    ['tại sao khách Thép Việt nóng thế?', 'tại sao Thép Việt'],
  ])('%s → %s', (q, expected) => {
    expect(naturalQuestion(q)).toBe(expected);
  });
});
