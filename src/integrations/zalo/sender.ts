/**
 * Outgoing OA messages: a `zalo_send` row per intent (unique dedupe key from its cause: the
 * delivery that prompted the bot, the Slack message of a rep), sent by a `zalo.send` job that
 * claims the row (compare-and-set with a lease), checks the interaction window (free 48 h;
 * 48 h–7 d only when the OA's setting allows; never after 7 d), waits for the app's next send
 * slot, calls the OA API and logs the message on the lead. A refusal that cannot change (not a
 * follower, window closed, bad request) is final and says why; network failures are retried
 * by the queue with backoff.
 *
 * The app's limit (4,000 requests/minute, all OA calls of every process) is kept with one
 * shared slot row (`src/db/slots.ts`, key `zalo:app`): each call reserves the next slot, 15 ms
 * after the previous one. A send whose slot is more than HOLD_MS away does not hold a worker
 * (nor outlive its lease): it gives its claim back, keeps the slot in `slot_at` and runs again
 * as a delayed job when the slot comes. A `-32` (rate limited) answer pauses every OA call of
 * every process: the slot row is pushed `rateLimitPauseMs` ahead (so every later reservation
 * falls after the pause), the pending sends holding a slot inside the pause lose it (they take
 * a new one, after it), and the refused send waits for a slot after the pause like the others.
 */
import type { Database } from '../../db/client.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Column, insertNew } from '../../db/bulk.ts';
import { pauseSlot, reserveSlot } from '../../db/slots.ts';
import type { Sql } from '../../db/sql.ts';
import { newId } from '../../domain/ids.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { Logger } from '../../logger.ts';
import { type ZaloApi, ZaloApiError } from './api.ts';

export interface ZaloSendRequest {
  dedupeKey: string;
  userId: string;
  /** 'bot' or 'rep:<slack user id>'. */
  author: string;
  kind: 'text' | 'request_user_info';
  payload: { text: string } | { title: string; subtitle: string; imageUrl: string };
}

const HOUR = 3_600_000;
/** The slot row of the whole Zalo app (every OA call of every process). */
const APP_SLOT = 'zalo:app';
/** 4,000 requests/minute: one call per 15 ms. */
const APP_INTERVAL_MS = 15;
/** A send whose slot is further away than this goes back to the queue as a delayed job. */
const HOLD_MS = 250;
/** A delayed send wakes this long before its slot (claim, window check), then waits out the rest. */
const EARLY_MS = 100;
/**
 * A send this late for its slot still uses it (timers and the database have jitter far above
 * 15 ms); later, it takes a fresh one, as late sends going out together would burst the limit.
 */
const LATE_TOLERANCE_MS = 100;
const FREE_WINDOW = 48 * HOUR;
const PAID_WINDOW = 7 * 24 * HOUR;

const SEND_COLUMNS: Column[] = [
  { name: 'id', type: 'text' },
  { name: 'dedupe_key', type: 'text' },
  { name: 'user_id', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'payload', type: 'jsonb' },
  { name: 'author', type: 'text' },
  { name: 'created_at', type: 'timestamptz' },
];

/** Records the sends in the caller's transaction; returns the ids that are new. */
export function queueZaloSends(tx: Sql, requests: ZaloSendRequest[], now: number): Promise<string[]> {
  const at = new Date(now).toISOString();
  return insertNew(
    tx,
    'zalo_send',
    SEND_COLUMNS,
    requests.map((r) => [newId('zs'), r.dedupeKey, r.userId, r.kind, r.payload, r.author, at]),
    'dedupe_key',
  );
}

export interface ZaloSenderDeps {
  db: Database;
  api: ZaloApi;
  queue: JobQueue;
  logger: Logger;
  now: () => number;
  allowPaidWindow: () => Promise<boolean>;
  /** How long every OA call waits after a -32 (rate limited) answer. */
  rateLimitPauseMs: number;
  leaseMs: number;
  maxAttempts: number;
  /** Tells the lead's Slack thread that a rep's message could not be delivered. */
  notifyFailure: (userId: string, author: string, reason: string) => Promise<void>;
}

export async function enqueueZaloSends(queue: JobQueue, ids: string[], logger: Logger): Promise<void> {
  await Promise.all(
    ids.map((id) =>
      queue.enqueue('zalo.send', { sendId: id }, { jobId: `zalo-send-${id}-a0` }).catch((err: unknown) => {
        logger.warn({ err, sendId: id }, 'could not enqueue a Zalo send; the sweep will');
      }),
    ),
  );
}

/**
 * Pending sends (any age: the sweep is also how a delivery's sends are kicked) except those
 * waiting for a slot still ahead (their delayed job runs them), and stale leases.
 */
export async function dueZaloSends(
  deps: Pick<ZaloSenderDeps, 'db' | 'now'>,
): Promise<{ id: string; attempts: number }[]> {
  return deps.db.transaction((tx) =>
    tx.query<{ id: string; attempts: number }>(
      `SELECT id, attempts FROM zalo_send
       WHERE (status = 'pending' AND (slot_at IS NULL OR slot_at < $2::timestamptz))
          OR (status = 'sending' AND locked_until < $1::timestamptz)
       ORDER BY created_at LIMIT 200`,
      // Leases are on the app's clock, slots on the wall clock (the platform's limits are).
      [new Date(deps.now()).toISOString(), new Date().toISOString()],
    ),
  );
}

interface SendRow {
  id: string;
  user_id: string;
  kind: 'text' | 'request_user_info';
  payload: { text?: string; title?: string; subtitle?: string; imageUrl?: string };
  author: string;
  attempts: number;
  last_inbound_at: Date | null;
  lead_id: string | null;
  slot_at: Date | null;
}

export async function runZaloSend(
  deps: ZaloSenderDeps,
  sendId: string,
): Promise<'sent' | 'refused' | 'scheduled' | 'not-claimed'> {
  const now = deps.now();
  const [row] = await deps.db.transaction((tx) =>
    tx.query<SendRow>(
      `UPDATE zalo_send s SET status = 'sending', attempts = attempts + 1, locked_until = $2::timestamptz
       WHERE s.id = $1 AND (s.status = 'pending' OR (s.status = 'sending' AND s.locked_until < $3::timestamptz))
       RETURNING s.id, s.user_id, s.kind, s.payload, s.author, s.attempts, s.slot_at,
         (SELECT last_inbound_at FROM zalo_conversation c WHERE c.user_id = s.user_id) AS last_inbound_at,
         (SELECT lead_id FROM zalo_conversation c WHERE c.user_id = s.user_id) AS lead_id`,
      [sendId, new Date(now + deps.leaseMs).toISOString(), new Date(now).toISOString()],
    ),
  );
  if (!row) return 'not-claimed';
  const since = row.last_inbound_at
    ? now - new Date(row.last_inbound_at).getTime()
    : Number.POSITIVE_INFINITY;
  const windowProblem =
    since > PAID_WINDOW
      ? 'outside the 7-day window: Zalo refuses messages now'
      : since > FREE_WINDOW && !(await deps.allowPaidWindow())
        ? 'outside the free 48-hour window (the paid window is off in the settings)'
        : null;
  if (windowProblem) return refuse(deps, row, windowProblem);
  try {
    // The slot this send holds, unless it was missed (a busy worker, a lost job) or taken away
    // by a pause: a fresh one then.
    const held = row.slot_at ? new Date(row.slot_at).getTime() : null;
    const slot =
      held !== null && held >= Date.now() - LATE_TOLERANCE_MS
        ? held
        : await reserveSlot(deps.db, APP_SLOT, APP_INTERVAL_MS);
    if (slot - Date.now() > HOLD_MS) {
      await schedule(deps, row.id, slot, { attempt: false });
      return 'scheduled';
    }
    const wait = slot - Date.now();
    if (wait > 0) await sleep(wait);
    let res: { messageId: string };
    try {
      res =
        row.kind === 'text'
          ? await deps.api.sendText(row.user_id, row.payload.text ?? '')
          : await deps.api.requestUserInfo(row.user_id, {
              title: row.payload.title ?? '',
              subtitle: row.payload.subtitle ?? '',
              imageUrl: row.payload.imageUrl ?? '',
            });
    } catch (err) {
      if (!isRateLimited(err) || row.attempts >= deps.maxAttempts) throw err;
      // -32: nothing goes out for the pause, from any process; this send (one more attempt
      // counted) waits for a slot after it, like every other.
      await pauseZaloApp(deps.db, deps.logger, deps.rateLimitPauseMs);
      await schedule(deps, row.id, await reserveSlot(deps.db, APP_SLOT, APP_INTERVAL_MS), {
        attempt: true,
        error: (err as Error).message,
      });
      return 'scheduled';
    }
    await deps.db.transaction(async (tx) => {
      await tx.execute(
        `UPDATE zalo_send SET status = 'sent', message_id = $2, sent_at = $3::timestamptz, locked_until = NULL, last_error = NULL
         WHERE id = $1`,
        [row.id, res.messageId, new Date(deps.now()).toISOString()],
      );
      await tx.execute(
        `INSERT INTO zalo_message (id, user_id, lead_id, direction, author, msg_id, text, at)
         VALUES ($1, $2, $3, 'out', $4, $5, $6, $7::timestamptz) ON CONFLICT (msg_id) DO NOTHING`,
        [
          newId('zm'),
          row.user_id,
          row.lead_id,
          row.author,
          res.messageId,
          row.payload.text ?? `[${row.payload.title ?? 'form'}]`,
          new Date(deps.now()).toISOString(),
        ],
      );
    });
    return 'sent';
  } catch (err) {
    if (err instanceof ZaloApiError && !err.retryable)
      return refuse(deps, row, `${err.kind} (${err.code}): ${err.message}`);
    const failed = row.attempts >= deps.maxAttempts;
    await deps.db.transaction((tx) =>
      // A retry reserves a fresh slot: the failed call may have used this one.
      tx.execute(
        `UPDATE zalo_send SET status = $2, locked_until = NULL, slot_at = NULL, last_error = $3 WHERE id = $1`,
        [row.id, failed ? 'failed' : 'pending', String((err as Error)?.message ?? err).slice(0, 1000)],
      ),
    );
    throw err;
  }
}

async function refuse(deps: ZaloSenderDeps, row: SendRow, reason: string): Promise<'refused'> {
  await deps.db.transaction((tx) =>
    tx.execute(
      `UPDATE zalo_send SET status = 'refused', locked_until = NULL, last_error = $2 WHERE id = $1`,
      [row.id, reason],
    ),
  );
  deps.logger.warn({ sendId: row.id, userId: row.user_id, reason }, 'Zalo message not sent');
  if (row.author.startsWith('rep:')) await deps.notifyFailure(row.user_id, row.author, reason);
  return 'refused';
}

/** Gives the claim back, keeping the reserved slot, and runs the send again when its slot comes. */
async function schedule(
  deps: ZaloSenderDeps,
  id: string,
  slot: number,
  opts: { attempt: boolean; error?: string },
): Promise<void> {
  await deps.db.transaction((tx) =>
    tx.execute(
      `UPDATE zalo_send SET status = 'pending', slot_at = $2::timestamptz, locked_until = NULL,
         attempts = attempts - $3, last_error = coalesce($4, last_error)
       WHERE id = $1`,
      [id, new Date(slot).toISOString(), opts.attempt ? 0 : 1, opts.error?.slice(0, 1000) ?? null],
    ),
  );
  await deps.queue
    .enqueue(
      'zalo.send',
      { sendId: id },
      // Urgent: due at its slot, it must not wait behind a backlog of other jobs.
      { jobId: `zalo-send-${id}-t${slot}`, delayMs: Math.max(0, slot - Date.now() - EARLY_MS), urgent: true },
    )
    .catch((err: unknown) => {
      // The row is pending with its slot: the sweep runs it once the slot has passed.
      deps.logger.warn({ err, sendId: id }, 'could not enqueue a delayed Zalo send; the sweep will');
    });
}

/** Zalo's -32: over the app's 4,000 requests/minute. */
export function isRateLimited(err: unknown): boolean {
  return err instanceof ZaloApiError && err.kind === 'rate_limited';
}

/**
 * Zalo answered -32: no OA call goes out for `pauseMs`, from any process. The app's slot row
 * moves past the pause (every later reservation lands after it), and pending sends that hold a
 * slot inside the pause give it up (they reserve a new one when their job or the sweep runs them).
 */
export async function pauseZaloApp(db: Database, logger: Logger, pauseMs: number): Promise<void> {
  const until = Date.now() + pauseMs;
  await pauseSlot(db, APP_SLOT, until, 'zalo_send');
  logger.warn(
    { until: new Date(until).toISOString() },
    'Zalo answered -32 (over 4,000 requests/minute): every OA call waits until then',
  );
}

/**
 * Reserves the app's next slot for a call that is not a `zalo_send` (a profile read) and waits
 * for it; false, without waiting, when it is more than `maxWaitMs` away (a -32 pause, a backlog).
 */
export async function waitForAppSlot(db: Database, maxWaitMs: number = HOLD_MS): Promise<boolean> {
  const wait = (await reserveSlot(db, APP_SLOT, APP_INTERVAL_MS)) - Date.now();
  if (wait > maxWaitMs) return false;
  if (wait > 0) await sleep(wait);
  return true;
}
