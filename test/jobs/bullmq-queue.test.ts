/**
 * BullMQ-only behaviour: several processes share one Redis queue. Needs REDIS_URL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentJobError } from '../../src/jobs/errors.ts';
import type { Harness } from './helpers.ts';
import { REDIS_URL, recordingLogger, sleep, VARIANTS, waitFor } from './helpers.ts';

if (!REDIS_URL) {
  console.warn(
    '[test/jobs/bullmq-queue.test.ts] REDIS_URL is not set: SKIPPING all BullMQ multi-process tests ' +
      '(cross-instance processing, stored invalid payloads, cluster-wide schedules).',
  );
}

const bullmq = VARIANTS.find((v) => v.name === 'bullmq')!;
const FAST = { backoffMs: 10, maxBackoffMs: 200 };

describe.skipIf(!REDIS_URL)('BullMQ job queue (multi-process)', () => {
  let h: Harness;
  beforeEach(() => {
    h = bullmq.harness();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  it('a job enqueued by one instance is processed by the worker of a second instance', async () => {
    const producerLog = recordingLogger();
    const producer = h.queue({ ...FAST, logger: producerLog }); // e.g. the HTTP server: never starts a worker
    const worker = h.queue(FAST); // e.g. `hotlead worker` in another process
    const seen: { outboxId: string; jobId: string }[] = [];
    await worker.startWorker({
      'outbox.dispatch': async (p, ctx) => {
        seen.push({ outboxId: p.outboxId, jobId: ctx.jobId });
      },
    });
    await producer.enqueue('outbox.dispatch', { outboxId: 'x-1' }, { jobId: 'outbox:x-1' });
    await producer.drain(5000); // the producer sees the shared queue empty out
    expect(seen).toEqual([{ outboxId: 'x-1', jobId: 'outbox:x-1' }]);
    expect(producerLog.entries).toEqual([]);
    // the job really went through Redis: it is in the completed set, retained for inspection
    const completed = await h.raw().getCompleted();
    expect(completed.map((j) => j.data)).toEqual([{ outboxId: 'x-1' }]);
    expect(completed[0]!.opts.removeOnComplete).toEqual({ count: 1000, age: 86_400 });
  });

  it('a jobId is deduplicated across instances', async () => {
    const a = h.queue(FAST);
    const b = h.queue(FAST);
    await a.enqueue('outbox.dispatch', { outboxId: 'from-a' }, { jobId: 'outbox:shared' });
    await b.enqueue('outbox.dispatch', { outboxId: 'from-b' }, { jobId: 'outbox:shared' });
    const seen: string[] = [];
    await b.startWorker({
      'outbox.dispatch': async (p) => {
        seen.push(p.outboxId);
      },
    });
    await a.drain(5000);
    expect(seen).toEqual(['from-a']);
  });

  it('a stored payload that fails validation (another producer/version) fails permanently, handler not called', async () => {
    const log = recordingLogger();
    const q = h.queue({ ...FAST, logger: log });
    let calls = 0;
    await q.startWorker({
      'outbox.dispatch': async () => {
        calls += 1;
      },
    });
    const raw = h.raw();
    const bad = await raw.add('outbox.dispatch', { outboxId: 42 }, { attempts: 8, backoff: 10 });
    const unknown = await raw.add('lead.export', { leadId: 'l' }, { attempts: 8, backoff: 10 });
    await waitFor(
      async () =>
        (await raw.getJobState(bad.id!)) === 'failed' && (await raw.getJobState(unknown.id!)) === 'failed',
      5000,
      'both jobs failed',
    );
    await sleep(100);
    expect(calls).toBe(0);
    const failedBad = (await raw.getJob(bad.id!))!;
    expect(failedBad.attemptsMade).toBe(1); // not retried despite attempts: 8
    expect(failedBad.failedReason).toMatch(/Invalid payload for job "outbox.dispatch": outboxId/);
    const failedUnknown = (await raw.getJob(unknown.id!))!;
    expect(failedUnknown.attemptsMade).toBe(1);
    expect(failedUnknown.failedReason).toMatch(/Unknown job name "lead.export"/);
    expect(log.at('warn')).toEqual([]);
    expect(log.at('error').map((e) => e.obj.permanent)).toEqual([true, true]);
  });

  it('a handler PermanentJobError maps to a failed job with one attempt', async () => {
    const q = h.queue(FAST);
    await q.startWorker({
      'digest.send': async () => {
        throw new PermanentJobError('gone');
      },
    });
    await q.enqueue('digest.send', { subscriptionId: 's' });
    await q.drain(5000);
    const failed = await h.raw().getFailed();
    expect(failed).toHaveLength(1);
    expect(failed[0]!.attemptsMade).toBe(1);
    expect(failed[0]!.failedReason).toBe('gone');
  });

  it('retries use the configured exponential backoff (observed between attempts)', async () => {
    const q = h.queue({ backoffMs: 100, maxBackoffMs: 150 });
    const at: number[] = [];
    await q.startWorker({
      'outbox.sweep': async (_p, ctx) => {
        at.push(Date.now());
        if (ctx.attempt < 3) throw new Error('again');
      },
    });
    await q.enqueue('outbox.sweep', {});
    await q.drain(5000);
    expect(at).toHaveLength(3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(90); // 100 ms
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(140); // 200 ms capped at 150 ms
    expect(at[2]! - at[1]!).toBeLessThan(600);
  });

  it('schedule() keeps one scheduler per job name cluster-wide (last upsert wins)', async () => {
    const a = h.queue(FAST);
    const b = h.queue(FAST);
    await a.schedule('decay.sweep', {}, 60_000);
    await b.schedule('decay.sweep', {}, 120_000);
    await b.schedule('outbox.sweep', {}, 60_000);
    const raw = h.raw();
    expect(await raw.getJobSchedulersCount()).toBe(2);
    const decay = await raw.getJobScheduler('decay.sweep');
    expect(decay?.every).toBe(120_000);
    expect(decay?.name).toBe('decay.sweep');
  });
});
