/**
 * Queue contracts: the ONE place that names the queue, its jobs and the shape of every payload.
 * Producers and consumers (possibly different processes or machines, possibly different
 * versions during a rolling deploy) agree only through this module.
 *
 * Payload objects are "strip" schemas: unknown keys added by a newer producer are dropped, not
 * rejected, so an older worker can still run the job. Payloads must be JSON-serialisable.
 */
import { z } from 'zod';
import { PermanentJobError } from './errors.ts';

export const QUEUE_NAME = 'hotlead';

const id = z.string().trim().min(1).max(200);

export const jobSchemas = {
  /** Deliver one outbox row. */
  'outbox.dispatch': z.object({ outboxId: id }),
  /** Find outbox rows that are pending or stale and enqueue `outbox.dispatch` for each. */
  'outbox.sweep': z.object({}),
  /** Apply due score decay. */
  'decay.sweep': z.object({}),
  /** Make one Slack call recorded in slack_send (post, update, DM, ephemeral reply). */
  'slack.send': z.object({ sendId: id }),
  /** Re-ping and escalate Slack alerts left unclaimed past their SLA; re-enqueue stale sends. */
  'slack.sweep': z.object({}),
  /** Process one stored Zalo webhook delivery. */
  'zalo.process': z.object({ inboundId: id }),
  /** Make one OA call recorded in zalo_send. */
  'zalo.send': z.object({ sendId: id }),
  /** Re-enqueue stale Zalo deliveries/sends; refresh the OA token ahead of expiry. */
  'zalo.sweep': z.object({}),
  /** Every minute: claim the digest subscriptions that are due and enqueue `digest.send` for each. */
  'digest.tick': z.object({}),
  /** Send one manager's daily digest (`at`: the due time it is for — one digest per due time). */
  'digest.send': z.object({ subscriptionId: id, at: z.number().int().optional() }),
} as const;

export type JobName = keyof typeof jobSchemas;
export type JobPayload<N extends JobName> = z.output<(typeof jobSchemas)[N]>;

export const JOB_NAMES = Object.keys(jobSchemas) as JobName[];

export function isJobName(name: unknown): name is JobName {
  return typeof name === 'string' && Object.hasOwn(jobSchemas, name);
}

/**
 * Validate a payload for `name`. Returns the parsed (typed, unknown-keys-stripped) payload or
 * throws a `PermanentJobError`: a payload that fails its schema (or an unknown job name) can
 * never become valid by retrying.
 */
export function parseJobPayload<N extends JobName>(name: N, data: unknown): JobPayload<N>;
export function parseJobPayload(name: string, data: unknown): JobPayload<JobName>;
export function parseJobPayload(name: string, data: unknown): JobPayload<JobName> {
  if (!isJobName(name)) {
    throw new PermanentJobError(`Unknown job name "${name}"`);
  }
  const result = jobSchemas[name].safeParse(data);
  if (!result.success) {
    const details = result.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    const summary = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
    throw new PermanentJobError(`Invalid payload for job "${name}": ${summary}`, {
      cause: result.error,
      details,
    });
  }
  return result.data;
}
