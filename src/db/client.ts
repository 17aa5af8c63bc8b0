/**
 * Opening the database. Three ways, one Prisma client type:
 * - `DATABASE_URL` set → Postgres through @prisma/adapter-pg.
 * - otherwise embedded PGlite under the data dir. PGlite allows one process per data dir, so
 *   the first process takes an owner lock (owner.json). `hotlead start` (serve = true) also
 *   exposes its PGlite on a loopback port with @electric-sql/pglite-socket and itself talks to
 *   it through that port, so all of its and other processes' queries pass one queue (the
 *   socket's queue keeps each connection's transaction whole). A CLI command started while the
 *   server runs connects to that port; one started alone opens PGlite directly through
 *   pglite-prisma-adapter. Two processes never open the directory.
 */
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { AppError } from '../errors/app-error.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import { servePGlite } from './pglite-server.ts';
import {
  pgliteStatements,
  pgliteTransaction,
  pgStatements,
  pgTransaction,
  type RunTransaction,
  type Sql,
} from './sql.ts';

export type DbKind = 'postgres' | 'pglite' | 'pglite-socket';

export interface Database {
  prisma: PrismaClient;
  kind: DbKind;
  /** A transaction on the raw driver, for the set-based write paths (see sql.ts). */
  transaction: RunTransaction;
  /** Single statements on the raw driver, each atomic by itself: one round trip each. */
  sql: Sql;
  /** Runs a multi-statement SQL script (migrations) on the raw driver. */
  execScript(sql: string): Promise<void>;
  /** Runs fn while holding the cluster-wide migration lock (Postgres advisory lock). */
  withMigrationLock<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string | undefined;
  dataDir?: string;
  /** Serve the embedded database to other processes (hotlead start). */
  serve?: boolean;
  /** Use this PGlite instance (tests: in-memory). */
  pglite?: PGlite;
}

// Same key Prisma Migrate uses, so our applier and `prisma migrate deploy` exclude each other.
const MIGRATION_LOCK_KEY = 72707369;

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.pglite) return fromPGlite(options.pglite, async () => {});
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  if (!options.dataDir) throw new AppError('BAD_CONFIG', 'No DATABASE_URL and no data dir');
  return openEmbedded(options.dataDir, options.serve ?? false);
}

function openPostgres(
  connectionString: string,
  kind: DbKind = 'postgres',
  onClose?: () => Promise<void>,
): Database {
  // Job workers run up to 32 jobs at once (Slack sends); each holds a connection briefly.
  // random_page_cost: Postgres's default (4) prices a random read as a disk seek, and then
  // prefers scanning whole tables of tens of thousands of rows to probing an index hundreds of
  // times — ingestion's key, identity and lead lookups were sequential scans costing 3 ms a
  // batch, 0.4 ms with the index. Hotlead's working set is in memory (or on SSD), where 1.1 is
  // the usual setting. It applies to Hotlead's own connections to Postgres only (not to an
  // embedded database served over its socket); `options` in DATABASE_URL replaces it.
  const pool = new pg.Pool({
    connectionString,
    max: 20,
    ...(kind === 'postgres' ? { options: '-c random_page_cost=1.1' } : {}),
  });
  pool.on('error', () => {}); // idle client errors surface on the next query instead of crashing
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    kind,
    transaction: pgTransaction(pool),
    sql: pgStatements(pool),
    async execScript(sql) {
      await pool.query(sql);
    },
    async withMigrationLock(fn) {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        try {
          return await fn();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
      await onClose?.();
    },
  };
}

function fromPGlite(pglite: PGlite, onClose: () => Promise<void>): Database {
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    kind: 'pglite',
    transaction: pgliteTransaction(pglite),
    sql: pgliteStatements(pglite),
    async execScript(sql) {
      await pglite.exec(sql);
    },
    withMigrationLock: (fn) => fn(), // one process owns the data dir
    async close() {
      await prisma.$disconnect();
      await onClose();
    },
  };
}

interface OwnerInfo {
  pid: number;
  port: number | null;
}

async function openEmbedded(dataDir: string, serve: boolean): Promise<Database> {
  await mkdir(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'owner.json');
  const deadline = Date.now() + 15_000;
  for (;;) {
    const owner = await readOwner(lockPath);
    if (owner && isAlive(owner.pid) && owner.pid !== process.pid) {
      if (owner.port) {
        if (serve) {
          throw new AppError(
            'DATA_DIR_BUSY',
            `Hotlead is already running on ${dataDir} (pid ${owner.pid}); stop it first or use another HOTLEAD_DATA_DIR`,
          );
        }
        return openPostgres(socketUrl(owner.port), 'pglite-socket');
      }
      // Another one-shot command holds the directory: wait for it.
      if (Date.now() > deadline) {
        throw new AppError('DATA_DIR_BUSY', `The data dir ${dataDir} is in use by process ${owner.pid}`);
      }
      await sleep(100);
      continue;
    }
    if (owner) await rm(lockPath, { force: true }); // stale lock of a dead process
    const handle = await open(lockPath, 'wx').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return null; // lost the race: look again
      throw err;
    });
    if (!handle) continue;
    await handle.writeFile(JSON.stringify({ pid: process.pid, port: null } satisfies OwnerInfo));
    await handle.close();
    break;
  }

  const release = async () => {
    const owner = await readOwner(lockPath);
    if (owner?.pid === process.pid) await rm(lockPath, { force: true });
  };
  try {
    const pglite = new PGlite(path.join(dataDir, 'pgdata'));
    await pglite.waitReady;
    if (!serve) {
      return fromPGlite(pglite, async () => {
        await pglite.close();
        await release();
      });
    }
    const server = await servePGlite(pglite);
    await writeFile(lockPath, JSON.stringify({ pid: process.pid, port: server.port } satisfies OwnerInfo));
    return openPostgres(socketUrl(server.port), 'pglite-socket', async () => {
      await server.close();
      await pglite.close();
      await release();
    });
  } catch (err) {
    await release();
    throw err;
  }
}

function socketUrl(port: number): string {
  return `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
}

async function readOwner(lockPath: string): Promise<OwnerInfo | null> {
  try {
    const parsed = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<OwnerInfo>;
    return typeof parsed.pid === 'number'
      ? { pid: parsed.pid, port: parsed.port ?? null }
      : { pid: -1, port: null };
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
