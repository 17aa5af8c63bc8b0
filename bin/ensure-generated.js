#!/usr/bin/env node
// Generates the Prisma client into src/generated/prisma when it is missing or the schema
// changed. Prisma's CLI wants a native schema-engine binary it would download; `generate`
// does not use it, so pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file keeps it
// offline (see ARCHITECTURE.md).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function ensureGenerated() {
  const schema = readFileSync(path.join(root, 'prisma/schema.prisma'), 'utf8');
  const hash = createHash('sha256').update(schema).digest('hex');
  const outDir = path.join(root, 'src/generated/prisma');
  const stamp = path.join(outDir, '.schema-hash');
  if (existsSync(path.join(outDir, 'client.ts')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash)
    return;
  const cli = path.join(root, 'node_modules/prisma/build/index.js');
  const result = spawnSync(process.execPath, [cli, 'generate'], {
    cwd: root,
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
    stdio: 'pipe',
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write(`hotlead: prisma generate failed\n${result.stderr ?? ''}${result.stdout ?? ''}\n`);
    process.exit(1);
  }
  writeFileSync(stamp, hash);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) ensureGenerated();
