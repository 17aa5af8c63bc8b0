/**
 * Signed requests exactly as Slack sends them to a Request URL (Events API JSON envelopes,
 * slash-command forms, `payload=` interactivity), for driving a real Bolt app over HTTP.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

export const TEAM = { id: 'T0001', domain: 'hotlead-test' } as const;
export const APP_ID = 'A0HOTLEAD';
export const BOT_USER_ID = 'U0BOT';
/** The deprecated verification token Slack still sends in every payload. */
export const VERIFICATION_TOKEN = 'verification-token-not-used';

export type SlackEvent = { type: string } & Record<string, unknown>;

export interface SignedHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

/** `v0=` + hex HMAC-SHA256(secret, `v0:<ts>:<body>`). */
export function sign(body: string, secret: string, timestampSec: number): SignedHeaders {
  if (!secret) throw new Error('sign: signing secret is empty');
  if (!Number.isInteger(timestampSec))
    throw new Error(`sign: timestampSec must be whole seconds, got ${timestampSec}`);
  const hex = createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${hex}`, 'x-slack-request-timestamp': String(timestampSec) };
}

let seq = 0;
const next = () => ++seq;
const nowSec = () => Math.floor(Date.now() / 1000);

/** A message ts (`"1732345678.000042"`), unique within this process (up to 10^6 per second). */
export function newTs(atSec: number = nowSec()): string {
  return `${atSec}.${String(next() % 1_000_000).padStart(6, '0')}`;
}

/** An Events API `event_id` (`Ev…`) unique within this process. */
export function newEventId(): string {
  return `Ev0${next().toString(36).toUpperCase().padStart(9, '0')}`;
}

/** A `trigger_id` in Slack's shape (`<n>.<n>.<hex>`). */
export function newTriggerId(): string {
  return `${8_000_000_000 + next()}.${700_000_000 + next()}.${randomBytes(16).toString('hex')}`;
}

function base64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}

// ---------------------------------------------------------------- Events API

export interface EventCallbackOptions {
  eventId?: string;
  teamId?: string;
  /** Unix seconds; default now. */
  eventTime?: number;
}

/** JSON body of an `event_callback` envelope around `event`. */
export function eventCallback(event: SlackEvent, opts: EventCallbackOptions = {}): string {
  if (typeof event?.type !== 'string') throw new Error('eventCallback: event needs a string `type`');
  const teamId = opts.teamId ?? TEAM.id;
  const channel = typeof event.channel === 'string' ? event.channel : undefined;
  const ctx: Record<string, string> = { et: event.type, tid: teamId, aid: APP_ID };
  if (channel) ctx.cid = channel;
  return JSON.stringify({
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    context_team_id: teamId,
    context_enterprise_id: null,
    api_app_id: APP_ID,
    event,
    type: 'event_callback',
    event_id: opts.eventId ?? newEventId(),
    event_time: opts.eventTime ?? nowSec(),
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: BOT_USER_ID,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${base64url(JSON.stringify(ctx))}`,
  });
}

/** JSON body of the one-time `url_verification` handshake. */
export function urlVerification(challenge: string): string {
  return JSON.stringify({ token: VERIFICATION_TOKEN, challenge, type: 'url_verification' });
}

/** Form body of Slack's unsigned `ssl_check` probe (sent to slash-command URLs). */
export function sslCheck(): string {
  return new URLSearchParams({ ssl_check: '1', token: VERIFICATION_TOKEN }).toString();
}

function richText(text: string): unknown[] {
  return [
    {
      type: 'rich_text',
      block_id: randomBytes(3).toString('base64url'),
      elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
    },
  ];
}

export function appHomeOpened(
  userId: string,
  opts: { tab?: 'home' | 'messages'; viewId?: string } = {},
): SlackEvent {
  const ev: SlackEvent = {
    type: 'app_home_opened',
    user: userId,
    channel: `D${userId}`,
    tab: opts.tab ?? 'home',
    event_ts: newTs(),
  };
  if (opts.viewId) ev.view = { id: opts.viewId, team_id: TEAM.id, type: 'home' };
  return ev;
}

export interface MessageArgs {
  text: string;
  userId: string;
  channel: string;
  /** Default: a fresh ts. */
  ts?: string;
  threadTs?: string;
}

function messageFields(a: MessageArgs): Record<string, unknown> {
  const ts = a.ts ?? newTs();
  const out: Record<string, unknown> = {
    user: a.userId,
    text: a.text,
    ts,
    event_ts: ts,
    channel: a.channel,
    team: TEAM.id,
    client_msg_id: randomUUID(),
    blocks: richText(a.text),
  };
  if (a.threadTs !== undefined) out.thread_ts = a.threadTs;
  return out;
}

/** `app_mention`; put the mention in `text` yourself (`'<@U0BOT> score acme'`), as Slack does. */
export function appMention(a: MessageArgs): SlackEvent {
  return { type: 'app_mention', ...messageFields(a) };
}

/** A DM to the bot: `message` event with `channel_type: 'im'` (channel must be a `D…` id). */
export function directMessage(a: MessageArgs): SlackEvent {
  if (!a.channel.startsWith('D'))
    throw new Error(`directMessage: channel must be a D… IM id, got ${a.channel}`);
  return { type: 'message', ...messageFields(a), channel_type: 'im' };
}

function channelType(channel: string): string {
  if (channel.startsWith('D')) return 'im';
  if (channel.startsWith('G')) return 'group';
  return 'channel';
}

/** A user's reply in a thread (`message` with `thread_ts`, and `parent_user_id` as Slack adds). */
export function threadReply(a: MessageArgs & { threadTs: string; parentUserId?: string }): SlackEvent {
  if (!a.threadTs) throw new Error('threadReply: threadTs is required');
  return {
    type: 'message',
    ...messageFields(a),
    parent_user_id: a.parentUserId ?? BOT_USER_ID,
    channel_type: channelType(a.channel),
  };
}

// ---------------------------------------------------------------- Slash commands

export interface SlashCommandArgs {
  command?: string;
  text: string;
  userId: string;
  channelId: string;
  channelName?: string;
  userName?: string;
  triggerId?: string;
  responseUrl?: string;
  teamId?: string;
}

/** `application/x-www-form-urlencoded` body of a slash command. */
export function slashCommand(a: SlashCommandArgs): string {
  const command = a.command ?? '/hotlead';
  if (!command.startsWith('/')) throw new Error(`slashCommand: command must start with '/', got ${command}`);
  const teamId = a.teamId ?? TEAM.id;
  return new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    team_domain: TEAM.domain,
    channel_id: a.channelId,
    channel_name: a.channelName ?? (a.channelId.startsWith('D') ? 'directmessage' : 'sales'),
    user_id: a.userId,
    user_name: a.userName ?? a.userId.toLowerCase(),
    command,
    text: a.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url:
      a.responseUrl ??
      `https://hooks.slack.com/commands/${teamId}/${next()}/${randomBytes(12).toString('hex')}`,
    trigger_id: a.triggerId ?? newTriggerId(),
  }).toString();
}

// ---------------------------------------------------------------- Interactivity

function user(userId: string, userName?: string): Record<string, string> {
  const name = userName ?? userId.toLowerCase();
  return { id: userId, username: name, name, team_id: TEAM.id };
}

function payloadBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface SelectedOption {
  value: string;
  text?: string;
}

export interface BlockActionsArgs {
  actionId: string;
  /** A button's value. */
  value?: string;
  /** Makes the action a `static_select`. */
  selectedOption?: SelectedOption;
  userId: string;
  userName?: string;
  channelId: string;
  messageTs: string;
  triggerId?: string;
  blockId?: string;
  /** The message the action came from (e.g. a `fake.messages()` entry); default a bot message at `messageTs`. */
  message?: Record<string, unknown>;
  responseUrl?: string;
  /** Action on an ephemeral message: Slack then sends no `message`. */
  ephemeral?: boolean;
}

/** `payload=` body of a `block_actions` interaction (a button or a static_select). */
export function blockActions(a: BlockActionsArgs): string {
  if (a.value !== undefined && a.selectedOption !== undefined) {
    throw new Error('blockActions: give value (button) or selectedOption (static_select), not both');
  }
  const actionTs = newTs();
  const blockId = a.blockId ?? 'hl_actions';
  const action: Record<string, unknown> = a.selectedOption
    ? {
        type: 'static_select',
        action_id: a.actionId,
        block_id: blockId,
        selected_option: {
          text: { type: 'plain_text', text: a.selectedOption.text ?? a.selectedOption.value, emoji: true },
          value: a.selectedOption.value,
        },
        placeholder: { type: 'plain_text', text: 'Select', emoji: true },
        action_ts: actionTs,
      }
    : {
        type: 'button',
        action_id: a.actionId,
        block_id: blockId,
        text: { type: 'plain_text', text: a.actionId, emoji: true },
        action_ts: actionTs,
      };
  if (a.value !== undefined) action.value = a.value;
  const payload: Record<string, unknown> = {
    type: 'block_actions',
    user: user(a.userId, a.userName),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: {
      type: 'message',
      message_ts: a.messageTs,
      channel_id: a.channelId,
      is_ephemeral: a.ephemeral ?? false,
    },
    trigger_id: a.triggerId ?? newTriggerId(),
    team: { id: TEAM.id, domain: TEAM.domain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: a.channelId, name: a.channelId.startsWith('D') ? 'directmessage' : 'sales' },
    state: { values: {} },
    response_url:
      a.responseUrl ??
      `https://hooks.slack.com/actions/${TEAM.id}/${next()}/${randomBytes(12).toString('hex')}`,
    actions: [action],
  };
  if (!a.ephemeral) {
    payload.message = {
      type: 'message',
      user: BOT_USER_ID,
      bot_id: 'B0BOT',
      app_id: APP_ID,
      text: '',
      blocks: [],
      team: TEAM.id,
      ...a.message,
      ts: a.messageTs,
    };
  }
  return payloadBody(payload);
}

/** A plain_text_input's value (string, or null when left empty) or a full state value object. */
export type ViewInputValue = string | null | ({ type: string } & Record<string, unknown>);

export interface ViewSubmissionArgs {
  callbackId: string;
  /** A string as Slack stores it; an object is JSON-encoded for you. */
  privateMetadata: string | Record<string, unknown>;
  /** `{ [blockId]: { [actionId]: value } }`; strings/null become `plain_text_input` values. */
  values: Record<string, Record<string, ViewInputValue>>;
  userId: string;
  userName?: string;
  viewId?: string;
  triggerId?: string;
  blocks?: unknown[];
}

/** Slack's state value for a static_select option. */
export function staticSelectValue(value: string, text: string = value): ViewInputValue {
  return {
    type: 'static_select',
    selected_option: { text: { type: 'plain_text', text, emoji: true }, value },
  };
}

/** `payload=` body of a `view_submission`. */
export function viewSubmission(a: ViewSubmissionArgs): string {
  const values: Record<string, Record<string, unknown>> = {};
  for (const [blockId, inputs] of Object.entries(a.values)) {
    const block: Record<string, unknown> = {};
    for (const [actionId, v] of Object.entries(inputs)) {
      block[actionId] = v === null || typeof v === 'string' ? { type: 'plain_text_input', value: v } : v;
    }
    values[blockId] = block;
  }
  const viewId = a.viewId ?? `V${String(next()).padStart(10, '0')}`;
  const payload = {
    type: 'view_submission',
    team: { id: TEAM.id, domain: TEAM.domain },
    user: user(a.userId, a.userName),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: a.triggerId ?? newTriggerId(),
    view: {
      id: viewId,
      team_id: TEAM.id,
      type: 'modal',
      blocks: a.blocks ?? [],
      private_metadata:
        typeof a.privateMetadata === 'string' ? a.privateMetadata : JSON.stringify(a.privateMetadata),
      callback_id: a.callbackId,
      state: { values },
      hash: `${nowSec()}.${randomBytes(4).toString('hex')}`,
      title: { type: 'plain_text', text: 'Hotlead', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: { type: 'plain_text', text: 'Cancel', emoji: true },
      submit: { type: 'plain_text', text: 'Save', emoji: true },
      previous_view_id: null,
      root_view_id: viewId,
      app_id: APP_ID,
      external_id: '',
      app_installed_team_id: TEAM.id,
      bot_id: 'B0BOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  return payloadBody(payload);
}

// ---------------------------------------------------------------- Sending

export type SlackContentType = 'application/json' | 'application/x-www-form-urlencoded';

export interface PostSignedOptions {
  secret: string;
  /** Default: JSON if the body starts with `{`, else form-encoded (what Slack sends, no charset). */
  contentType?: SlackContentType | (string & {});
  /** Default now; pass an old one to test staleness. */
  timestampSec?: number;
  retryNum?: number;
  retryReason?: string;
  /** Sent instead of the computed signature (to test a bad one). */
  signature?: string;
  /** Default '/slack/events'. */
  path?: string;
  /** Omit both signature headers (like a probe that is not from Slack). */
  unsigned?: boolean;
}

export interface PostSignedResult {
  status: number;
  body: string;
  /** The body parsed, when it is JSON. */
  json?: unknown;
}

/** POST `body` to `${baseUrl}/slack/events` with Slack's headers. */
export async function postSigned(
  baseUrl: string,
  body: string,
  opts: PostSignedOptions,
): Promise<PostSignedResult> {
  const contentType =
    opts.contentType ??
    (body.trimStart().startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded');
  const headers: Record<string, string> = {
    // Bolt compares the content type exactly: `application/x-www-form-urlencoded; charset=…` is parsed as JSON.
    'content-type': contentType,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  };
  if (!opts.unsigned) {
    Object.assign(headers, sign(body, opts.secret, opts.timestampSec ?? nowSec()));
    if (opts.signature !== undefined) headers['x-slack-signature'] = opts.signature;
  }
  if (opts.retryNum !== undefined) headers['x-slack-retry-num'] = String(opts.retryNum);
  if (opts.retryReason !== undefined) headers['x-slack-retry-reason'] = opts.retryReason;
  const res = await fetch(`${baseUrl.replace(/\/$/, '')}${opts.path ?? '/slack/events'}`, {
    method: 'POST',
    headers,
    body,
  });
  const text = await res.text();
  const out: PostSignedResult = { status: res.status, body: text };
  if ((res.headers.get('content-type') ?? '').includes('json') || /^\s*[[{]/.test(text)) {
    try {
      out.json = JSON.parse(text) as unknown;
    } catch {
      // not JSON after all
    }
  }
  return out;
}
