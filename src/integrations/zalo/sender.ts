/**
 * Outgoing OA messages: a `zalo_send` row per intent (unique dedupe key from its cause: the
 * delivery that prompted the bot, the Slack message of a rep), sent by a `zalo.send` job that
 * claims the row (compare-and-set with a lease), checks the interaction window (free 48 h;
 * 48 h–7 d only when the OA's setting allows; never after 7 d), calls the OA API and logs the
 * message on the lead. Rate limits and network failures are retried by the queue with
 * backoff; a refusal that cannot change (not a follower, window closed, bad request) is final
 * and says why.
 */
import type { Database } from '../../db/client.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Column, insertNew } from '../../db/bulk.ts';
import { reserveSlot } from '../../db/slots.ts';
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
const APP_SLOT = 'zalo:app';
const APP_INTERVAL_MS = 15;
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

/** Pending sends (any age: the sweep is also how a delivery's sends are kicked) and stale leases. */
export async function dueZaloSends(
  deps: Pick<ZaloSenderDeps, 'db' | 'now'>,
): Promise<{ id: string; attempts: number }[]> {
  const now = new Date(deps.now()).toISOString();
  return deps.db.transaction((tx) =>
    tx.query<{ id: string; attempts: number }>(
      `SELECT id, attempts FROM zalo_send
       WHERE status = 'pending' OR (status = 'sending' AND locked_until < $1::timestamptz)
       ORDER BY created_at LIMIT 200`,
      [now],
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
}

export async function runZaloSend(
  deps: ZaloSenderDeps,
  sendId: string,
): Promise<'sent' | 'refused' | 'not-claimed'> {
  const now = deps.now();
  const [row] = await deps.db.transaction((tx) =>
    tx.query<SendRow>(
      `UPDATE zalo_send s SET status = 'sending', attempts = attempts + 1, locked_until = $2::timestamptz
       WHERE s.id = $1 AND (s.status = 'pending' OR (s.status = 'sending' AND s.locked_until < $3::timestamptz))
       RETURNING s.id, s.user_id, s.kind, s.payload, s.author, s.attempts,
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
    // The app's 4,000 requests/minute, shared by every worker: one slot per 15 ms.
    const wait = (await reserveSlot(deps.db, APP_SLOT, APP_INTERVAL_MS)) - Date.now();
    if (wait > 0) await sleep(wait);
    const res =
      row.kind === 'text'
        ? await deps.api.sendText(row.user_id, row.payload.text ?? '')
        : await deps.api.requestUserInfo(row.user_id, {
            title: row.payload.title ?? '',
            subtitle: row.payload.subtitle ?? '',
            imageUrl: row.payload.imageUrl ?? '',
          });
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
      tx.execute(`UPDATE zalo_send SET status = $2, locked_until = NULL, last_error = $3 WHERE id = $1`, [
        row.id,
        failed ? 'failed' : 'pending',
        String((err as Error)?.message ?? err).slice(0, 1000),
      ]),
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
