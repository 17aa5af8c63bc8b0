/**
 * The App Home tab: a rep's claimed leads and the team's open SQLs, each with a Claim button.
 * Driven end to end (the real Bolt app behind Hotlead's HTTP server, signed requests shaped like
 * Slack's, the real WebClient talking to the fake Web API); assertions are on what people see —
 * the Home tab as published, the alert in the channel, the modal a slower rep gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnclaimedSql } from '../../src/domain/digest.ts';
import { ingestEvents } from '../../src/domain/ingest.ts';
import type { LeadSummary } from '../../src/domain/leads.ts';
import { ACTION } from '../../src/integrations/slack/contract.ts';
import { type HomeModel, renderHome } from '../../src/integrations/slack/digest.ts';
import type { Runtime } from '../../src/runtime.ts';
import { STAGES, type Stage } from '../../src/scoring/types.ts';
import { BACKENDS, type TestDb } from '../helpers/db.ts';
import type { FakeMessage, FakeSlack, FakeView } from '../helpers/fake-slack.ts';
import {
  actionIds,
  SQL_CHANNEL,
  type SlackHarness,
  seedTeam,
  startSlackHarness,
  until,
  visibleText,
} from '../helpers/slack-app.ts';
import { homeButtonClick, viewButtons } from '../helpers/slack-home-requests.ts';
import { appHomeOpened, eventCallback } from '../helpers/slack-requests.ts';

/** Lead ids the view offers a Home Claim button for. */
const claimable = (view: FakeView | { blocks: unknown[] }) =>
  viewButtons(view as FakeView)
    .filter((b) => b.button.action_id === ACTION.claimFromHome)
    .map((b) => b.button.value);

/** The Home tab's text split into the rep's own leads and the team's open SQLs. */
function homeLists(view: FakeView, lang: 'vi' | 'en' = 'vi') {
  const text = visibleText(view);
  const [mine = '', open = ''] = text.split(
    lang === 'vi' ? 'SQL đang chờ nhận' : 'Open SQLs waiting for a rep',
  );
  return { mine, open };
}

describe.each(BACKENDS)('App Home ($name)', ({ open }) => {
  let tdb: TestDb;
  let h: SlackHarness;
  let fake: FakeSlack;
  let rt: Runtime;
  const clock = { now: Date.parse('2026-11-23T03:00:00Z') };

  beforeAll(async () => {
    tdb = await open();
    h = await startSlackHarness(tdb, clock);
    ({ fake, rt } = h);
    await seedTeam(fake, tdb, ['U0LAN', 'U0MINH', 'U0ANNA']);
  });
  afterAll(async () => {
    await h?.close();
    await tdb?.cleanup();
  });

  let seq = 0;
  async function newSqlLead(name: string, extra: { phone?: string } = {}) {
    seq += 1;
    const [r] = await ingestEvents(
      rt.ingest,
      [
        {
          id: `home-test-${seq}`,
          type: 'demo_request',
          occurredAt: new Date(clock.now).toISOString(),
          lead: {
            email: `lead${seq}@home${seq}.vn`,
            name,
            title: 'Giám đốc',
            company: `Nhà Home ${seq}`,
            companySize: 250,
            ...extra,
          },
        },
      ],
      { source: 'web' },
    );
    return r!.leadId!;
  }
  const emailOf = async (leadId: string) =>
    (await tdb.db.prisma.leadIdentity.findFirst({ where: { leadId, kind: 'email' } }))!.value;
  const alertMessages = () => fake.messages(SQL_CHANNEL).filter((m) => !m.thread_ts);
  async function alertFor(name: string): Promise<FakeMessage> {
    await until(async () => alertMessages().some((m) => visibleText(m).includes(name)));
    return alertMessages().find((m) => visibleText(m).includes(name))!;
  }
  const publishes = (userId: string) =>
    fake.callsTo('views.publish').filter((c) => c.ok && c.body.user_id === userId).length;
  /** The rep opens the Home tab; resolves with what it then shows. */
  async function openHome(userId: string): Promise<FakeView> {
    const before = publishes(userId);
    expect((await h.post(eventCallback(appHomeOpened(userId)))).status).toBe(200);
    await until(async () => publishes(userId) > before);
    return fake.homeView(userId)!;
  }
  /** The rep clicks Claim beside the lead in the Home tab they were last shown. */
  async function claimFromHome(userId: string, leadId: string): Promise<void> {
    const body = homeButtonClick(fake.homeView(userId)!, {
      actionId: ACTION.claimFromHome,
      value: leadId,
      userId,
    });
    expect((await h.post(body)).status).toBe(200);
  }

  it('a rep claims an open SQL from Home: the alert says who, Home lists it as theirs; slower reps are told who has it', async () => {
    const leadId = await newSqlLead('Phan Thị Home');
    const alert = await alertFor('Phan Thị Home');
    // Three reps look at their Home tab: the lead is among the team's open SQLs, with a Claim button.
    for (const userId of ['U0LAN', 'U0MINH', 'U0ANNA']) {
      const home = await openHome(userId);
      expect(claimable(home)).toContain(leadId);
      expect(homeLists(home, userId === 'U0ANNA' ? 'en' : 'vi').open).toMatch(
        /Phan Thị Home \(Nhà Home \d+\) — \d+/,
      );
    }
    const lanBefore = publishes('U0LAN');

    await claimFromHome('U0LAN', leadId);
    // The alert in the channel is updated in place.
    await until(async () =>
      visibleText(alertMessages().find((m) => m.ts === alert.ts)!).includes('<@U0LAN> đã nhận'),
    );
    const updated = alertMessages().find((m) => m.ts === alert.ts)!;
    expect(visibleText(updated)).toMatch(/✅ <@U0LAN> đã nhận lúc \d\d:\d\d/);
    expect(actionIds(updated)).not.toContain(ACTION.claim);
    // Lan's Home is published again: the lead is hers now, and no longer offered.
    await until(async () => publishes('U0LAN') > lanBefore);
    const lan = fake.homeView('U0LAN')!;
    const lists = homeLists(lan);
    expect(lists.mine).toMatch(/Lead của bạn \(1\)\*\n1\. \*SQL · \d+\* — Phan Thị Home \(Nhà Home \d+\)/);
    expect(lists.open).not.toContain('Phan Thị Home');
    expect(claimable(lan)).not.toContain(leadId);

    // Minh and Anna still see the old tab and click Claim too: each is told who has the lead.
    const minhBefore = publishes('U0MINH');
    await claimFromHome('U0MINH', leadId);
    const [vi] = await fake.waitFor('views.open');
    expect(visibleText(vi!.body.view as never)).toContain('Lead *Phan Thị Home* đã được Trần Lan nhận.');
    expect((vi!.body.view as { close: { text: string } }).close.text).toBe('Đóng');
    await claimFromHome('U0ANNA', leadId);
    const [, en] = await fake.waitFor('views.open', { count: 2 });
    expect(visibleText(en!.body.view as never)).toContain('*Phan Thị Home* is already claimed by Trần Lan.');
    // … and their Home no longer offers it.
    await until(async () => publishes('U0MINH') > minhBefore);
    expect(homeLists(fake.homeView('U0MINH')!).open).not.toContain('Phan Thị Home');
    expect(claimable(fake.homeView('U0MINH')!)).not.toContain(leadId);

    await new Promise((r) => setTimeout(r, 300));
    const lead = await tdb.db.prisma.lead.findUnique({ where: { id: leadId } });
    expect(lead!.ownerId).toBe('rp_lan');
    expect(await tdb.db.prisma.assignment.count({ where: { leadId } })).toBe(1);
    expect(fake.callsTo('chat.update').filter((c) => c.body.ts === alert.ts && c.ok)).toHaveLength(1);
    expect(visibleText(alertMessages().find((m) => m.ts === alert.ts)!)).toContain('<@U0LAN> đã nhận');
  });

  it('two reps click Claim in their Home tabs at the same moment: one wins, the other is told', async () => {
    const leadId = await newSqlLead('Hồ Văn Race');
    const alert = await alertFor('Hồ Văn Race');
    await openHome('U0LAN');
    await openHome('U0MINH');
    const opensBefore = fake.callsTo('views.open').length;
    await Promise.all([claimFromHome('U0LAN', leadId), claimFromHome('U0MINH', leadId)]);
    await fake.waitFor('views.open', { count: opensBefore + 1 });
    const lead = await tdb.db.prisma.lead.findUnique({ where: { id: leadId }, include: { owner: true } });
    const winner = lead!.owner!.slackUserId!;
    const [told] = fake.callsTo('views.open').slice(opensBefore);
    expect(visibleText(told!.body.view as never)).toContain(`đã được ${lead!.owner!.name} nhận`);
    await until(async () =>
      visibleText(alertMessages().find((m) => m.ts === alert.ts)!).includes(`<@${winner}> đã nhận`),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.callsTo('views.open')).toHaveLength(opensBefore + 1);
    expect(fake.callsTo('chat.update').filter((c) => c.body.ts === alert.ts && c.ok)).toHaveLength(1);
    expect(await tdb.db.prisma.assignment.count({ where: { leadId } })).toBe(1);
  });

  it('a lead merged into another since the tab was shown: the rep is told, and the tab is refreshed', async () => {
    const older = await newSqlLead('Lưu Thị Cũ');
    const newer = await newSqlLead('Lưu Thị Mới', { phone: '0912 000 111' });
    await alertFor('Lưu Thị Mới');
    expect(claimable(await openHome('U0ANNA'))).toContain(newer);
    // The same person, it turns out: an event naming the older lead's email and the newer one's phone.
    await ingestEvents(
      rt.ingest,
      [
        {
          id: 'home-merge',
          type: 'form_submit',
          occurredAt: new Date(clock.now).toISOString(),
          lead: { email: await emailOf(older), phone: '0912000111' },
        },
      ],
      { source: 'web' },
    );
    expect((await tdb.db.prisma.lead.findUnique({ where: { id: newer } }))!.mergedIntoId).toBe(older);
    const before = publishes('U0ANNA');
    const opens = fake.callsTo('views.open').length;
    await claimFromHome('U0ANNA', newer);
    const [told] = (await fake.waitFor('views.open', { count: opens + 1 })).slice(opens);
    expect(visibleText(told!.body.view as never)).toContain(
      'This lead is no longer listed (it was merged into another lead).',
    );
    await until(async () => publishes('U0ANNA') > before);
    expect(claimable(fake.homeView('U0ANNA')!)).not.toContain(newer);
    expect(await tdb.db.prisma.assignment.count({ where: { leadId: { in: [older, newer] } } })).toBe(0);
  });
});

describe('the Home tab within Block Kit limits', () => {
  const now = Date.parse('2026-11-24T02:00:00Z');
  const long = 'Nguyễn Thị Minh Khai '.repeat(20);
  const mine: LeadSummary[] = Array.from({ length: 20 }, (_, i) => ({
    id: `ld_mine_${i}`,
    name: `${long}${i}`,
    title: null,
    company: long,
    stage: 'SQL',
    score: 90 - i,
    fitScore: 50,
    engagementScore: 40 - i,
    ownerId: 'rp_boss',
    lastActivityAt: null,
  }));
  const openLeads: UnclaimedSql[] = Array.from({ length: 20 }, (_, i) => ({
    leadId: `ld_open_${i}`,
    name: `${long}${i}`,
    company: long,
    score: 80,
    sqlAt: now - (i + 1) * 3_600_000,
  }));
  const model = (lang: 'vi' | 'en'): HomeModel => ({
    lang,
    now,
    timeZone: 'Asia/Ho_Chi_Minh',
    repName: long,
    mine,
    open: { leads: openLeads, total: 300 },
    manager: {
      funnel: Object.fromEntries(STAGES.map((s) => [s, 1000])) as Record<Stage, number>,
      digest: null,
    },
  });

  it.each(['vi', 'en'] as const)(
    'a manager with 20 long leads and 300 open SQLs (%s): ≤ 50 blocks, capped lists',
    (lang) => {
      const view = renderHome(model(lang));
      expect(view.blocks.length).toBeLessThanOrEqual(50);
      for (const b of view.blocks as { text?: { text: string }; fields?: { text: string }[] }[]) {
        if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
        for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
      }
      expect(claimable(view)).toEqual(openLeads.map((l) => l.leadId));
      const buttons = viewButtons(view as unknown as FakeView).map((b) => b.button);
      expect(new Set(buttons.map((b) => (b.text as { text: string }).text))).toEqual(
        new Set([lang === 'vi' ? 'Nhận lead' : 'Claim']),
      );
      const text = visibleText(view);
      expect(text).toContain(lang === 'vi' ? '…và 280 lead khác' : '…and 280 more leads');
      expect(text).toContain(lang === 'vi' ? 'SQL đang chờ nhận (300)' : 'Open SQLs waiting for a rep (300)');
      // The hint comes last: nothing was cut off.
      expect(text.trimEnd().endsWith('`/hotlead why <lead>`')).toBe(true);
    },
  );
});
