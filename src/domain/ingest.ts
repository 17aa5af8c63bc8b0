/**
 * Ingestion: a batch of inbound events → validated → identities resolved (merging leads that
 * one event proves are the same person) → scored in memory by the pure core → written
 * set-based in ONE transaction (events, identities, trace, lead state, stage history, BANT
 * answers, outbox). A rejected item stores nothing; duplicates (same idempotency key) change
 * nothing. Conflicts with a concurrent batch roll the whole batch back and retry it.
 */
import { type Column, insertMany, run, type Tx, updateRows } from '../db/bulk.ts';
import type { Database } from '../db/client.ts';
import type { ErrorDetail } from '../errors/app-error.ts';
import {
  applyEventsInPlace,
  initialState,
  isLate,
  nextDecayAt,
  rederive,
  type ScoringModel,
  sortEvents,
} from '../scoring/index.ts';
import type { ApplyResult, LeadState, ScoringEvent, TraceEntryDraft } from '../scoring/types.ts';
import { type IdentityRef, type InboundEvent, validateEvent } from './event-input.ts';
import { newId } from './ids.ts';
import {
  type LeadOutcome,
  type LeadRow,
  loadHistory,
  lockLeads,
  lockLeadsAfterKeys,
  outcomeWrites,
  type PersistSummary,
  type StoredEventPayload,
} from './lead-store.ts';
import type { ActiveModel } from './model-store.ts';
import { withRetry } from './retry.ts';

export type IngestStatus = 'accepted' | 'duplicate' | 'rejected';
export interface IngestItemResult {
  index: number;
  id?: string;
  status: IngestStatus;
  leadId?: string;
  errors?: ErrorDetail[];
}

export interface IngestDeps {
  db: Database;
  getModel: () => Promise<ActiveModel>;
  alertWindowMs: number;
  now: () => number;
  /** Called after commit with the new outbox rows (to wake the dispatcher). */
  onOutbox?: (outboxIds: string[]) => void;
}

export interface IngestOptions {
  /** Where the events came from (api, import, zalo, slack…): recorded on events and new leads. */
  source: string;
}

export async function ingestEvents(
  deps: IngestDeps,
  items: unknown[],
  opts: IngestOptions,
): Promise<IngestItemResult[]> {
  const active = await deps.getModel();
  const now = deps.now();
  const knownTypes = active.model.eventTypes;
  const results: IngestItemResult[] = [];
  const valid: { index: number; event: InboundEvent }[] = [];
  items.forEach((raw, index) => {
    const v = validateEvent(raw, { now, knownTypes });
    const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : undefined;
    if (v.ok) valid.push({ index, event: v.event });
    else results[index] = { index, ...(id ? { id } : {}), status: 'rejected', errors: v.errors };
  });
  if (valid.length > 0) {
    const { itemResults, summary } = await withRetry(() =>
      deps.db.transaction((tx) => ingestValid(tx, active, valid, now, deps.alertWindowMs, opts)),
    );
    for (const r of itemResults) results[r.index] = r;
    if (summary.outboxIds.length > 0) deps.onOutbox?.(summary.outboxIds);
  }
  return results;
}

const identityKey = (i: IdentityRef) => `${i.kind}:${i.value}`;

interface PlannedEvent {
  index: number;
  event: InboundEvent;
  id: string;
  /** Lead chosen during resolution; follow `merged` to the final one. */
  leadId: string;
}

async function ingestValid(
  tx: Tx,
  active: ActiveModel,
  valid: { index: number; event: InboundEvent }[],
  now: number,
  alertWindowMs: number,
  opts: IngestOptions,
): Promise<{ itemResults: IngestItemResult[]; summary: PersistSummary }> {
  const itemResults: IngestItemResult[] = [];

  // 1. Idempotency: keys seen before (or twice in this batch) are duplicates.
  // One round trip: which keys were seen before, and which leads own the batch's identities.
  const keys = valid.map((v) => v.event.key);
  const allIdentities = uniqueIdentities(valid.flatMap((v) => v.event.identities));
  const { seen, owners } = await lookupKeysAndIdentities(tx, keys, allIdentities);
  const seenKeys = new Map(seen);
  const fresh: { index: number; event: InboundEvent }[] = [];
  for (const v of valid) {
    const prior = seenKeys.get(v.event.key);
    if (prior !== undefined) {
      itemResults.push({
        index: v.index,
        id: v.event.key,
        status: 'duplicate',
        ...(prior ? { leadId: prior } : {}),
      });
    } else {
      seenKeys.set(v.event.key, '');
      fresh.push(v);
    }
  }
  if (fresh.length === 0) return { itemResults, summary: { outboxIds: [], crossings: 0 } };

  // 2. Lock the owning leads (id order: concurrent batches cannot deadlock). A lead merged away
  // by a concurrent batch shows merged_into_id once locked: follow it to the survivor.
  const leads = await claimIdentitiesAndLockLeads(tx, allIdentities, owners, active.model);
  for (let hops = 0; hops < 5; hops++) {
    let forwarded = false;
    for (const [k, leadId] of owners) {
      const target = leads.get(leadId)?.mergedIntoId;
      if (target) {
        owners.set(k, target);
        forwarded = true;
      }
    }
    if (!forwarded) break;
    const missing = [...new Set(owners.values())].filter((id) => !leads.has(id));
    for (const [id, row] of await lockLeads(tx, missing, active.model)) leads.set(id, row);
  }

  // 3. Resolve each event to a lead, merging when one event names identities of several leads.
  const merged = new Map<string, string>(); // loser → winner
  const find = (id: string): string => {
    let cur = id;
    for (let next = merged.get(cur); next !== undefined; next = merged.get(cur)) cur = next;
    return cur;
  };
  const createdAt = new Map<string, number>();
  for (const [id, row] of leads) createdAt.set(id, row.createdAt);
  const mergeReasons = new Map<string, string[]>(); // winner → descriptions
  const newIdentities: { identity: IdentityRef; leadId: string }[] = [];
  const planned: PlannedEvent[] = [];
  let creationSeq = 0;
  for (const f of fresh) {
    const leadIds = [
      ...new Set(
        f.event.identities
          .map((i) => owners.get(identityKey(i)))
          .filter((x): x is string => x !== undefined)
          .map(find),
      ),
    ];
    let leadId: string;
    if (leadIds.length === 0) {
      leadId = newId('ld');
      createdAt.set(leadId, now + creationSeq++ / 1000);
    } else {
      leadIds.sort((a, b) => (createdAt.get(a) ?? 0) - (createdAt.get(b) ?? 0) || (a < b ? -1 : 1));
      leadId = leadIds[0]!;
      for (const loser of leadIds.slice(1)) {
        merged.set(loser, leadId);
        const why = f.event.identities.map(identityKey).join(', ');
        mergeReasons.set(leadId, [...(mergeReasons.get(leadId) ?? []), `${loser} (${why})`]);
      }
    }
    for (const identity of f.event.identities) {
      const k = identityKey(identity);
      if (!owners.has(k)) {
        owners.set(k, leadId);
        newIdentities.push({ identity, leadId });
      }
    }
    planned.push({ index: f.index, event: f.event, id: newId('ev'), leadId });
  }

  // 4. Group by final lead; load stored history where a re-derivation is needed.
  const groups = new Map<string, PlannedEvent[]>();
  for (const p of planned) {
    p.leadId = find(p.leadId);
    const g = groups.get(p.leadId) ?? [];
    g.push(p);
    groups.set(p.leadId, g);
  }
  const losersOf = new Map<string, string[]>();
  for (const loser of merged.keys()) {
    if (!leads.has(loser)) continue; // created and merged inside this batch: nothing stored
    const w = find(loser);
    losersOf.set(w, [...(losersOf.get(w) ?? []), loser]);
  }
  const model = active.model;
  const needsHistory: string[] = [];
  const plans = new Map<string, { events: ScoringEvent[]; rederive: boolean }>();
  for (const [leadId, group] of groups) {
    const events = sortEvents(group.map((p) => toScoringEvent(p, opts)));
    const row = leads.get(leadId);
    const losers = losersOf.get(leadId) ?? [];
    const rederiveNeeded =
      row !== undefined &&
      (losers.length > 0 ||
        row.state.modelVersion !== active.version ||
        events.some((e) => isLate(row.state, e)));
    if (rederiveNeeded) needsHistory.push(leadId, ...losers);
    plans.set(leadId, { events, rederive: rederiveNeeded });
  }
  const history = await loadHistory(tx, needsHistory);

  // 5. Rows of merged-away leads move to their survivor. The batch's events, new identities and
  // BANT answers do not depend on scoring: they are sent now, and Postgres writes them while the
  // batch is scored (their foreign keys to the batch's new leads are checked at commit). A
  // failure (a concurrent batch took a key) surfaces at the await below and rolls back the batch.
  if (losersOf.size > 0) await moveMergedRows(tx, losersOf);
  const early = insertMany(tx, [
    {
      table: 'lead_identity',
      columns: IDENTITY_COLUMNS,
      rows: newIdentities.map((n) => [newId('id'), find(n.leadId), n.identity.kind, n.identity.value]),
    },
    {
      table: 'event',
      columns: EVENT_COLUMNS,
      rows: planned.map((p) => [
        p.id,
        p.event.key,
        p.leadId,
        p.event.type,
        new Date(p.event.occurredAt).toISOString(),
        storedPayload(p.event, opts),
        opts.source,
      ]),
    },
    { table: 'bant_answer', columns: BANT_COLUMNS, rows: planned.flatMap((p) => bantRows(p, opts)) },
  ]);
  early.catch(() => {}); // handled where it is awaited

  // 6. Score.
  const outcomes: LeadOutcome[] = [];
  for (const [leadId, plan] of plans) {
    const row = leads.get(leadId) ?? null;
    const firstEventAt = plan.events[0]?.occurredAt ?? now;
    const firstTouchAt = row?.firstTouchAt != null ? Math.min(row.firstTouchAt, firstEventAt) : firstEventAt;
    let result: ApplyResult;
    if (row && plan.rederive) {
      const losers = losersOf.get(leadId) ?? [];
      const all = sortEvents([
        ...(history.get(leadId) ?? []),
        ...losers.flatMap((l) => history.get(l) ?? []),
        ...plan.events,
      ]);
      const reasons = mergeReasons.get(leadId);
      const cause =
        losers.length > 0
          ? {
              ruleId: 'merge' as const,
              reason: {
                en: `Merged with ${reasons?.join('; ') ?? losers.join(', ')}: score re-derived from the joint history`,
                vi: `Gộp với ${reasons?.join('; ') ?? losers.join(', ')}: điểm được tính lại từ toàn bộ lịch sử`,
              },
            }
          : row.state.modelVersion !== active.version
            ? {
                ruleId: 'rederive' as const,
                reason: {
                  en: `Re-scored under model ${active.version}`,
                  vi: `Tính lại điểm theo mô hình ${active.version}`,
                },
              }
            : {
                ruleId: 'rederive' as const,
                reason: {
                  en: 'A late event arrived: history re-derived in time order',
                  vi: 'Có sự kiện đến muộn: tính lại lịch sử theo thứ tự thời gian',
                },
              };
      result = rederive(model, row.state, all, now, cause);
    } else {
      // The row's state was decoded for this batch and is not used again: applied in place.
      result = applyEventsInPlace(model, row?.state ?? initialState(model), plan.events, now);
    }
    outcomes.push({
      leadId,
      prev: row,
      result,
      rederived: row !== null && plan.rederive,
      nextDecayAt: nextDecayAt(model, result.state),
      firstTouchAt,
      source: row?.source ?? opts.source,
    });
  }
  for (const [winner, losers] of losersOf) {
    for (const loser of losers)
      outcomes.push(mergedAwayOutcome(leads.get(loser)!, winner, now, active.version));
  }

  // 7. Write leads, trace, stage history and outbox, set-based, in one statement. It is built
  // while Postgres is still writing the early rows and queued behind them on the connection; if
  // the early write fails, its error (not the aborted transaction's) is the one raised.
  const { statement, summary } = outcomeWrites(outcomes, { now, alertWindowMs, model });
  await Promise.all([early, run(tx, statement)]);
  for (const p of planned)
    itemResults.push({ index: p.index, id: p.event.key, status: 'accepted', leadId: p.leadId });
  return { itemResults, summary };
}

const IDENTITY_COLUMNS: Column[] = [
  { name: 'id', type: 'text' },
  { name: 'lead_id', type: 'text' },
  { name: 'kind', type: '"IdentityKind"' },
  { name: 'value', type: 'text' },
];
const EVENT_COLUMNS: Column[] = [
  { name: 'id', type: 'text' },
  { name: 'key', type: 'text' },
  { name: 'lead_id', type: 'text' },
  { name: 'type', type: 'text' },
  { name: 'occurred_at', type: 'timestamptz' },
  { name: 'payload', type: 'json' },
  { name: 'source', type: 'text' },
];
const BANT_COLUMNS: Column[] = [
  { name: 'id', type: 'text' },
  { name: 'lead_id', type: 'text' },
  { name: 'field', type: 'text' },
  { name: 'value', type: 'jsonb' },
  { name: 'raw_text', type: 'text' },
  { name: 'source', type: 'text' },
  { name: 'confidence', type: 'float8' },
  { name: 'event_id', type: 'text' },
  { name: 'answered_at', type: 'timestamptz' },
];

function storedPayload(e: InboundEvent, opts: IngestOptions): StoredEventPayload {
  return {
    properties: e.properties,
    lead: e.lead,
    ...(e.bant ? { bant: e.bant } : {}),
    actor: typeof e.properties.actor === 'string' ? e.properties.actor : opts.source,
  };
}

function toScoringEvent(p: PlannedEvent, opts: IngestOptions): ScoringEvent {
  const stored = storedPayload(p.event, opts);
  return {
    id: p.id,
    key: p.event.key,
    type: p.event.type,
    occurredAt: p.event.occurredAt,
    properties: stored.properties,
    ...(stored.lead ? { lead: stored.lead } : {}),
    ...(stored.bant ? { bant: stored.bant } : {}),
    ...(stored.actor ? { actor: stored.actor } : {}),
  };
}

function bantRows(p: PlannedEvent, opts: IngestOptions): unknown[][] {
  const bant = p.event.bant;
  if (!bant) return [];
  const props = p.event.properties;
  const source = typeof props.source === 'string' ? props.source : opts.source;
  const given = typeof props.confidence === 'number' ? props.confidence : undefined;
  return (Object.keys(bant) as (keyof typeof bant)[]).map((field) => {
    const raw = p.event.bantRaw?.[field];
    // Parsed free text is a little less certain than a typed value.
    const confidence = given ?? (raw ? 0.9 : 1);
    return [
      newId('ba'),
      p.leadId,
      field,
      bant[field],
      raw ?? null,
      source,
      confidence,
      p.id,
      new Date(p.event.occurredAt).toISOString(),
    ];
  });
}

/** The merged-away lead keeps its rows as history; its score goes to zero in its own trace. */
function mergedAwayOutcome(row: LeadRow, winner: string, now: number, version: string): LeadOutcome {
  const s = row.state;
  const entry: TraceEntryDraft = {
    ruleId: 'merge',
    modelVersion: version,
    category: 'merge',
    points: -s.score,
    fitDelta: -s.fit,
    engagementDelta: -s.engagement,
    scoreBefore: s.score,
    scoreAfter: 0,
    reason: { en: `Merged into ${winner}`, vi: `Đã gộp vào ${winner}` },
    at: now,
  };
  const state: LeadState = {
    ...s,
    score: 0,
    fit: 0,
    engagement: 0,
    awards: [],
    nextExpiryAt: null,
    fits: [],
  };
  return {
    leadId: row.id,
    prev: row,
    result: { state, trace: [entry], stageChanges: [] },
    rederived: false,
    nextDecayAt: null,
    firstTouchAt: row.firstTouchAt,
    source: row.source,
    mergedIntoId: winner,
  };
}

async function moveMergedRows(tx: Tx, losersOf: Map<string, string[]>): Promise<void> {
  const pairs = [...losersOf].flatMap(([winner, losers]) => losers.map((l) => [l, winner]));
  const key: Column = { name: 'lead_id', type: 'text' };
  const to: Column[] = [{ name: 'lead_id', type: 'text' }];
  for (const table of ['lead_identity', 'event', 'bant_answer', 'assignment']) {
    await updateRows(tx, table, key, to, pairs);
  }
}

function uniqueIdentities(list: IdentityRef[]): IdentityRef[] {
  const seen = new Map<string, IdentityRef>();
  for (const i of list) seen.set(identityKey(i), i);
  return [...seen.values()];
}

/** Advisory-lock namespace of identity buckets (any constant unlikely to clash with others). */
const IDENTITY_LOCK_SPACE = 0x484c; // "HL"
const IDENTITY_BUCKETS = 4096;

function identityBucket(key: string): number {
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % IDENTITY_BUCKETS;
}

/**
 * Identities this batch is about to create are locked (by hash bucket, in bucket order, before
 * any lead lock, so two batches cannot deadlock), then the leads that own the batch's known
 * identities are locked, in one round trip. When a concurrent batch held one of the buckets, it
 * has committed by then: the new identities are looked up again and a person it just created is
 * joined to its lead instead of getting a second one. Without this, concurrent imports of new
 * leads would keep colliding on the identity's unique key. (An identity committed in the instant
 * between the first lookup and the locks is caught by that unique key: the batch is retried.)
 */
async function claimIdentitiesAndLockLeads(
  tx: Tx,
  identities: IdentityRef[],
  owners: Map<string, string>,
  model: ScoringModel,
): Promise<Map<string, LeadRow>> {
  const unknown = identities.filter((i) => !owners.has(identityKey(i)));
  const buckets = [...new Set(unknown.map((i) => identityBucket(identityKey(i))))].sort((a, b) => a - b);
  const { leads, waited } = await lockLeadsAfterKeys(tx, [...new Set(owners.values())], model, {
    space: IDENTITY_LOCK_SPACE,
    keys: buckets,
  });
  if (!waited) return leads;
  const { owners: found } = await lookupKeysAndIdentities(tx, [], unknown);
  for (const [k, leadId] of found) owners.set(k, leadId);
  const more = [...new Set(found.values())].filter((id) => !leads.has(id));
  for (const [id, row] of await lockLeads(tx, more, model)) leads.set(id, row);
  return leads;
}

async function lookupKeysAndIdentities(
  tx: Tx,
  keys: string[],
  identities: IdentityRef[],
): Promise<{ seen: [string, string][]; owners: Map<string, string> }> {
  const rows = await tx.query<{ t: string; k: string; lead_id: string }>(
    `SELECT 'e' AS t, key AS k, lead_id FROM event WHERE key = ANY($1::text[])
     UNION ALL
     SELECT 'i', i.kind::text || ':' || i.value, i.lead_id FROM lead_identity i
     JOIN unnest($2::text[], $3::text[]) AS q(kind, value) ON i.kind = q.kind::"IdentityKind" AND i.value = q.value`,
    [keys, identities.map((i) => i.kind), identities.map((i) => i.value)],
  );
  const seen: [string, string][] = [];
  const owners = new Map<string, string>();
  for (const r of rows) {
    if (r.t === 'e') seen.push([r.k, r.lead_id]);
    else owners.set(r.k, r.lead_id);
  }
  return { seen, owners };
}
