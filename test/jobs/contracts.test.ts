import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { isJobName, JOB_NAMES, jobSchemas, parseJobPayload, QUEUE_NAME } from '../../src/jobs/contracts.ts';
import { isPermanentJobError, PermanentJobError } from '../../src/jobs/errors.ts';
import { createJobQueue } from '../../src/jobs/index.ts';
import type { JobHandlers, JobLogger } from '../../src/jobs/queue.ts';
import { backoffDelay, resolveRetry, runJob } from '../../src/jobs/runtime.ts';
import { REDIS_URL, recordingLogger } from './helpers.ts';

describe('queue contracts', () => {
  it('names the queue and exactly its jobs', () => {
    expect(QUEUE_NAME).toBe('hotlead');
    expect([...JOB_NAMES].sort()).toEqual([
      'decay.sweep',
      'digest.send',
      'digest.tick',
      'outbox.dispatch',
      'outbox.sweep',
      'slack.send',
      'slack.sweep',
      'zalo.process',
      'zalo.send',
      'zalo.sweep',
    ]);
    expect(Object.keys(jobSchemas).sort()).toEqual([...JOB_NAMES].sort());
    expect(isJobName('outbox.dispatch')).toBe(true);
    expect(isJobName('toString')).toBe(false);
    expect(isJobName(42)).toBe(false);
  });

  it('parses valid payloads and strips unknown keys (a newer producer must not break an older worker)', () => {
    expect(parseJobPayload('outbox.dispatch', { outboxId: 'o-1', extra: true })).toEqual({ outboxId: 'o-1' });
    expect(parseJobPayload('outbox.sweep', {})).toEqual({});
    expect(parseJobPayload('decay.sweep', { ignored: 1 })).toEqual({});
    expect(parseJobPayload('digest.send', { subscriptionId: 's-1' })).toEqual({ subscriptionId: 's-1' });
  });

  it.each([
    ['outbox.dispatch', { outboxId: 42 }, /outboxId/],
    ['outbox.dispatch', { outboxId: '' }, /outboxId/],
    ['outbox.dispatch', null, /Invalid payload/],
    ['outbox.sweep', 'nope', /Invalid payload/],
    ['digest.send', {}, /subscriptionId/],
    ['no.such.job', {}, /Unknown job name "no.such.job"/],
  ])('rejects %s %j with a PermanentJobError', (name, data, msg) => {
    let caught: unknown;
    try {
      parseJobPayload(name, data);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PermanentJobError);
    expect(isPermanentJobError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(msg);
  });

  it('carries the schema issues as details', () => {
    try {
      parseJobPayload('digest.send', { subscriptionId: 7 });
      expect.unreachable();
    } catch (err) {
      expect((err as PermanentJobError).details).toEqual([
        { path: 'subscriptionId', message: expect.any(String) },
      ]);
    }
  });
});

describe('consumption path (shared by both queues)', () => {
  it('re-validates the stored payload: the handler is not called and the error is permanent', async () => {
    let calls = 0;
    const handlers: JobHandlers = {
      'outbox.dispatch': async () => {
        calls += 1;
      },
    };
    const ctx = { attempt: 1, jobId: 'j' };
    await expect(runJob(handlers, 'outbox.dispatch', { outboxId: 1 }, ctx)).rejects.toBeInstanceOf(
      PermanentJobError,
    );
    await expect(runJob(handlers, 'bogus', {}, ctx)).rejects.toBeInstanceOf(PermanentJobError);
    expect(calls).toBe(0);
    await runJob(handlers, 'outbox.dispatch', { outboxId: 'ok' }, ctx);
    expect(calls).toBe(1);
  });

  it('a known job without a handler in this worker is a retryable (non-permanent) error', async () => {
    const err = await runJob({}, 'decay.sweep', {}, { attempt: 1, jobId: 'j' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isPermanentJobError(err)).toBe(false);
    expect((err as Error).message).toMatch(/No handler registered for job "decay.sweep"/);
  });

  it('backoff doubles from the base and is capped (defaults: 8 attempts, 500 ms, 60 s)', () => {
    const r = resolveRetry({});
    expect(r).toEqual({ attempts: 8, backoffMs: 500, maxBackoffMs: 60_000 });
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => backoffDelay(n, r.backoffMs, r.maxBackoffMs));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect(backoffDelay(1000, 500, 60_000)).toBe(60_000);
    expect(() => resolveRetry({ attempts: 0 })).toThrow(/attempts/);
  });
});

describe('createJobQueue', () => {
  it('a pino logger satisfies JobLogger', () => {
    const logger: JobLogger = pino({ level: 'silent' });
    expect(typeof logger.warn).toBe('function');
  });

  it('picks the in-process queue without a Redis URL', async () => {
    for (const redisUrl of [undefined, '', '  ']) {
      const q = createJobQueue({ redisUrl, logger: recordingLogger() });
      expect(q.kind).toBe('in-process');
      await q.close();
    }
  });

  it.skipIf(!REDIS_URL)('picks BullMQ with a Redis URL', async () => {
    const q = createJobQueue({ redisUrl: REDIS_URL, logger: recordingLogger(), prefix: 'hotlead-test-kind' });
    expect(q.kind).toBe('bullmq');
    await q.close();
  });
});
