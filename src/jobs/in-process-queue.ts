/**
 * In-process `JobQueue` for embedded (laptop) mode: no Redis. Jobs live in memory and run on this
 * process's event loop with the same semantics as the BullMQ implementation: payloads validated
 * on enqueue and again on consumption (stored as JSON, like in Redis), exponential backoff retries,
 * permanent failures not retried, jobId dedupe while waiting/delayed/active, bounded concurrency.
 *
 * Nothing survives a restart: jobs still queued when the process exits are lost (the outbox
 * sweep is what re-enqueues undelivered work).
 *
 * Timers (delays, retry backoff, schedules) are unref'd so they never keep a CLI alive; `drain()`
 * holds a ref'd timer while it waits, so awaiting it keeps the process alive until it settles.
 */
import type { JobName, JobPayload } from './contracts.ts';
import { parseJobPayload } from './contracts.ts';
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

export type InProcessQueueOptions = RetryOptions & { logger: JobLogger };

type Entry = {
  /** Dedupe key: the caller's jobId, if any. */
  key: string | undefined;
  /** ctx.jobId: the caller's jobId or a generated one. */
  jobId: string;
  name: string;
  /** JSON text, as it would be stored in Redis. */
  data: string;
  /** Attempts started so far. */
  attempt: number;
  state: 'delayed' | 'waiting' | 'active';
  timer: NodeJS.Timeout | undefined;
  urgent: boolean;
};

const SCHEDULE_JOB_ID_PREFIX = 'schedule:';

export function createInProcessQueue(opts: InProcessQueueOptions): JobQueue {
  return new InProcessJobQueue(opts);
}

class InProcessJobQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  readonly #logger: JobLogger;
  readonly #retry: ResolvedRetry;
  readonly #entries = new Set<Entry>();
  readonly #byKey = new Map<string, Entry>();
  readonly #ready: Entry[] = [];
  /** Ready urgent jobs: taken before `#ready`. */
  readonly #urgent: Entry[] = [];
  readonly #running = new Set<Promise<void>>();
  readonly #schedules = new Map<JobName, NodeJS.Timeout>();
  readonly #idleWaiters = new Set<{ resolve: () => void; reject: (err: Error) => void }>();
  #handlers: JobHandlers | undefined;
  #concurrency: number = JOB_DEFAULTS.concurrency;
  #active = 0;
  #seq = 0;
  #pumpScheduled = false;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(opts: InProcessQueueOptions) {
    this.#logger = opts.logger;
    this.#retry = resolveRetry(opts);
  }

  async enqueue<N extends JobName>(
    name: N,
    payload: JobPayload<N>,
    opts: EnqueueOptions = {},
  ): Promise<void> {
    this.#add(name, payload, opts);
  }

  /** Synchronous core of enqueue (schedule relies on the job being queued before it returns). */
  #add(name: string, payload: unknown, opts: EnqueueOptions): void {
    this.#assertOpen();
    const key = checkJobId(opts.jobId);
    const delayMs = checkDelay(opts.delayMs);
    const data = JSON.stringify(parseJobPayload(name, payload));
    if (key !== undefined && this.#byKey.has(key)) return;
    this.#seq += 1;
    const entry: Entry = {
      key,
      jobId: key ?? `inproc-${this.#seq}`,
      name,
      data,
      attempt: 0,
      state: 'delayed',
      timer: undefined,
      urgent: opts.urgent === true,
    };
    this.#entries.add(entry);
    if (key !== undefined) this.#byKey.set(key, entry);
    if (delayMs > 0) this.#delay(entry, delayMs);
    else this.#makeReady(entry);
  }

  async schedule<N extends JobName>(name: N, payload: JobPayload<N>, everyMs: number): Promise<void> {
    this.#assertOpen();
    const every = checkEvery(everyMs);
    const parsed = parseJobPayload(name, payload);
    const previous = this.#schedules.get(name);
    if (previous) clearInterval(previous);
    // One pending run per schedule: a run that is still queued or running absorbs the next tick.
    const fire = () => {
      if (this.#closed) return;
      try {
        this.#add(name, parsed, { jobId: `${SCHEDULE_JOB_ID_PREFIX}${name}` });
      } catch (err) {
        this.#logger.error({ job: name, err: toError(err) }, `could not enqueue scheduled job ${name}`);
      }
    };
    const timer = setInterval(fire, every);
    timer.unref();
    this.#schedules.set(name, timer);
    fire(); // first run is due immediately, like a BullMQ `every` scheduler
  }

  async startWorker(handlers: JobHandlers, opts: StartWorkerOptions = {}): Promise<void> {
    this.#assertOpen();
    if (this.#handlers) throw new Error('startWorker was already called on this queue');
    this.#concurrency = resolveConcurrency(opts.concurrency);
    this.#handlers = { ...handlers };
    this.#schedulePump();
  }

  drain(timeoutMs: number = JOB_DEFAULTS.drainTimeoutMs): Promise<void> {
    if (this.#entries.size === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      // Deliberately ref'd: awaiting drain keeps the process alive even though job timers are unref'd.
      const timer = setTimeout(() => {
        this.#idleWaiters.delete(waiter);
        reject(new Error(`drain timed out after ${timeoutMs} ms: ${this.#describePending()}`));
      }, timeoutMs);
      this.#idleWaiters.add(waiter);
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#doClose();
    return this.#closing;
  }

  async #doClose(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#schedules.values()) clearInterval(timer);
    this.#schedules.clear();
    let dropped = 0;
    for (const entry of [...this.#entries]) {
      if (entry.state === 'active') continue;
      if (entry.timer) clearTimeout(entry.timer);
      this.#forget(entry);
      dropped += 1;
    }
    this.#ready.length = 0;
    this.#urgent.length = 0;
    if (dropped > 0) {
      this.#logger.warn({ dropped }, `in-process job queue closed with ${dropped} job(s) not run`);
      const err = new Error(`job queue closed with ${dropped} job(s) not run`);
      for (const w of [...this.#idleWaiters]) w.reject(err);
      this.#idleWaiters.clear();
    }
    await Promise.allSettled([...this.#running]);
    this.#checkIdle();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('job queue is closed');
  }

  #delay(entry: Entry, ms: number): void {
    entry.state = 'delayed';
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.#makeReady(entry);
    }, ms);
    entry.timer.unref();
  }

  #makeReady(entry: Entry): void {
    entry.state = 'waiting';
    (entry.urgent ? this.#urgent : this.#ready).push(entry);
    this.#schedulePump();
  }

  #schedulePump(): void {
    if (this.#pumpScheduled || !this.#handlers || this.#closed) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#handlers && !this.#closed && this.#active < this.#concurrency) {
      const entry = this.#urgent.shift() ?? this.#ready.shift();
      if (!entry) return;
      this.#start(entry, this.#handlers);
    }
  }

  #start(entry: Entry, handlers: JobHandlers): void {
    this.#active += 1;
    entry.state = 'active';
    entry.attempt += 1;
    const attempt = entry.attempt;
    const run = (async () => {
      try {
        await runJob(handlers, entry.name, JSON.parse(entry.data), { attempt, jobId: entry.jobId });
        this.#forget(entry);
      } catch (thrown) {
        this.#onFailure(entry, attempt, toError(thrown));
      } finally {
        this.#active -= 1;
        this.#schedulePump();
        this.#checkIdle();
      }
    })();
    this.#running.add(run);
    void run.finally(() => this.#running.delete(run));
  }

  #onFailure(entry: Entry, attempt: number, err: Error): void {
    const base = { name: entry.name, jobId: entry.jobId, attempt, maxAttempts: this.#retry.attempts, err };
    const reason = isPermanentJobError(err)
      ? 'permanent'
      : attempt >= this.#retry.attempts
        ? 'exhausted'
        : this.#closed
          ? 'closing'
          : undefined;
    if (reason) {
      logFailure(this.#logger, { ...base, retryInMs: undefined, reason });
      this.#forget(entry);
      return;
    }
    const retryInMs = backoffDelay(attempt, this.#retry.backoffMs, this.#retry.maxBackoffMs);
    logFailure(this.#logger, { ...base, retryInMs });
    this.#delay(entry, retryInMs);
  }

  #forget(entry: Entry): void {
    this.#entries.delete(entry);
    if (entry.key !== undefined && this.#byKey.get(entry.key) === entry) this.#byKey.delete(entry.key);
  }

  #checkIdle(): void {
    if (this.#entries.size > 0) return;
    for (const w of [...this.#idleWaiters]) w.resolve();
    this.#idleWaiters.clear();
  }

  #describePending(): string {
    const counts = { waiting: 0, delayed: 0, active: 0 };
    for (const e of this.#entries) counts[e.state] += 1;
    const hint = this.#handlers ? '' : ' (no worker started)';
    return `${counts.waiting} waiting, ${counts.delayed} delayed, ${counts.active} active${hint}`;
  }
}
