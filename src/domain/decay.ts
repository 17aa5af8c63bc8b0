/**
 * "As of now": decay that is due is applied (and traced) before a lead is shown, explained,
 * listed or notified, and by a periodic sweep so stage changes caused by decay happen without
 * anyone looking. Decay entries carry their due time, not the time somebody looked.
 */
import type { Database } from '../db/client.ts';
import { type Tx, updateRows } from '../db/bulk.ts';
import { applyEventsInPlace, nextDecayAt } from '../scoring/index.ts';
import { type LeadOutcome, type LeadRow, lockDueLeads, lockLeads, persistOutcomes } from './lead-store.ts';
import type { ActiveModel } from './model-store.ts';
import { withRetry } from './retry.ts';

export interface DecayDeps {
  db: Database;
  getModel: () => Promise<ActiveModel>;
  alertWindowMs: number;
  now: () => number;
  onOutbox?: (outboxIds: string[]) => void;
}

function decayOutcome(active: ActiveModel, row: LeadRow, now: number): LeadOutcome | null {
  const due = nextDecayAt(active.model, row.state);
  if (due === null || due > now) return null;
  // The row's state was decoded for this transaction and is not used again: applied in place.
  const result = applyEventsInPlace(active.model, row.state, [], now);
  return {
    leadId: row.id,
    prev: row,
    result,
    rederived: false,
    nextDecayAt: nextDecayAt(active.model, result.state),
    firstTouchAt: row.firstTouchAt,
    source: row.source,
  };
}

async function applyDue(tx: Tx, active: ActiveModel, rows: LeadRow[], now: number, alertWindowMs: number) {
  const outcomes: LeadOutcome[] = [];
  const reschedule: unknown[][] = [];
  for (const row of rows) {
    const outcome = row.mergedIntoId ? null : decayOutcome(active, row, now);
    if (outcome) outcomes.push(outcome);
    else {
      // Nothing due after all (merged, or scored under another model): move its due time so the sweep moves on.
      const next = row.mergedIntoId ? null : nextDecayAt(active.model, row.state);
      reschedule.push([row.id, next === null || next <= now ? null : new Date(next).toISOString()]);
    }
  }
  await updateRows(
    tx,
    'lead',
    { name: 'id', type: 'text' },
    [{ name: 'next_decay_at', type: 'timestamptz' }],
    reschedule,
  );
  if (outcomes.length === 0) return { outboxIds: [] as string[], updated: 0 };
  const summary = await persistOutcomes(tx, outcomes, { now, alertWindowMs, model: active.model });
  return { outboxIds: summary.outboxIds, updated: outcomes.length };
}

/** Brings the given leads up to now (only those with due decay are written). */
export async function refreshLeads(deps: DecayDeps, leadIds: string[]): Promise<void> {
  if (leadIds.length === 0) return;
  const active = await deps.getModel();
  const now = deps.now();
  const due = await deps.db.prisma.$queryRawUnsafe<{ id: string }[]>(
    'SELECT id FROM lead WHERE id = ANY($1::text[]) AND next_decay_at <= $2::timestamptz',
    leadIds,
    new Date(now).toISOString(),
  );
  if (due.length === 0) return;
  const { outboxIds } = await withRetry(() =>
    deps.db.transaction(async (tx) => {
      const rows = await lockLeads(
        tx,
        due.map((d) => d.id),
        active.model,
      );
      return applyDue(tx, active, [...rows.values()], now, deps.alertWindowMs);
    }),
  );
  if (outboxIds.length > 0) deps.onOutbox?.(outboxIds);
}

/** One sweep: applies due decay to up to `limit` leads per transaction until none is due. */
export async function sweepDecay(deps: DecayDeps, limit = 500): Promise<number> {
  const active = await deps.getModel();
  let total = 0;
  for (;;) {
    const now = deps.now();
    const { outboxIds, updated, seen } = await withRetry(() =>
      deps.db.transaction(async (tx) => {
        const rows = await lockDueLeads(tx, now, limit, active.model);
        const r = await applyDue(tx, active, rows, now, deps.alertWindowMs);
        return { ...r, seen: rows.length };
      }),
    );
    total += updated;
    if (outboxIds.length > 0) deps.onOutbox?.(outboxIds);
    if (seen < limit) return total;
  }
}
