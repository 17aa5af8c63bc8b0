/**
 * Routing an SQL alert to a rep (`routeLead`, as `deliverSqlAlert` runs it: routing plus the
 * alert row in one transaction), against the real database: round-robin, caps of open SQLs,
 * territory / industry first, and many routings at once (concurrent transactions on Postgres).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { newId } from '../../src/domain/ids.ts';
import { routeLead } from '../../src/integrations/slack/alerts.ts';
import { BACKENDS, type TestDb } from '../helpers/db.ts';

interface RepSpec {
  id: string;
  maxOpenSql?: number;
  territory?: string;
  industries?: string[];
  active?: boolean;
  slack?: boolean;
}

async function addReps(db: Database, reps: RepSpec[]): Promise<void> {
  for (const [i, r] of reps.entries()) {
    await db.prisma.rep.create({
      data: {
        id: r.id,
        name: r.id,
        slackUserId: r.slack === false ? null : `U_${r.id}`,
        maxOpenSql: r.maxOpenSql ?? 20,
        territory: r.territory ?? null,
        industries: r.industries ?? [],
        active: r.active ?? true,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
      },
    });
  }
}

async function addLead(db: Database, opts: { city?: string; industry?: string } = {}): Promise<string> {
  const id = newId('ld');
  await db.prisma.lead.create({
    data: {
      id,
      name: id,
      city: opts.city ?? null,
      industry: opts.industry ?? null,
      stage: 'SQL',
      state: {},
      modelVersion: 'test',
    },
  });
  return id;
}

/** Routes the lead and records its open alert, in one transaction (what delivering an alert does). */
async function route(db: Database, leadId: string): Promise<string | null> {
  return db.transaction(async (tx) => {
    const rep = await routeLead(tx, leadId);
    await tx.execute(
      `INSERT INTO slack_alert (id, lead_id, outbox_id, channel, rep_id, crossed_at, created_at)
       VALUES ($1, $2, $3, 'C0SQL', $4, now(), clock_timestamp())`,
      [newId('sa'), leadId, newId('ob'), rep?.id ?? null],
    );
    return rep?.id ?? null;
  });
}

describe.each(BACKENDS)('routing SQL alerts ($name)', ({ name, open }) => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('goes round-robin among reps Slack knows, skipping inactive reps and managers', async () => {
    t = await open();
    await addReps(t.db, [
      { id: 'rep_a' },
      { id: 'rep_b' },
      { id: 'rep_c' },
      { id: 'rep_off', active: false },
      { id: 'rep_noslack', slack: false },
    ]);
    await t.db.prisma.rep.create({
      data: { id: 'mgr', name: 'mgr', slackUserId: 'U_mgr', role: 'manager', industries: [] },
    });
    const got: (string | null)[] = [];
    for (let i = 0; i < 6; i++) got.push(await route(t.db, await addLead(t.db)));
    expect(got).toEqual(['rep_a', 'rep_b', 'rep_c', 'rep_a', 'rep_b', 'rep_c']);
  });

  it('never routes a rep past their cap of open SQLs; with every rep full the alert is unassigned', async () => {
    t = await open();
    await addReps(t.db, [
      { id: 'rep_a', maxOpenSql: 1 },
      { id: 'rep_b', maxOpenSql: 2 },
    ]);
    const got: (string | null)[] = [];
    for (let i = 0; i < 4; i++) got.push(await route(t.db, await addLead(t.db)));
    expect(got).toEqual(['rep_a', 'rep_b', 'rep_b', null]);
    // Claimed SQLs count as open too: freeing an alert by claiming does not free a place.
    const claimed = await t.db.prisma.slackAlert.findFirst({ where: { repId: 'rep_a' } });
    await t.db.prisma.slackAlert.update({ where: { id: claimed!.id }, data: { status: 'claimed' } });
    await t.db.prisma.lead.update({ where: { id: claimed!.leadId }, data: { ownerId: 'rep_a' } });
    expect(await route(t.db, await addLead(t.db))).toBeNull();
    // Disqualifying it frees the place.
    await t.db.prisma.lead.update({ where: { id: claimed!.leadId }, data: { stage: 'DISQUALIFIED' } });
    expect(await route(t.db, await addLead(t.db))).toBe('rep_a');
  });

  it('prefers a rep whose territory or industries match the lead, round-robin among them', async () => {
    t = await open();
    await addReps(t.db, [
      { id: 'rep_any' },
      { id: 'rep_hn', territory: 'Hà Nội' },
      { id: 'rep_fin', industries: ['Fintech'] },
      { id: 'rep_hn2', territory: 'hà nội' },
    ]);
    expect(await route(t.db, await addLead(t.db, { city: 'Hà Nội' }))).toBe('rep_hn');
    expect(await route(t.db, await addLead(t.db, { city: 'HÀ NỘI' }))).toBe('rep_hn2');
    expect(await route(t.db, await addLead(t.db, { industry: 'fintech' }))).toBe('rep_fin');
    expect(await route(t.db, await addLead(t.db, { city: 'Huế' }))).toBe('rep_any');
  });

  it.runIf(name === 'postgres')(
    'many alerts routed at once: every rep stays within its cap and the load is spread evenly',
    async () => {
      t = await open();
      const reps = Array.from({ length: 5 }, (_, i) => ({ id: `rep_${i}`, maxOpenSql: 8 }));
      await addReps(t.db, reps);
      const leads = await Promise.all(Array.from({ length: 45 }, () => addLead(t!.db)));
      const routed = await Promise.all(leads.map((l) => route(t!.db, l)));
      const per = new Map<string, number>();
      for (const r of routed) if (r) per.set(r, (per.get(r) ?? 0) + 1);
      // 5 reps × 8 places: 40 routed, 5 unassigned, nobody over the cap.
      expect(routed.filter((r) => r === null)).toHaveLength(5);
      expect([...per.values()].sort()).toEqual([8, 8, 8, 8, 8]);
    },
  );
});
