/**
 * Developer tool: `npm run db:diff -- <name>` writes prisma/migrations/<timestamp>_<name>/migration.sql
 * with the DDL that takes the committed migrations to the current schema.prisma. It runs Prisma's
 * schema engine compiled to Wasm against a throw-away in-memory PGlite, so it works offline
 * (the native engine of `prisma migrate dev` needs a download). Where Prisma's CLI works,
 * `prisma migrate dev` produces the same folder layout.
 */
import { readFile, readdir, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

const root = path.resolve(import.meta.dirname, '../..');
const migrationsDir = path.join(root, 'prisma/migrations');

async function loadEngine() {
  const require = createRequire(import.meta.url);
  const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const pkgDir = path.dirname(bgPath);
  const bg = await import(bgPath);
  const bytes = await readFile(path.join(pkgDir, 'schema_engine_bg.wasm'));
  // biome-ignore lint/suspicious/noExplicitAny: WebAssembly is not in the ES lib typings
  const { instance } = await (globalThis as any).WebAssembly.instantiate(bytes, {
    './schema_engine_bg.js': bg,
  });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  return bg;
}

async function main() {
  const name = (process.argv[2] ?? '').replace(/[^a-z0-9_]/gi, '_');
  if (!name) {
    console.error('usage: npm run db:diff -- <migration_name>');
    process.exit(2);
  }
  const schemaPath = path.join(root, 'prisma/schema.prisma');
  const schema = await readFile(schemaPath, 'utf8');
  const engineModule = await loadEngine();
  const pglite = new PGlite();
  const factory = new PrismaPGlite(pglite);
  const engine = await engineModule.SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    (log: string) => process.env.DEBUG && console.error(log),
    bindMigrationAwareSqlAdapterFactory(factory as never),
  );
  const dirs = (await readdir(migrationsDir, { withFileTypes: true }).catch(() => []))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const migrations = await Promise.all(
    dirs.map(async (dir) => ({
      path: dir,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok', value: await readFile(path.join(migrationsDir, dir, 'migration.sql'), 'utf8') },
      },
    })),
  );
  const from =
    migrations.length === 0
      ? { tag: 'empty' }
      : {
          tag: 'migrations',
          baseDir: migrationsDir,
          lockfile: { path: 'migration_lock.toml', content: 'provider = "postgresql"\n' },
          migrationDirectories: migrations,
          shadowDbInitScript: '',
        };
  const result = await engine.diff({
    from,
    to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  const sql: string = result.stdout ?? '';
  if (!sql.trim() || /empty migration/i.test(sql)) {
    console.log('schema.prisma matches the migrations: nothing to write');
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = path.join(migrationsDir, `${stamp}_${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'migration.sql'), sql);
  await writeFile(path.join(migrationsDir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  console.log(`wrote ${path.relative(root, dir)}/migration.sql`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
