/**
 * Every Slack call that changes what people see goes through here: a `slack_send` row per
 * intent (unique dedupe key derived from its cause), then a `slack.send` job that claims the
 * row (compare-and-set with a lease), waits for the channel's next send slot (reserved in the
 * database, so ~1 message/s/channel holds across all workers), calls the Web API and records
 * the result. WebClient honours 429 Retry-After itself; a failed call puts the row back to
 * pending and the job queue retries it with backoff.
 *
 * Exactly once: Slack's chat.postMessage has no idempotency key, so each post carries the send
 * id in its message metadata; an attempt that follows one that may have reached Slack (process
 * died after the call, before recording it) first looks for that metadata in the channel's
 * recent history and records the message it finds instead of posting again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WebClient } from '@slack/web-api';
import type { Database } from '../../db/client.ts';
import { type Column, insertNew } from '../../db/bulk.ts';
import { pauseSlot, reserveSlot } from '../../db/slots.ts';
import type { Sql } from '../../db/sql.ts';
import { newId } from '../../domain/ids.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { Logger } from '../../logger.ts';
import type { SlackMessage } from './contract.ts';

export type SendKind = 'post' | 'update' | 'ephemeral';

/** What to send: a literal message, or an alert rendered from the database at send time. */
export type SendPayload =
  | {
      message: SlackMessage;
      threadTs?: string;
      user?: string;
      /** A hand-off message: once posted, its thread is this Zalo user's conversation. */
      bindZaloUser?: string;
    }
  | { alertId: string; as: 'alert' | 'dm' | 'update' };

export interface SendRequest {
  dedupeKey: string;
  kind: SendKind;
  /** Channel id (C…/D…) or a user id (U…: the app's DM with that user). */
  channel: string;
  payload: SendPayload;
  alertId?: string;
}

/** A rendered call, or null when there is nothing (left) to send. */
export interface Materialised {
  message: SlackMessage;
  threadTs?: string;
  /** For updates: the message to change. */
  ts?: string;
  user?: string;
  /** Recorded with the result of a successful post; returns further sends it queued. */
  onSent?: (tx: Sql, ts: string) => Promise<string[] | undefined>;
}

export interface SenderDeps {
  db: Database;
  queue: JobQueue;
  client: WebClient;
  logger: Logger;
  now: () => number;
  channelIntervalMs: number;
  leaseMs: number;
  maxAttempts: number;
  /** Turns an alert payload into a message (alerts.ts). */
  renderAlert(alertId: string, as: 'alert' | 'dm' | 'update'): Promise<Materialised | null>;
}

const METADATA_TYPE = 'hotlead_send';

/** A post of one mrkdwn text: to a channel, a user's DM (`U…`), or a thread when `threadTs` is given. */
export function textPost(dedupeKey: string, channel: string, text: string, threadTs?: string): SendRequest {
  return {
    dedupeKey,
    kind: 'post',
    channel,
    payload: {
      message: { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] },
      ...(threadTs ? { threadTs } : {}),
    },
  };
}

const SEND_COLUMNS: Column[] = [
  { name: 'id', type: 'text' },
  { name: 'dedupe_key', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'channel', type: 'text' },
  { name: 'payload', type: 'jsonb' },
  { name: 'alert_id', type: 'text' },
  { name: 'created_at', type: 'timestamptz' },
];

/** Records the sends in the caller's transaction (created at the domain's `now`); returns the ids that are new. */
export function insertSends(tx: Sql, requests: SendRequest[], now: number): Promise<string[]> {
  const at = new Date(now).toISOString();
  return insertNew(
    tx,
    'slack_send',
    SEND_COLUMNS,
    requests.map((r) => [newId('ss'), r.dedupeKey, r.kind, r.channel, r.payload, r.alertId ?? null, at]),
    'dedupe_key',
  );
}

/** Enqueues the jobs of committed sends (a lost enqueue is picked up by the sweep). */
export async function enqueueSends(queue: JobQueue, ids: string[], logger: Logger): Promise<void> {
  await Promise.all(
    ids.map((id) =>
      queue.enqueue('slack.send', { sendId: id }, { jobId: sendJobId(id, 0) }).catch((err) => {
        logger.warn({ err, sendId: id }, 'could not enqueue a Slack send; the sweep will');
      }),
    ),
  );
}

export function sendJobId(id: string, attempts: number): string {
  return `slack-send-${id}-a${attempts}`;
}

/** Records and enqueues sends outside any other transaction. */
export async function queueSends(
  deps: Pick<SenderDeps, 'db' | 'queue' | 'logger' | 'now'>,
  requests: SendRequest[],
): Promise<void> {
  const ids = await deps.db.transaction((tx) => insertSends(tx, requests, deps.now()));
  await enqueueSends(deps.queue, ids, deps.logger);
}

interface SendRow {
  id: string;
  kind: SendKind;
  channel: string;
  payload: SendPayload;
  attempts: number;
  created_at: Date;
  slot_at: Date | null;
}

export type SendOutcome = 'sent' | 'found' | 'nothing' | 'not-claimed' | 'scheduled';

/**
 * A send whose channel slot is further away than this goes back to the queue as a delayed job
 * (keeping its slot) instead of holding a worker while it waits: a busy channel must not starve
 * the others (DMs, other channels) of workers.
 */
const HOLD_MS = 250;
const EARLY_MS = 200;

export async function runSend(deps: SenderDeps, sendId: string): Promise<SendOutcome> {
  const now = deps.now();
  const [row] = await deps.db.sql.query<SendRow>(
    `UPDATE slack_send SET status = 'sending', attempts = attempts + 1, locked_until = $2::timestamptz
       WHERE id = $1 AND (status = 'pending' OR (status = 'sending' AND locked_until < $3::timestamptz))
       RETURNING id, kind, channel, payload, attempts, created_at, slot_at`,
    [sendId, new Date(now + deps.leaseMs).toISOString(), new Date(now).toISOString()],
  );
  if (!row) return 'not-claimed';
  try {
    // Reserve first (a send whose slot is far goes back to the queue without rendering); a send
    // due now renders and then waits out what is left of its slot. Scheduled sends wake
    // EARLY_MS before their slot, which covers the rendering.
    const held = row.slot_at ? new Date(row.slot_at).getTime() : null;
    // A send that missed its slot (the client was paused by a 429, the worker was busy) takes a
    // fresh one: going out late all at once would burst past the channel's limit.
    const slot =
      held !== null && held >= Date.now() - deps.channelIntervalMs
        ? held
        : await reserveChannelSlot(deps, row.channel);
    if (slot - Date.now() > HOLD_MS) {
      await schedule(deps, row.id, slot);
      return 'scheduled';
    }
    const call = await materialise(deps, row);
    if (!call) {
      await finish(deps, row.id, null, undefined);
      return 'nothing';
    }
    if (row.kind === 'post' && row.attempts > 1) {
      const found = await findPosted(deps, row);
      if (found) {
        await finish(deps, row.id, found, call.onSent);
        return 'found';
      }
    }
    const wait = slot - Date.now();
    if (wait > 0) await sleep(wait);
    let ts: string | null;
    try {
      ts = await call_(deps, row, call);
    } catch (err) {
      // Slack said 429: this channel waits Retry-After (see pauseSlot), and this send takes
      // the channel's next slot after it (the client rejects rate-limited calls instead of
      // pausing every channel).
      const retryAfter =
        (err as { code?: string; retryAfter?: number }).code === 'slack_webapi_rate_limited_error'
          ? (err as { retryAfter: number }).retryAfter
          : null;
      if (retryAfter === null) throw err;
      await pauseSlot(deps.db, row.channel, Date.now() + retryAfter * 1000, 'slack_send', row.channel);
      await schedule(deps, row.id, await reserveChannelSlot(deps, row.channel));
      return 'scheduled';
    }
    await finish(deps, row.id, ts, call.onSent);
    return 'sent';
  } catch (err) {
    const failed = row.attempts >= deps.maxAttempts;
    // A retry reserves a fresh slot: the failed call may have used this one.
    await deps.db.sql.execute(
      `UPDATE slack_send SET status = $2, locked_until = NULL, slot_at = NULL, last_error = $3 WHERE id = $1`,
      [row.id, failed ? 'failed' : 'pending', describe(err)],
    );
    if (failed) deps.logger.error({ err, sendId: row.id }, 'Slack send failed for good');
    throw err;
  }
}

async function materialise(deps: SenderDeps, row: SendRow): Promise<Materialised | null> {
  const p = row.payload;
  if ('alertId' in p) return deps.renderAlert(p.alertId, p.as);
  const bind = p.bindZaloUser;
  return {
    message: p.message,
    ...(p.threadTs ? { threadTs: p.threadTs } : {}),
    ...(p.user ? { user: p.user } : {}),
    ...(bind
      ? {
          onSent: async (tx: Sql, ts: string) => {
            await tx.execute(
              `UPDATE zalo_conversation SET slack_channel = $2, slack_thread_ts = $3
               WHERE user_id = $1 AND slack_thread_ts IS NULL`,
              [bind, row.channel, ts],
            );
            return undefined;
          },
        }
      : {}),
  };
}

async function call_(deps: SenderDeps, row: SendRow, call: Materialised): Promise<string | null> {
  const { text, blocks } = call.message;
  switch (row.kind) {
    case 'post': {
      const res = await deps.client.chat.postMessage({
        channel: row.channel,
        text,
        blocks,
        ...(call.threadTs ? { thread_ts: call.threadTs } : {}),
        metadata: { event_type: METADATA_TYPE, event_payload: { send_id: row.id } },
        unfurl_links: false,
      });
      return (res.ts as string | undefined) ?? null;
    }
    case 'update': {
      if (!call.ts) return null;
      await deps.client.chat.update({ channel: row.channel, ts: call.ts, text, blocks });
      return call.ts;
    }
    case 'ephemeral': {
      await deps.client.chat.postEphemeral({
        channel: row.channel,
        user: call.user ?? '',
        text,
        blocks,
        ...(call.threadTs ? { thread_ts: call.threadTs } : {}),
      });
      return null;
    }
  }
}

/** A post an earlier attempt of this send made, found by its metadata (see the file comment). */
async function findPosted(deps: SenderDeps, row: SendRow): Promise<string | null> {
  try {
    const res = await deps.client.conversations.history({
      channel: row.channel,
      oldest: String(Math.floor(new Date(row.created_at).getTime() / 1000) - 1),
      include_all_metadata: true,
      limit: 200,
    });
    const hit = (res.messages ?? []).find(
      (m) =>
        (m as { metadata?: { event_type?: string; event_payload?: { send_id?: unknown } } }).metadata
          ?.event_payload?.send_id === row.id,
    );
    return hit?.ts ?? null;
  } catch (err) {
    // Without history access we cannot tell; posting again is the lesser evil than losing it.
    deps.logger.warn({ err, sendId: row.id }, 'could not check whether an earlier attempt posted');
    return null;
  }
}

/** The channel's next send slot (see src/db/slots.ts). */
function reserveChannelSlot(deps: SenderDeps, channel: string): Promise<number> {
  return reserveSlot(deps.db, channel, deps.channelIntervalMs);
}

/** Gives the claim back, keeping the reserved slot, and runs the send again at its slot. */
async function schedule(deps: SenderDeps, id: string, slot: number): Promise<void> {
  await deps.db.sql.execute(
    `UPDATE slack_send SET status = 'pending', slot_at = $2::timestamptz, locked_until = NULL, attempts = attempts - 1
     WHERE id = $1`,
    [id, new Date(slot).toISOString()],
  );
  await deps.queue.enqueue(
    'slack.send',
    { sendId: id },
    // Wake a little early: rendering takes a moment, then it waits out the rest of its slot. It
    // is urgent: a slot missed behind a backlog of other jobs is a gap in the channel's sends.
    { jobId: `slack-send-${id}-t${slot}`, delayMs: Math.max(0, slot - Date.now() - EARLY_MS), urgent: true },
  );
}

async function finish(
  deps: SenderDeps,
  id: string,
  ts: string | null,
  onSent: Materialised['onSent'],
): Promise<void> {
  const sent = (tx: Sql) =>
    tx.execute(
      `UPDATE slack_send SET status = 'sent', ts = $2, sent_at = $3::timestamptz, locked_until = NULL, last_error = NULL
       WHERE id = $1`,
      [id, ts, new Date(deps.now()).toISOString()],
    );
  if (!ts || !onSent) {
    await sent(deps.db.sql);
    return;
  }
  const more = await deps.db.transaction(async (tx) => {
    await sent(tx);
    return (await onSent(tx, ts)) ?? [];
  });
  await enqueueSends(deps.queue, more, deps.logger);
}

/** Sends that should be (re)tried: pending for a while (their job may be lost) or with an expired lease. */
export async function dueSends(
  deps: Pick<SenderDeps, 'db' | 'now'>,
  limit = 200,
): Promise<{ id: string; attempts: number }[]> {
  const now = deps.now();
  return deps.db.sql.query<{ id: string; attempts: number }>(
    `SELECT id, attempts FROM slack_send
       WHERE (status = 'pending' AND created_at < $1::timestamptz AND (slot_at IS NULL OR slot_at < $1::timestamptz))
          OR (status = 'sending' AND locked_until < $2::timestamptz)
       ORDER BY created_at LIMIT $3`,
    [new Date(now - 5_000).toISOString(), new Date(now).toISOString(), limit],
  );
}

function describe(err: unknown): string {
  const e = err as { data?: { error?: string }; message?: string };
  return String(e?.data?.error ?? e?.message ?? err).slice(0, 1000);
}
