/**
 * Reps and claiming. A claim is a compare-and-set in the database ("claim only if unclaimed"):
 * two reps claiming at the same moment — exactly one wins, the other learns who has it.
 */
import { AppError } from '../errors/app-error.ts';
import type { Database } from '../db/client.ts';
import type { Sql } from '../db/sql.ts';
import { newId } from './ids.ts';

export interface RepRef {
  id: string;
  name: string;
  email: string | null;
}

/** Finds a rep by email or name, creating one (role rep) when `create` is set. */
export async function ensureRep(
  db: Database,
  nameOrEmail: string,
  opts: { create: boolean },
): Promise<RepRef> {
  const value = nameOrEmail.trim();
  if (!value) throw new AppError('BAD_INPUT', 'A rep name or email is required');
  const isEmail = value.includes('@');
  const existing = await db.prisma.rep.findFirst({
    where: isEmail ? { email: value.toLowerCase() } : { name: { equals: value, mode: 'insensitive' } },
  });
  if (existing) return { id: existing.id, name: existing.name, email: existing.email };
  if (!opts.create) throw new AppError('NOT_FOUND', `No rep “${value}”`);
  const rep = await db.prisma.rep.create({
    data: {
      id: newId('rp'),
      name: isEmail ? value.split('@')[0]! : value,
      email: isEmail ? value.toLowerCase() : null,
      industries: [],
    },
  });
  return { id: rep.id, name: rep.name, email: rep.email };
}

export type ClaimResult =
  | { ok: true; leadId: string; rep: RepRef }
  | { ok: false; leadId: string; owner: RepRef };

export async function claimLead(
  db: Database,
  leadId: string,
  rep: RepRef,
  now: number,
  /** Runs in the claim's transaction when the claim wins (e.g. update the lead's chat alerts). */
  onClaimed?: (tx: Sql) => Promise<void>,
): Promise<ClaimResult> {
  return db.transaction(async (tx) => {
    const won = await tx.execute(
      'UPDATE lead SET owner_id = $1, updated_at = now() WHERE id = $2 AND owner_id IS NULL AND merged_into_id IS NULL',
      [rep.id, leadId],
    );
    if (won === 1) {
      await tx.execute(
        `INSERT INTO assignment (id, lead_id, rep_id, status, claimed_at, created_at)
         VALUES ($1, $2, $3, 'claimed', $4::timestamptz, $4::timestamptz)`,
        [newId('as'), leadId, rep.id, new Date(now).toISOString()],
      );
      await onClaimed?.(tx);
      return { ok: true as const, leadId, rep };
    }
    const [row] = await tx.query<{
      merged_into_id: string | null;
      id: string | null;
      name: string;
      email: string | null;
    }>(
      `SELECT l.merged_into_id, r.id, r.name, r.email FROM lead l LEFT JOIN rep r ON r.id = l.owner_id WHERE l.id = $1`,
      [leadId],
    );
    if (!row || row.merged_into_id || !row.id) throw new AppError('NOT_FOUND', `No lead ${leadId}`);
    if (row.id === rep.id) return { ok: true as const, leadId, rep };
    return { ok: false as const, leadId, owner: { id: row.id, name: row.name, email: row.email } };
  });
}
