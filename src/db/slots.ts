/**
 * Send slots shared by every process: one row per key (a Slack channel, the Zalo app) holds
 * the next time a call may go out. Reserving takes the next slot `intervalMs` after the last
 * one (concurrent reservations queue on the row lock), so a rate limit holds across all
 * workers. Slots are wall-clock time: the platforms' limits are.
 */
import type { Database } from './client.ts';

/** Reserves the key's next slot and returns its time (`now` when the key is free). */
export async function reserveSlot(db: Database, key: string, intervalMs: number): Promise<number> {
  const now = Date.now();
  if (intervalMs <= 0) return now;
  const [slot] = await db.sql.query<{ at: Date }>(
    `INSERT INTO slack_channel_slot (channel, next_at) VALUES ($1, $2::timestamptz + $3 * interval '1 millisecond')
       ON CONFLICT (channel) DO UPDATE
         SET next_at = greatest(slack_channel_slot.next_at, $2::timestamptz) + $3 * interval '1 millisecond'
       RETURNING next_at - $3 * interval '1 millisecond' AS at`,
    [key, new Date(now).toISOString(), intervalMs],
  );
  return slot ? new Date(slot.at).getTime() : now;
}

/** Nothing goes out for `key` before `until` (e.g. after a platform said "rate limited, retry after"). */
export async function pushSlot(db: Database, key: string, until: number): Promise<void> {
  await db.sql.execute(
    `INSERT INTO slack_channel_slot (channel, next_at) VALUES ($1, $2::timestamptz)
       ON CONFLICT (channel) DO UPDATE SET next_at = greatest(slack_channel_slot.next_at, $2::timestamptz)`,
    [key, new Date(until).toISOString()],
  );
}

/**
 * The platform said "rate limited" for `key`: nothing goes out for it before `until`. Later
 * reservations land after the pause (`pushSlot`), and the pending sends of `table` that hold a
 * slot inside it give it up (they reserve a new one, after it, when their job runs) — otherwise
 * they would go out during the pause. `channel` limits that to one channel's sends.
 */
export async function pauseSlot(
  db: Database,
  key: string,
  until: number,
  table: 'slack_send' | 'zalo_send',
  channel?: string,
): Promise<void> {
  await pushSlot(db, key, until);
  await db.sql.execute(
    `UPDATE ${table} SET slot_at = NULL
     WHERE status = 'pending' AND slot_at < $1::timestamptz${channel === undefined ? '' : ' AND channel = $2'}`,
    channel === undefined ? [new Date(until).toISOString()] : [new Date(until).toISOString(), channel],
  );
}
