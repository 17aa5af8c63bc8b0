/**
 * The Zalo OA integration, assembled from config: the webhook route, the job handlers
 * (process a delivery, send a message, sweep), and the relay of a rep's Slack thread reply to
 * the customer.
 */
import type { FastifyInstance } from 'fastify';
import type { OpenAiConfig, ZaloConfig } from '../../config.ts';
import { createLlm } from '../openai/client.ts';
import type { IngestDeps } from '../../domain/ingest.ts';
import type { JobHandlers, JobQueue } from '../../jobs/queue.ts';
import type { Logger } from '../../logger.ts';
import type { RelayToZalo } from '../slack/contract.ts';
import {
  enqueueSends as enqueueSlackSends,
  insertSends as insertSlackSends,
  textPost,
} from '../slack/sender.ts';
import { createZaloApi, type ZaloApi } from './api.ts';
import { processInbound } from './process.ts';
import {
  dueZaloSends,
  enqueueZaloSends,
  isRateLimited,
  pauseZaloApp,
  queueZaloSends,
  runZaloSend,
  waitForAppSlot,
} from './sender.ts';
import { DEFAULT_ZALO_SETTINGS, readZaloSettings } from './settings.ts';
import { createTokenStore, type ZaloAlert } from './tokens.ts';
import { registerZaloWebhook } from './webhook.ts';

/** A claimed delivery or send is left to its worker this long before the sweep may run it again. */
const LEASE_MS = 60_000;
/** Runs of one delivery or send before it is marked failed. */
const MAX_ATTEMPTS = 8;

export interface ZaloIntegration {
  api: ZaloApi;
  handlers: Pick<JobHandlers, 'zalo.process' | 'zalo.send' | 'zalo.sweep'>;
  register(server: FastifyInstance): void;
  /** A rep's message in a Slack thread bound to a Zalo conversation: sent to the customer. True when it was one. */
  relayRepReply: RelayToZalo;
}

export interface ZaloIntegrationDeps extends IngestDeps {
  config: ZaloConfig;
  queue: JobQueue;
  logger: Logger;
  /** Alert channel in Slack (hand-offs, lost-token alerts); null when Slack is off. */
  slackChannel: string | null;
  /** Optional: the LLM reads what the deterministic extractor cannot. */
  openai?: OpenAiConfig | undefined;
}

export function createZaloIntegration(deps: ZaloIntegrationDeps): ZaloIntegration {
  const { db, queue, logger } = deps;
  const slackNote = async (dedupeKey: string, channel: string, text: string, threadTs?: string) => {
    const ids = await db.transaction((tx) =>
      insertSlackSends(tx, [textPost(dedupeKey, channel, text, threadTs)], deps.now()),
    );
    await enqueueSlackSends(queue, ids, logger);
  };
  // A lost refresh token: the managers hear it in the alert channel (and the logs).
  const alert: ZaloAlert = async (text) => {
    if (deps.slackChannel)
      await slackNote(
        `zalo:token-lost:${Math.floor(deps.now() / 3_600_000)}`,
        deps.slackChannel,
        `⚠ ${text.vi}\n${text.en}`,
      );
  };
  const tokens = createTokenStore({ db, config: deps.config, logger, alert, now: deps.now });
  const api = createZaloApi({ config: deps.config, tokens, logger });
  const llm = createLlm(deps.openai, logger);
  // Profile reads count against the app's limit too. While OA calls are paused (-32) or behind
  // a backlog, the name is left for a later message rather than holding the delivery.
  const displayName = async (userId: string) => {
    if (!(await waitForAppSlot(db))) return null;
    try {
      return (await api.userProfile(userId)).displayName;
    } catch (err) {
      if (isRateLimited(err)) await pauseZaloApp(db, logger, deps.config.rateLimitPauseMs);
      logger.warn({ err, userId }, 'could not read the Zalo user profile');
      return null;
    }
  };
  // The connected OA's settings (`hotlead zalo settings`), read at each use: a change applies at once.
  const settings = async () => (await readZaloSettings(db)) ?? DEFAULT_ZALO_SETTINGS;
  const sender = {
    db,
    api,
    queue,
    logger,
    now: deps.now,
    allowPaidWindow: async () => (await settings()).allowPaidWindow,
    rateLimitPauseMs: deps.config.rateLimitPauseMs,
    leaseMs: LEASE_MS,
    maxAttempts: MAX_ATTEMPTS,
    notifyFailure: async (userId: string, author: string, reason: string) => {
      const c = await db.prisma.zaloConversation.findUnique({ where: { userId } });
      if (c?.slackChannel && c.slackThreadTs) {
        await slackNote(
          `zalo:undelivered:${userId}:${deps.now()}`,
          c.slackChannel,
          `⚠ <@${author.slice(4)}>: tin nhắn chưa gửi được tới khách trên Zalo — not delivered on Zalo: ${reason}`,
          c.slackThreadTs,
        );
      }
    },
  };
  return {
    api,
    register: (server) =>
      registerZaloWebhook(server, { config: deps.config, db, queue, logger, now: deps.now }),
    handlers: {
      'zalo.process': async ({ inboundId }) => {
        await processInbound(
          {
            ...deps,
            llm,
            displayName,
            qualify: async () => (await settings()).qualify,
            slackChannel: deps.slackChannel,
            leaseMs: LEASE_MS,
            maxAttempts: MAX_ATTEMPTS,
          },
          inboundId,
        );
      },
      'zalo.send': async ({ sendId }) => {
        await runZaloSend(sender, sendId);
      },
      'zalo.sweep': async () => {
        for (const row of await dueZaloSends(sender)) {
          await queue.enqueue(
            'zalo.send',
            { sendId: row.id },
            { jobId: `zalo-send-${row.id}-a${row.attempts}` },
          );
        }
        // Deliveries not yet processed, or whose worker's lease ran out (never one in progress).
        const stale = await db.prisma.zaloInbound.findMany({
          where: {
            OR: [
              { status: 'pending' },
              {
                status: 'processing',
                OR: [{ lockedUntil: null }, { lockedUntil: { lt: new Date(deps.now()) } }],
              },
            ],
          },
          take: 100,
        });
        for (const r of stale)
          await queue.enqueue(
            'zalo.process',
            { inboundId: r.id },
            { jobId: `zalo-in-${r.id}-a${r.attempts}` },
          );
      },
    },
    relayRepReply: async (msg) => {
      const c = await db.prisma.zaloConversation.findFirst({
        where: { slackChannel: msg.channel, slackThreadTs: msg.threadTs },
      });
      if (!c) return false;
      const ids = await db.transaction(async (tx) => {
        await tx.execute(
          `UPDATE zalo_conversation SET rep_replied_at = coalesce(rep_replied_at, $2::timestamptz), flow = 'handed_off' WHERE user_id = $1`,
          [c.userId, new Date(deps.now()).toISOString()],
        );
        return queueZaloSends(
          tx,
          [
            {
              dedupeKey: `slack:${msg.channel}:${msg.ts}`,
              userId: c.userId,
              author: `rep:${msg.user}`,
              kind: 'text',
              payload: { text: msg.text.slice(0, 2000) },
            },
          ],
          deps.now(),
        );
      });
      await enqueueZaloSends(queue, ids, logger);
      return true;
    },
  };
}
