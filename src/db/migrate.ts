/**
 * Applies the committed migrations (prisma/migrations/<name>/migration.sql) in order and records
 * them in `_prisma_migrations` exactly as Prisma Migrate does (sha256 checksum of the file), so
 * `prisma migrate deploy/status` agree with us where Prisma's CLI can run. Runs offline: no
 * schema-engine binary is needed to apply plain SQL.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors/app-error.ts';
import type { Database } from './client.ts';

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../prisma/migrations');

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/** Applies what is pending; returns the names applied. */
export async function migrate(db: Database): Promise<string[]> {
  const migrations = await listMigrations();
  return db.withMigrationLock(async () => {
    await db.execScript(CREATE_TABLE);
    const applied = await appliedMigrations(db);
    const done: string[] = [];
    for (const m of migrations) {
      const row = applied.get(m.name);
      if (row) {
        if (!row.finished_at) {
          throw new AppError('DB_UNAVAILABLE', `Migration ${m.name} failed earlier and needs attention`);
        }
        if (row.checksum !== m.checksum) {
          throw new AppError('DB_UNAVAILABLE', `Migration ${m.name} was modified after it was applied`);
        }
        continue;
      }
      const id = randomUUID();
      const record = `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
        VALUES ('${id}', '${m.checksum}', now(), '${m.name.replace(/'/g, "''")}', 1, now());`;
      await db.execScript(`BEGIN;\n${m.sql}\n${record}\nCOMMIT;`);
      done.push(m.name);
    }
    return done;
  });
}

async function appliedMigrations(db: Database): Promise<Map<string, AppliedRow>> {
  const rows = await db.prisma.$queryRawUnsafe<AppliedRow[]>(
    'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
  );
  return new Map(rows.map((r) => [r.migration_name, r]));
}

/** For /readyz: every committed migration is applied. */
export async function pendingMigrations(db: Database): Promise<string[]> {
  const migrations = await listMigrations();
  try {
    const applied = await appliedMigrations(db);
    return migrations.filter((m) => !applied.get(m.name)?.finished_at).map((m) => m.name);
  } catch {
    return migrations.map((m) => m.name);
  }
}
