/**
 * BullMQ `JobQueue` on Redis: one Queue (producer) and, once `startWorker` is called, one Worker
 * on `QUEUE_NAME`, dispatching by job name. Any number of processes on any machines may run
 * workers against the same Redis and prefix (`hotlead worker`).
 *
 * jobId mapping: the caller's `jobId` is NOT used as the BullMQ job id. It becomes the BullMQ
 * deduplication id (`deduplication: { id }`), which holds exactly while the job is waiting,
 * delayed, active or waiting for a retry, and is released when it completes or finally fails.
 * So (a) any string works, ':' included, and (b) completed/failed jobs kept for inspection do not
 * block a later enqueue of the same id (with BullMQ custom job ids they would, silently). BullMQ
 * job ids are generated; handlers receive the caller's jobId as `ctx.jobId`.
 *
 * Connections: this module owns two ioredis clients (producer; worker with
 * `maxRetriesPerRequest: null`, from which BullMQ derives its blocking connection) and closes
 * them in `close()` after the worker and the queue.
 */
import type { Job } from 'bullmq';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { JobName, JobPayload } from './contracts.ts';
import { parseJobPayload, QUEUE_NAME } from './contracts.ts';
import type {
  EnqueueOptions,
  JobHandlers,
  JobLogger,
  JobQueue,
  RetryOptions,
  StartWorkerOptions,
} from './queue.ts';
import { JOB_DEFAULTS } from './queue.ts';
import type { ResolvedRetry } from './runtime.ts';
import {
  backoffDelay,
  checkDelay,
  checkEvery,
  checkJobId,
  isPermanentJobError,
  logFailure,
  resolveConcurrency,
  resolveRetry,
  runJob,
  toError,
} from './runtime.ts';

export const DEFAULT_BULLMQ_PREFIX = 'bull';
/** Finished-job retention: last 1000 completed (max 1 day), failed for 7 days (max 10 000). */
export const BULLMQ_RETENTION = {
  removeOnComplete: { count: 1000, age: 24 * 3600 },
  removeOnFail: { count: 10_000, age: 7 * 24 * 3600 },
} as const;
const BACKOFF_TYPE = 'hotlead-exponential';
const ERROR_LOG_INTERVAL_MS = 10_000;

export type BullmqQueueOptions = RetryOptions & {
  redisUrl: string;
  /** Redis key prefix (default 'bull'). Producers and workers must use the same one. */
  prefix?: string;
  logger: JobLogger;
};

export function createBullmqQueue(opts: BullmqQueueOptions): JobQueue {
  return new BullmqJobQueue(opts);
}

/** Priority of every job that is not urgent (BullMQ: lower numbers first, 0 before all). */
const NORMAL_PRIORITY = 1;

class BullmqJobQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  readonly #logger: JobLogger;
  readonly #retry: ResolvedRetry;
  readonly #redisUrl: string;
  readonly #prefix: string;
  readonly #producer: Redis;
  readonly #queue: Queue;
  #workerConn: Redis | undefined;
  #worker: Worker | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(opts: BullmqQueueOptions) {
    this.#logger = opts.logger;
    this.#retry = resolveRetry(opts);
    this.#redisUrl = opts.redisUrl;
    this.#prefix = opts.prefix ?? DEFAULT_BULLMQ_PREFIX;
    this.#producer = new Redis(this.#redisUrl, { connectionName: `${this.#prefix}:hotlead-producer` });
    this.#queue = new Queue(QUEUE_NAME, {
      connection: this.#producer,
      prefix: this.#prefix,
      defaultJobOptions: this.#jobOptions(),
    });
    this.#queue.on('error', throttledErrorLog(this.#logger, 'job queue (producer) error'));
  }

  #jobOptions() {
    return {
      // Urgent jobs (priority 0: BullMQ runs them before any prioritized job) go first.
      priority: NORMAL_PRIORITY,
      attempts: this.#retry.attempts,
      backoff: { type: BACKOFF_TYPE, delay: this.#retry.backoffMs },
      removeOnComplete: { ...BULLMQ_RETENTION.removeOnComplete },
      removeOnFail: { ...BULLMQ_RETENTION.removeOnFail },
    };
  }

  async enqueue<N extends JobName>(
    name: N,
    payload: JobPayload<N>,
    opts: EnqueueOptions = {},
  ): Promise<void> {
    this.#assertOpen();
    const key = checkJobId(opts.jobId);
    const delay = checkDelay(opts.delayMs);
    const data = parseJobPayload(name, payload);
    await this.#queue.add(name, data, {
      ...(delay > 0 ? { delay } : {}),
      ...(key !== undefined ? { deduplication: { id: key } } : {}),
      ...(opts.urgent ? { priority: 0 } : {}),
    });
  }

  async schedule<N extends JobName>(name: N, payload: JobPayload<N>, everyMs: number): Promise<void> {
    this.#assertOpen();
    const every = checkEvery(everyMs);
    const data = parseJobPayload(name, payload);
    // The scheduler id is the job name: one schedule per name cluster-wide, upserted by every
    // process that calls schedule().
    await this.#queue.upsertJobScheduler(name, { every }, { name, data, opts: this.#jobOptions() });
  }

  async startWorker(handlers: JobHandlers, opts: StartWorkerOptions = {}): Promise<void> {
    this.#assertOpen();
    if (this.#worker) throw new Error('startWorker was already called on this queue');
    const concurrency = resolveConcurrency(opts.concurrency);
    const own = { ...handlers };
    const retry = this.#retry;
    this.#workerConn = new Redis(this.#redisUrl, {
      maxRetriesPerRequest: null,
      connectionName: `${this.#prefix}:hotlead-worker`,
    });
    this.#worker = new Worker(QUEUE_NAME, (job) => this.#process(own, job), {
      connection: this.#workerConn,
      prefix: this.#prefix,
      concurrency,
      settings: {
        backoffStrategy: (attemptsMade, _type, _err, job) => {
          const backoff = job?.opts.backoff;
          const base =
            typeof backoff === 'object' && typeof backoff.delay === 'number'
              ? backoff.delay
              : retry.backoffMs;
          return backoffDelay(attemptsMade, base, retry.maxBackoffMs);
        },
      },
    });
    this.#worker.on('error', throttledErrorLog(this.#logger, 'job worker error'));
    this.#worker.on('stalled', (jobId) => {
      this.#logger.warn({ jobId }, 'job stalled (its worker stopped renewing the lock); it will be re-run');
    });
    await this.#worker.waitUntilReady();
  }

  async #process(handlers: JobHandlers, job: Job): Promise<void> {
    const attempt = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? 1;
    const jobId = job.deduplicationId ?? job.id ?? 'unknown';
    try {
      await runJob(handlers, job.name, job.data, { attempt, jobId });
    } catch (thrown) {
      const err = toError(thrown);
      const base = { name: job.name, jobId, attempt, maxAttempts, err };
      if (isPermanentJobError(err)) {
        logFailure(this.#logger, { ...base, retryInMs: undefined, reason: 'permanent' });
        throw new UnrecoverableError(err.message);
      }
      if (attempt >= maxAttempts) {
        logFailure(this.#logger, { ...base, retryInMs: undefined, reason: 'exhausted' });
      } else {
        const backoff = job.opts.backoff;
        const baseMs =
          typeof backoff === 'object' && typeof backoff.delay === 'number'
            ? backoff.delay
            : this.#retry.backoffMs;
        logFailure(this.#logger, {
          ...base,
          retryInMs: backoffDelay(attempt, baseMs, this.#retry.maxBackoffMs),
        });
      }
      throw err;
    }
  }

  async drain(timeoutMs: number = JOB_DEFAULTS.drainTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = await this.#pending();
      if (pending.total === 0) return;
      if (Date.now() >= deadline) {
        const { total: _total, ...counts } = pending;
        throw new Error(`drain timed out after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** waiting + active + delayed (+ prioritized, waiting-children), minus the not-yet-run next iteration of schedules. */
  async #pending() {
    const counts = await this.#queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'waiting-children',
    );
    let nextScheduled = 0;
    if ((counts.delayed ?? 0) > 0) {
      const delayed = await this.#queue.getDelayed(0, -1);
      nextScheduled = delayed.filter((j) => j?.repeatJobKey && j.attemptsMade === 0).length;
    }
    const values = Object.values(counts) as number[];
    const total = values.reduce((a, b) => a + b, 0) - nextScheduled;
    return { ...counts, nextScheduled, total };
  }

  close(): Promise<void> {
    this.#closing ??= this.#doClose();
    return this.#closing;
  }

  async #doClose(): Promise<void> {
    this.#closed = true;
    const step = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        this.#logger.warn({ err: toError(err) }, `job queue close: ${what} failed`);
      }
    };
    // Worker first (waits for running handlers), then the queue, then the connections we own.
    if (this.#worker) await step('worker close', () => this.#worker!.close());
    await step('queue close', () => this.#queue.close());
    if (this.#workerConn) await step('worker connection quit', () => quit(this.#workerConn!));
    await step('producer connection quit', () => quit(this.#producer));
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('job queue is closed');
  }
}

async function quit(conn: Redis): Promise<void> {
  if (conn.status === 'end') return;
  if (conn.status === 'ready') {
    await conn.quit();
    return;
  }
  conn.disconnect();
}

/** Connection errors repeat on every reconnect attempt: log the first, then at most one per interval. */
function throttledErrorLog(logger: JobLogger, msg: string): (err: Error) => void {
  let last = 0;
  let suppressed = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < ERROR_LOG_INTERVAL_MS) {
      suppressed += 1;
      return;
    }
    logger.error({ err, suppressed }, msg);
    last = now;
    suppressed = 0;
  };
}
