/**
 * `POST /zalo/webhook`: Zalo OA events. The signature (`X-ZEvent-Signature: mac=<hex>`, plain
 * SHA-256 of appId + raw body + the body's timestamp + OA secret key) is checked on the exact
 * bytes received, in constant time; unsigned or wrong → 401 and nothing stored. A delivery is
 * stored (unique key: `msg_id`, else event + timestamp + user) before Zalo gets its 200, then
 * processed by a `zalo.process` job: a crash after the 200 loses nothing, a re-delivery changes
 * nothing. Echoes of our own sends (`oa_send_*`), receipts and unknown events are logged and
 * acknowledged, not processed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZaloConfig } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { newId } from '../../domain/ids.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { Logger } from '../../logger.ts';
import { parseJsonKeepingIds } from './api.ts';

export const ZALO_WEBHOOK_PATH = '/zalo/webhook';

/** Events Hotlead acts on; the user is the sender, or the follower. */
const PROCESSED = /^(user_send_[a-z_]+|anonymous_send_text|user_submit_info|follow|unfollow)$/;

const idString = z.union([z.string(), z.number()]).transform(String);
export const envelopeSchema = z.looseObject({
  event_name: z.string().min(1),
  timestamp: idString,
  app_id: idString.optional(),
  user_id_by_app: idString.optional(),
  sender: z.looseObject({ id: idString }).optional(),
  recipient: z.looseObject({ id: idString }).optional(),
  follower: z.looseObject({ id: idString }).optional(),
  oa_id: idString.optional(),
  message: z
    .looseObject({
      msg_id: idString.optional(),
      text: z.string().optional(),
      attachments: z.array(z.looseObject({ type: z.string(), payload: z.unknown().optional() })).optional(),
    })
    .optional(),
  info: z.looseObject({}).optional(),
});
export type ZaloEnvelope = z.infer<typeof envelopeSchema>;

/** The Zalo user an event is about (see the brief: sender, recipient or follower). */
export function userOf(e: ZaloEnvelope): string | undefined {
  if (e.event_name === 'follow' || e.event_name === 'unfollow') return e.follower?.id;
  if (
    e.event_name.startsWith('oa_send_') ||
    e.event_name.startsWith('user_received') ||
    e.event_name.startsWith('user_seen')
  ) {
    return e.recipient?.id;
  }
  return e.sender?.id;
}

export function dedupeKey(e: ZaloEnvelope): string {
  const msgId = e.message?.msg_id;
  return msgId ? `msg:${msgId}` : `${e.event_name}:${e.timestamp}:${userOf(e) ?? ''}`;
}

/** Constant-time check of `X-ZEvent-Signature` (with or without the `mac=` prefix). */
export function validSignature(
  config: Pick<ZaloConfig, 'appId' | 'oaSecretKey'>,
  raw: string,
  timestamp: string,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const given = header.trim().replace(/^mac=/i, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = createHash('sha256')
    .update(config.appId + raw + timestamp + config.oaSecretKey)
    .digest('hex');
  return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(expected, 'hex'));
}

export interface WebhookDeps {
  config: ZaloConfig;
  db: Database;
  queue: JobQueue;
  logger: Logger;
  now: () => number;
}

export function registerZaloWebhook(server: FastifyInstance, deps: WebhookDeps): void {
  server.register(async (scope) => {
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );
    scope.post(ZALO_WEBHOOK_PATH, async (req, reply) => {
      const raw = typeof req.body === 'string' ? req.body : '';
      let parsed: ZaloEnvelope;
      try {
        const result = envelopeSchema.safeParse(parseJsonKeepingIds(raw));
        if (!result.success) throw result.error;
        parsed = result.data;
      } catch {
        // Unreadable, or a console "check URL" ping: nothing is stored either way.
        return reply
          .code(raw && req.headers['x-zevent-signature'] ? 400 : 401)
          .send({ error: 'unreadable_or_unsigned' });
      }
      const header = req.headers['x-zevent-signature'];
      if (
        !validSignature(deps.config, raw, parsed.timestamp, typeof header === 'string' ? header : undefined)
      ) {
        deps.logger.warn({ event: parsed.event_name }, 'rejected a Zalo webhook: bad or missing signature');
        return reply.code(401).send({ error: 'invalid_signature' });
      }
      if (!PROCESSED.test(parsed.event_name)) {
        deps.logger.info({ event: parsed.event_name }, 'Zalo event acknowledged, not processed');
        return reply.send({ ok: true });
      }
      const [row] = await deps.db.transaction((tx) =>
        tx.query<{ id: string }>(
          `INSERT INTO zalo_inbound (id, dedupe_key, event_name, user_id, payload, received_at)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6::timestamptz)
           ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
          [
            newId('zi'),
            dedupeKey(parsed),
            parsed.event_name,
            userOf(parsed) ?? null,
            JSON.stringify(parsed),
            new Date(deps.now()).toISOString(),
          ],
        ),
      );
      if (row) {
        await deps.queue
          .enqueue('zalo.process', { inboundId: row.id }, { jobId: `zalo-in-${row.id}` })
          .catch((err: unknown) => {
            deps.logger.warn({ err }, 'could not enqueue a Zalo delivery; the sweep will');
          });
      }
      return reply.send({ ok: true });
    });
  });
}
