/**
 * One place that builds the production dependencies of every feature (database, model,
 * queue, chat channel) from the parsed config. CLI commands, the server and the workers
 * all start here; tests build the same objects against PGlite/Postgres.
 */
import type { ChatChannel } from './bot/chat-port.ts';
import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { type DecayDeps, sweepDecay } from './domain/decay.ts';
import type { IngestDeps } from './domain/ingest.ts';
import { DEFAULT_MODEL_PATH, getActiveModel } from './domain/model-store.ts';
import { dispatchJobId, dispatchOutbox, dueOutbox, type OutboxDeps } from './domain/outbox.ts';
import { createConsoleChannel } from './integrations/console/console-channel.ts';
import { createSlackIntegration, type SlackIntegration } from './integrations/slack/index.ts';
import { createZaloIntegration, type ZaloIntegration } from './integrations/zalo/index.ts';
import { createJobQueue } from './jobs/index.ts';
import type { JobHandlers, JobQueue } from './jobs/queue.ts';
import type { Logger } from './logger.ts';

export interface Runtime {
  config: Config;
  db: Database;
  queue: JobQueue;
  logger: Logger;
  ingest: IngestDeps;
  read: DecayDeps;
  outbox: OutboxDeps;
  /** Set when Slack is configured (its channel then replaces the console's). */
  slack: SlackIntegration | null;
  /** Set when the Zalo OA is configured. */
  zalo: ZaloIntegration | null;
  /** Start consuming jobs (outbox dispatch, outbox sweep, decay sweep) in this process. */
  startWorker(opts?: { concurrency?: number }): Promise<void>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Serve the embedded database to other processes (hotlead start). */
  serve?: boolean;
  channel?: ChatChannel;
  now?: () => number;
  /** Tests: an already opened database. */
  db?: Database;
  queue?: JobQueue;
}

export async function createRuntime(
  config: Config,
  logger: Logger,
  opts: RuntimeOptions = {},
): Promise<Runtime> {
  const db =
    opts.db ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      serve: opts.serve ?? false,
    }));
  try {
    await migrate(db);
    const seedFile = config.modelPath ?? DEFAULT_MODEL_PATH;
    await getActiveModel(db, seedFile);
    const now = opts.now ?? Date.now;
    const queue =
      opts.queue ?? createJobQueue({ redisUrl: config.redisUrl, logger, prefix: config.queuePrefix });
    const getModel = () => getActiveModel(db, seedFile);
    const onOutbox = (ids: string[]) => {
      for (const id of ids) {
        queue.enqueue('outbox.dispatch', { outboxId: id }, { jobId: dispatchJobId(id, 0) }).catch((err) => {
          // The outbox sweep picks the row up later: nothing is lost.
          logger.warn({ err, outboxId: id }, 'could not enqueue outbox dispatch');
        });
      }
    };
    const read: DecayDeps = { db, getModel, alertWindowMs: config.alertWindowMs, now, onOutbox };
    const ingest: IngestDeps = { ...read };
    const zalo = config.zalo
      ? createZaloIntegration({
          ...ingest,
          config: config.zalo,
          openai: config.openai,
          queue,
          logger,
          slackChannel: config.slack?.sqlChannel ?? null,
        })
      : null;
    const slack = config.slack
      ? createSlackIntegration({
          ...read,
          config: config.slack,
          openai: config.openai,
          queue,
          logger,
          ingest,
          lang: config.lang,
          ...(zalo ? { relayToZalo: zalo.relayRepReply } : {}),
        })
      : null;
    const channel = opts.channel ?? slack?.channel ?? createConsoleChannel({ lang: config.lang, now });
    const outbox: OutboxDeps = {
      ...read,
      channel,
      leaseMs: config.outboxLeaseMs,
      maxAttempts: 10,
      crashPoint: (name) => {
        if (config.crashAt === name) {
          logger.fatal({ crashPoint: name }, 'crash point reached (HOTLEAD_CRASH_AT)');
          process.exit(86);
        }
      },
    };
    const handlers: JobHandlers = {
      'outbox.dispatch': async ({ outboxId }) => {
        await dispatchOutbox(outbox, outboxId);
      },
      'outbox.sweep': async () => {
        for (const row of await dueOutbox(read)) {
          await queue.enqueue(
            'outbox.dispatch',
            { outboxId: row.id },
            { jobId: dispatchJobId(row.id, row.attempts) },
          );
        }
      },
      'decay.sweep': async () => {
        await sweepDecay(read);
      },
      ...slack?.handlers,
      ...zalo?.handlers,
    };
    return {
      config,
      db,
      queue,
      logger,
      ingest,
      read,
      outbox,
      slack,
      zalo,
      async startWorker(workerOpts) {
        // Slack sends wait for their channel's slot: many may be waiting at once.
        await queue.startWorker(handlers, { concurrency: slack ? 32 : 4, ...workerOpts });
        await queue.schedule('outbox.sweep', {}, config.outboxPollMs);
        await queue.schedule('decay.sweep', {}, config.decaySweepMs);
        if (slack) await queue.schedule('slack.sweep', {}, config.outboxPollMs);
        if (zalo) await queue.schedule('zalo.sweep', {}, config.outboxPollMs);
        // Managers' daily digests: claim the due ones every minute.
        if (slack) await queue.schedule('digest.tick', {}, 60_000);
      },
      async close() {
        await slack?.stop();
        await queue.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}
