/**
 * Set-based writes: one statement per table per batch, its rows passed as ONE json parameter
 * (an array of row objects) expanded by `json_to_recordset` — one round trip however many
 * rows. Measured against parallel `unnest` arrays, this drops the driver's per-element array
 * escaping and the double encoding of json columns (a value for a json/jsonb column is passed
 * as the JS value itself, not as a string). Used by ingestion, decay and rescore, so every
 * write path shares the same statements.
 */
import type { Sql } from './sql.ts';

export type Tx = Sql;

export interface Column {
  name: string;
  /** Postgres type of the value (text, int, bool, float8, json, jsonb, timestamptz, "Stage"…). */
  type: string;
}

export interface InsertPart {
  table: string;
  columns: Column[];
  rows: unknown[][];
  /** e.g. ON CONFLICT … */
  suffix?: string;
}

/** The rows as one json parameter: `[{"c0": …, "c1": …}, …]` (null for a missing value). */
function rowsParam(columns: Column[], rows: unknown[][], only?: number[]): string {
  const idx = only ?? columns.map((_, i) => i);
  const keys = idx.map((i) => `c${i}`);
  return JSON.stringify(
    rows.map((r) => {
      const o: Record<string, unknown> = {};
      for (let k = 0; k < keys.length; k++) o[keys[k]!] = r[idx[k]!] ?? null;
      return o;
    }),
  );
}

/** `json_to_recordset($n::json) AS alias(c0 type0, c1 type1, …)` */
function recordset(columns: Column[], param: number, alias: string): string {
  const defs = columns.map((c, i) => `c${i} ${c.type}`).join(', ');
  return `json_to_recordset($${param}::json) AS ${alias}(${defs})`;
}

/**
 * Separates JSON documents in a text parameter. JSON text never holds a raw control character
 * (JSON.stringify escapes them), so this one cannot occur inside a document.
 */
const DOC_SEPARATOR = '\u001e';
const DOC_SEPARATOR_SQL = "E'\\x1e'";

const isJson = (c: Column) => c.type === 'json' || c.type === 'jsonb';

/**
 * The INSERT of one part, reading its rows from parameters `param`, `param + 1`, …. Scalar
 * columns travel as one json recordset; each json/jsonb column (lead states, event payloads —
 * most of the bytes) as its own text parameter of documents joined by DOC_SEPARATOR, matched
 * to the recordset by position (a missing value is the document `null`, stored as SQL NULL as
 * the recordset would). Postgres then checks each document once instead of tokenising it
 * inside the recordset and again as a value.
 */
function insertSql(part: InsertPart, param: number): { sql: string; params: string[] } {
  const { table, columns, rows, suffix = '' } = part;
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const scalar = columns.flatMap((c, i) => (isJson(c) ? [] : [i]));
  const docs = columns.flatMap((c, i) => (isJson(c) ? [i] : []));
  if (docs.length === 0) {
    return {
      sql: `INSERT INTO "${table}" (${names}) SELECT ${columns.map((_, i) => `c${i}`).join(', ')} FROM ${recordset(columns, param, 'u')} ${suffix}`,
      params: [rowsParam(columns, rows)],
    };
  }
  const defs = scalar.map((i) => `c${i} ${columns[i]!.type}`).join(', ');
  const from = [
    `ROWS FROM (json_to_recordset($${param}::json) AS (${defs})) WITH ORDINALITY AS u(${scalar.map((i) => `c${i}`).join(', ')}, n)`,
    ...docs.map(
      (i, k) =>
        `JOIN unnest(string_to_array($${param + 1 + k}::text, ${DOC_SEPARATOR_SQL})) WITH ORDINALITY AS d${i}(doc, n) ON d${i}.n = u.n`,
    ),
  ].join(' ');
  const select = columns
    .map((c, i) => (isJson(c) ? `NULLIF(d${i}.doc, 'null')::${c.type}` : `u.c${i}`))
    .join(', ');
  return {
    sql: `INSERT INTO "${table}" (${names}) SELECT ${select} FROM ${from} ${suffix}`,
    params: [
      rowsParam(columns, rows, scalar),
      ...docs.map((i) => rows.map((r) => JSON.stringify(r[i] ?? null)).join(DOC_SEPARATOR)),
    ],
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
  const q = insertSql({ table, columns, rows, suffix }, 1);
  return tx.execute(q.sql, q.params);
}

/**
 * Inserts rows whose `uniqueColumn` may already hold their key (idempotent intents: sends,
 * deliveries) and returns the `id` of each row actually inserted — the ones that are new.
 */
export async function insertNew(
  tx: Tx,
  table: string,
  columns: Column[],
  rows: unknown[][],
  uniqueColumn: string,
): Promise<string[]> {
  if (rows.length === 0) return [];
  const q = insertSql(
    { table, columns, rows, suffix: `ON CONFLICT ("${uniqueColumn}") DO NOTHING RETURNING id` },
    1,
  );
  return (await tx.query<{ id: string }>(q.sql, q.params)).map((r) => r.id);
}

/** A statement and its parameters, built ahead of sending it. */
export interface Statement {
  sql: string;
  params: string[];
}

/**
 * Several inserts as ONE statement (data-modifying CTEs): one round trip for a whole batch.
 * Foreign keys are checked at the end of the statement, so a row may reference a row that
 * another part of the same statement inserts. Null when no part has rows.
 */
export function insertManyStatement(parts: InsertPart[]): Statement | null {
  const live = parts.filter((p) => p.rows.length > 0);
  if (live.length === 0) return null;
  const ctes: string[] = [];
  const params: string[] = [];
  for (const [i, part] of live.entries()) {
    const q = insertSql(part, params.length + 1);
    params.push(...q.params);
    ctes.push(`w${i} AS (${q.sql} RETURNING 1)`);
  }
  return { sql: `WITH ${ctes.join(',\n')} SELECT 1`, params };
}

/** Runs a statement built ahead (nothing to do for null). */
export async function run(tx: Tx, statement: Statement | null): Promise<void> {
  if (statement) await tx.execute(statement.sql, statement.params);
}

/** `insertManyStatement`, sent at once. */
export async function insertMany(tx: Tx, parts: InsertPart[]): Promise<void> {
  await run(tx, insertManyStatement(parts));
}

/** `UPDATE table SET col = m.col FROM json_to_recordset(...) m WHERE table.keyColumn = m.key` in one statement. */
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
  const sets = columns
    .map((c, i) => `"${c.name}" = m.c${i + 1}`)
    .concat(extraSet ? [extraSet] : [])
    .join(', ');
  const sql = `UPDATE "${table}" SET ${sets} FROM ${recordset(all, 1, 'm')} WHERE "${table}"."${key.name}" = m.c0`;
  return tx.execute(sql, [rowsParam(all, rows)]);
}
