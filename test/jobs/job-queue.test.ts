/**
 * The SAME behavioural suite against both JobQueue implementations. The BullMQ variant needs
 * REDIS_URL; without it that variant is skipped (and says so).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobPayload } from '../../src/jobs/contracts.ts';
import { PermanentJobError } from '../../src/jobs/errors.ts';
import type { JobContext } from '../../src/jobs/queue.ts';
import type { Harness } from './helpers.ts';
import { deferred, REDIS_URL, recordingLogger, sleep, VARIANTS, waitFor } from './helpers.ts';

if (!REDIS_URL) {
  console.warn(
    '[test/jobs/job-queue.test.ts] REDIS_URL is not set: SKIPPING the BullMQ variant of the job-queue suite ' +
      '(only the in-process queue is tested). Run with REDIS_URL=redis://127.0.0.1:6379 to cover it.',
  );
}

const FAST = { backoffMs: 10, maxBackoffMs: 200 };

describe.each(VARIANTS)('JobQueue: $name', (variant) => {
  describe.skipIf(variant.needsRedis && !REDIS_URL)('behaviour', () => {
    let h: Harness;
    beforeEach(() => {
      h = variant.harness();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('reports its kind', () => {
      expect(h.queue().kind).toBe(variant.name);
    });

    it('runs a job with its payload and context', async () => {
      const log = recordingLogger();
      const q = h.queue({ ...FAST, logger: log });
      const seen: { payload: JobPayload<'outbox.dispatch'>; ctx: JobContext }[] = [];
      await q.startWorker({
        'outbox.dispatch': async (payload, ctx) => {
          seen.push({ payload, ctx });
        },
      });
      await q.enqueue('outbox.dispatch', { outboxId: 'o-1' }, { jobId: 'outbox:o-1' });
      await q.drain(5000);
      expect(seen).toEqual([{ payload: { outboxId: 'o-1' }, ctx: { attempt: 1, jobId: 'outbox:o-1' } }]);
      expect(log.entries).toEqual([]);
    });

    it('generates a jobId when none is given', async () => {
      const q = h.queue(FAST);
      const ids: string[] = [];
      await q.startWorker({
        'decay.sweep': async (_p, ctx) => {
          ids.push(ctx.jobId);
        },
      });
      await q.enqueue('decay.sweep', {});
      await q.enqueue('decay.sweep', {});
      await q.drain(5000);
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(2);
      for (const id of ids) expect(id.length).toBeGreaterThan(0);
    });

    it('rejects an invalid payload at enqueue with PermanentJobError; nothing is queued or run', async () => {
      const q = h.queue(FAST);
      let calls = 0;
      await q.startWorker({
        'outbox.dispatch': async () => {
          calls += 1;
        },
      });
      await expect(q.enqueue('outbox.dispatch', { outboxId: 42 } as never)).rejects.toBeInstanceOf(
        PermanentJobError,
      );
      await expect(q.enqueue('outbox.dispatch', {} as never)).rejects.toThrow(/outboxId/);
      await expect(q.enqueue('no.such.job' as never, {} as never)).rejects.toThrow(/Unknown job name/);
      await q.drain(2000);
      await sleep(50);
      expect(calls).toBe(0);
    });

    it('does not retry a handler that throws PermanentJobError', async () => {
      const log = recordingLogger();
      const q = h.queue({ ...FAST, logger: log });
      const attempts: number[] = [];
      await q.startWorker({
        'digest.send': async (_p, ctx) => {
          attempts.push(ctx.attempt);
          throw new PermanentJobError('subscription gone');
        },
      });
      await q.enqueue('digest.send', { subscriptionId: 's-1' });
      await q.drain(5000);
      await sleep(100); // a retry (10 ms backoff) would have shown up by now
      expect(attempts).toEqual([1]);
      expect(log.at('warn')).toEqual([]);
      const errors = log.at('error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.obj).toMatchObject({ job: 'digest.send', attempt: 1, permanent: true });
      expect(errors[0]!.msg).toMatch(/permanently/);
    });

    it('retries a failing handler with backoff until it succeeds (attempt numbers observed)', async () => {
      const log = recordingLogger();
      const q = h.queue({ ...FAST, logger: log });
      const attempts: number[] = [];
      await q.startWorker({
        'outbox.dispatch': async (_p, ctx) => {
          attempts.push(ctx.attempt);
          if (ctx.attempt < 3) throw new Error(`transient failure ${ctx.attempt}`);
        },
      });
      await q.enqueue('outbox.dispatch', { outboxId: 'o-2' }, { jobId: 'o-2' });
      await q.drain(5000);
      expect(attempts).toEqual([1, 2, 3]);
      const warns = log.at('warn');
      expect(warns.map((w) => [w.obj.attempt, w.obj.retryInMs])).toEqual([
        [1, 10],
        [2, 20],
      ]);
      expect(warns[0]!.obj.jobId).toBe('o-2');
      expect((warns[0]!.obj.err as Error).message).toBe('transient failure 1');
      expect(log.at('error')).toEqual([]);
    });

    it('gives up after `attempts` and logs an error (handler errors never crash the process)', async () => {
      const log = recordingLogger();
      const q = h.queue({ ...FAST, attempts: 3, logger: log });
      const attempts: number[] = [];
      await q.startWorker({
        'decay.sweep': async (_p, ctx) => {
          attempts.push(ctx.attempt);
          // a non-Error throw is normalised too
          throw ctx.attempt === 1 ? 'string failure' : new Error('still failing');
        },
      });
      await q.enqueue('decay.sweep', {});
      await q.drain(5000);
      await sleep(100);
      expect(attempts).toEqual([1, 2, 3]);
      expect(log.at('warn')).toHaveLength(2);
      const errors = log.at('error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.obj).toMatchObject({ attempt: 3, maxAttempts: 3, permanent: false });
      expect(errors[0]!.msg).toMatch(/attempts exhausted/);
    });

    it('runs the same jobId once while it is pending, and again after it has completed', async () => {
      const q = h.queue(FAST);
      const seen: string[] = [];
      // Enqueued before any worker exists: both calls find the first one still waiting.
      await q.enqueue('outbox.dispatch', { outboxId: 'first' }, { jobId: 'outbox:dup' });
      await q.enqueue('outbox.dispatch', { outboxId: 'second' }, { jobId: 'outbox:dup' });
      await q.enqueue('outbox.dispatch', { outboxId: 'other' }, { jobId: 'outbox:other' });
      await q.startWorker({
        'outbox.dispatch': async (p) => {
          seen.push(p.outboxId);
        },
      });
      await q.drain(5000);
      expect(seen.sort()).toEqual(['first', 'other']);

      // Finished jobs do not block the id: a later enqueue runs again (the outbox sweep relies on it).
      await q.enqueue('outbox.dispatch', { outboxId: 'third' }, { jobId: 'outbox:dup' });
      await q.drain(5000);
      expect(seen.sort()).toEqual(['first', 'other', 'third']);
    });

    it('dedupes a jobId while the job is active or waiting for a retry', async () => {
      const q = h.queue({ ...FAST, backoffMs: 150 });
      const gate = deferred();
      const started = deferred();
      const runs: { id: string; attempt: number }[] = [];
      await q.startWorker({
        'outbox.dispatch': async (p, ctx) => {
          runs.push({ id: p.outboxId, attempt: ctx.attempt });
          if (ctx.attempt === 1) {
            started.resolve();
            await gate.promise;
            throw new Error('fail once');
          }
        },
      });
      await q.enqueue('outbox.dispatch', { outboxId: 'a' }, { jobId: 'k' });
      await started.promise;
      await q.enqueue('outbox.dispatch', { outboxId: 'b' }, { jobId: 'k' }); // active: dropped
      gate.resolve();
      await sleep(60); // now delayed for its retry (150 ms backoff)
      await q.enqueue('outbox.dispatch', { outboxId: 'c' }, { jobId: 'k' }); // retry pending: dropped
      await q.drain(5000);
      expect(runs).toEqual([
        { id: 'a', attempt: 1 },
        { id: 'a', attempt: 2 },
      ]);
    });

    it('honours delayMs', async () => {
      const q = h.queue(FAST);
      const ranAt: number[] = [];
      await q.startWorker({
        'outbox.sweep': async () => {
          ranAt.push(Date.now());
        },
      });
      const t0 = Date.now();
      await q.enqueue('outbox.sweep', {}, { delayMs: 250 });
      await sleep(100);
      expect(ranAt).toEqual([]);
      await q.drain(5000);
      expect(ranAt).toHaveLength(1);
      expect(ranAt[0]! - t0).toBeGreaterThanOrEqual(240);
    });

    it('runs a scheduled job repeatedly, and stops after close()', async () => {
      const q = h.queue(FAST);
      const runs: number[] = [];
      const attempts: number[] = [];
      await q.startWorker({
        'decay.sweep': async (_p, ctx) => {
          attempts.push(ctx.attempt);
          runs.push(Date.now());
        },
      });
      const t0 = Date.now();
      await q.schedule('decay.sweep', {}, 100);
      await waitFor(() => runs.length >= 3, 3000, '3 scheduled runs');
      // first run is immediate, then every ~100 ms
      expect(runs[0]! - t0).toBeLessThan(90);
      expect(runs[2]! - runs[0]!).toBeGreaterThanOrEqual(150);
      expect(new Set(attempts)).toEqual(new Set([1]));
      await q.close();
      const count = runs.length;
      await sleep(300);
      expect(runs.length).toBe(count);
    });

    it('re-scheduling the same name replaces the schedule instead of adding one', async () => {
      const q = h.queue(FAST);
      let runs = 0;
      await q.startWorker({
        'outbox.sweep': async () => {
          runs += 1;
        },
      });
      await q.schedule('outbox.sweep', {}, 100);
      await q.schedule('outbox.sweep', {}, 60_000); // replaces the 100 ms schedule
      await sleep(250);
      const settled = runs;
      expect(settled).toBeGreaterThanOrEqual(1); // a schedule's first run is due immediately
      expect(settled).toBeLessThanOrEqual(2);
      await sleep(400);
      expect(runs).toBe(settled); // the 100 ms schedule would have run ~4 more times
    });

    it('drain waits for queued, running and delayed jobs to finish', async () => {
      const q = h.queue(FAST);
      const done: string[] = [];
      await q.startWorker({
        'outbox.dispatch': async (p) => {
          await sleep(100);
          done.push(p.outboxId);
        },
      });
      await q.enqueue('outbox.dispatch', { outboxId: 'a' });
      await q.enqueue('outbox.dispatch', { outboxId: 'b' });
      await q.enqueue('outbox.dispatch', { outboxId: 'late' }, { delayMs: 150 });
      expect(done).toEqual([]);
      await q.drain(5000);
      expect(done.sort()).toEqual(['a', 'b', 'late']);
    });

    it('drain rejects after its timeout when work cannot finish (no worker)', async () => {
      const q = h.queue(FAST);
      await q.enqueue('outbox.sweep', {});
      const t0 = Date.now();
      await expect(q.drain(200)).rejects.toThrow(/drain timed out after 200 ms/);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    });

    it('bounds concurrency', async () => {
      const q = h.queue(FAST);
      let inFlight = 0;
      let maxInFlight = 0;
      let runs = 0;
      await q.startWorker(
        {
          'outbox.dispatch': async () => {
            inFlight += 1;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await sleep(60);
            inFlight -= 1;
            runs += 1;
          },
        },
        { concurrency: 3 },
      );
      for (let i = 0; i < 9; i++) await q.enqueue('outbox.dispatch', { outboxId: `c-${i}` });
      await q.drain(5000);
      expect(runs).toBe(9);
      expect(maxInFlight).toBe(3);
    });

    it('runs an urgent job before the non-urgent jobs already waiting, delayed or not', async () => {
      const q = h.queue(FAST);
      const order: string[] = [];
      const started = deferred<void>();
      const gate = deferred<void>();
      await q.startWorker(
        {
          'outbox.dispatch': async ({ outboxId }) => {
            if (outboxId === 'first') {
              started.resolve();
              await gate.promise; // holds the only worker while the others queue up
            }
            order.push(outboxId);
          },
        },
        { concurrency: 1 },
      );
      await q.enqueue('outbox.dispatch', { outboxId: 'first' });
      await started.promise;
      for (let i = 0; i < 5; i++) await q.enqueue('outbox.dispatch', { outboxId: `backlog-${i}` });
      await q.enqueue('outbox.dispatch', { outboxId: 'urgent-now' }, { urgent: true });
      await q.enqueue('outbox.dispatch', { outboxId: 'urgent-later' }, { urgent: true, delayMs: 100 });
      await sleep(400); // the delayed urgent job is due while the backlog still waits
      gate.resolve();
      await q.drain(5000);
      expect(order).toEqual([
        'first',
        'urgent-now',
        'urgent-later',
        'backlog-0',
        'backlog-1',
        'backlog-2',
        'backlog-3',
        'backlog-4',
      ]);
    });

    it('close() waits for running handlers to finish', async () => {
      const q = h.queue(FAST);
      const gate = deferred();
      const started = deferred();
      let finished = false;
      await q.startWorker({
        'outbox.dispatch': async () => {
          started.resolve();
          await gate.promise;
          finished = true;
        },
      });
      await q.enqueue('outbox.dispatch', { outboxId: 'slow' });
      await started.promise;
      let closed = false;
      const closing = q.close().then(() => {
        closed = true;
      });
      await sleep(100);
      expect(closed).toBe(false);
      gate.resolve();
      await closing;
      expect(finished).toBe(true);
    });

    it('refuses a second startWorker and any use after close()', async () => {
      const q = h.queue(FAST);
      await q.startWorker({});
      await expect(q.startWorker({})).rejects.toThrow(/already/);
      await q.close();
      await q.close(); // idempotent
      await expect(q.enqueue('outbox.sweep', {})).rejects.toThrow(/closed/);
      await expect(q.schedule('outbox.sweep', {}, 1000)).rejects.toThrow(/closed/);
    });
  });
});
