/**
 * Job queue entry point: `createJobQueue` picks BullMQ on Redis when a `redisUrl` is configured
 * (workers may be separate `hotlead worker` processes), else the in-process runner (embedded mode).
 */
import { createBullmqQueue } from './bullmq-queue.ts';
import { createInProcessQueue } from './in-process-queue.ts';
import type { JobLogger, JobQueue, RetryOptions } from './queue.ts';

export type CreateJobQueueOptions = RetryOptions & {
  /** Redis URL (config.redisUrl). Unset/empty: in-process queue. */
  redisUrl?: string | undefined;
  logger: JobLogger;
  /** BullMQ key prefix (default 'bull'); ignored in-process. */
  prefix?: string;
};

export function createJobQueue(opts: CreateJobQueueOptions): JobQueue {
  const { redisUrl, prefix, ...rest } = opts;
  if (redisUrl && redisUrl.trim() !== '') {
    return createBullmqQueue({ ...rest, redisUrl, ...(prefix !== undefined ? { prefix } : {}) });
  }
  return createInProcessQueue(rest);
}

export type { BullmqQueueOptions } from './bullmq-queue.ts';
export { BULLMQ_RETENTION, createBullmqQueue, DEFAULT_BULLMQ_PREFIX } from './bullmq-queue.ts';
export type { JobName, JobPayload } from './contracts.ts';
export { isJobName, JOB_NAMES, jobSchemas, parseJobPayload, QUEUE_NAME } from './contracts.ts';
export { isPermanentJobError, PermanentJobError } from './errors.ts';
export type { InProcessQueueOptions } from './in-process-queue.ts';
export { createInProcessQueue } from './in-process-queue.ts';
export type {
  EnqueueOptions,
  JobContext,
  JobHandlers,
  JobLogger,
  JobQueue,
  RetryOptions,
  StartWorkerOptions,
} from './queue.ts';
export { JOB_DEFAULTS } from './queue.ts';
