/**
 * The ingestion benchmark's timed run, shared by `npm run bench` (bench/run.ts) and
 * `npm run bench:ab -- --ingest` (bench/ab.ts, which runs two versions of Hotlead on it): a
 * Hotlead HTTP server on the given database, and HTTP producers in a worker thread posting the
 * workload in batches.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { parseConfig } from '../src/config.ts';
import type { Database, openDatabase } from '../src/db/client.ts';
import type { migrate } from '../src/db/migrate.ts';
import type { createApiKey } from '../src/domain/api-keys.ts';
import type { buildHttpServer } from '../src/http/server.ts';
import type { createLogger } from '../src/logger.ts';
import type { createRuntime } from '../src/runtime.ts';
import type { WorkloadEvent } from './workload.ts';

/** The entry points an ingestion run calls (modules of the working tree or of another revision). */
export interface ServerUnderTest {
  parseConfig: typeof parseConfig;
  createLogger: typeof createLogger;
  createRuntime: typeof createRuntime;
  buildHttpServer: typeof buildHttpServer;
  createApiKey: typeof createApiKey;
  openDatabase: typeof openDatabase;
  migrate: typeof migrate;
}

/** Loads the entry points from a checkout's `src` (the working tree's or an extracted one). */
export async function loadServer(srcDir: string): Promise<ServerUnderTest> {
  const mod = (file: string) => import(pathToFileURL(path.join(srcDir, file)).href);
  const [config, logger, runtime, http, keys, client, migrations] = await Promise.all([
    mod('config.ts'),
    mod('logger.ts'),
    mod('runtime.ts'),
    mod('http/server.ts'),
    mod('domain/api-keys.ts'),
    mod('db/client.ts'),
    mod('db/migrate.ts'),
  ]);
  return {
    parseConfig: config.parseConfig,
    createLogger: logger.createLogger,
    createRuntime: runtime.createRuntime,
    buildHttpServer: http.buildHttpServer,
    createApiKey: keys.createApiKey,
    openDatabase: client.openDatabase,
    migrate: migrations.migrate,
  };
}

export interface IngestRun {
  eventsPerSec: number;
  /** Per-batch request latencies, ms. */
  latencies: number[];
  counts: Record<'accepted' | 'duplicate' | 'rejected', number>;
}

/** Posts every event to a fresh server on `db` in batches of `batch`, `concurrency` requests at a time. */
export async function timeIngestRun(
  server: ServerUnderTest,
  db: Database,
  events: WorkloadEvent[],
  opts: { batch: number; concurrency: number },
): Promise<IngestRun> {
  const config = server.parseConfig({ LOG_LEVEL: 'silent' });
  const logger = server.createLogger(config);
  const rt = await server.createRuntime(config, logger, {
    db,
    channel: { name: 'bench', deliverSqlAlert: async () => {} },
  });
  const app = server.buildHttpServer({ db, ingest: rt.ingest, logger });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const { key } = await server.createApiKey(db, 'bench');
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += opts.batch)
    bodies.push(JSON.stringify({ events: events.slice(i, i + opts.batch) }));
  const worker = new Worker(new URL('./http-client.mjs', import.meta.url), {
    workerData: { url: `${address}/api/v1/events`, key, bodies, concurrency: opts.concurrency },
  });
  try {
    const { elapsed, latencies, counts } = await new Promise<{
      elapsed: number;
      latencies: number[];
      counts: IngestRun['counts'];
    }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    return { eventsPerSec: Math.round(events.length / (elapsed / 1000)), latencies, counts };
  } finally {
    await worker.terminate();
    await app.close();
    await rt.queue.close();
  }
}
