/**
 * Per-OA settings (`zalo_settings`; defaults when the OA has no row): whether the bot's
 * qualification flow runs, and whether messages may go out in the paid window (48 h–7 d after
 * the customer's last interaction). They belong to the connected OA — the `oa_id` stored with
 * its tokens by `hotlead zalo connect` (`zalo_token`, one row) — and are read at each use by the
 * webhook processing and the sender, so a change made with `hotlead zalo settings` applies at
 * once in every process.
 */
import type { Database } from '../../db/client.ts';

export interface ZaloSettings {
  /** The connected OA (`zalo_token.oa_id`; `default` when the redirect did not name it). */
  oaId: string;
  /** The bot asks its qualification questions (default on). */
  qualify: boolean;
  /** Messages may be sent 48 h–7 d after the customer's last interaction: billed by Zalo (default off). */
  allowPaidWindow: boolean;
}

export const DEFAULT_ZALO_SETTINGS = { qualify: true, allowPaidWindow: false } as const;

/** The connected OA's settings, or null when no OA is connected. */
export async function readZaloSettings(db: Database): Promise<ZaloSettings | null> {
  const [row] = await db.transaction((tx) =>
    tx.query<{ oa_id: string; qualify: boolean | null; allow_paid_window: boolean | null }>(
      `SELECT t.oa_id, s.qualify, s.allow_paid_window
       FROM zalo_token t LEFT JOIN zalo_settings s ON s.oa_id = t.oa_id
       ORDER BY t.updated_at DESC LIMIT 1`,
    ),
  );
  if (!row) return null;
  return {
    oaId: row.oa_id,
    qualify: row.qualify ?? DEFAULT_ZALO_SETTINGS.qualify,
    allowPaidWindow: row.allow_paid_window ?? DEFAULT_ZALO_SETTINGS.allowPaidWindow,
  };
}

/** Changes the given settings of an OA (the others keep their value or default); returns them all. */
export async function updateZaloSettings(
  db: Database,
  oaId: string,
  change: { qualify?: boolean | undefined; allowPaidWindow?: boolean | undefined },
): Promise<ZaloSettings> {
  const [row] = await db.transaction((tx) =>
    tx.query<{ oa_id: string; qualify: boolean; allow_paid_window: boolean }>(
      `INSERT INTO zalo_settings (oa_id, qualify, allow_paid_window)
       VALUES ($1, coalesce($2::boolean, $4::boolean), coalesce($3::boolean, $5::boolean))
       ON CONFLICT (oa_id) DO UPDATE SET
         qualify = coalesce($2::boolean, zalo_settings.qualify),
         allow_paid_window = coalesce($3::boolean, zalo_settings.allow_paid_window)
       RETURNING oa_id, qualify, allow_paid_window`,
      [
        oaId,
        change.qualify ?? null,
        change.allowPaidWindow ?? null,
        DEFAULT_ZALO_SETTINGS.qualify,
        DEFAULT_ZALO_SETTINGS.allowPaidWindow,
      ],
    ),
  );
  if (!row) throw new Error('zalo_settings: the upsert returned no row');
  return { oaId: row.oa_id, qualify: row.qualify, allowPaidWindow: row.allow_paid_window };
}
