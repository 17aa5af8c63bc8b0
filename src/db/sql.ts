/**
 * The raw SQL port of the hot write paths (ingestion, decay, rescore): set-based statements
 * over array parameters, run on the driver itself — node-postgres for Postgres (and for the
 * PGlite a running `hotlead start` serves), PGlite's own API when it is opened directly. Prisma
 * serves everything else; measured, its raw-query layer added ~40 ms to each 500-event batch.
 * Rows come back as the driver returns them: timestamptz as Date, json as parsed values.
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type pg from 'pg';

export interface Sql {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Returns the number of rows the statement affected. */
  execute(text: string, params?: unknown[]): Promise<number>;
}

/** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
export type RunTransaction = <T>(fn: (tx: Sql) => Promise<T>) => Promise<T>;

function pgSql(client: pg.PoolClient): Sql {
  return {
    async query<R>(text: string, params: unknown[] = []) {
      return (await client.query(text, params)).rows as R[];
    },
    async execute(text, params = []) {
      return (await client.query(text, params)).rowCount ?? 0;
    },
  };
}

export function pgTransaction(pool: pg.Pool): RunTransaction {
  return async (fn) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const result = await fn(pgSql(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e; // the connection is unusable: drop it rather than return it to the pool
        });
        throw err;
      }
    } finally {
      client.release(broken);
    }
  };
}

/**
 * Single statements outside any transaction, each atomic on its own: one round trip where a
 * transaction around one statement takes three (BEGIN, the statement, COMMIT).
 */
export function pgStatements(pool: pg.Pool): Sql {
  return {
    async query<R>(text: string, params: unknown[] = []) {
      return (await pool.query(text, params)).rows as R[];
    },
    async execute(text, params = []) {
      return (await pool.query(text, params)).rowCount ?? 0;
    },
  };
}

export function pgliteStatements(pglite: PGlite): Sql {
  return {
    async query<R>(text: string, params: unknown[] = []) {
      return (await pglite.query<R>(text, params)).rows;
    },
    async execute(text, params = []) {
      return (await pglite.query(text, params)).affectedRows ?? 0;
    },
  };
}

function pgliteSql(tx: Transaction): Sql {
  return {
    async query<R>(text: string, params: unknown[] = []) {
      return (await tx.query<R>(text, params)).rows;
    },
    async execute(text, params = []) {
      return (await tx.query(text, params)).affectedRows ?? 0;
    },
  };
}

export function pgliteTransaction(pglite: PGlite): RunTransaction {
  return (fn) => pglite.transaction((tx) => fn(pgliteSql(tx)));
}
