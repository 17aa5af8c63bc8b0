/**
 * Rescore: replay every lead's full history under a model version. `dryRun` reports the leads
 * whose stage would change and writes nothing.
 */
import type { Database } from '../db/client.ts';
import { nextDecayAt, rederive, sortEvents } from '../scoring/index.ts';
import type { Stage } from '../scoring/types.ts';
import { type LeadOutcome, loadHistory, lockLeads, persistOutcomes } from './lead-store.ts';
import type { ActiveModel } from './model-store.ts';
import { withRetry } from './retry.ts';

export interface RescoreChange {
  leadId: string;
  name: string | null;
  fromStage: Stage;
  toStage: Stage;
  fromScore: number;
  toScore: number;
}

export interface RescoreReport {
  modelVersion: string;
  dryRun: boolean;
  leads: number;
  stageChanges: RescoreChange[];
  scoreChanges: number;
}

export async function rescoreAll(
  deps: { db: Database; now: () => number; alertWindowMs: number; onOutbox?: (ids: string[]) => void },
  active: ActiveModel,
  opts: { dryRun: boolean; batchSize?: number },
): Promise<RescoreReport> {
  const report: RescoreReport = {
    modelVersion: active.version,
    dryRun: opts.dryRun,
    leads: 0,
    stageChanges: [],
    scoreChanges: 0,
  };
  const batchSize = opts.batchSize ?? 200;
  let after = '';
  for (;;) {
    const ids = (
      await deps.db.prisma.lead.findMany({
        where: { mergedIntoId: null, id: { gt: after } },
        orderBy: { id: 'asc' },
        take: batchSize,
        select: { id: true },
      })
    ).map((r) => r.id);
    if (ids.length === 0) return report;
    after = ids[ids.length - 1]!;
    const batch = await withRetry(() =>
      deps.db.transaction(async (tx) => {
        const now = deps.now();
        const stageChanges: RescoreChange[] = [];
        let scoreChanges = 0;
        const rows = await lockLeads(tx, ids, active.model);
        const history = await loadHistory(tx, ids);
        const outcomes: LeadOutcome[] = [];
        for (const row of rows.values()) {
          const result = rederive(active.model, row.state, sortEvents(history.get(row.id) ?? []), now, {
            ruleId: 'rederive',
            reason: {
              en: `Re-scored under model ${active.version}`,
              vi: `Tính lại điểm theo mô hình ${active.version}`,
            },
          });
          const s = result.state;
          if (s.score !== row.state.score) scoreChanges++;
          if (s.stage !== row.state.stage) {
            stageChanges.push({
              leadId: row.id,
              name: s.attributes.name ?? null,
              fromStage: row.state.stage,
              toStage: s.stage,
              fromScore: row.state.score,
              toScore: s.score,
            });
          }
          outcomes.push({
            leadId: row.id,
            prev: row,
            result,
            rederived: true,
            nextDecayAt: nextDecayAt(active.model, s),
            firstTouchAt: row.firstTouchAt,
            source: row.source,
          });
        }
        const counts = { leads: outcomes.length, stageChanges, scoreChanges };
        if (opts.dryRun) return { ...counts, outboxIds: [] as string[] };
        const summary = await persistOutcomes(tx, outcomes, {
          now,
          alertWindowMs: deps.alertWindowMs,
          model: active.model,
        });
        return { ...counts, outboxIds: summary.outboxIds };
      }),
    );
    // Counted only once the batch committed (a retried batch is not counted twice).
    report.leads += batch.leads;
    report.scoreChanges += batch.scoreChanges;
    report.stageChanges.push(...batch.stageChanges);
    if (batch.outboxIds.length > 0) deps.onOutbox?.(batch.outboxIds);
  }
}
