/**
 * Test databases: a fresh in-memory PGlite (always), and — when DATABASE_URL is set — a
 * fresh Postgres database of its own per call, dropped afterwards, so runs never see each
 * other's rows.
 */
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';

export interface TestDb {
  db: Database;
  url?: string;
  cleanup(): Promise<void>;
}

export async function pgliteDb(): Promise<TestDb> {
  const pglite = new PGlite();
  const db = await openDatabase({ pglite });
  await migrate(db);
  return {
    db,
    async cleanup() {
      await db.close();
      await pglite.close();
    },
  };
}

export const POSTGRES_URL = process.env.DATABASE_URL;
export const REDIS_URL = process.env.REDIS_URL;

export function notice(what: string): void {
  // Visible in the vitest output: these suites are skipped on a laptop without services.
  console.warn(`[skipped] ${what}: set DATABASE_URL/REDIS_URL to run it (CI sets them)`);
}

/** A fresh database on the DATABASE_URL server. */
export async function postgresDb(): Promise<TestDb> {
  if (!POSTGRES_URL) throw new Error('DATABASE_URL is not set');
  const name = `hl_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString() });
  await migrate(db);
  return {
    db,
    url: url.toString(),
    async cleanup() {
      await db.close();
      const a = new pg.Client({ connectionString: POSTGRES_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** The backends to run an integration suite against: PGlite always, Postgres when configured. */
export const BACKENDS: { name: string; open: () => Promise<TestDb> }[] = [
  { name: 'pglite', open: pgliteDb },
  ...(POSTGRES_URL ? [{ name: 'postgres', open: postgresDb }] : []),
];
if (!POSTGRES_URL) notice('Postgres variants of the integration tests');
