import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '../../src/domain/ingest.ts';
import { showLead } from '../../src/domain/leads.ts';
import {
  activateModel,
  compileModel,
  DEFAULT_MODEL_PATH,
  getActiveModel,
} from '../../src/domain/model-store.ts';
import { rescoreAll } from '../../src/domain/rescore.ts';
import { BACKENDS, type TestDb } from '../helpers/db.ts';
import { type TestRuntime, testRuntime } from '../helpers/runtime.ts';

const defaultSource = readFileSync(DEFAULT_MODEL_PATH, 'utf8');
/** The default model with SQL at 55 instead of 81, under a new version. */
const lowerSql = compileModel(
  defaultSource.replace(/^version: .*$/m, 'version: test-lower-sql').replace(/^ {2}SQL: 81$/m, '  SQL: 55'),
);

describe.each(BACKENDS)('rescore on $name', ({ open }) => {
  let tdb: TestDb;
  let t: TestRuntime;
  let leadId: string;
  beforeAll(async () => {
    tdb = await open();
    t = await testRuntime(tdb);
    const lead = { email: 'an@phat.vn', title: 'Giám đốc', companySize: 300, industry: 'software' };
    const res = await ingestEvents(
      t.rt.ingest,
      [
        {
          id: 'r-1',
          type: 'webinar_attended',
          occurredAt: new Date(t.clock.now - 3_600_000).toISOString(),
          lead,
        },
      ],
      { source: 'api' },
    );
    leadId = res[0]!.leadId!;
  });
  afterAll(async () => {
    await t.close();
    await tdb.cleanup();
  });

  it('reports stage changes in a dry run and writes nothing', async () => {
    expect((await showLead(t.rt.read, leadId)).stage).toBe('MQL'); // 35 fit + 15 webinar = 50
    const traceBefore = await tdb.db.prisma.scoreTrace.count({ where: { leadId } });
    const report = await rescoreAll(t.rt.read, lowerSql, { dryRun: true });
    expect(report).toMatchObject({ dryRun: true, leads: 1, modelVersion: 'test-lower-sql' });
    expect(report.stageChanges).toEqual([]); // 50 stays MQL under SQL ≥ 55
    expect(await tdb.db.prisma.scoreTrace.count({ where: { leadId } })).toBe(traceBefore);
  });

  it('replays history under the new model: new stage, traced, alerted once', async () => {
    const lead = { email: 'binh@phat.vn', title: 'CEO', companySize: 300, industry: 'software' };
    const res = await ingestEvents(
      t.rt.ingest,
      [
        {
          id: 'r-2',
          type: 'webinar_attended',
          occurredAt: new Date(t.clock.now - 7_200_000).toISOString(),
          lead,
        },
        {
          id: 'r-3',
          type: 'page_view',
          occurredAt: new Date(t.clock.now - 3_600_000).toISOString(),
          lead,
          properties: { url: '/pricing' },
        },
      ],
      { source: 'api' },
    );
    const hot = res[0]!.leadId!;
    expect((await showLead(t.rt.read, hot)).score).toBe(60);
    const dry = await rescoreAll(t.rt.read, lowerSql, { dryRun: true });
    expect(dry.stageChanges).toEqual([
      expect.objectContaining({ leadId: hot, fromStage: 'MQL', toStage: 'SQL', toScore: 60 }),
    ]);

    await activateModel(tdb.db, lowerSql);
    expect((await getActiveModel(tdb.db)).version).toBe('test-lower-sql');
    const real = await rescoreAll(t.rt.read, lowerSql, { dryRun: false });
    expect(real.stageChanges).toHaveLength(1);
    const view = await showLead(t.rt.read, hot);
    expect(view).toMatchObject({ stage: 'SQL', score: 60, modelVersion: 'test-lower-sql' });
    const rows = await tdb.db.prisma.scoreTrace.findMany({ where: { leadId: hot } });
    expect(rows.reduce((s, r) => s + r.points, 0)).toBe(60);
    expect(rows.some((r) => r.category === 'rederive' && r.modelVersion === 'test-lower-sql')).toBe(true);
    expect(await tdb.db.prisma.outbox.count({ where: { leadId: hot } })).toBe(1);
  });

  it('refuses to activate an existing version with different rules', async () => {
    const tampered = compileModel(defaultSource.replace(/^ {2}SQL: 81$/m, '  SQL: 70'));
    await expect(activateModel(tdb.db, tampered)).rejects.toThrow(/already exists with different rules/);
  });
});
