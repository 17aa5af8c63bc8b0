/**
 * The Slack integration, assembled from config: the chat channel SQL alerts go to, the job
 * handlers that make Slack calls (any process that runs jobs), and the Bolt app — over the
 * server's HTTP endpoint, or over Socket Mode when an app-level token is set.
 */
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { type Logger as SlackLogger, LogLevel as SlackLogLevel } from '@slack/logger';
import { ErrorCode, WebClient, WebClientEvent } from '@slack/web-api';
import type { ChatChannel } from '../../bot/chat-port.ts';
import type { OpenAiConfig, SlackConfig } from '../../config.ts';
import type { IngestDeps } from '../../domain/ingest.ts';
import type { ReadDeps } from '../../domain/leads.ts';
import type { JobHandlers, JobQueue } from '../../jobs/queue.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Logger } from '../../logger.ts';
import type { Lang } from '../../scoring/types.ts';
import { AlertNotPostedYet, createSlackChannel, materialiseAlert, sweepAlerts } from './alerts.ts';
import { createLlm } from '../openai/client.ts';
import { registerListeners } from './app.ts';
import type { RelayToZalo } from './contract.ts';
import { linkRepsByEmail } from './people.ts';
import { type DigestDeps, digestHandlers, registerHome } from './digest.ts';
import { FastifySlackReceiver } from './receiver.ts';
import { pauseSlot } from '../../db/slots.ts';
import { dueSends, runSend, type SenderDeps, sendJobId } from './sender.ts';

export interface SlackIntegration {
  channel: ChatChannel;
  handlers: Pick<JobHandlers, 'slack.send' | 'slack.sweep' | 'digest.tick' | 'digest.send'>;
  client: WebClient;
  /** The Bolt app on the server's `/slack/events` route (HTTP mode) … */
  receiver: FastifySlackReceiver | null;
  /** … started here, and in Socket Mode connected here. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SlackIntegrationDeps extends ReadDeps {
  config: SlackConfig;
  /** Zalo hand-off: a rep's reply in a thread bound to a Zalo conversation goes to the customer. */
  relayToZalo?: RelayToZalo;
  /** Optional: reads BANT answers the parser cannot, phrases "why" answers (see openai/). */
  openai?: OpenAiConfig | undefined;
  queue: JobQueue;
  logger: Logger;
  ingest: IngestDeps;
  lang: Lang;
  timeZone?: string;
}

export function createSlackIntegration(deps: SlackIntegrationDeps): SlackIntegration {
  const { config } = deps;
  const timeZone = deps.timeZone ?? 'Asia/Ho_Chi_Minh';
  const clientOptions = {
    ...(config.apiUrl
      ? { slackApiUrl: config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/` }
      : {}),
    retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 5_000 },
    // A 429 comes back to the sender, which delays that channel only (the client would pause all).
    rejectRateLimitedCalls: true,
    // Its own logger writes to stdout with console.*: route it to ours (stderr, LOG_LEVEL).
    logger: slackLogger(deps.logger),
  };
  const client = new WebClient(config.botToken, clientOptions);
  const alertDeps = {
    ...deps,
    sqlChannel: config.sqlChannel,
    slaMs: config.slaMs,
    timeZone,
  };
  const sender: SenderDeps = {
    db: deps.db,
    queue: deps.queue,
    client,
    logger: deps.logger,
    now: deps.now,
    channelIntervalMs: config.channelIntervalMs,
    leaseMs: 120_000,
    maxAttempts: 10,
    renderAlert: (alertId, as) => materialiseAlert(alertDeps, alertId, as),
  };
  // Any call that meets a 429 (sends, and the direct calls: views, users…) is logged and, when it
  // names a channel, pauses that channel for Retry-After (the sender also does it, awaited,
  // before it reschedules the refused send; pausing twice is harmless).
  client.on(WebClientEvent.RATE_LIMITED, (retryAfterSec: number, req: { body?: { channel?: unknown } }) => {
    const channel = req?.body?.channel;
    deps.logger.warn({ retryAfterSec, channel }, 'Slack rate limit: waiting as asked');
    if (typeof channel === 'string') {
      pauseSlot(deps.db, channel, Date.now() + retryAfterSec * 1000, 'slack_send', channel).catch(() => {});
    }
  });

  // ---- Digest and App Home (digest.ts) ----
  const digestDeps: DigestDeps = { ...deps, client };

  // An app-level token means Socket Mode (no public URL); otherwise Bolt runs on our HTTP route.
  const receiver = config.appToken
    ? null
    : new FastifySlackReceiver({ signingSecret: config.signingSecret ?? '', logger: deps.logger });
  let socketReceiver: SocketModeReceiver | null = null;
  let app: App | null = null;
  const makeApp = () => {
    // Built here rather than by Bolt (`socketMode: true`) to keep a handle on its client: Bolt's
    // stop() does not wait for the WebSocket to close. Its Web API calls (apps.connections.open)
    // take our client options, so SLACK_API_URL applies to them too.
    socketReceiver = config.appToken
      ? new SocketModeReceiver({
          appToken: config.appToken,
          logger: clientOptions.logger,
          installerOptions: { clientOptions },
        })
      : null;
    const a = new App({
      token: config.botToken,
      receiver: receiver ?? socketReceiver ?? undefined,
      clientOptions,
      logger: clientOptions.logger,
      logLevel: LogLevel.ERROR,
    });
    a.error(async (err) => {
      deps.logger.error({ err }, 'Slack listener error');
    });
    registerListeners(a, {
      ...deps,
      // Interactive: a rep is waiting, so a short timeout and one retry.
      llm: createLlm(deps.openai, deps.logger, { timeoutMs: 5_000, maxRetries: 1 }),
      client,
      timeZone,
      slaMs: config.slaMs,
    });
    // ---- Digest and App Home (digest.ts) ----
    registerHome(a, digestDeps);
    return a;
  };
  if (receiver) app = makeApp();

  return {
    channel: createSlackChannel(alertDeps),
    client,
    receiver,
    handlers: {
      'slack.send': async ({ sendId }) => {
        try {
          await runSend(sender, sendId);
        } catch (err) {
          if (err instanceof AlertNotPostedYet)
            deps.logger.debug({ sendId }, 'alert not posted yet; retrying later');
          throw err;
        }
      },
      'slack.sweep': async () => {
        await sweepAlerts(alertDeps);
        for (const row of await dueSends(sender)) {
          await deps.queue.enqueue(
            'slack.send',
            { sendId: row.id },
            { jobId: sendJobId(row.id, row.attempts) },
          );
        }
      },
      // ---- Digest (digest.ts): digest.tick, digest.send ----
      ...digestHandlers(digestDeps),
    },
    async start() {
      if (!app) app = makeApp();
      // Reps known by email (CLI, CRM) get their Slack id, so routing can mention and DM them.
      linkRepsByEmail(deps.db, client).catch((err: unknown) => {
        deps.logger.warn({ err }, 'could not look reps up in Slack by email');
      });
      if (socketReceiver) {
        try {
          await app.start(); // resolves once Slack's `hello` arrives on the WebSocket
        } catch (err) {
          throw socketModeRefused(err, deps.lang);
        }
      }
    },
    async stop() {
      // Waits for the WebSocket's close handshake (a no-op in HTTP mode or before start()).
      await socketReceiver?.client.disconnect();
    },
  };
}

/**
 * Slack answering `apps.connections.open` with an error (a wrong or revoked app-level token,
 * Socket Mode turned off) is a configuration error naming the variable, not an internal one.
 */
function socketModeRefused(err: unknown, lang: Lang): unknown {
  const e = err as { code?: string; data?: { error?: string } };
  if (e?.code !== ErrorCode.PlatformError) return err;
  const slack = e.data?.error ?? 'unknown_error';
  return new AppError(
    'BAD_CONFIG',
    lang === 'vi'
      ? `Slack từ chối SLACK_APP_TOKEN (${slack}). Kiểm tra app-level token (Basic Information → App-Level Tokens, quyền connections:write) và Socket Mode đã bật cho app.`
      : `Slack refused SLACK_APP_TOKEN (${slack}). Check the app-level token (Basic Information → App-Level Tokens, scope connections:write) and that Socket Mode is enabled for the app.`,
    { details: [{ path: 'SLACK_APP_TOKEN', message: slack }], cause: err },
  );
}

/** @slack/logger's interface over our pino logger (debug/info of the SDK become debug). */
function slackLogger(logger: Logger): SlackLogger {
  const msg = (parts: unknown[]) =>
    parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
  let level = SlackLogLevel.INFO;
  return {
    debug: (...m) => logger.debug({ module: 'slack' }, msg(m)),
    info: (...m) => logger.debug({ module: 'slack' }, msg(m)),
    warn: (...m) => logger.warn({ module: 'slack' }, msg(m)),
    error: (...m) => logger.error({ module: 'slack' }, msg(m)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
