/**
 * Configuration, parsed once at start-up. Empty variables count as unset, numbers are coerced,
 * and a bad value stops start-up with a message naming the variable.
 */
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors/app-error.ts';

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const url = (protocols: string[]) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine(
        (v) => protocols.some((p) => v.startsWith(`${p}://`)),
        `must start with ${protocols.join(':// or ')}://`,
      )
      .optional(),
  );
const int = (def: number, min: number, max: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(min).max(max).default(def));

const envSchema = z.object({
  DATABASE_URL: url(['postgres', 'postgresql']),
  REDIS_URL: url(['redis', 'rediss']),
  HOTLEAD_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('.hotlead')),
  HOTLEAD_HOST: z.preprocess(emptyAsUndefined, z.string().default('127.0.0.1')),
  HOTLEAD_PORT: int(3000, 0, 65535),
  HOTLEAD_MODEL: optionalString,
  HOTLEAD_LANG: z.preprocess(emptyAsUndefined, z.enum(['vi', 'en']).default('vi')),
  HOTLEAD_ALERT_WINDOW_HOURS: int(24, 0, 24 * 365),
  HOTLEAD_DECAY_SWEEP_SECONDS: int(60, 1, 86_400),
  HOTLEAD_OUTBOX_POLL_MS: int(2000, 10, 600_000),
  HOTLEAD_OUTBOX_LEASE_MS: int(60_000, 100, 3_600_000),
  /** Test hook: the process exits at this named point (e.g. outbox:after-claim). */
  HOTLEAD_CRASH_AT: optionalString,
  /** Redis key prefix of the job queue: one per deployment sharing a Redis. */
  HOTLEAD_QUEUE_PREFIX: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[\w-]+$/, 'letters, digits, _ and - only')
      .default('hotlead'),
  ),
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  /** App-level token (xapp-…): Socket Mode instead of the HTTP endpoint. */
  SLACK_APP_TOKEN: optionalString,
  /** Channel id where SQL alerts are posted. */
  SLACK_SQL_CHANNEL: optionalString,
  /** Web API base URL (proxies, tests); Slack's own by default. */
  SLACK_API_URL: url(['http', 'https']),
  /** An alert unclaimed this long is re-pinged to its rep and escalated to managers. */
  SLACK_SLA_MINUTES: int(30, 1, 7 * 24 * 60),
  /** Minimum gap between two messages Hotlead posts to one channel (Slack allows ~1/s). */
  SLACK_CHANNEL_INTERVAL_MS: int(1000, 0, 60_000),
  // --- Zalo OA (optional): webhook at POST /zalo/webhook, sends through the OA API.
  ZALO_APP_ID: optionalString,
  ZALO_APP_SECRET: optionalString,
  /** The OA Secret Key of the app's Webhook settings (signs webhook deliveries). */
  ZALO_OA_SECRET_KEY: optionalString,
  /** OA Open API base URL (default Zalo's; proxies, tests). */
  ZALO_API_URL: url(['http', 'https']),
  /** OAuth v4 base URL (default Zalo's; proxies, tests). */
  ZALO_OAUTH_URL: url(['http', 'https']),
  /** Where Zalo redirects after `hotlead zalo connect` (must match the app's callback URL). */
  ZALO_REDIRECT_URI: url(['http', 'https']),
  /**
   * After Zalo answers -32 (over the app's 4,000 requests/minute), no OA call goes out, from any
   * process, for this long. Zalo gives no Retry-After; the limit is per minute, so a minute is
   * enough for the window to have moved on.
   */
  ZALO_RATE_LIMIT_PAUSE_MS: int(60_000, 100, 600_000),
  // --- end Zalo
  // --- OpenAI (optional): reads BANT answers the parser cannot, phrases "why" answers.
  OPENAI_API_KEY: optionalString,
  /** API base URL (proxies, tests); OpenAI's own by default. */
  OPENAI_BASE_URL: url(['http', 'https']),
  OPENAI_MODEL: z.preprocess(emptyAsUndefined, z.string().default('gpt-4o-mini')),
  // --- end OpenAI
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
});

export type Config = {
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  modelPath: string | undefined;
  lang: 'vi' | 'en';
  alertWindowMs: number;
  decaySweepMs: number;
  outboxPollMs: number;
  outboxLeaseMs: number;
  crashAt: string | undefined;
  queuePrefix: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Set when Slack is configured; the console channel steps aside then. */
  slack: SlackConfig | undefined;
  /** Set when the Zalo app is configured (ZALO_APP_ID, ZALO_APP_SECRET, ZALO_OA_SECRET_KEY). */
  zalo: ZaloConfig | undefined;
  /** Set when OPENAI_API_KEY is; without it every LLM feature falls back to the deterministic path. */
  openai: OpenAiConfig | undefined;
};

export interface ZaloConfig {
  appId: string;
  appSecret: string;
  oaSecretKey: string;
  apiUrl: string;
  oauthUrl: string;
  redirectUri: string | undefined;
  /** How long every OA call waits after a -32 (rate limited) answer. */
  rateLimitPauseMs: number;
}

export interface OpenAiConfig {
  apiKey: string;
  baseUrl: string | undefined;
  model: string;
}

export interface SlackConfig {
  botToken: string;
  signingSecret: string | undefined;
  appToken: string | undefined;
  sqlChannel: string;
  apiUrl: string | undefined;
  slaMs: number;
  channelIntervalMs: number;
}

export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new AppError(
      'BAD_CONFIG',
      `Invalid configuration: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`,
      {
        details,
      },
    );
  }
  const e = parsed.data;
  return {
    slack: slackConfig(e),
    openai: openAiConfig(e),
    zalo: zaloConfig(e),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    dataDir: path.resolve(e.HOTLEAD_DATA_DIR),
    host: e.HOTLEAD_HOST,
    port: e.HOTLEAD_PORT,
    modelPath: e.HOTLEAD_MODEL,
    lang: e.HOTLEAD_LANG,
    alertWindowMs: e.HOTLEAD_ALERT_WINDOW_HOURS * 3_600_000,
    decaySweepMs: e.HOTLEAD_DECAY_SWEEP_SECONDS * 1000,
    outboxPollMs: e.HOTLEAD_OUTBOX_POLL_MS,
    outboxLeaseMs: e.HOTLEAD_OUTBOX_LEASE_MS,
    crashAt: e.HOTLEAD_CRASH_AT,
    queuePrefix: e.HOTLEAD_QUEUE_PREFIX,
    logLevel: e.LOG_LEVEL,
  };
}

function openAiConfig(e: z.infer<typeof envSchema>): OpenAiConfig | undefined {
  if (e.OPENAI_API_KEY === undefined) {
    if (e.OPENAI_BASE_URL === undefined) return undefined;
    throw new AppError('BAD_CONFIG', 'OpenAI is partly configured: set OPENAI_API_KEY', {
      details: [{ path: 'OPENAI_API_KEY', message: 'required when OPENAI_BASE_URL is set' }],
    });
  }
  return { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL };
}

function slackConfig(e: z.infer<typeof envSchema>): SlackConfig | undefined {
  const any = e.SLACK_BOT_TOKEN ?? e.SLACK_SIGNING_SECRET ?? e.SLACK_APP_TOKEN ?? e.SLACK_SQL_CHANNEL;
  if (any === undefined) return undefined;
  const missing = [
    e.SLACK_BOT_TOKEN ? null : 'SLACK_BOT_TOKEN',
    e.SLACK_SQL_CHANNEL ? null : 'SLACK_SQL_CHANNEL',
    e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN
      ? null
      : 'SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)',
  ].filter((m): m is string => m !== null);
  if (missing.length > 0) {
    throw new AppError('BAD_CONFIG', `Slack is partly configured: set ${missing.join(', ')}`, {
      details: missing.map((m) => ({ path: m.split(' ')[0]!, message: 'required when Slack is configured' })),
    });
  }
  if (e.SLACK_APP_TOKEN && !e.SLACK_APP_TOKEN.startsWith('xapp-')) {
    throw new AppError(
      'BAD_CONFIG',
      'Invalid configuration: SLACK_APP_TOKEN must be an app-level token (xapp-…)',
      {
        details: [{ path: 'SLACK_APP_TOKEN', message: 'must start with xapp-' }],
      },
    );
  }
  return {
    botToken: e.SLACK_BOT_TOKEN!,
    signingSecret: e.SLACK_SIGNING_SECRET,
    appToken: e.SLACK_APP_TOKEN,
    sqlChannel: e.SLACK_SQL_CHANNEL!,
    apiUrl: e.SLACK_API_URL,
    slaMs: e.SLACK_SLA_MINUTES * 60_000,
    channelIntervalMs: e.SLACK_CHANNEL_INTERVAL_MS,
  };
}

function zaloConfig(e: z.infer<typeof envSchema>): ZaloConfig | undefined {
  const required = {
    ZALO_APP_ID: e.ZALO_APP_ID,
    ZALO_APP_SECRET: e.ZALO_APP_SECRET,
    ZALO_OA_SECRET_KEY: e.ZALO_OA_SECRET_KEY,
  };
  const missing = Object.entries(required)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length === 3) return undefined;
  if (missing.length > 0) {
    throw new AppError('BAD_CONFIG', `Zalo is partly configured: set ${missing.join(', ')}`, {
      details: missing.map((m) => ({ path: m, message: 'required when Zalo is configured' })),
    });
  }
  return {
    appId: e.ZALO_APP_ID!,
    appSecret: e.ZALO_APP_SECRET!,
    oaSecretKey: e.ZALO_OA_SECRET_KEY!,
    apiUrl: (e.ZALO_API_URL ?? 'https://openapi.zalo.me').replace(/\/$/, ''),
    oauthUrl: (e.ZALO_OAUTH_URL ?? 'https://oauth.zaloapp.com').replace(/\/$/, ''),
    redirectUri: e.ZALO_REDIRECT_URI,
    rateLimitPauseMs: e.ZALO_RATE_LIMIT_PAUSE_MS,
  };
}
