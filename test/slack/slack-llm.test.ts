/**
 * The Slack app with an LLM configured (the real openai SDK against a fake OpenAI API): it
 * reads BANT answers the parser cannot — still confirmed by the rep before anything is stored —
 * and phrases "why is this lead hot?" from the trace only; a phrasing with a number that is not
 * in the trace is not shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '../../src/domain/ingest.ts';
import { ACTION } from '../../src/integrations/slack/contract.ts';
import { pgliteDb, type TestDb } from '../helpers/db.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../helpers/fake-openai.ts';
import {
  SQL_CHANNEL,
  seedRep,
  type SlackHarness,
  startSlackHarness,
  until,
  visibleText,
} from '../helpers/slack-app.ts';
import { eventCallback, newEventId, slashCommand, threadReply } from '../helpers/slack-requests.ts';

describe('Slack with an LLM', () => {
  let tdb: TestDb;
  let h: SlackHarness;
  let ai: FakeOpenAi;
  const clock = { now: Date.parse('2026-11-23T03:00:00Z') };

  beforeAll(async () => {
    tdb = await pgliteDb();
    ai = await startFakeOpenAi();
    h = await startSlackHarness(tdb, clock, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: ai.baseUrl });
    await seedRep(h, tdb, { id: 'rp_lan', slackUserId: 'U0LAN', name: 'Trần Lan', email: 'lan@hotlead.vn' });
  });
  afterAll(async () => {
    await h?.close();
    await ai?.close();
    await tdb?.cleanup();
  });

  let seq = 0;
  async function sqlLead(name: string) {
    seq += 1;
    const [r] = await ingestEvents(
      h.rt.ingest,
      [
        {
          id: `llm-${seq}`,
          type: 'demo_request',
          lead: {
            email: `l${seq}@cty${seq}.vn`,
            name,
            title: 'Giám đốc',
            company: `Cty ${seq}`,
            companySize: 250,
          },
        },
      ],
      { source: 'web' },
    );
    await h.fake.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.channel === SQL_CHANNEL &&
        JSON.stringify(c.body).includes(name),
    );
    const alert = h.fake.messages(SQL_CHANNEL).find((m) => !m.thread_ts && visibleText(m).includes(name))!;
    return { leadId: r!.leadId!, email: `l${seq}@cty${seq}.vn`, alert };
  }

  it('a BANT answer the parser cannot read is read by the LLM, confirmed by the rep, then stored', async () => {
    const { leadId, alert } = await sqlLead('Phan Thị Slang');
    await h.click(ACTION.startBant, leadId, 'U0LAN', alert.ts);
    const says = () => h.threadTexts(alert.ts);
    await until(async () => says().length === 1);
    ai.reply(
      { understood: true, value: { amount: 200_000_000, currency: 'VND' }, confidence: 0.8 },
      { times: 1 },
    );
    const answer = (text: string, ts: string) =>
      h.post(
        eventCallback(threadReply({ text, userId: 'U0LAN', channel: SQL_CHANNEL, threadTs: alert.ts, ts }), {
          eventId: newEventId(),
        }),
      );
    await answer('sếp bên đó duyệt được hai trăm củ', '1795200001.000100');
    await until(async () => says().length === 2);
    expect(says()[1]).toBe('Ngân sách: 200.000.000 ₫ — đúng không?');
    expect(await tdb.db.prisma.bantAnswer.count({ where: { leadId } })).toBe(0); // not before the rep confirms
    expect(ai.requests).toHaveLength(1);
    await answer('đúng rồi', '1795200002.000100');
    await until(
      async () => (await tdb.db.prisma.bantAnswer.count({ where: { leadId, field: 'budget' } })) === 1,
    );
  });

  it('an LLM answer that does not validate is not used: the bot asks again', async () => {
    const { leadId, alert } = await sqlLead('Tạ Văn Invalid');
    await h.click(ACTION.startBant, leadId, 'U0LAN', alert.ts);
    const says = () => h.threadTexts(alert.ts);
    await until(async () => says().length === 1);
    ai.reply(
      { understood: true, value: { amount: 'hai trăm', currency: 'VND' }, confidence: 0.9 },
      { times: 1 },
    );
    await h.post(
      eventCallback(
        threadReply({
          text: 'hai trăm củ khoai',
          userId: 'U0LAN',
          channel: SQL_CHANNEL,
          threadTs: alert.ts,
          ts: '1795200003.000100',
        }),
        { eventId: newEventId() },
      ),
    );
    await until(async () => says().length === 2);
    expect(says()[1]).toMatch(/chưa hiểu/);
  });

  it('“why” is phrased from the trace; a phrasing with a number not in the trace is not shown', async () => {
    const { email } = await sqlLead('Ông Văn Why');
    const lead = await tdb.db.prisma.lead.findFirst({ where: { name: 'Ông Văn Why' } });
    ai.reply(
      `Lead này đạt ${lead!.score} điểm, chủ yếu nhờ yêu cầu demo (+30) và chức danh Giám đốc (+15).`,
      { times: 1 },
    );
    const ok = await h.post(
      slashCommand({ text: `vì sao ${email}`, userId: 'U0LAN', channelId: SQL_CHANNEL }),
    );
    const okBody = ok.json as { text: string; blocks: unknown[] };
    expect(okBody.text).toContain(`Lead này đạt ${lead!.score} điểm`);
    expect(visibleText(okBody)).toMatch(/Yêu cầu demo/); // the structured explanation follows

    ai.reply('Lead này đạt 99 điểm và chắc chắn sẽ mua trong tuần.', { times: 1 });
    const guarded = await h.post(
      slashCommand({ text: `vì sao ${email}`, userId: 'U0LAN', channelId: SQL_CHANNEL }),
    );
    const guardedBody = guarded.json as { text: string; blocks: unknown[] };
    expect(guardedBody.text + visibleText(guardedBody)).not.toContain('99 điểm');
    expect(visibleText(guardedBody)).toMatch(/Yêu cầu demo/);
  });
});
