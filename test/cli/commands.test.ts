/**
 * The `hotlead` CLI as a user runs it, on a fresh embedded data dir: imports, reads, explain,
 * models, rescore — and clear errors (named problem, non-zero exit, no stack trace).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('hotlead CLI', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hotlead-cli-'));
    env = { HOTLEAD_DATA_DIR: path.join(dir, 'data'), HOTLEAD_LANG: 'en', LOG_LEVEL: 'error' };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);

  it('imports a CSV, reports each rejected line with its reason, and stores the rest', {
    timeout: 60_000,
  }, async () => {
    const csv = path.join(dir, 'events.csv');
    await writeFile(
      csv,
      [
        'id,type,occurredAt,lead.email,lead.phone,lead.name,lead.title,lead.companySize,lead.industry,properties.url',
        `e1,webinar_attended,,hoa@minhphat.vn,0912 345 678,Trần Thị Hoa,Giám đốc,250,Software,`,
        `e2,page_view,,hoa@minhphat.vn,,,,,,https://x.vn/bang-gia`,
        `e3,page_view,,hoa@minhphat.vn,,,,,,`,
        `e4,email_open,,not-an-email,,,,,,`,
      ].join('\n'),
    );
    const r = await runCli(['events', 'import', csv, '--json'], env);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ accepted: 2, duplicate: 0, rejected: 2 });
    expect(out.rejections).toEqual([
      { line: 4, id: 'e3', errors: [{ path: 'properties.url', message: expect.any(String) }] },
      {
        line: 5,
        id: 'e4',
        errors: [{ path: 'lead.email', message: expect.stringContaining('not-an-email') }],
      },
    ]);
    const again = await runCli(['events', 'import', csv], env);
    expect(again.stdout).toContain('accepted 0, duplicate 2, rejected 2');
  });

  it('shows a lead by phone in any format, with the documented JSON fields', {
    timeout: 30_000,
  }, async () => {
    const r = await runCli(['lead', 'show', '+84 912 345 678', '--json'], env);
    expect(r.code).toBe(0);
    const lead = JSON.parse(r.stdout);
    for (const key of [
      'id',
      'name',
      'email',
      'phone',
      'zaloUserId',
      'company',
      'title',
      'stage',
      'score',
      'fitScore',
      'engagementScore',
      'ownerId',
      'bant',
      'doNotEmail',
      'lastActivityAt',
      'stageHistory',
    ]) {
      expect(lead).toHaveProperty(key);
    }
    // fit: DM 15 + size 10 + software 5 + business email 5; engagement: webinar 15 + pricing 10
    expect(lead).toMatchObject({
      name: 'Trần Thị Hoa',
      email: 'hoa@minhphat.vn',
      phone: '+84912345678',
      fitScore: 35,
      engagementScore: 25,
      score: 60,
      stage: 'MQL',
    });
    expect(lead.stageHistory).toEqual([
      {
        from: 'NEW',
        to: 'MQL',
        at: expect.any(String),
        reason: expect.any(String),
        reasonVi: expect.any(String),
      },
    ]);
  });

  it('explains a lead: factors with evidence and what is missing, in JSON and in Vietnamese', {
    timeout: 30_000,
  }, async () => {
    const r = await runCli(['why', 'hoa@minhphat.vn', '--json'], env);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e).toMatchObject({ stage: 'MQL', score: 60, fitScore: 35, engagementScore: 25 });
    expect(e.leadId).toMatch(/^ld_/);
    const pricing = e.factors.find((f: { ruleId: string }) => f.ruleId.includes('pricing'));
    expect(pricing).toMatchObject({
      points: 10,
      category: 'engagement',
      eventId: expect.stringMatching(/^ev_/),
    });
    expect(e.missing.length).toBeGreaterThan(0);
    expect(e.missing[0]).toMatchObject({
      description: expect.any(String),
      points: expect.any(Number),
      reachesStage: expect.any(String),
    });
    const vi = await runCli(['why', '0912345678', '--lang', 'vi'], env);
    expect(vi.stdout).toContain('Trần Thị Hoa');
    expect(vi.stdout).toMatch(/Bảng giá|bảng giá/);
  });

  it('lists the top leads as JSON', { timeout: 30_000 }, async () => {
    const r = await runCli(['top', '--limit', '5', '--json'], env);
    expect(JSON.parse(r.stdout)).toEqual([
      expect.objectContaining({ name: 'Trần Thị Hoa', score: 60, stage: 'MQL' }),
    ]);
  });

  it('refuses a bad model with every error and its path; rescore --dry-run writes nothing', {
    timeout: 60_000,
  }, async () => {
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'version: ""\nstages:\n  thresholds: { WARM: 50, MQL: 20, SQL: 81 }\nengagement:\n  - id: x\n    event: page_view\n    points: lots\n',
    );
    const r = await runCli(['model', 'validate', bad], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a valid scoring model');
    expect(r.stderr.split('\n').filter((l) => l.trim().startsWith('- ')).length).toBeGreaterThanOrEqual(3);
    expect(r.stderr).toContain('engagement.0.points');
    noStack(r.stderr);

    const dry = await runCli(['rescore', '--dry-run', '--json'], env);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, leads: 1, stageChanges: [] });
  });

  it('gives clear errors for refs that match nothing and bad flags', { timeout: 30_000 }, async () => {
    const missing = await runCli(['lead', 'show', 'nobody@nowhere.vn'], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('No lead matches “nobody@nowhere.vn”');
    noStack(missing.stderr);
    const notRef = await runCli(['why', 'hello'], env);
    expect(notRef.code).toBe(2);
    expect(notRef.stderr).toContain('not a lead id, email, phone or zalo:<id>');
    const badFlag = await runCli(['top', '--stage', 'HOT'], env);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('HOT');
    const noFile = await runCli(['events', 'import', path.join(dir, 'missing.jsonl')], env);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('Cannot read');
  });
});
