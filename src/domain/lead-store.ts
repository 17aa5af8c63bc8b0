/**
 * Loading leads for scoring and persisting what the pure core decided. Every write path
 * (ingestion, as-of-now reads, the decay sweep, rescore, merges) ends in `persistOutcomes`,
 * which writes the lead, its trace, its stage history and — for a recent new SQL crossing —
 * exactly one outbox row, all inside the caller's transaction.
 */
import { type Column, insertManyStatement, run, type Statement, type Tx } from '../db/bulk.ts';
import type { ScoringModel } from '../scoring/index.ts';
import type { ApplyResult, LeadState, ScoringEvent, Stage, TraceEntryDraft } from '../scoring/types.ts';
import { newId } from './ids.ts';
import { decodeState, encodeState } from './state-codec.ts';

export interface LeadRow {
  id: string;
  state: LeadState;
  revision: number;
  traceSeq: number;
  createdAt: number;
  firstTouchAt: number | null;
  source: string | null;
  ownerId: string | null;
  mergedIntoId: string | null;
}

interface RawLeadRow {
  id: string;
  state: LeadState | string;
  revision: number;
  trace_seq: number;
  created_at: Date;
  first_touch_at: Date | null;
  source: string | null;
  owner_id: string | null;
  merged_into_id: string | null;
}

const LEAD_COLUMNS =
  'id, state, revision, trace_seq, created_at, first_touch_at, source, owner_id, merged_into_id';

function toLeadRow(r: RawLeadRow, model: ScoringModel): LeadRow {
  return {
    id: r.id,
    state: decodeState(r.state, model),
    revision: r.revision,
    traceSeq: r.trace_seq,
    createdAt: new Date(r.created_at).getTime(),
    firstTouchAt: r.first_touch_at ? new Date(r.first_touch_at).getTime() : null,
    source: r.source,
    ownerId: r.owner_id,
    mergedIntoId: r.merged_into_id,
  };
}

/** Locks the leads (in id order, so concurrent batches cannot deadlock) and returns them. */
export async function lockLeads(tx: Tx, ids: string[], model: ScoringModel): Promise<Map<string, LeadRow>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.query<RawLeadRow>(
    `SELECT ${LEAD_COLUMNS} FROM lead WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, toLeadRow(r, model)]));
}

/**
 * Takes the transaction-level advisory locks `keys` in `space` one by one in the order given
 * (callers sort them, so two transactions cannot deadlock on them), then locks the leads as
 * `lockLeads` does: one round trip. `waited` is true when another transaction held one of the
 * keys, which means that transaction has ended by the time the leads are read.
 */
export async function lockLeadsAfterKeys(
  tx: Tx,
  ids: string[],
  model: ScoringModel,
  lock: { space: number; keys: number[] },
): Promise<{ leads: Map<string, LeadRow>; waited: boolean }> {
  // The leads' one-time filter reads `a`, so every key is held before the first lead is locked.
  const rows = await tx.query<RawLeadRow & { waited: boolean }>(
    `WITH a AS MATERIALIZED (
       SELECT coalesce(bool_or(CASE WHEN pg_try_advisory_xact_lock($2::int, k) THEN false
         ELSE (SELECT true FROM pg_advisory_xact_lock($2::int, k)) END), false) AS waited
       FROM unnest($3::int[]) AS k
     ), l AS (
       SELECT ${LEAD_COLUMNS} FROM lead
       WHERE id = ANY($1::text[]) AND (SELECT waited FROM a) IS NOT NULL ORDER BY id FOR UPDATE
     )
     SELECT a.waited, l.* FROM a LEFT JOIN l ON true`,
    [ids, lock.space, lock.keys],
  );
  const leads = new Map<string, LeadRow>();
  for (const r of rows) if (r.id !== null) leads.set(r.id, toLeadRow(r, model));
  return { leads, waited: rows[0]?.waited === true };
}

/** Leads whose decay is due, locked; rows another worker holds are skipped. */
export async function lockDueLeads(
  tx: Tx,
  now: number,
  limit: number,
  model: ScoringModel,
): Promise<LeadRow[]> {
  const rows = await tx.query<RawLeadRow>(
    `SELECT ${LEAD_COLUMNS} FROM lead
     WHERE next_decay_at <= $1::timestamptz AND merged_into_id IS NULL
     ORDER BY next_decay_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [new Date(now).toISOString(), limit],
  );
  return rows.map((r) => toLeadRow(r, model));
}

interface RawEventRow {
  id: string;
  key: string;
  lead_id: string;
  type: string;
  occurred_at: Date;
  payload: StoredEventPayload | string;
}

/** What is stored in event.payload: the event as the core sees it, minus id/key/type/time. */
export interface StoredEventPayload {
  properties: Record<string, unknown>;
  lead?: ScoringEvent['lead'];
  bant?: ScoringEvent['bant'];
  actor?: string;
}

export function toScoringEvent(r: RawEventRow): ScoringEvent & { leadId: string } {
  const p = typeof r.payload === 'string' ? (JSON.parse(r.payload) as StoredEventPayload) : r.payload;
  return {
    id: r.id,
    key: r.key,
    leadId: r.lead_id,
    type: r.type,
    occurredAt: new Date(r.occurred_at).getTime(),
    properties: p.properties ?? {},
    ...(p.lead ? { lead: p.lead } : {}),
    ...(p.bant ? { bant: p.bant } : {}),
    ...(p.actor ? { actor: p.actor } : {}),
  };
}

/** Full stored history of the given leads, grouped by lead. */
export async function loadHistory(tx: Tx, leadIds: string[]): Promise<Map<string, ScoringEvent[]>> {
  const out = new Map<string, ScoringEvent[]>();
  if (leadIds.length === 0) return out;
  const rows = await tx.query<RawEventRow>(
    'SELECT id, key, lead_id, type, occurred_at, payload FROM event WHERE lead_id = ANY($1::text[])',
    [leadIds],
  );
  for (const r of rows) {
    const e = toScoringEvent(r);
    const list = out.get(e.leadId) ?? [];
    list.push(e);
    out.set(e.leadId, list);
  }
  return out;
}

/** What the core decided for one lead, plus what the data layer needs to store it. */
export interface LeadOutcome {
  leadId: string;
  /** The lead's row before this change; null for a lead created now. */
  prev: LeadRow | null;
  result: ApplyResult;
  /** True when the result is a full re-derivation (new trace revision). */
  rederived: boolean;
  nextDecayAt: number | null;
  firstTouchAt: number | null;
  source: string | null;
  /** For a lead merged away: the lead it now lives in. */
  mergedIntoId?: string;
}

export interface PersistOptions {
  now: number;
  alertWindowMs: number;
  /** The model the states were derived under (their stored form keys rule slots by rule id). */
  model: ScoringModel;
}

export interface PersistSummary {
  outboxIds: string[];
  crossings: number;
}

const TRACE_COLUMNS: Column[] = [
  { name: 'lead_id', type: 'text' },
  { name: 'seq', type: 'int' },
  { name: 'revision', type: 'int' },
  { name: 'rule_id', type: 'text' },
  { name: 'model_version', type: 'text' },
  { name: 'category', type: 'text' },
  { name: 'points', type: 'int' },
  { name: 'fit_delta', type: 'int' },
  { name: 'engagement_delta', type: 'int' },
  { name: 'score_before', type: 'int' },
  { name: 'score_after', type: 'int' },
  { name: 'reason', type: 'text' },
  { name: 'reason_vi', type: 'text' },
  { name: 'event_id', type: 'text' },
  { name: 'at', type: 'timestamptz' },
];

const STAGE_COLUMNS: Column[] = [
  { name: 'id', type: 'text' },
  { name: 'lead_id', type: 'text' },
  { name: 'from_stage', type: '"Stage"' },
  { name: 'to_stage', type: '"Stage"' },
  { name: 'at', type: 'timestamptz' },
  { name: 'reason', type: 'text' },
  { name: 'reason_vi', type: 'text' },
  { name: 'event_id', type: 'text' },
  { name: 'alerted', type: 'bool' },
];

const OUTBOX_COLUMNS: Column[] = [
  { name: 'id', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'dedupe_key', type: 'text' },
  { name: 'lead_id', type: 'text' },
  { name: 'payload', type: 'jsonb' },
  // The domain clock, which the dispatcher compares it with — never the database's now().
  { name: 'available_at', type: 'timestamptz' },
];

const LEAD_UPSERT_COLUMNS: Column[] = [
  { name: 'id', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'company', type: 'text' },
  { name: 'title', type: 'text' },
  { name: 'company_size', type: 'int' },
  { name: 'industry', type: 'text' },
  { name: 'city', type: 'text' },
  { name: 'stage', type: '"Stage"' },
  { name: 'score', type: 'int' },
  { name: 'fit_score', type: 'int' },
  { name: 'engagement_score', type: 'int' },
  { name: 'fast_tracked', type: 'bool' },
  { name: 'state', type: 'json' },
  { name: 'model_version', type: 'text' },
  { name: 'revision', type: 'int' },
  { name: 'trace_seq', type: 'int' },
  { name: 'next_decay_at', type: 'timestamptz' },
  { name: 'last_activity_at', type: 'timestamptz' },
  { name: 'first_touch_at', type: 'timestamptz' },
  { name: 'source', type: 'text' },
  { name: 'do_not_email', type: 'bool' },
  { name: 'do_not_contact', type: 'bool' },
  { name: 'merged_into_id', type: 'text' },
];
const LEAD_UPSERT_SUFFIX = `ON CONFLICT (id) DO UPDATE SET ${LEAD_UPSERT_COLUMNS.slice(1)
  .map((c) => `"${c.name}" = EXCLUDED."${c.name}"`)
  .join(', ')}, updated_at = now()`;

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

/** Writes leads, trace, stage history and outbox rows for a set of outcomes, set-based. */
export async function persistOutcomes(
  tx: Tx,
  outcomes: LeadOutcome[],
  opts: PersistOptions,
): Promise<PersistSummary> {
  const writes = outcomeWrites(outcomes, opts);
  await run(tx, writes.statement);
  return writes.summary;
}

/**
 * The one statement that `persistOutcomes` sends, built without sending it: ingestion builds it
 * while Postgres is still writing the batch's events.
 */
export function outcomeWrites(
  outcomes: LeadOutcome[],
  opts: PersistOptions,
): { statement: Statement | null; summary: PersistSummary } {
  const leadRows: unknown[][] = [];
  const traceRows: unknown[][] = [];
  const stageRows: unknown[][] = [];
  const outboxRows: unknown[][] = [];
  const outboxIds: string[] = [];
  const alertFrom = opts.now - opts.alertWindowMs;

  for (const o of outcomes) {
    const revision = (o.prev?.revision ?? 0) + (o.rederived ? 1 : 0);
    let seq = o.prev?.traceSeq ?? 0;
    for (const t of o.result.trace) {
      seq += 1;
      traceRows.push(traceRow(o.leadId, seq, revision, t));
    }
    for (const s of o.result.stageChanges) {
      const id = newId('sc');
      const crossing = s.to === 'SQL' && s.from !== 'SQL';
      const alerted = crossing && s.at >= alertFrom && !o.mergedIntoId;
      stageRows.push([
        id,
        o.leadId,
        s.from,
        s.to,
        iso(s.at),
        s.reason.en,
        s.reason.vi,
        s.eventId ?? null,
        alerted,
      ]);
      if (alerted) {
        const outboxId = newId('ob');
        outboxIds.push(outboxId);
        outboxRows.push([
          outboxId,
          'lead.sql',
          `lead.sql:${id}`,
          o.leadId,
          { leadId: o.leadId, stageChangeId: id, at: s.at },
          iso(opts.now),
        ]);
      }
    }
    const st = o.result.state;
    const a = st.attributes;
    leadRows.push([
      o.leadId,
      a.name,
      a.company,
      a.title,
      a.companySize,
      a.industry,
      a.city,
      st.stage,
      st.score,
      st.fit,
      st.engagement,
      st.fastTracked,
      encodeState(st, opts.model),
      st.modelVersion,
      revision,
      seq,
      iso(o.nextDecayAt),
      iso(st.lastActivityAt),
      iso(o.firstTouchAt),
      o.source,
      st.doNotEmail,
      st.doNotContact,
      o.mergedIntoId ?? o.prev?.mergedIntoId ?? null,
    ]);
  }
  const statement = insertManyStatement([
    { table: 'lead', columns: LEAD_UPSERT_COLUMNS, rows: leadRows, suffix: LEAD_UPSERT_SUFFIX },
    { table: 'score_trace', columns: TRACE_COLUMNS, rows: traceRows },
    { table: 'stage_change', columns: STAGE_COLUMNS, rows: stageRows },
    {
      table: 'outbox',
      columns: OUTBOX_COLUMNS,
      rows: outboxRows,
      suffix: 'ON CONFLICT (dedupe_key) DO NOTHING',
    },
  ]);
  return { statement, summary: { outboxIds, crossings: outboxIds.length } };
}

function traceRow(leadId: string, seq: number, revision: number, t: TraceEntryDraft): unknown[] {
  return [
    leadId,
    seq,
    revision,
    t.ruleId,
    t.modelVersion,
    t.category,
    t.points,
    t.fitDelta,
    t.engagementDelta,
    t.scoreBefore,
    t.scoreAfter,
    t.reason.en,
    t.reason.vi,
    t.eventId ?? null,
    iso(t.at),
  ];
}

/** The stage a lead row shows (used by list queries that skip merged leads). */
export type { Stage };
