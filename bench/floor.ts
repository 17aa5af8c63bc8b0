/**
 * The floor for the ingestion benchmark: the rows Hotlead's ingestion wrote (events,
 * identities, trace entries, lead upserts, stage history, BANT answers, outbox), copied out
 * of the benchmarked database and written again to a fresh one by raw batched `pg`
 * statements — one transaction per 500-event batch, no reads, no logic.
 */
import pg from 'pg';
import type { WorkloadEvent } from './workload.ts';

interface TableSpec {
  table: string;
  columns: string[];
  /** Postgres array type per column for unnest. */
  types: string[];
  suffix?: string;
}

const TABLES: Record<string, TableSpec> = {
  lead: {
    table: 'lead',
    columns: [
      'id',
      'name',
      'company',
      'title',
      'company_size',
      'industry',
      'city',
      'stage',
      'score',
      'fit_score',
      'engagement_score',
      'fast_tracked',
      'state',
      'model_version',
      'revision',
      'trace_seq',
      'next_decay_at',
      'last_activity_at',
      'first_touch_at',
      'source',
      'do_not_email',
      'do_not_contact',
      'merged_into_id',
    ],
    types: [
      'text',
      'text',
      'text',
      'text',
      'int',
      'text',
      'text',
      '"Stage"',
      'int',
      'int',
      'int',
      'bool',
      'json',
      'text',
      'int',
      'int',
      'timestamptz',
      'timestamptz',
      'timestamptz',
      'text',
      'bool',
      'bool',
      'text',
    ],
    suffix:
      'ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, score = EXCLUDED.score, stage = EXCLUDED.stage, trace_seq = EXCLUDED.trace_seq, updated_at = now()',
  },
  lead_identity: {
    table: 'lead_identity',
    columns: ['id', 'lead_id', 'kind', 'value'],
    types: ['text', 'text', '"IdentityKind"', 'text'],
  },
  event: {
    table: 'event',
    columns: ['id', 'key', 'lead_id', 'type', 'occurred_at', 'payload', 'source'],
    types: ['text', 'text', 'text', 'text', 'timestamptz', 'json', 'text'],
  },
  score_trace: {
    table: 'score_trace',
    columns: [
      'lead_id',
      'seq',
      'revision',
      'rule_id',
      'model_version',
      'category',
      'points',
      'fit_delta',
      'engagement_delta',
      'score_before',
      'score_after',
      'reason',
      'reason_vi',
      'event_id',
      'at',
    ],
    types: [
      'text',
      'int',
      'int',
      'text',
      'text',
      'text',
      'int',
      'int',
      'int',
      'int',
      'int',
      'text',
      'text',
      'text',
      'timestamptz',
    ],
  },
  stage_change: {
    table: 'stage_change',
    columns: ['id', 'lead_id', 'from_stage', 'to_stage', 'at', 'reason', 'reason_vi', 'event_id', 'alerted'],
    types: ['text', 'text', '"Stage"', '"Stage"', 'timestamptz', 'text', 'text', 'text', 'bool'],
  },
  bant_answer: {
    table: 'bant_answer',
    columns: [
      'id',
      'lead_id',
      'field',
      'value',
      'raw_text',
      'source',
      'confidence',
      'event_id',
      'answered_at',
    ],
    types: ['text', 'text', 'text', 'jsonb', 'text', 'text', 'float8', 'text', 'timestamptz'],
  },
  outbox: {
    table: 'outbox',
    columns: ['id', 'kind', 'dedupe_key', 'lead_id', 'payload', 'available_at'],
    types: ['text', 'text', 'text', 'text', 'jsonb', 'timestamptz'],
  },
};

type Row = Record<string, unknown>;

export async function writeFloor(opts: {
  sourceUrl: string;
  targetUrl: string;
  events: WorkloadEvent[];
  batch: number;
  migrateTarget: (url: string) => Promise<void>;
}): Promise<{ eventsPerSec: number; rows: number }> {
  const src = new pg.Client({ connectionString: opts.sourceUrl });
  await src.connect();
  const dump: Record<string, Row[]> = {};
  for (const spec of Object.values(TABLES)) {
    dump[spec.table] = (
      await src.query(`SELECT ${spec.columns.map((c) => `"${c}"`).join(', ')} FROM "${spec.table}"`)
    ).rows;
  }
  await src.end();

  // Which batch each stored event belongs to (by its key's position in the stream).
  const batchOfKey = new Map<string, number>();
  opts.events.forEach((e, i) => {
    if (!batchOfKey.has(e.id)) batchOfKey.set(e.id, Math.floor(i / opts.batch));
  });
  const batches = Math.ceil(opts.events.length / opts.batch);
  const perBatch: Record<string, Row[]>[] = Array.from({ length: batches }, () =>
    Object.fromEntries(Object.keys(TABLES).map((t) => [t, [] as Row[]])),
  );
  const batchOfEvent = new Map<string, number>();
  const leadsOfBatch: Set<string>[] = Array.from({ length: batches }, () => new Set());
  const firstBatchOfLead = new Map<string, number>();
  for (const e of dump.event!) {
    const b = batchOfKey.get(e.key as string) ?? batches - 1;
    batchOfEvent.set(e.id as string, b);
    perBatch[b]!.event!.push(e);
    leadsOfBatch[b]!.add(e.lead_id as string);
    const prev = firstBatchOfLead.get(e.lead_id as string);
    if (prev === undefined || b < prev) firstBatchOfLead.set(e.lead_id as string, b);
  }
  const byEvent = (table: string) => {
    for (const r of dump[table]!) {
      const fromEvent = typeof r.event_id === 'string' ? batchOfEvent.get(r.event_id) : undefined;
      const b = fromEvent ?? firstBatchOfLead.get(r.lead_id as string) ?? 0;
      perBatch[b]![table]!.push(r);
    }
  };
  byEvent('score_trace');
  byEvent('stage_change');
  byEvent('bant_answer');
  for (const table of ['lead_identity', 'outbox']) {
    for (const r of dump[table]!) perBatch[firstBatchOfLead.get(r.lead_id as string) ?? 0]![table]!.push(r);
  }
  const leadById = new Map(dump.lead!.map((l) => [l.id as string, l]));
  leadsOfBatch.forEach((ids, b) => {
    for (const id of ids) perBatch[b]!.lead!.push(leadById.get(id)!);
  });
  // Leads merged away are written in their first batch too.
  for (const l of dump.lead!) if (!firstBatchOfLead.has(l.id as string)) perBatch[0]!.lead!.push(l);

  await opts.migrateTarget(opts.targetUrl);
  const dst = new pg.Client({ connectionString: opts.targetUrl });
  await dst.connect();
  const statements = Object.values(TABLES).map((spec) => {
    const args = spec.types.map(
      (t, i) =>
        `$${i + 1}::${t === 'jsonb' || t === 'json' ? 'text' : t === '"Stage"' || t === '"IdentityKind"' ? 'text' : t}[]`,
    );
    const select = spec.columns.map((_, i) =>
      spec.types[i] === 'jsonb' || spec.types[i] === 'json' || spec.types[i]!.startsWith('"')
        ? `c${i}::${spec.types[i]}`
        : `c${i}`,
    );
    return {
      spec,
      sql: `INSERT INTO "${spec.table}" (${spec.columns.map((c) => `"${c}"`).join(', ')}) SELECT ${select.join(', ')} FROM unnest(${args.join(', ')}) AS u(${spec.columns.map((_, i) => `c${i}`).join(', ')}) ${spec.suffix ?? ''}`,
    };
  });
  // Parameters are prepared before the clock starts: the floor measures the writes only.
  const prepared = perBatch.map((tables) =>
    statements.map(({ spec, sql }) => ({
      sql,
      params: spec.columns.map((c, i) =>
        tables[spec.table]!.map((r) =>
          (spec.types[i] === 'jsonb' || spec.types[i] === 'json') && r[c] !== null
            ? JSON.stringify(r[c])
            : r[c],
        ),
      ),
      count: tables[spec.table]!.length,
    })),
  );
  let rows = 0;
  const perTable = new Map<string, number>();
  const t0 = performance.now();
  for (const batch of prepared) {
    await dst.query('BEGIN');
    for (const [k, s] of batch.entries()) {
      if (s.count === 0) continue;
      const ts = performance.now();
      await dst.query(s.sql, s.params);
      const name = statements[k]!.spec.table;
      perTable.set(name, (perTable.get(name) ?? 0) + performance.now() - ts);
      rows += s.count;
    }
    await dst.query('COMMIT');
  }
  if (process.env.BENCH_DEBUG)
    console.error(Object.fromEntries([...perTable].map(([k, v]) => [k, Math.round(v)])));
  const elapsed = performance.now() - t0;
  await dst.end();
  return { eventsPerSec: Math.round(opts.events.length / (elapsed / 1000)), rows };
}
