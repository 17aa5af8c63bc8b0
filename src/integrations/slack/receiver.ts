/**
 * Bolt's HTTP receiver, as a route of Hotlead's Fastify server: `POST /slack/events` takes
 * events (JSON), slash commands (form) and interactivity (`payload=` form) on one URL. The
 * signature is checked on the raw body (Bolt's `verifySlackRequest`: HMAC-SHA256, constant
 * time, 5-minute window) before anything is parsed or stored; `url_verification` and
 * `ssl_check` are answered here. The HTTP answer goes out as soon as a listener calls `ack()`
 * (or after 2.5 s without one — Slack gives up at 3 s); listeners keep working after it.
 */
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { verifySlackRequest } from '@slack/bolt';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../logger.ts';

export const SLACK_EVENTS_PATH = '/slack/events';
const ACK_DEADLINE_MS = 2_500;

export class FastifySlackReceiver implements Receiver {
  #app: App | undefined;
  readonly #signingSecret: string;
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(opts: { signingSecret: string; logger: Logger; now?: () => number }) {
    this.#signingSecret = opts.signingSecret;
    this.#logger = opts.logger;
    this.#now = opts.now ?? Date.now;
  }

  init(app: App): void {
    this.#app = app;
  }

  // The Fastify server owns the socket: nothing to start or stop here.
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Registers the route (call before the server listens). */
  register(server: FastifyInstance): void {
    server.register(async (scope) => {
      // Raw bodies in this scope only: the signature covers the exact bytes Slack sent.
      scope.addContentTypeParser(
        ['application/json', 'application/x-www-form-urlencoded'],
        { parseAs: 'string', bodyLimit: 10 * 1024 * 1024 },
        (_req, body, done) => done(null, body),
      );
      scope.post(SLACK_EVENTS_PATH, async (req, reply) => {
        const raw = typeof req.body === 'string' ? req.body : '';
        try {
          verifySlackRequest({
            signingSecret: this.#signingSecret,
            body: raw,
            headers: {
              'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''),
              'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
            },
            nowMilliseconds: this.#now(),
          });
        } catch (err) {
          this.#logger.warn({ reason: (err as Error).message }, 'rejected a Slack request: bad signature');
          return reply.code(401).send({ error: 'invalid_signature' });
        }
        let body: Record<string, unknown>;
        try {
          body = parseBody(raw, String(req.headers['content-type'] ?? ''));
        } catch {
          return reply.code(400).send({ error: 'unreadable_body' });
        }
        if (body.ssl_check) return reply.code(200).send();
        if (body.type === 'url_verification') return reply.send({ challenge: body.challenge });
        if (!this.#app) return reply.code(503).send({ error: 'not_ready' });

        const answer = new Promise<unknown>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), ACK_DEADLINE_MS);
          const event: ReceiverEvent = {
            body,
            ...retryInfo(req.headers),
            ack: async (response?: unknown) => {
              clearTimeout(timer);
              resolve(response);
            },
          };
          this.#app!.processEvent(event).catch((err: unknown) => {
            this.#logger.error({ err }, 'a Slack listener failed');
            clearTimeout(timer);
            resolve(undefined);
          });
        });
        const response = await answer;
        if (response === undefined || response === '') return reply.code(200).send();
        return typeof response === 'string'
          ? reply.code(200).type('text/plain; charset=utf-8').send(response)
          : reply.code(200).send(response);
      });
    });
  }
}

function retryInfo(headers: Record<string, unknown>): Pick<ReceiverEvent, 'retryNum' | 'retryReason'> {
  const num = Number(headers['x-slack-retry-num']);
  const reason = headers['x-slack-retry-reason'];
  return {
    ...(Number.isInteger(num) ? { retryNum: num } : {}),
    ...(typeof reason === 'string' ? { retryReason: reason } : {}),
  };
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/x-www-form-urlencoded')) {
    const form = Object.fromEntries(new URLSearchParams(raw));
    if (typeof form.payload === 'string') return JSON.parse(form.payload) as Record<string, unknown>;
    return form;
  }
  return JSON.parse(raw) as Record<string, unknown>;
}
