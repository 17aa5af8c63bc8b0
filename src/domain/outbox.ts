/**
 * The outbox dispatcher: each "lead became SQL" row is delivered to the chat layer once.
 * A row is claimed with a lease (compare-and-set on status), delivered, and marked delivered
 * together with a `delivery` row whose (outbox_id, channel) key makes a second record
 * impossible. A process that dies after the claim leaves a lease that expires; the next
 * dispatcher re-claims the row and delivers it — the crash-before-send case loses nothing and
 * doubles nothing.
 */
import type { ChatChannel } from '../bot/chat-port.ts';
import type { Database } from '../db/client.ts';
import { newId } from './ids.ts';
import { refreshLeads } from './decay.ts';
import { explainLead, type ReadDeps } from './leads.ts';

export interface OutboxDeps extends ReadDeps {
  db: Database;
  channel: ChatChannel;
  leaseMs: number;
  maxAttempts: number;
  /** Test hook: named crash points (HOTLEAD_CRASH_AT) — the process exits there. */
  crashPoint?: (name: string) => void;
}

export type DispatchOutcome = 'delivered' | 'skipped' | 'not-claimed';

interface ClaimedRow {
  id: string;
  kind: string;
  lead_id: string | null;
  payload: { leadId: string; stageChangeId: string; at: number } | string;
  attempts: number;
}

export async function dispatchOutbox(deps: OutboxDeps, outboxId: string): Promise<DispatchOutcome> {
  const now = deps.now();
  const [row] = await deps.db.sql.query<ClaimedRow>(
    `UPDATE outbox SET status = 'processing', locked_until = $2::timestamptz, attempts = attempts + 1
     WHERE id = $1 AND available_at <= $3::timestamptz
       AND (status = 'pending' OR (status = 'processing' AND locked_until < $3::timestamptz))
     RETURNING id, kind, lead_id, payload, attempts`,
    [outboxId, new Date(now + deps.leaseMs).toISOString(), new Date(now).toISOString()],
  );
  if (!row) return 'not-claimed';
  deps.crashPoint?.('outbox:after-claim');
  try {
    const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
    // The lead as of now: decay due since the crossing may have taken it out of SQL.
    await refreshLeads(deps, [payload.leadId]);
    const [lead] = await deps.db.sql.query<{
      stage: string;
      source: string | null;
      first_touch_at: Date | null;
    }>('SELECT stage, source, first_touch_at FROM lead WHERE id = $1', [payload.leadId]);
    if (lead?.stage !== 'SQL') {
      await finish(deps, row.id, 'skipped', `lead is ${lead?.stage ?? 'gone'} now`);
      return 'skipped';
    }
    await deps.channel.deliverSqlAlert({
      outboxId: row.id,
      leadId: payload.leadId,
      crossedAt: payload.at,
      source: lead.source,
      firstTouchAt: lead.first_touch_at ? new Date(lead.first_touch_at).getTime() : null,
      explain: () => explainLead(deps, payload.leadId),
    });
    deps.crashPoint?.('outbox:after-send');
    await finish(deps, row.id, 'delivered', null);
    return 'delivered';
  } catch (err) {
    const failed = row.attempts >= deps.maxAttempts;
    await deps.db.sql.execute(
      `UPDATE outbox SET status = $2, locked_until = NULL, last_error = $3 WHERE id = $1`,
      [row.id, failed ? 'failed' : 'pending', String((err as Error)?.message ?? err).slice(0, 1000)],
    );
    throw err;
  }
}

/** Records the delivery (unique per outbox row and channel) and closes the row, in one statement. */
async function finish(deps: OutboxDeps, id: string, status: 'delivered' | 'skipped', note: string | null) {
  await deps.db.sql.execute(
    `WITH d AS (
       INSERT INTO delivery (id, outbox_id, channel) VALUES ($2, $1, $3) ON CONFLICT (outbox_id, channel) DO NOTHING
     )
     UPDATE outbox SET status = $4::"OutboxStatus", delivered_at = $5::timestamptz, locked_until = NULL, last_error = $6
     WHERE id = $1`,
    [
      id,
      newId('dl'),
      status === 'delivered' ? deps.channel.name : 'skipped',
      status,
      new Date(deps.now()).toISOString(),
      note,
    ],
  );
}

/** Rows that should be (re)dispatched: pending and due, or claimed by a process whose lease ran out. */
export async function dueOutbox(
  deps: { db: Database; now: () => number },
  limit = 200,
): Promise<{ id: string; attempts: number }[]> {
  const now = new Date(deps.now()).toISOString();
  return deps.db.prisma.$queryRawUnsafe<{ id: string; attempts: number }[]>(
    `SELECT id, attempts FROM outbox
     WHERE (status = 'pending' AND available_at <= $1::timestamptz)
        OR (status = 'processing' AND locked_until < $1::timestamptz)
     ORDER BY created_at LIMIT $2`,
    now,
    limit,
  );
}

/**
 * Queue job id of a dispatch: one per outbox row and claim attempt. A job stuck with a dead
 * worker (its row's lease expired) does not block the retry the sweep enqueues under the next
 * attempt's id; the claim's compare-and-set keeps concurrent jobs from sending twice.
 */
export function dispatchJobId(outboxId: string, attempts: number): string {
  return `outbox-${outboxId}-a${attempts}`;
}
