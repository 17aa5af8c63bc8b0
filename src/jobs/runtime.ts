/**
 * Internals shared by both queue implementations: option checks, the backoff formula and the
 * consumption path (re-validate the payload, find the handler, classify the failure).
 */
import { isJobName, parseJobPayload } from './contracts.ts';
import { isPermanentJobError, PermanentJobError } from './errors.ts';
import type { JobContext, JobHandlers, JobLogger, RetryOptions } from './queue.ts';
import { JOB_DEFAULTS } from './queue.ts';

export type ResolvedRetry = { attempts: number; backoffMs: number; maxBackoffMs: number };

function positiveInt(value: number | undefined, fallback: number, what: string, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min)
    throw new RangeError(`${what} must be an integer >= ${min} (got ${v})`);
  return v;
}

export function resolveRetry(opts: RetryOptions): ResolvedRetry {
  return {
    attempts: positiveInt(opts.attempts, JOB_DEFAULTS.attempts, 'attempts'),
    backoffMs: positiveInt(opts.backoffMs, JOB_DEFAULTS.backoffMs, 'backoffMs', 0),
    maxBackoffMs: positiveInt(opts.maxBackoffMs, JOB_DEFAULTS.maxBackoffMs, 'maxBackoffMs', 0),
  };
}

export function resolveConcurrency(value: number | undefined): number {
  return positiveInt(value, JOB_DEFAULTS.concurrency, 'concurrency');
}

export function checkDelay(delayMs: number | undefined): number {
  return positiveInt(delayMs, 0, 'delayMs', 0);
}

export function checkEvery(everyMs: number): number {
  return positiveInt(everyMs, 0, 'everyMs');
}

export function checkJobId(jobId: string | undefined): string | undefined {
  if (jobId !== undefined && (typeof jobId !== 'string' || jobId.length === 0)) {
    throw new TypeError('jobId must be a non-empty string');
  }
  return jobId;
}

/** Delay before the retry that follows failed attempt `failedAttempt` (1-based). */
export function backoffDelay(failedAttempt: number, backoffMs: number, maxBackoffMs: number): number {
  const exp = Math.max(0, failedAttempt - 1);
  return Math.min(maxBackoffMs, Math.round(backoffMs * 2 ** Math.min(exp, 30)));
}

export function toError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : `Non-error thrown: ${safeString(err)}`);
}

function safeString(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * Consume one job: the payload is untrusted (it may have sat in Redis, written by another
 * version), so it is re-validated here. Throws `PermanentJobError` for an unknown name or an
 * invalid payload (the handler is not called). A name this worker has no handler for is a
 * retryable error: during a rolling deploy another worker may know it.
 */
export async function runJob(
  handlers: JobHandlers,
  name: string,
  data: unknown,
  ctx: JobContext,
): Promise<void> {
  if (!isJobName(name)) throw new PermanentJobError(`Unknown job name "${name}"`);
  const payload = parseJobPayload(name, data);
  const handler = handlers[name] as ((payload: unknown, ctx: JobContext) => Promise<void>) | undefined;
  if (!handler) throw new Error(`No handler registered for job "${name}" in this worker`);
  await handler(payload, ctx);
}

export type FailureInfo = {
  name: string;
  jobId: string;
  attempt: number;
  maxAttempts: number;
  err: Error;
  /** Delay before the next attempt, or undefined when the job will not run again. */
  retryInMs: number | undefined;
  /** Why it will not run again (when retryInMs is undefined). */
  reason?: 'permanent' | 'exhausted' | 'closing';
};

export function logFailure(logger: JobLogger, f: FailureInfo): void {
  const fields = { job: f.name, jobId: f.jobId, attempt: f.attempt, maxAttempts: f.maxAttempts, err: f.err };
  if (f.retryInMs !== undefined) {
    logger.warn({ ...fields, retryInMs: f.retryInMs }, `job ${f.name} failed; will retry`);
    return;
  }
  const why =
    f.reason === 'permanent'
      ? 'failed permanently (not retried)'
      : f.reason === 'closing'
        ? 'failed while the queue was closing (not retried)'
        : 'failed; attempts exhausted';
  logger.error({ ...fields, permanent: f.reason === 'permanent' }, `job ${f.name} ${why}`);
}

export { isPermanentJobError };
