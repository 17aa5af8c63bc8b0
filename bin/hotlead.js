#!/usr/bin/env node
// The `hotlead` command: makes sure the Prisma client exists, then runs the TypeScript CLI
// through tsx (no separate build step).
import { register } from 'tsx/esm/api';
import { ensureGenerated } from './ensure-generated.js';

// A closed pipe (`hotlead top | head`) ends output quietly instead of crashing.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

ensureGenerated();
register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
process.exit(code);
