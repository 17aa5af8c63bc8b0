/**
 * A fake Slack Web API (node:http on 127.0.0.1) for the real `@slack/web-api` WebClient: point
 * `slackApiUrl` at `fake.url`. Records every call, keeps channel state (posts, updates, threads)
 * so tests can assert what a rep would see, and injects 429s, errors and slowness on demand.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_TEAM = { id: 'T0001', name: 'Hotlead Test', domain: 'hotlead-test' } as const;
export const FAKE_BOT = { userId: 'U0BOT', botId: 'B0BOT', appId: 'A0HOTLEAD', name: 'hotlead' } as const;

export interface FakeSlackCall {
  method: string;
  /** The parsed body; JSON-valued form fields (`blocks`, `view`, `metadata`, …) are decoded. */
  body: Record<string, unknown>;
  /** Bearer token from `Authorization`, else a `token` body field, else null. */
  token: string | null;
  /** Arrival time (ms since epoch). */
  at: number;
  /** HTTP status answered: 200, or 429 when rate-limited. */
  status: number;
  /** `ok` of the answer. */
  ok: boolean;
  /** `error` of the answer when `ok` is false. */
  error?: string;
}

export interface FakeSlackUser {
  id: string;
  email: string;
  name: string;
  real_name?: string;
  /** IANA zone; default 'Asia/Ho_Chi_Minh'. */
  tz?: string;
  /** Returned by users.info only with `include_locale: true`, as Slack does; default 'en-US'. */
  locale?: string;
  is_bot?: boolean;
  deleted?: boolean;
}

/** A message as it now stands in a channel (after chat.update / chat.delete). */
export interface FakeMessage {
  ts: string;
  thread_ts?: string;
  text: string;
  blocks: unknown[];
  user: string;
  metadata?: unknown;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks: unknown[];
  thread_ts?: string;
  message_ts: string;
}

export interface FakeView {
  id: string;
  type: string;
  callback_id: string;
  private_metadata: string;
  blocks: unknown[];
  [key: string]: unknown;
}

export interface ChannelPostStats {
  /** chat.postMessage calls answered ok. */
  ok: number;
  /** chat.postMessage calls answered 429. */
  rateLimited: number;
  /** chat.postMessage calls answered `ok: false` (HTTP 200). */
  failed: number;
  /** Most successful posts in any 1-second window (to check a per-channel limiter). */
  maxPerSecond: number;
}

export interface FakeSlackOptions {
  /** If set, only these tokens are accepted; others get `invalid_auth`. Default: any token. */
  tokens?: string[];
  /** Seconds part of the first generated message ts. Default 1732345678. */
  startTs?: number;
  /** Users to seed the directory with. */
  users?: FakeSlackUser[];
}

export interface WaitForOptions {
  /** Default 8000 ms (CI runs many suites at once; only a failing wait takes that long). */
  timeoutMs?: number;
  /** Resolve once at least this many calls match. Default 1. */
  count?: number;
}

export type CallPredicate = (call: FakeSlackCall) => boolean;

export interface FakeSlack {
  /** For WebClient's `slackApiUrl` (ends with `/api/`). */
  readonly url: string;
  /** Base URL of the server (no trailing slash). */
  readonly baseUrl: string;
  /** Every call, in arrival order, including rate-limited and failed ones. */
  readonly calls: FakeSlackCall[];
  callsTo(method: string): FakeSlackCall[];
  /** Resolves with the matching calls once `count` of them were recorded; rejects on timeout. */
  waitFor(match: string | CallPredicate, opts?: WaitForOptions): Promise<FakeSlackCall[]>;
  addUser(user: FakeSlackUser): void;
  /**
   * Messages now in `channel` (oldest first, thread replies included), or, with `threadTs`,
   * the thread's parent and replies. A user id (`U…`) means the bot's DM with that user.
   */
  messages(channel: string, threadTs?: string): FakeMessage[];
  /** Ephemeral messages posted (optionally only those in `channel`). */
  ephemerals(channel?: string): FakeEphemeral[];
  /** The Home tab last published for `userId`, if any. */
  homeView(userId: string): FakeView | undefined;
  /** A modal opened/updated/pushed, by view id. */
  view(viewId: string): FakeView | undefined;
  /** DM channel id `conversations.open` gives for a user (`'D' + userId`). */
  dmChannel(userId: string): string;
  /**
   * A person writes in `channel` (in the thread of `threadTs` if given), as they would in Slack;
   * returns the message's ts — for the `message`/`app_mention` event a test then delivers.
   */
  postAsUser(channel: string, msg: { user: string; text: string; threadTs?: string }): string;
  /** A URL that stands in for a `response_url`; POSTs to it are recorded as method `response_url`. */
  responseUrl(key?: string): string;
  /** Next `times` matching calls answer HTTP 429 + `Retry-After` + `{ ok:false, error:'ratelimited' }`. */
  rateLimit(method: string, opts: { times: number; retryAfterSec: number; channel?: string }): void;
  /** Next `times` (default 1) matching calls answer HTTP 200 `{ ok:false, error }`. */
  fail(method: string, error: string, opts?: { times?: number; channel?: string }): void;
  /** Delay every answer (or only `method`'s) by `ms`; effects apply on arrival. `delay(0)` resets. */
  delay(ms: number, method?: string): void;
  /** chat.postMessage accounting per channel. */
  postsPerChannel(): Record<string, ChannelPostStats>;
  /**
   * Socket Mode: `apps.connections.open` (called with an app-level `xapp-` token) answers with
   * `issueUrl()`, a fresh WebSocket URL each call (see fake-slack-socket.ts); `undefined` turns it
   * off again. Kept by `reset()`, like users.
   */
  useSocketMode(issueUrl: (() => string) | undefined): void;
  /** Forget calls, messages, views and pending faults (keeps users). */
  reset(): void;
  close(): Promise<void>;
}

/** Form fields the WebClient JSON-encodes (it stringifies any non-primitive argument). */
const JSON_FIELDS = new Set([
  'blocks',
  'attachments',
  'view',
  'metadata',
  'unfurls',
  'user_auth_blocks',
  'options',
  'option_groups',
  'chunks',
  'inputs',
  'outputs',
  'channels',
  'users',
]);
/** Fields that are comma-separated lists when sent as strings and must not be JSON-parsed blindly. */
const LIST_FIELDS = new Set(['channels', 'users']);

interface Fault {
  method: string;
  channel: string | undefined;
  left: number;
  kind: 'ratelimit' | 'fail';
  retryAfterSec: number;
  error: string;
}

interface StoredMessage extends FakeMessage {
  deleted: boolean;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

class BadRequest extends Error {}

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const calls: FakeSlackCall[] = [];
  const users = new Map<string, FakeSlackUser>();
  const channels = new Map<string, StoredMessage[]>();
  const ephemerals: FakeEphemeral[] = [];
  const views = new Map<string, FakeView>();
  const homeViews = new Map<string, string>();
  let faults: Fault[] = [];
  let delayAll = 0;
  const delayBy = new Map<string, number>();
  const waiters = new Set<() => void>();
  let socketModeUrl: (() => string) | undefined;
  let tsMicros = (opts.startTs ?? 1732345678) * 1_000_000;
  let viewSeq = 0;
  const tokens = opts.tokens ? new Set(opts.tokens) : undefined;
  for (const u of opts.users ?? []) addUser(u);

  function addUser(user: FakeSlackUser): void {
    if (!/^[UW][A-Z0-9]+$/.test(user.id)) throw new Error(`fake-slack addUser: bad user id ${user.id}`);
    users.set(user.id, user);
  }

  function nextTs(): string {
    tsMicros += 100;
    const sec = Math.floor(tsMicros / 1_000_000);
    return `${sec}.${String(tsMicros % 1_000_000).padStart(6, '0')}`;
  }

  const dmChannel = (userId: string) => `D${userId}`;
  /** Slack posts to a user id in the app's DM with that user. */
  const resolveChannel = (ch: string) => (/^[UW][A-Z0-9]+$/.test(ch) ? dmChannel(ch) : ch);

  function channelMessages(ch: string): StoredMessage[] {
    let list = channels.get(ch);
    if (!list) {
      list = [];
      channels.set(ch, list);
    }
    return list;
  }

  function publicMessage(m: StoredMessage): FakeMessage {
    const out: FakeMessage = { ts: m.ts, text: m.text, blocks: m.blocks, user: m.user };
    if (m.thread_ts !== undefined) out.thread_ts = m.thread_ts;
    if (m.metadata !== undefined) out.metadata = m.metadata;
    return out;
  }

  /** A message as the Web API returns it (history, replies, postMessage). */
  function apiMessage(m: StoredMessage, list: StoredMessage[]): Record<string, unknown> {
    const replies = list.filter((r) => !r.deleted && r.thread_ts === m.ts && r.ts !== m.ts);
    const out: Record<string, unknown> = {
      type: 'message',
      user: m.user,
      ...(m.user === FAKE_BOT.userId ? { bot_id: FAKE_BOT.botId, app_id: FAKE_BOT.appId } : {}),
      text: m.text,
      ts: m.ts,
      team: FAKE_TEAM.id,
      blocks: m.blocks,
    };
    if (m.thread_ts !== undefined) out.thread_ts = m.thread_ts;
    if (replies.length > 0) {
      out.thread_ts = m.ts;
      out.reply_count = replies.length;
      out.latest_reply = replies[replies.length - 1]?.ts;
    }
    if (m.metadata !== undefined) out.metadata = m.metadata;
    return out;
  }

  function userObject(u: FakeSlackUser, includeLocale: boolean): Record<string, unknown> {
    const tz = u.tz ?? 'Asia/Ho_Chi_Minh';
    const out: Record<string, unknown> = {
      id: u.id,
      team_id: FAKE_TEAM.id,
      name: u.name,
      deleted: u.deleted ?? false,
      real_name: u.real_name ?? u.name,
      tz,
      tz_label: tz,
      tz_offset: tzOffsetSec(tz),
      is_bot: u.is_bot ?? false,
      is_app_user: false,
      profile: {
        email: u.email,
        real_name: u.real_name ?? u.name,
        display_name: u.name,
      },
    };
    if (includeLocale) out.locale = u.locale ?? 'en-US';
    return out;
  }

  const ok = (body: Record<string, unknown> = {}): Answer => ({ status: 200, body: { ok: true, ...body } });
  const err = (error: string): Answer => ({ status: 200, body: { ok: false, error } });

  function messageContent(body: Record<string, unknown>): { text: string; blocks: unknown[] } | string {
    const text = body.text;
    const blocks = body.blocks;
    if (blocks !== undefined && !Array.isArray(blocks)) return 'invalid_blocks_format';
    if (Array.isArray(blocks) && blocks.length > 50) return 'invalid_blocks';
    const textStr = typeof text === 'string' ? text : '';
    if (textStr === '' && (!Array.isArray(blocks) || blocks.length === 0) && body.attachments === undefined) {
      return 'no_text';
    }
    if (textStr.length > 40_000) return 'msg_too_long';
    return { text: textStr, blocks: Array.isArray(blocks) ? blocks : [] };
  }

  function storeView(raw: unknown, id: string): FakeView | string {
    if (!isRecord(raw)) return 'invalid_arguments';
    const blocks = raw.blocks;
    if (!Array.isArray(blocks)) return 'invalid_arguments';
    if (blocks.length > 100) return 'invalid_arguments';
    const view: FakeView = {
      ...raw,
      id,
      team_id: FAKE_TEAM.id,
      type: typeof raw.type === 'string' ? raw.type : 'modal',
      callback_id: typeof raw.callback_id === 'string' ? raw.callback_id : '',
      private_metadata: typeof raw.private_metadata === 'string' ? raw.private_metadata : '',
      blocks,
      state: { values: {} },
      hash: `${Date.now()}.${id}`,
      app_id: FAKE_BOT.appId,
      bot_id: FAKE_BOT.botId,
    };
    views.set(id, view);
    return view;
  }

  const newViewId = () => `V${String(++viewSeq).padStart(10, '0')}`;

  function handle(method: string, body: Record<string, unknown>, token: string): Answer {
    const str = (k: string): string | undefined => {
      const v = body[k];
      return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
    };
    switch (method) {
      case 'api.test':
        return ok({ args: body });
      case 'auth.test':
        return ok({
          url: `https://${FAKE_TEAM.domain}.slack.com/`,
          team: FAKE_TEAM.name,
          user: FAKE_BOT.name,
          team_id: FAKE_TEAM.id,
          user_id: FAKE_BOT.userId,
          bot_id: FAKE_BOT.botId,
          is_enterprise_install: false,
        });
      case 'chat.postMessage': {
        const raw = str('channel');
        if (!raw) return err('channel_not_found');
        const content = messageContent(body);
        if (typeof content === 'string') return err(content);
        const channel = resolveChannel(raw);
        const list = channelMessages(channel);
        const threadTs = str('thread_ts');
        if (threadTs !== undefined && !list.some((m) => m.ts === threadTs && !m.deleted)) {
          return err('thread_not_found');
        }
        const m: StoredMessage = { ts: nextTs(), ...content, user: FAKE_BOT.userId, deleted: false };
        if (threadTs !== undefined) m.thread_ts = threadTs;
        if (body.metadata !== undefined) m.metadata = body.metadata;
        list.push(m);
        return ok({ channel, ts: m.ts, message: apiMessage(m, list) });
      }
      case 'chat.update': {
        const raw = str('channel');
        const ts = str('ts');
        if (!raw) return err('channel_not_found');
        if (!ts) return err('invalid_arguments');
        const channel = resolveChannel(raw);
        const list = channelMessages(channel);
        const m = list.find((x) => x.ts === ts && !x.deleted);
        if (!m) return err('message_not_found');
        if (body.blocks !== undefined) {
          if (!Array.isArray(body.blocks)) return err('invalid_blocks_format');
          if (body.blocks.length > 50) return err('invalid_blocks');
          m.blocks = body.blocks;
        }
        if (typeof body.text === 'string') m.text = body.text;
        if (body.metadata !== undefined) m.metadata = body.metadata;
        return ok({ channel, ts, text: m.text, message: apiMessage(m, list) });
      }
      case 'chat.delete': {
        const raw = str('channel');
        const ts = str('ts');
        if (!raw) return err('channel_not_found');
        const channel = resolveChannel(raw);
        const m = channelMessages(channel).find((x) => x.ts === ts && !x.deleted);
        if (!m) return err('message_not_found');
        m.deleted = true;
        return ok({ channel, ts });
      }
      case 'chat.postEphemeral': {
        const raw = str('channel');
        const user = str('user');
        if (!raw) return err('channel_not_found');
        if (!user) return err('user_not_found');
        const content = messageContent(body);
        if (typeof content === 'string') return err(content);
        const e: FakeEphemeral = { channel: resolveChannel(raw), user, ...content, message_ts: nextTs() };
        const threadTs = str('thread_ts');
        if (threadTs !== undefined) e.thread_ts = threadTs;
        ephemerals.push(e);
        return ok({ message_ts: e.message_ts });
      }
      case 'chat.getPermalink': {
        const channel = str('channel');
        const ts = str('message_ts');
        if (!channel || !ts) return err('invalid_arguments');
        return ok({
          channel,
          permalink: `https://${FAKE_TEAM.domain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`,
        });
      }
      case 'conversations.open': {
        const ids = typeof body.users === 'string' ? body.users.split(',') : body.users;
        const channel = str('channel');
        if (channel) return ok({ channel: { id: channel }, no_op: true, already_open: true });
        if (!Array.isArray(ids) || ids.length === 0) return err('users_list_not_supplied');
        const first = ids[0];
        if (ids.length === 1 && typeof first === 'string') return ok({ channel: { id: dmChannel(first) } });
        return ok({
          channel: {
            id: `G${ids
              .join('')
              .replace(/[^A-Z0-9]/g, '')
              .slice(0, 20)}`,
          },
        });
      }
      case 'users.lookupByEmail': {
        const email = str('email')?.toLowerCase();
        const u = [...users.values()].find((x) => x.email.toLowerCase() === email);
        return u ? ok({ user: userObject(u, false) }) : err('users_not_found');
      }
      case 'users.info': {
        const id = str('user');
        const u = id === undefined ? undefined : users.get(id);
        const includeLocale = body.include_locale === true || body.include_locale === 'true';
        return u ? ok({ user: userObject(u, includeLocale) }) : err('user_not_found');
      }
      case 'views.open':
      case 'views.push': {
        if (!str('trigger_id') && !str('interactivity_pointer')) return err('invalid_arguments');
        const v = storeView(body.view, newViewId());
        return typeof v === 'string' ? err(v) : ok({ view: v });
      }
      case 'views.update': {
        const id = str('view_id');
        const ext = str('external_id');
        const existing = id ? views.get(id) : [...views.values()].find((v) => v.external_id === ext);
        if (!existing) return err('not_found');
        const v = storeView(body.view, existing.id);
        return typeof v === 'string' ? err(v) : ok({ view: v });
      }
      case 'views.publish': {
        const userId = str('user_id');
        if (!userId) return err('invalid_arguments');
        if (isRecord(body.view) && body.view.type !== 'home') return err('invalid_arguments');
        const v = storeView(body.view, homeViews.get(userId) ?? newViewId());
        if (typeof v === 'string') return err(v);
        homeViews.set(userId, v.id);
        return ok({ view: v });
      }
      case 'conversations.history': {
        const raw = str('channel');
        if (!raw) return err('channel_not_found');
        const list = channelMessages(resolveChannel(raw));
        const msgs = list
          .filter((m) => !m.deleted && m.thread_ts === undefined)
          .reverse()
          .map((m) => apiMessage(m, list));
        return ok({ messages: msgs, has_more: false, pin_count: 0, response_metadata: { next_cursor: '' } });
      }
      case 'conversations.replies': {
        const raw = str('channel');
        const ts = str('ts');
        if (!raw) return err('channel_not_found');
        const list = channelMessages(resolveChannel(raw));
        const parent = list.find((m) => m.ts === ts && !m.deleted);
        if (!parent) return err('thread_not_found');
        const thread = list.filter((m) => !m.deleted && (m === parent || m.thread_ts === parent.ts));
        return ok({
          messages: thread.map((m) => apiMessage(m, list)),
          has_more: false,
          response_metadata: { next_cursor: '' },
        });
      }
      case 'apps.connections.open': {
        // Only an app-level token opens a Socket Mode connection.
        if (!token.startsWith('xapp-')) return err('not_allowed_token_type');
        return socketModeUrl ? ok({ url: socketModeUrl() }) : ok();
      }
      default:
        return ok();
    }
  }

  function takeFault(method: string, body: Record<string, unknown>): Fault | undefined {
    const ch = typeof body.channel === 'string' ? body.channel : undefined;
    const f = faults.find(
      (x) =>
        x.left > 0 &&
        x.method === method &&
        (x.channel === undefined ||
          (ch !== undefined && (x.channel === ch || resolveChannel(x.channel) === resolveChannel(ch)))),
    );
    if (f) {
      f.left -= 1;
      faults = faults.filter((x) => x.left > 0);
    }
    return f;
  }

  function record(call: FakeSlackCall): void {
    calls.push(call);
    for (const w of [...waiters]) w();
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const apiMatch = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
    const respMatch = /^\/response\/(.+)$/.exec(url.pathname);
    if (!apiMatch && !respMatch) {
      send(res, { status: 404, body: { ok: false, error: 'unknown_path', path: url.pathname } });
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = await parseBody(req.headers['content-type'], raw, url.searchParams);
    } catch (e) {
      const error = e instanceof BadRequest ? e.message : 'invalid_form_data';
      send(res, { status: 200, body: { ok: false, error } });
      return;
    }
    if (respMatch) {
      record({ method: 'response_url', body, token: null, at, status: 200, ok: true });
      send(res, { status: 200, body: { ok: true } });
      return;
    }
    const method = apiMatch?.[1] ?? '';
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
    const token = bearer ?? (typeof body.token === 'string' ? body.token : null);

    let answer: Answer;
    if (!token) answer = err('not_authed');
    else if (tokens && !tokens.has(token)) answer = err('invalid_auth');
    else {
      const fault = takeFault(method, body);
      if (fault?.kind === 'ratelimit') {
        answer = {
          status: 429,
          body: { ok: false, error: 'ratelimited' },
          headers: { 'retry-after': String(fault.retryAfterSec) },
        };
      } else if (fault) answer = err(fault.error);
      else answer = handle(method, body, token);
    }
    const call: FakeSlackCall = {
      method,
      body,
      token,
      at,
      status: answer.status,
      ok: answer.body.ok === true,
    };
    if (typeof answer.body.error === 'string') call.error = answer.body.error;
    record(call);
    const wait = delayBy.get(method) ?? delayAll;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    send(res, answer);
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { ok: false, error: 'fake_slack_crashed' } });
      console.error('fake-slack crashed:', e);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  const fake: FakeSlack = {
    url: `${baseUrl}/api/`,
    baseUrl,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitFor(match, { timeoutMs = 8000, count = 1 } = {}) {
      const pred: CallPredicate = typeof match === 'string' ? (c) => c.method === match : match;
      const what = typeof match === 'string' ? match : 'predicate';
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = calls.filter(pred);
          if (found.length < count) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = summarize(calls.map((c) => c.method));
          reject(
            new Error(
              `fake-slack waitFor(${what}, count ${count}) timed out after ${timeoutMs} ms: ` +
                `${calls.filter(pred).length} matching; methods seen: ${seen || '(none)'}`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    addUser,
    messages(channel, threadTs) {
      const list = (channels.get(resolveChannel(channel)) ?? []).filter((m) => !m.deleted);
      const picked =
        threadTs === undefined ? list : list.filter((m) => m.ts === threadTs || m.thread_ts === threadTs);
      return picked.map(publicMessage);
    },
    ephemerals: (channel) =>
      ephemerals.filter((e) => channel === undefined || e.channel === resolveChannel(channel)),
    homeView(userId) {
      const id = homeViews.get(userId);
      return id === undefined ? undefined : views.get(id);
    },
    view: (viewId) => views.get(viewId),
    dmChannel,
    postAsUser(channel, { user, text, threadTs }) {
      const m: StoredMessage = { ts: nextTs(), text, blocks: [], user, deleted: false };
      if (threadTs !== undefined) m.thread_ts = threadTs;
      channelMessages(resolveChannel(channel)).push(m);
      return m.ts;
    },
    responseUrl: (key = 'default') => `${baseUrl}/response/${encodeURIComponent(key)}`,
    rateLimit(method, { times, retryAfterSec, channel }) {
      if (!(times > 0)) throw new Error(`fake-slack rateLimit(${method}): times must be > 0`);
      if (!Number.isInteger(retryAfterSec) || retryAfterSec < 0) {
        throw new Error(`fake-slack rateLimit(${method}): retryAfterSec must be a whole number of seconds`);
      }
      faults.push({ method, channel, left: times, kind: 'ratelimit', retryAfterSec, error: 'ratelimited' });
    },
    fail(method, error, { times = 1, channel } = {}) {
      if (!(times > 0)) throw new Error(`fake-slack fail(${method}): times must be > 0`);
      faults.push({ method, channel, left: times, kind: 'fail', retryAfterSec: 0, error });
    },
    delay(ms, method) {
      if (method === undefined) delayAll = ms;
      else if (ms > 0) delayBy.set(method, ms);
      else delayBy.delete(method);
    },
    postsPerChannel() {
      const out: Record<string, ChannelPostStats> = {};
      const okTimes = new Map<string, number[]>();
      for (const c of calls) {
        if (c.method !== 'chat.postMessage' || typeof c.body.channel !== 'string') continue;
        const ch = resolveChannel(c.body.channel);
        const s = out[ch] ?? { ok: 0, rateLimited: 0, failed: 0, maxPerSecond: 0 };
        out[ch] = s;
        if (c.status === 429) s.rateLimited += 1;
        else if (c.ok) {
          s.ok += 1;
          const times = okTimes.get(ch) ?? [];
          times.push(c.at);
          okTimes.set(ch, times);
        } else s.failed += 1;
      }
      for (const [ch, times] of okTimes) {
        let best = 0;
        let lo = 0;
        for (let hi = 0; hi < times.length; hi++) {
          while ((times[hi] ?? 0) - (times[lo] ?? 0) >= 1000) lo++;
          best = Math.max(best, hi - lo + 1);
        }
        const s = out[ch];
        if (s) s.maxPerSecond = best;
      }
      return out;
    },
    useSocketMode(issueUrl) {
      socketModeUrl = issueUrl;
    },
    reset() {
      calls.length = 0;
      channels.clear();
      ephemerals.length = 0;
      views.clear();
      homeViews.clear();
      faults = [];
      delayAll = 0;
      delayBy.clear();
    },
    async close() {
      waiters.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
  return fake;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function summarize(methods: string[]): string {
  const counts = new Map<string, number>();
  for (const m of methods) counts.set(m, (counts.get(m) ?? 0) + 1);
  return [...counts].map(([m, n]) => (n > 1 ? `${m}×${n}` : m)).join(', ');
}

function tzOffsetSec(tz: string): number {
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      timeZoneName: 'longOffset',
    }).formatToParts(new Date());
    const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    if (!m) return 0;
    const sec = Number(m[2]) * 3600 + Number(m[3]) * 60;
    return m[1] === '-' ? -sec : sec;
  } catch {
    return 0;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

/** Decode a form value the WebClient JSON-stringified; Slack answers `invalid_arguments`-like errors otherwise. */
function decodeField(key: string, value: string): unknown {
  if (!JSON_FIELDS.has(key)) return value;
  const trimmed = value.trimStart();
  if (LIST_FIELDS.has(key) && !trimmed.startsWith('[')) return value;
  if (!trimmed.startsWith('[') && !trimmed.startsWith('{')) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new BadRequest(key === 'blocks' ? 'invalid_blocks_format' : 'invalid_json');
  }
}

async function parseBody(
  contentType: string | undefined,
  raw: Buffer,
  query: URLSearchParams,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of query) out[k] = decodeField(k, v);
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length === 0) return out;
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new BadRequest('invalid_json');
    }
    if (!isRecord(parsed)) throw new BadRequest('invalid_json');
    return { ...out, ...parsed };
  }
  if (type === 'application/x-www-form-urlencoded' || type === '') {
    for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) out[k] = decodeField(k, v);
    return out;
  }
  if (type === 'multipart/form-data') {
    const form = await new Response(new Uint8Array(raw), {
      headers: { 'content-type': contentType ?? '' },
    }).formData();
    for (const [k, v] of form) {
      out[k] = typeof v === 'string' ? decodeField(k, v) : { filename: v.name, size: v.size };
    }
    return out;
  }
  throw new BadRequest('invalid_content_type');
}
