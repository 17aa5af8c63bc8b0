/**
 * The Hotlead HTTP server: event ingestion and the Slack endpoint; the Zalo webhook mounts here later.
 * Errors are normalised into `{ error: { code, message, details } }` — no stack traces.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Database } from '../db/client.ts';
import { pendingMigrations } from '../db/migrate.ts';
import { verifyApiKey } from '../domain/api-keys.ts';
import { MAX_BATCH } from '../domain/event-input.ts';
import { type IngestDeps, ingestEvents } from '../domain/ingest.ts';
import { AppError, asAppError } from '../errors/app-error.ts';
import type { FastifySlackReceiver } from '../integrations/slack/receiver.ts';
import type { ZaloIntegration } from '../integrations/zalo/index.ts';

export interface HttpDeps {
  db: Database;
  ingest: IngestDeps;
  logger: { error(obj: object, msg: string): void };
  /** Slack's Bolt receiver (HTTP mode): mounts `POST /slack/events`. */
  slack?: FastifySlackReceiver | null;
  /** Zalo OA: mounts `POST /zalo/webhook`. */
  zalo?: Pick<ZaloIntegration, 'register'> | null;
}

export function buildHttpServer(deps: HttpDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });

  app.setErrorHandler((err, _req, reply) => {
    const fastifyStatus = (err as { statusCode?: number }).statusCode;
    if (!(err instanceof AppError) && fastifyStatus && fastifyStatus < 500) {
      // Fastify's own client errors: malformed JSON, wrong content type, body too large.
      return reply
        .status(fastifyStatus)
        .send({ error: { code: 'BAD_INPUT', message: (err as Error).message, details: [] } });
    }
    const e = asAppError(err);
    if (e.code === 'INTERNAL') deps.logger.error({ err: err as Error }, 'request failed');
    return reply
      .status(e.httpStatus)
      .send({ error: { code: e.code, message: e.userMessage, details: e.details } });
  });

  deps.slack?.register(app);
  deps.zalo?.register(app);

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    try {
      await deps.db.prisma.$queryRawUnsafe('SELECT 1');
      const pending = await pendingMigrations(deps.db);
      if (pending.length > 0) return reply.status(503).send({ status: 'migrations pending', pending });
      return { status: 'ready', database: deps.db.kind };
    } catch {
      return reply.status(503).send({ status: 'database unreachable' });
    }
  });

  app.post('/api/v1/events', async (req, reply) => {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    if (!token || !(await verifyApiKey(deps.db, token))) {
      throw new AppError(
        'UNAUTHORIZED',
        'A valid API key is required: Authorization: Bearer <key> (create one with `hotlead apikey create <name>`)',
      );
    }
    const items = eventsOf(req.body);
    const results = await ingestEvents(deps.ingest, items, { source: 'api' });
    const rejected = results.some((r) => r.status === 'rejected');
    return reply.status(rejected ? 207 : 200).send({ results });
  });

  return app;
}

/** One event or `{ events: [...] }` (≤ 1,000); anything else is an unusable body. */
function eventsOf(body: unknown): unknown[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('BAD_INPUT', 'The body must be one event object or { "events": [ ... ] }');
  }
  if ('events' in body) {
    const events = (body as { events: unknown }).events;
    if (!Array.isArray(events)) throw new AppError('BAD_INPUT', '“events” must be an array');
    if (events.length === 0) throw new AppError('BAD_INPUT', '“events” is empty');
    if (events.length > MAX_BATCH) {
      throw new AppError('BAD_INPUT', `At most ${MAX_BATCH} events per request (got ${events.length})`);
    }
    return events;
  }
  return [body];
}
