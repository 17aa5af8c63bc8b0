/**
 * A real `hotlead worker` process is killed between claiming an SQL alert and sending it; a
 * restarted worker delivers it. Exactly one alert reaches the chat channel (the console).
 * Runs on embedded PGlite always, and on Postgres + Redis (BullMQ) when their URLs are set.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notice, POSTGRES_URL, postgresDb, REDIS_URL, type TestDb } from '../helpers/db.ts';
import { killAll, runCli, startCli } from '../helpers/cli.ts';
import { dropRedisPrefix } from '../helpers/redis.ts';

const variants = [
  { name: 'embedded PGlite, in-process jobs', services: false },
  ...(POSTGRES_URL && REDIS_URL ? [{ name: 'Postgres + Redis (BullMQ)', services: true }] : []),
];
if (!(POSTGRES_URL && REDIS_URL)) notice('outbox crash test on Postgres + Redis');

describe.each(variants)('outbox delivery survives a worker crash ($name)', ({ services }) => {
  let dir: string;
  let pgdb: TestDb | undefined;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hotlead-crash-'));
    env = {
      HOTLEAD_DATA_DIR: path.join(dir, 'data'),
      HOTLEAD_LANG: 'en',
      HOTLEAD_OUTBOX_POLL_MS: '200',
      HOTLEAD_OUTBOX_LEASE_MS: '1500',
      LOG_LEVEL: 'error',
    };
    if (services) {
      pgdb = await postgresDb();
      env.DATABASE_URL = pgdb.url!;
      env.REDIS_URL = REDIS_URL!;
      env.HOTLEAD_QUEUE_PREFIX = `hlt-${randomBytes(4).toString('hex')}`;
    }
  });
  afterAll(async () => {
    killAll();
    await pgdb?.cleanup();
    if (env.HOTLEAD_QUEUE_PREFIX) await dropRedisPrefix(REDIS_URL!, env.HOTLEAD_QUEUE_PREFIX);
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers exactly once after a kill between claim and send', { timeout: 180_000 }, async () => {
    const file = path.join(dir, 'events.jsonl');
    const lead = {
      email: 'lan@thepviet.vn',
      name: 'Nguyễn Thị Lan',
      title: 'Giám đốc',
      companySize: 300,
      industry: 'manufacturing',
    };
    await writeFile(
      file,
      [
        { id: 'c-1', type: 'webinar_attended', lead },
        { id: 'c-2', type: 'quote_request', lead },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const imported = await runCli(['events', 'import', file, '--json'], env);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      accepted: 2,
      duplicate: 0,
      rejected: 0,
      alertsQueued: 1,
    });

    const crashed = await runCli(['worker'], { ...env, HOTLEAD_CRASH_AT: 'outbox:after-claim' }, 60_000);
    expect(crashed.code).toBe(86);
    expect(crashed.stdout).not.toContain('New SQL');

    const worker = startCli(['worker'], env);
    try {
      await worker.waitFor(/New SQL/, 60_000);
      // Give a second delivery every chance to happen: several sweeps and a lease period.
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      await worker.stop();
    }
    const alerts = worker.stdout().match(/New SQL/g) ?? [];
    expect(alerts).toHaveLength(1);
    expect(worker.stdout()).toContain('Nguyễn Thị Lan');

    const shown = await runCli(['lead', 'show', 'lan@thepviet.vn', '--json'], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ stage: 'SQL', email: 'lan@thepviet.vn' });
  });
});
