import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sweepDecay } from '../../src/domain/decay.ts';
import {
  type DigestRows,
  latestDue,
  median,
  nextOccurrence,
  parseTimeOfDay,
  summariseDigest,
  zonedInstant,
} from '../../src/domain/digest.ts';
import { ingestEvents } from '../../src/domain/ingest.ts';
import { ACTION, NOT_FIT_INPUT, VIEW } from '../../src/integrations/slack/contract.ts';
import {
  digestArgs,
  formatDuration,
  parseDigestArgs,
  renderDigest,
  sparkline,
} from '../../src/integrations/slack/digest.ts';
import type { Runtime } from '../../src/runtime.ts';
import { BACKENDS, type TestDb } from '../helpers/db.ts';
import type { FakeSlack } from '../helpers/fake-slack.ts';
import {
  SQL_CHANNEL,
  type SlackHarness,
  startSlackHarness,
  until,
  visibleText,
} from '../helpers/slack-app.ts';
import {
  appHomeOpened,
  blockActions,
  eventCallback,
  slashCommand,
  staticSelectValue,
  viewSubmission,
} from '../helpers/slack-requests.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);

describe.each(BACKENDS)('daily digest and App Home ($name)', ({ open }) => {
  let tdb: TestDb;
  let h: SlackHarness;
  let fake: FakeSlack;
  let rt: Runtime;
  const clock = { now: at('2026-10-24T06:00:00Z') };
  const leads = new Map<string, string>();

  const post = (body: string) => h.post(body);
  const command = async (userId: string, text: string) => {
    const res = await post(slashCommand({ text, userId, channelId: SQL_CHANNEL }));
    expect(res.status).toBe(200);
    return visibleText(res.json as never);
  };
  /** Digest DMs the user got (managers also get other DMs, e.g. SLA escalations). */
  const digests = (userId: string) => fake.messages(userId).filter((m) => m.text.startsWith('📊'));
  const digestPosted = (userId: string) =>
    fake.waitFor(
      (c) =>
        c.method === 'chat.postMessage' && c.body.channel === userId && String(c.body.text).startsWith('📊'),
    );

  /** A demo request at `when` from a new lead: fast-tracked to SQL, alerted in the channel. */
  async function newSql(name: string, when: number, source: string) {
    clock.now = when;
    const n = leads.size + 1;
    const [r] = await ingestEvents(
      rt.ingest,
      [
        {
          id: `digest-test-${n}`,
          type: 'demo_request',
          occurredAt: new Date(when).toISOString(),
          lead: {
            email: `lead${n}@cty${n}.vn`,
            name,
            title: 'Giám đốc',
            company: `Công ty ${n}`,
            companySize: 250,
          },
        },
      ],
      { source },
    );
    leads.set(name, r!.leadId!);
    await fake.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.channel === SQL_CHANNEL &&
        JSON.stringify(c.body).includes(name),
    );
    return r!.leadId!;
  }

  /** A rep clicks Claim on the lead's alert at `when`. */
  async function claim(name: string, userId: string, when: number) {
    clock.now = when;
    const leadId = leads.get(name)!;
    await post(
      blockActions({
        actionId: ACTION.claim,
        value: leadId,
        userId,
        channelId: SQL_CHANNEL,
        messageTs: '1.000001',
      }),
    );
    await until(async () => (await tdb.db.prisma.assignment.count({ where: { leadId } })) === 1);
  }

  beforeAll(async () => {
    tdb = await open();
    h = await startSlackHarness(tdb, clock);
    ({ fake, rt } = h);
    const people = [
      ['U0BOSS', 'rp_boss', 'Phạm Quản Lý', 'boss@hotlead.vn', 'manager', 'vi', 'Asia/Ho_Chi_Minh'],
      ['U0ANNA', 'rp_anna', 'Anna Smith', 'anna@hotlead.vn', 'manager', 'en', 'America/New_York'],
      ['U0LAN', 'rp_lan', 'Trần Lan', 'lan@hotlead.vn', 'rep', 'vi', 'Asia/Ho_Chi_Minh'],
      ['U0MINH', 'rp_minh', 'Lê Minh', 'minh@hotlead.vn', 'rep', 'vi', 'Asia/Ho_Chi_Minh'],
    ] as const;
    for (const [slack, id, name, email, role, language, tz] of people) {
      fake.addUser({
        id: slack,
        email,
        name: email.split('@')[0]!,
        real_name: name,
        locale: language === 'vi' ? 'vi-VN' : 'en-US',
        tz,
      });
      await tdb.db.prisma.rep.create({
        data: { id, name, email, slackUserId: slack, role, language, industries: [] },
      });
    }
    // History before the digest's day: one SQL that will decay on the day (its 30 days without
    // engagement end on 23/11 13:00 in Vietnam), and three older SQLs nobody claims.
    await newSql('Vũ Thị Phai', at('2026-10-24T06:00:00Z'), 'web');
    await newSql('Đinh Văn Cũ', at('2026-11-20T04:00:00Z'), 'web');
    await newSql('Ngô Thị Hai', at('2026-11-21T04:00:00Z'), 'zalo');
    await newSql('Lý Văn Ba', at('2026-11-21T05:00:00Z'), 'web');
    clock.now = at('2026-11-23T03:00:00Z'); // Monday 23/11, 10:00 in Vietnam
  });
  afterAll(async () => {
    await h?.close();
    await tdb?.cleanup();
  });
  beforeEach(() => fake.reset());

  it('a manager subscribes with /hotlead digest on 08:30 and is told when it comes, in their language and zone', async () => {
    expect(await command('U0BOSS', 'digest on 07:00')).toContain('Mỗi ngày lúc 07:00 (Asia/Ho_Chi_Minh)');
    // Vietnamese without diacritics, "8h30": replaces the subscription.
    const reply = await command('U0BOSS', 'tom tat bat 8h30');
    expect(reply).toContain('Mỗi ngày lúc 08:30 (Asia/Ho_Chi_Minh) mình sẽ gửi bản tóm tắt.');
    expect(reply).toContain('Lần tới: T3 24/11 08:30');
    const subs = await tdb.db.prisma.digestSubscription.findMany({ where: { repId: 'rp_boss' } });
    expect(subs).toHaveLength(1);
    expect(subs[0]!.nextRunAt.toISOString()).toBe('2026-11-24T01:30:00.000Z');

    // An English-speaking manager in New York: 07:05 there is 12:05 UTC in November.
    const en = await command('U0ANNA', 'digest on 7:05');
    expect(en).toContain("Every day at 07:05 (America/New_York) I'll send you the digest.");
    const anna = await tdb.db.prisma.digestSubscription.findUnique({ where: { repId: 'rp_anna' } });
    expect(anna!.nextRunAt.toISOString()).toBe('2026-11-23T12:05:00.000Z');
    expect(await command('U0ANNA', 'digest off')).toContain('The daily digest is off.');
  });

  it('a rep who is not a manager is refused politely, told who can', async () => {
    const reply = await command('U0LAN', 'digest on 08:30');
    expect(reply).toContain('chỉ quản lý mới đăng ký được bản tóm tắt');
    expect(reply).toContain('Phạm Quản Lý');
    expect(await tdb.db.prisma.digestSubscription.count({ where: { repId: 'rp_lan' } })).toBe(0);
  });

  it('a time that is not HH:MM between 00:00 and 23:59 is refused with a clear message', async () => {
    const reply = await command('U0BOSS', 'digest on 25:00');
    expect(reply).toContain('“25:00” không phải giờ hợp lệ');
    expect(reply).toContain('HH:MM từ 00:00 đến 23:59');
    const en = await command('U0ANNA', 'digest on 12:75');
    expect(en).toContain('“12:75” is not a valid time. Use HH:MM from 00:00 to 23:59');
    const sub = await tdb.db.prisma.digestSubscription.findUnique({ where: { repId: 'rp_boss' } });
    expect(sub!.timeOfDay).toBe('08:30');
  });

  it('after a day of activity, the tick at 08:30 DMs the manager one digest with the day’s figures', async () => {
    // Monday 23/11 (Vietnam = UTC+7).
    await newSql('Nguyễn Văn An', at('2026-11-23T03:00:00Z'), 'web');
    await claim('Nguyễn Văn An', 'U0LAN', at('2026-11-23T03:20:00Z')); // 20 min
    await newSql('Trần Thị Bình', at('2026-11-23T03:30:00Z'), 'web');
    await newSql('Lê Văn Cường', at('2026-11-23T04:00:00Z'), 'web');
    await claim('Trần Thị Bình', 'U0MINH', at('2026-11-23T04:15:00Z')); // 45 min
    await newSql('Phạm Thị Dung', at('2026-11-23T04:30:00Z'), 'zalo');
    // Lê Minh finds Dung is not a fit (the modal's submission).
    clock.now = at('2026-11-23T05:00:00Z');
    const dung = leads.get('Phạm Thị Dung')!;
    await post(
      viewSubmission({
        callbackId: VIEW.notFit,
        privateMetadata: JSON.stringify({ leadId: dung }),
        userId: 'U0MINH',
        values: {
          [NOT_FIT_INPUT.reasonBlock]: { [NOT_FIT_INPUT.reasonSelect]: staticSelectValue('wrong_industry') },
          [NOT_FIT_INPUT.noteBlock]: { [NOT_FIT_INPUT.noteInput]: null },
        },
      }),
    );
    await until(
      async () => (await tdb.db.prisma.lead.findUnique({ where: { id: dung } }))!.stage === 'DISQUALIFIED',
    );
    await newSql('Hoàng Văn Em', at('2026-11-23T05:00:00Z'), 'zalo');
    await claim('Lê Văn Cường', 'U0LAN', at('2026-11-23T06:00:00Z')); // 2 h
    clock.now = at('2026-11-23T07:00:00Z');
    await sweepDecay(rt.read); // Vũ Thị Phai: 30 days without engagement → leaves SQL
    const phai = await tdb.db.prisma.lead.findUnique({ where: { id: leads.get('Vũ Thị Phai')! } });
    expect(phai!.stage).not.toBe('SQL');
    // Tuesday 03:00 in Vietnam: inside the 24 h, not part of Monday's bar.
    await newSql('Đặng Văn Sớm', at('2026-11-23T20:00:00Z'), 'hội chợ');

    clock.now = at('2026-11-24T01:30:00Z') - MIN;
    await rt.slack!.handlers['digest.tick']!({}, { attempt: 1, jobId: 'tick-early' });
    await new Promise((r) => setTimeout(r, 200));
    expect(digests('U0BOSS')).toHaveLength(0);

    fake.reset();
    clock.now = at('2026-11-24T01:31:00Z');
    // Two workers tick at the same minute, and the schedule enqueues one more.
    const tick = rt.slack!.handlers['digest.tick']!;
    await Promise.all([tick({}, { attempt: 1, jobId: 'w1' }), tick({}, { attempt: 1, jobId: 'w2' })]);
    await rt.queue.enqueue('digest.tick', {});
    await digestPosted('U0BOSS');
    await tick({}, { attempt: 1, jobId: 'w3' });
    await new Promise((r) => setTimeout(r, 300));
    const sent = digests('U0BOSS');
    expect(sent).toHaveLength(1);
    const sub = await tdb.db.prisma.digestSubscription.findUnique({ where: { repId: 'rp_boss' } });
    expect(sub!.nextRunAt.toISOString()).toBe('2026-11-25T01:30:00.000Z');

    const text = visibleText(sent[0]!);
    expect(sent[0]!.text).toContain('6 SQL mới, 5 chưa ai nhận');
    expect(text).toContain('Tóm tắt hằng ngày — T3 24/11');
    expect(text).toContain('24 giờ đến T3 24/11 08:30 (Asia/Ho_Chi_Minh)');
    expect(text).toContain('*SQL mới*\n6');
    expect(text).toContain('*SQL chưa ai nhận*\n5');
    expect(text).toContain('*Thời gian nhận (trung vị)*\n45 phút (3 lead)');
    expect(text).toContain('*Rơi hạng do suy giảm*\n1');
    for (const name of ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Văn Cường', 'Phạm Thị Dung', 'Hoàng Văn Em']) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/Nguyễn Văn An \(Công ty \d+\) — T2 23\/11 10:00 · web/);
    // Unclaimed, longest waiting first, with how long they have waited.
    const unclaimed = text.slice(text.indexOf('*Chưa ai nhận — chờ lâu nhất trước (5)*'));
    const order = ['Đinh Văn Cũ', 'Ngô Thị Hai', 'Lý Văn Ba', 'Hoàng Văn Em', 'Đặng Văn Sớm'].map((n) =>
      unclaimed.indexOf(`• ${n}`),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toMatch(/Đinh Văn Cũ \(Công ty \d+\) — \d+ điểm · chờ 3 ngày 21 giờ/);
    expect(text).toContain('Trần Lan: nhận 2 · loại 0');
    expect(text).toContain('Lê Minh: nhận 1 · loại 1');
    expect(text).toMatch(/Vũ Thị Phai \(Công ty \d+\): SQL → (Ấm|Mới)/);
    expect(text).toContain('*Nguồn SQL hàng đầu*\nweb 3 · zalo 2 · hội chợ 1');
    expect(text).toContain('T3 ▁ 0 · T4 ▁ 0 · T5 ▁ 0 · T6 ▂ 1 · T7 ▄ 2 · CN ▁ 0 · T2 █ 5');
    expect(
      await tdb.db.prisma.slackSend.count({
        where: { channel: 'U0BOSS', dedupeKey: { startsWith: 'digest:' } },
      }),
    ).toBe(1);
  });

  it('/hotlead digest now sends a digest at once', async () => {
    clock.now = at('2026-11-24T02:00:00Z');
    const reply = await command('U0BOSS', 'digest now');
    expect(reply).toContain('Mình đang soạn bản tóm tắt 24 giờ qua');
    const [dm] = await digestPosted('U0BOSS');
    const text = visibleText(dm!.body as never);
    expect(text).toContain('24 giờ đến T3 24/11 09:00');
    expect(text).toContain('*SQL chưa ai nhận*\n5');
    expect(text).toContain('Lê Minh: nhận 1 · loại 1');
    // A manager with no subscription can ask too (English, in their zone).
    await command('U0ANNA', 'digest now');
    const [en] = await digestPosted('U0ANNA');
    expect(visibleText(en!.body as never)).toContain('Daily digest — Mon 23/11');
    expect(visibleText(en!.body as never)).toContain('*Unclaimed SQLs*\n5');
    // A rep cannot.
    expect(await command('U0MINH', 'digest now')).toContain('chỉ quản lý');
  });

  it('app_home_opened publishes the rep’s leads and the open SQLs; a manager also sees the funnel', async () => {
    clock.now = at('2026-11-24T02:00:00Z');
    await post(eventCallback(appHomeOpened('U0LAN')));
    await fake.waitFor((c) => c.method === 'views.publish' && c.body.user_id === 'U0LAN');
    const lan = visibleText(fake.homeView('U0LAN')!);
    expect(lan).toContain('Lead của bạn (2)');
    expect(lan).toMatch(/1\. \*SQL · \d+\* — (Nguyễn Văn An|Lê Văn Cường)/);
    expect(lan).toContain('Lê Văn Cường');
    expect(lan).not.toContain('Trần Thị Bình');
    expect(lan).toContain('SQL đang chờ nhận (5)');
    expect(lan).toMatch(/Đinh Văn Cũ \(Công ty \d+\) — \d+ điểm · chờ 3 ngày 22 giờ/);
    expect(lan).not.toContain('Phễu lead');

    await post(eventCallback(appHomeOpened('U0BOSS')));
    await fake.waitFor((c) => c.method === 'views.publish' && c.body.user_id === 'U0BOSS');
    const boss = fake.homeView('U0BOSS')!;
    const text = visibleText(boss);
    expect(text).toContain('Phễu lead');
    expect(text).toContain('*SQL*\n8');
    expect(text).toContain('*Đã loại*\n1');
    expect(text).toContain('Mỗi ngày lúc 08:30 (Asia/Ho_Chi_Minh)');
    expect(text).toContain('Bạn chưa nhận lead nào.');
    expect(boss.blocks.length).toBeLessThanOrEqual(100);

    // The Messages tab is not the Home tab: nothing is published.
    fake.reset();
    await post(eventCallback(appHomeOpened('U0MINH', { tab: 'messages' })));
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.callsTo('views.publish')).toHaveLength(0);
  });

  it('a failing views.publish is logged, not thrown', async () => {
    fake.fail('views.publish', 'invalid_arguments');
    const res = await post(eventCallback(appHomeOpened('U0MINH')));
    expect(res.status).toBe(200);
    await fake.waitFor('views.publish');
  });
});

describe('next occurrence of a local time', () => {
  const hcm = 'Asia/Ho_Chi_Minh';
  const ny = 'America/New_York';
  const t = (s: string) => parseTimeOfDay(s)!;

  it('Asia/Ho_Chi_Minh (UTC+7, no DST)', () => {
    expect(nextOccurrence(t('08:30'), hcm, at('2026-11-23T03:00:00Z'))).toBe(at('2026-11-24T01:30:00Z'));
    expect(nextOccurrence(t('08:30'), hcm, at('2026-11-23T01:00:00Z'))).toBe(at('2026-11-23T01:30:00Z'));
    // Strictly after: the due time itself moves to the next day.
    expect(nextOccurrence(t('08:30'), hcm, at('2026-11-23T01:30:00Z'))).toBe(at('2026-11-24T01:30:00Z'));
    expect(nextOccurrence(t('00:00'), hcm, at('2026-12-31T17:00:00Z'))).toBe(at('2027-01-01T17:00:00Z'));
    expect(nextOccurrence(t('23:59'), hcm, at('2026-02-28T00:00:00Z'))).toBe(at('2026-02-28T16:59:00Z'));
  });

  it('America/New_York across the spring-forward of 2026-03-08', () => {
    // Saturday 08:30 EST (UTC−5), then Sunday 08:30 EDT (UTC−4): 23 hours apart.
    const sat = nextOccurrence(t('08:30'), ny, at('2026-03-07T05:00:00Z'));
    expect(sat).toBe(at('2026-03-07T13:30:00Z'));
    const sun = nextOccurrence(t('08:30'), ny, sat);
    expect(sun).toBe(at('2026-03-08T12:30:00Z'));
    expect(sun - sat).toBe(23 * HOUR);
    // 02:30 does not exist that night: taken as 03:30 EDT.
    expect(nextOccurrence(t('02:30'), ny, at('2026-03-08T05:00:00Z'))).toBe(at('2026-03-08T07:30:00Z'));
    expect(zonedInstant(ny, 2026, 3, 8, 3, 0)).toBe(at('2026-03-08T07:00:00Z'));
  });

  it('America/New_York across the fall-back of 2026-11-01: a repeated hour fires once', () => {
    const first = nextOccurrence(t('01:30'), ny, at('2026-11-01T04:00:00Z'));
    expect(first).toBe(at('2026-11-01T05:30:00Z')); // 01:30 EDT, the first of the two
    expect(nextOccurrence(t('01:30'), ny, first)).toBe(at('2026-11-02T06:30:00Z')); // next day, EST
    expect(nextOccurrence(t('08:30'), ny, at('2026-10-31T12:30:00Z'))).toBe(at('2026-11-01T13:30:00Z'));
  });

  it('a digest claimed after an outage is for the latest missed time, once', () => {
    const time = t('08:30');
    expect(latestDue(time, hcm, at('2026-11-20T01:30:00Z'), at('2026-11-24T01:31:00Z'))).toBe(
      at('2026-11-24T01:30:00Z'),
    );
    expect(latestDue(time, hcm, at('2026-11-24T01:30:00Z'), at('2026-11-24T01:30:00Z'))).toBe(
      at('2026-11-24T01:30:00Z'),
    );
  });

  it('reads HH:MM (and 8h30) from 00:00 to 23:59 only', () => {
    expect(parseTimeOfDay('08:30')).toEqual({ hour: 8, minute: 30 });
    expect(parseTimeOfDay('8:30')).toEqual({ hour: 8, minute: 30 });
    expect(parseTimeOfDay('8h30')).toEqual({ hour: 8, minute: 30 });
    expect(parseTimeOfDay('00:00')).toEqual({ hour: 0, minute: 0 });
    expect(parseTimeOfDay('23:59')).toEqual({ hour: 23, minute: 59 });
    for (const bad of ['24:00', '25:00', '12:60', '830', 'abc', '', '8:5', '-1:30']) {
      expect(parseTimeOfDay(bad)).toBeNull();
    }
  });
});

describe('digest commands and summaries', () => {
  it('recognises the command in English and Vietnamese, with or without diacritics', () => {
    expect(digestArgs('digest on 08:30')).toBe('on 08:30');
    expect(digestArgs('Tóm tắt tắt')).toBe('tat');
    expect(digestArgs('tom tat')).toBe('');
    expect(digestArgs('bản tóm tắt bây giờ')).toBe('bay gio');
    expect(digestArgs('top 5')).toBeNull();
    expect(parseDigestArgs('on 08:30')).toEqual({ kind: 'on', time: { hour: 8, minute: 30 } });
    expect(parseDigestArgs('bật lúc 7h')).toEqual({ kind: 'bad-time', given: '7h' });
    expect(parseDigestArgs('07:15')).toEqual({ kind: 'on', time: { hour: 7, minute: 15 } });
    expect(parseDigestArgs('tắt')).toEqual({ kind: 'off' });
    expect(parseDigestArgs('gửi ngay')).toEqual({ kind: 'now' });
    expect(parseDigestArgs('')).toEqual({ kind: 'status' });
    expect(parseDigestArgs('weekly')).toEqual({ kind: 'usage' });
  });

  it('formats durations, medians and the trend line', () => {
    expect(formatDuration(45 * MIN, 'vi')).toBe('45 phút');
    expect(formatDuration(90 * MIN, 'en')).toBe('1 h 30 min');
    expect(formatDuration(2 * HOUR, 'vi')).toBe('2 giờ');
    expect(formatDuration(3 * DAY + 21 * HOUR + 30 * MIN, 'vi')).toBe('3 ngày 21 giờ');
    expect(median([])).toBeNull();
    expect(median([120, 20, 45])).toBe(45);
    expect(median([10, 20])).toBe(15);
    const days = [1, 2, 3, 4, 5, 6, 0].map((weekday, i) => ({ weekday, count: [0, 0, 0, 1, 2, 0, 5][i]! }));
    expect(sparkline(days, 'vi')).toBe('T2 ▁ 0 · T3 ▁ 0 · T4 ▁ 0 · T5 ▂ 1 · T6 ▄ 2 · T7 ▁ 0 · CN █ 5');
    expect(sparkline(days, 'en')).toBe('Mon ▁ 0 · Tue ▁ 0 · Wed ▁ 0 · Thu ▂ 1 · Fri ▄ 2 · Sat ▁ 0 · Sun █ 5');
  });

  it('summarises rows into figures: window bounds, one count per lead, claims and attribution', () => {
    const due = at('2026-11-24T01:30:00Z');
    const lead = (id: string) => ({ leadId: id, name: id, company: null });
    const rows: DigestRows = {
      crossings: [
        { ...lead('a'), at: due - 2 * HOUR, source: 'web' },
        { ...lead('a'), at: due - HOUR, source: 'web' }, // a second crossing of the same lead
        { ...lead('b'), at: due - DAY, source: null }, // the window's first instant: in
        { ...lead('c'), at: due, source: 'web' }, // the due time itself: out
        { ...lead('d'), at: due - 3 * DAY, source: 'zalo' }, // trend only
      ],
      unclaimed: [
        { ...lead('y'), score: 90, sqlAt: due - HOUR },
        { ...lead('x'), score: 85, sqlAt: due - 2 * DAY },
      ],
      unclaimedTotal: 7,
      claims: [
        { repId: 'r1', repName: 'Lan', claimedAt: due - 3 * HOUR, sqlAt: due - 4 * HOUR },
        { repId: 'r1', repName: 'Lan', claimedAt: due - 2 * DAY, sqlAt: due - 3 * DAY }, // outside
      ],
      disqualifications: [
        { leadId: 'b', at: due - HOUR, repId: null, repName: null },
        { leadId: 'e', at: due - HOUR, repId: 'r2', repName: 'Minh' },
      ],
      decayed: [],
    };
    const f = summariseDigest(rows, due, 'Asia/Ho_Chi_Minh');
    expect(f.newSqls.map((s) => s.leadId)).toEqual(['b', 'a']);
    expect(f.unclaimed.map((u) => u.leadId)).toEqual(['x', 'y']);
    expect(f.unclaimedTotal).toBe(7);
    expect(f.claimMedianMs).toBe(HOUR);
    expect(f.reps).toEqual([
      { repId: 'r1', name: 'Lan', claimed: 1, disqualified: 0 },
      { repId: 'r2', name: 'Minh', claimed: 0, disqualified: 1 },
      { repId: null, name: null, claimed: 0, disqualified: 1 },
    ]);
    expect(f.topSources).toEqual([
      { source: 'web', count: 1 },
      { source: null, count: 1 },
    ]);
    expect(f.trend.map((d) => d.count)).toEqual([0, 0, 0, 0, 1, 0, 1]);
    const en = renderDigest(f, 'en');
    expect(visibleText(en)).toContain('…and 5 more leads');
    expect(visibleText(en)).toContain('Not attributed: claimed 0 · disqualified 1');
    expect(en.blocks.length).toBeLessThanOrEqual(50);
  });
});
