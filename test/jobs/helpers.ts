/** Test helpers for the job-queue suites (not a test file itself). */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createBullmqQueue } from '../../src/jobs/bullmq-queue.ts';
import { QUEUE_NAME } from '../../src/jobs/contracts.ts';
import { createInProcessQueue } from '../../src/jobs/in-process-queue.ts';
import type { JobLogger, JobQueue, RetryOptions } from '../../src/jobs/queue.ts';
import { dropRedisPrefix } from '../helpers/redis.ts';

export const REDIS_URL = process.env.REDIS_URL;

export type LogEntry = { level: 'warn' | 'error' | 'info'; obj: Record<string, unknown>; msg: string };

export function recordingLogger(): JobLogger & {
  entries: LogEntry[];
  at(level: LogEntry['level']): LogEntry[];
} {
  const entries: LogEntry[] = [];
  const push = (level: LogEntry['level']) => (obj: object, msg: string) => {
    entries.push({ level, obj: obj as Record<string, unknown>, msg });
  };
  return {
    entries,
    warn: push('warn'),
    error: push('error'),
    info: push('info'),
    at: (level) => entries.filter((e) => e.level === level),
  };
}

export type QueueOpts = RetryOptions & { logger?: JobLogger };

/**
 * One harness per test: `queue()` creates instances sharing one namespace (for BullMQ a random
 * Redis prefix, so instances see the same jobs and tests never see each other's), `cleanup()`
 * closes them and deletes the namespace.
 */
export type Harness = {
  queue(opts?: QueueOpts): JobQueue;
  /** BullMQ only: a raw BullMQ Queue on the same prefix (another producer/old version, inspection). */
  raw(): Queue;
  prefix: string;
  cleanup(): Promise<void>;
};

export type Variant = { name: 'in-process' | 'bullmq'; needsRedis: boolean; harness(): Harness };

export const VARIANTS: Variant[] = [
  {
    name: 'in-process',
    needsRedis: false,
    harness() {
      const created: JobQueue[] = [];
      return {
        prefix: '',
        queue(opts = {}) {
          const q = createInProcessQueue({ logger: recordingLogger(), ...opts });
          created.push(q);
          return q;
        },
        raw() {
          throw new Error('no raw queue in-process');
        },
        async cleanup() {
          await Promise.all(created.map((q) => q.close()));
        },
      };
    },
  },
  {
    name: 'bullmq',
    needsRedis: true,
    harness() {
      const prefix = `hotlead-test-${randomUUID().slice(0, 8)}`;
      const created: JobQueue[] = [];
      let rawQueue: Queue | undefined;
      let rawConn: Redis | undefined;
      const raw = () => {
        if (!rawQueue) {
          rawConn = new Redis(REDIS_URL!, { maxRetriesPerRequest: null });
          rawQueue = new Queue(QUEUE_NAME, { connection: rawConn, prefix });
        }
        return rawQueue;
      };
      return {
        prefix,
        queue(opts = {}) {
          const q = createBullmqQueue({ redisUrl: REDIS_URL!, prefix, logger: recordingLogger(), ...opts });
          created.push(q);
          return q;
        },
        raw,
        async cleanup() {
          await Promise.all(created.map((q) => q.close()));
          const r = raw();
          await r.obliterate({ force: true });
          await r.close();
          await rawConn!.quit();
          await dropRedisPrefix(REDIS_URL!, prefix);
        },
      };
    },
  },
];

export function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll until `cond()` is true; throws (failing the test) after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 3000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}
