import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingestEvents } from '../../src/domain/ingest.ts';
import { explainLead, resolveLeadRef, showLead } from '../../src/domain/leads.ts';
import { sweepDecay } from '../../src/domain/decay.ts';
import { BACKENDS, type TestDb } from '../helpers/db.ts';
import { type TestRuntime, testRuntime } from '../helpers/runtime.ts';

const DAY = 86_400_000;

describe.each(BACKENDS)('ingestion on $name', ({ open }) => {
  let tdb: TestDb;
  let t: TestRuntime;
  beforeAll(async () => {
    tdb = await open();
  });
  afterAll(async () => {
    await tdb.cleanup();
  });
  beforeEach(async () => {
    t = await testRuntime(tdb);
    return () => t.close();
  });

  const at = (offsetMs: number) => new Date(t.clock.now + offsetMs).toISOString();
  const ingest = (events: unknown[]) => ingestEvents(t.rt.ingest, events, { source: 'api' });
  const traceSum = async (leadId: string) => {
    const rows = await tdb.db.prisma.scoreTrace.findMany({ where: { leadId } });
    return {
      points: rows.reduce((s, r) => s + r.points, 0),
      fit: rows.reduce((s, r) => s + r.fitDelta, 0),
      engagement: rows.reduce((s, r) => s + r.engagementDelta, 0),
    };
  };

  it('scores a new lead from fit and engagement, and the trace sums to the score', async () => {
    const lead = {
      email: ' Lan.Nguyen@ThepViet.vn ',
      name: 'Nguyễn Thị Lan',
      title: 'Giám đốc kinh doanh',
      companySize: 350,
      industry: 'Manufacturing',
    };
    const res = await ingest([
      { id: 'a-1', type: 'webinar_attended', occurredAt: at(-2 * DAY), lead },
      {
        id: 'a-2',
        type: 'page_view',
        occurredAt: at(-DAY),
        lead,
        properties: { url: 'https://x.vn/bang-gia' },
      },
    ]);
    expect(res.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    const leadId = res[0]!.leadId!;
    const view = await showLead(t.rt.read, leadId);
    // fit: DM title 15 + size ≥200 10 + target industry 5 + business email 5 = 35; engagement 15 + 10
    expect(view).toMatchObject({
      email: 'lan.nguyen@thepviet.vn',
      fitScore: 35,
      engagementScore: 25,
      score: 60,
      stage: 'MQL',
    });
    expect(await traceSum(leadId)).toEqual({ points: 60, fit: 35, engagement: 25 });
    expect(view.stageHistory.map((s) => s.to)).toEqual(['MQL']); // one event took it from NEW straight to MQL
  });

  it('treats a repeated id as a duplicate that changes nothing', async () => {
    const ev = { id: 'dup-1', type: 'email_click', occurredAt: at(-1000), lead: { email: 'dup@acme.vn' } };
    const first = await ingest([ev]);
    const traceBefore = await tdb.db.prisma.scoreTrace.count({ where: { leadId: first[0]!.leadId! } });
    const again = await ingest([ev, { ...ev }]);
    expect(again.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(again[0]!.leadId).toBe(first[0]!.leadId);
    expect(await tdb.db.prisma.scoreTrace.count({ where: { leadId: first[0]!.leadId! } })).toBe(traceBefore);
    expect(await tdb.db.prisma.event.count({ where: { key: 'dup-1' } })).toBe(1);
  });

  it('rejects a bad item with the field named, stores nothing of it, and keeps the rest', async () => {
    const res = await ingest([
      { id: 'bad-1', type: 'email_open', lead: { phone: '12' } },
      { id: 'bad-2', type: 'no_such_type', lead: { email: 'x@y.vn' } },
      { id: 'good-1', type: 'email_open', lead: { email: 'good@y.vn' } },
      { id: 'bad-3', type: 'email_open', lead: { name: 'No identity' } },
    ]);
    expect(res.map((r) => r.status)).toEqual(['rejected', 'rejected', 'accepted', 'rejected']);
    expect(res[0]!.errors?.[0]?.path).toBe('lead.phone');
    expect(res[1]!.errors?.[0]?.path).toBe('type');
    expect(res[3]!.errors?.[0]?.path).toBe('lead');
    expect(await tdb.db.prisma.event.count({ where: { key: { in: ['bad-1', 'bad-2', 'bad-3'] } } })).toBe(0);
  });

  it('recognises one phone written three ways as one lead', async () => {
    const res = await ingest([
      { id: 'ph-1', type: 'email_open', occurredAt: at(-3000), lead: { phone: '0912 345 678' } },
      { id: 'ph-2', type: 'email_open', occurredAt: at(-2000), lead: { phone: '+84 912 345 678' } },
      { id: 'ph-3', type: 'email_open', occurredAt: at(-1000), lead: { phone: '84912345678' } },
    ]);
    expect(new Set(res.map((r) => r.leadId)).size).toBe(1);
    expect(await resolveLeadRef(t.rt.read, '0912.345.678')).toBe(res[0]!.leadId);
  });

  it('merges two leads when one event names the email of one and the phone of the other', async () => {
    const a = await ingest([
      {
        id: 'm-1',
        type: 'webinar_attended',
        occurredAt: at(-3 * DAY),
        lead: { email: 'binh@acme.vn', title: 'CEO' },
      },
    ]);
    const b = await ingest([
      { id: 'm-2', type: 'content_download', occurredAt: at(-2 * DAY), lead: { phone: '0987 654 321' } },
    ]);
    expect(a[0]!.leadId).not.toBe(b[0]!.leadId);
    const c = await ingest([
      {
        id: 'm-3',
        type: 'form_submit',
        occurredAt: at(-DAY),
        lead: { email: 'binh@acme.vn', phone: '0987654321' },
      },
    ]);
    const survivor = c[0]!.leadId!;
    expect(survivor).toBe(a[0]!.leadId); // the older lead remains
    const loser = await tdb.db.prisma.lead.findUniqueOrThrow({ where: { id: b[0]!.leadId! } });
    expect(loser.mergedIntoId).toBe(survivor);
    expect(loser.score).toBe(0);
    expect(await tdb.db.prisma.event.count({ where: { leadId: survivor } })).toBe(3);
    expect(await tdb.db.prisma.leadIdentity.count({ where: { leadId: survivor } })).toBe(2);
    const view = await showLead(t.rt.read, survivor);
    // CEO 15 + business email 5; webinar 15 + download 10 + form 10
    expect(view).toMatchObject({ fitScore: 20, engagementScore: 35, score: 55 });
    expect(await traceSum(survivor)).toEqual({ points: 55, fit: 20, engagement: 35 });
    const merges = await tdb.db.prisma.scoreTrace.findMany({
      where: { leadId: survivor, category: 'merge' },
    });
    expect(merges).toHaveLength(1);
    expect(merges[0]!.reason).toContain(b[0]!.leadId!);
    expect(await resolveLeadRef(t.rt.read, '0987654321')).toBe(survivor);
  });

  it('writes exactly one outbox row per new SQL crossing and delivers it once', async () => {
    const lead = { email: 'khoa@finviet.vn', title: 'CTO', companySize: 120, industry: 'fintech' };
    await ingest([{ id: 'sql-1', type: 'webinar_attended', occurredAt: at(-60_000), lead }]);
    const res = await ingest([{ id: 'sql-2', type: 'quote_request', occurredAt: at(-1000), lead }]);
    const leadId = res[0]!.leadId!;
    expect((await showLead(t.rt.read, leadId)).stage).toBe('SQL');
    expect(await tdb.db.prisma.outbox.count({ where: { leadId } })).toBe(1);
    await ingest([
      { id: 'sql-3', type: 'page_view', occurredAt: at(-500), lead, properties: { url: '/pricing' } },
    ]);
    expect(await tdb.db.prisma.outbox.count({ where: { leadId } })).toBe(1);
    await t.rt.startWorker();
    await t.rt.queue.drain(20_000);
    const mine = t.alerts.filter((a) => a.leadId === leadId);
    expect(mine).toHaveLength(1);
    const explanation = await mine[0]!.explain();
    expect(explanation.stage).toBe('SQL');
    expect(explanation.factors.some((f) => f.ruleId.includes('quote'))).toBe(true);
    const row = await tdb.db.prisma.outbox.findFirstOrThrow({ where: { leadId } });
    expect(row.status).toBe('delivered');
    expect(await tdb.db.prisma.delivery.count({ where: { outboxId: row.id } })).toBe(1);
  });

  it('records but does not alert a crossing that happened more than 24 h ago (history import)', async () => {
    const lead = { email: 'old@history.vn', title: 'Director', companySize: 500, industry: 'retail' };
    const res = await ingest([{ id: 'h-1', type: 'demo_request', occurredAt: at(-3 * DAY), lead }]);
    const leadId = res[0]!.leadId!;
    const changes = await tdb.db.prisma.stageChange.findMany({ where: { leadId, toStage: 'SQL' } });
    expect(changes).toHaveLength(1);
    expect(changes[0]!.alerted).toBe(false);
    expect(await tdb.db.prisma.outbox.count({ where: { leadId } })).toBe(0);
  });

  it('re-derives history for a late event: the result equals in-order ingestion', async () => {
    const mk = (email: string, p: string) => [
      { id: `${p}-1`, type: 'email_open', occurredAt: at(-40 * DAY), lead: { email } },
      { id: `${p}-2`, type: 'webinar_attended', occurredAt: at(-20 * DAY), lead: { email } },
      {
        id: `${p}-3`,
        type: 'page_view',
        occurredAt: at(-2 * DAY),
        lead: { email },
        properties: { url: '/pricing' },
      },
    ];
    const inOrder = mk('order@x.vn', 'ord');
    for (const e of inOrder) await ingest([e]);
    const shuffled = mk('late@x.vn', 'late');
    for (const e of [shuffled[2], shuffled[0], shuffled[1]]) await ingest([e]);
    const a = await showLead(t.rt.read, await resolveLeadRef(t.rt.read, 'order@x.vn'));
    const b = await showLead(t.rt.read, await resolveLeadRef(t.rt.read, 'late@x.vn'));
    expect({ score: b.score, fit: b.fitScore, eng: b.engagementScore, stage: b.stage }).toEqual({
      score: a.score,
      fit: a.fitScore,
      eng: a.engagementScore,
      stage: a.stage,
    });
    expect(await traceSum(b.id)).toEqual({ points: b.score, fit: b.fitScore, engagement: b.engagementScore });
    expect(
      await tdb.db.prisma.scoreTrace.count({ where: { leadId: b.id, category: 'rederive' } }),
    ).toBeGreaterThan(0);
  });

  it('applies due decay on read and in the sweep, traced at the due time', async () => {
    const res = await ingest([
      { id: 'dc-1', type: 'webinar_attended', occurredAt: at(-1000), lead: { email: 'fade@x.vn' } },
      { id: 'dc-2', type: 'content_download', occurredAt: at(-500), lead: { email: 'fade2@x.vn' } },
    ]);
    t.clock.now += 31 * DAY;
    const view = await showLead(t.rt.read, res[0]!.leadId!);
    expect(view.engagementScore).toBe(0);
    const decay = await tdb.db.prisma.scoreTrace.findFirstOrThrow({
      where: { leadId: view.id, category: 'decay' },
    });
    expect(decay.points).toBe(-15);
    expect(decay.at.getTime()).toBe(Date.parse(at(-31 * DAY - 1000)) + 30 * DAY);
    // The other lead is untouched until the sweep runs.
    const other = res[1]!.leadId!;
    expect((await tdb.db.prisma.lead.findUniqueOrThrow({ where: { id: other } })).engagementScore).toBe(10);
    await sweepDecay(t.rt.read);
    expect((await tdb.db.prisma.lead.findUniqueOrThrow({ where: { id: other } })).engagementScore).toBe(0);
    const e = await explainLead(t.rt.read, other);
    expect(e.decay.length).toBeGreaterThan(0);
  });

  it('parses free-text BANT answers and keeps their provenance', async () => {
    const res = await ingest([
      {
        id: 'b-1',
        type: 'bant_update',
        occurredAt: at(-1000),
        lead: { email: 'bant@x.vn' },
        properties: {
          budget: 'khoảng 200 triệu',
          authority: 'phải hỏi sếp',
          timeline: 'trong 2 tháng',
          need: true,
          source: 'rep:an',
        },
      },
    ]);
    expect(res[0]!.status).toBe('accepted');
    const leadId = res[0]!.leadId!;
    const answers = await tdb.db.prisma.bantAnswer.findMany({ where: { leadId }, orderBy: { field: 'asc' } });
    expect(answers.map((a) => a.field)).toEqual(['authority', 'budget', 'need', 'timeline']);
    expect(answers.find((a) => a.field === 'budget')).toMatchObject({
      source: 'rep:an',
      rawText: 'khoảng 200 triệu',
      value: { amount: 200_000_000, currency: 'VND' },
    });
    const view = await showLead(t.rt.read, leadId);
    // budget ≥ 50M 15 + influencer 5 + need 10 + timeline ≤3 months 15 (+ business email 5)
    expect(view.fitScore).toBe(50);
    const bad = await ingest([
      { id: 'b-2', type: 'bant_update', lead: { email: 'bant@x.vn' }, properties: { budget: 'tùy' } },
    ]);
    expect(bad[0]).toMatchObject({ status: 'rejected', errors: [{ path: 'properties.budget' }] });
  });
});
