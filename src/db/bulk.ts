/**
 * Set-based writes: one statement per table per batch, rows passed as parallel arrays through
 * `unnest` (one round trip however many rows). Used by ingestion, decay and rescore, so every
 * write path shares the same statements.
 */
import type { Prisma } from '../generated/prisma/client.ts';

export type Tx = Prisma.TransactionClient;

export interface Column {
  name: string;
  /** Postgres type of the array parameter (text, int, bool, float8) … */
  type: string;
  /** … and an optional cast applied to each element in the SELECT (e.g. jsonb, timestamptz, "Stage"). */
  cast?: string;
}

export interface InsertPart {
  table: string;
  columns: Column[];
  rows: unknown[][];
  /** e.g. ON CONFLICT … */
  suffix?: string;
}

/** The INSERT of one part, its parameters numbered from `first`. */
function insertSql(part: InsertPart, first: number): { sql: string; params: unknown[][] } {
  const { table, columns, rows, suffix = '' } = part;
  const params = columns.map((_, c) => rows.map((r) => r[c] ?? null));
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const unnestArgs = columns.map((c, i) => `$${first + i}::${c.type}[]`).join(', ');
  const alias = columns.map((_, i) => `c${i}`).join(', ');
  const select = columns.map((c, i) => (c.cast ? `c${i}::${c.cast}` : `c${i}`)).join(', ');
  return {
    sql: `INSERT INTO "${table}" (${names}) SELECT ${select} FROM unnest(${unnestArgs}) AS u(${alias}) ${suffix}`,
    params,
  };
}

export async function insertRows(
  tx: Tx,
  table: string,
  columns: Column[],
  rows: unknown[][],
  suffix = '',
): Promise<number> {
  if (rows.length === 0) return 0;
  const { sql, params } = insertSql({ table, columns, rows, suffix }, 1);
  return tx.$executeRawUnsafe(sql, ...params);
}

/**
 * Several inserts in ONE statement (data-modifying CTEs): one round trip for a whole batch.
 * Foreign keys are checked at the end of the statement, so a row may reference a row that
 * another part of the same statement inserts.
 */
export async function insertMany(tx: Tx, parts: InsertPart[]): Promise<void> {
  const live = parts.filter((p) => p.rows.length > 0);
  if (live.length === 0) return;
  const ctes: string[] = [];
  const params: unknown[] = [];
  for (const [i, part] of live.entries()) {
    const q = insertSql(part, params.length + 1);
    params.push(...q.params);
    ctes.push(`w${i} AS (${q.sql} RETURNING 1)`);
  }
  await tx.$executeRawUnsafe(`WITH ${ctes.join(',\n')} SELECT 1`, ...params);
}

/** `UPDATE table SET col = m.col FROM unnest(...) m WHERE table.keyColumn = m.key` in one statement. */
export async function updateRows(
  tx: Tx,
  table: string,
  key: Column,
  columns: Column[],
  rows: unknown[][],
  extraSet = '',
): Promise<number> {
  if (rows.length === 0) return 0;
  const all = [key, ...columns];
  const params = all.map((_, c) => rows.map((r) => r[c] ?? null));
  const unnestArgs = all.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const alias = all.map((_, i) => `c${i}`).join(', ');
  const sets = columns
    .map((c, i) => `"${c.name}" = ${c.cast ? `m.c${i + 1}::${c.cast}` : `m.c${i + 1}`}`)
    .concat(extraSet ? [extraSet] : [])
    .join(', ');
  const sql = `UPDATE "${table}" SET ${sets} FROM unnest(${unnestArgs}) AS m(${alias}) WHERE "${table}"."${key.name}" = m.c0`;
  return tx.$executeRawUnsafe(sql, ...params);
}
