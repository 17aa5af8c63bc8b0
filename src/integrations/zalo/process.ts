/**
 * Processing one stored Zalo delivery (`zalo.process` job): the user becomes or links to a
 * lead (identity `zalo:<user id>`; a phone given in the chat or the contact form merges it with
 * the lead that has that phone), the event is scored as the model says (zalo_follow,
 * zalo_unfollow, zalo_message with the message's intent), what the message tells is extracted
 * and fed to the model's explicit rules (attribute_update / bant_update, with provenance: the
 * message id, the extractor, its confidence), the message is logged on the lead, relayed to the
 * lead's Slack thread when it has one, and the qualification flow says what comes next. Every
 * write is keyed by the delivery, so a re-run after a crash doubles nothing.
 */
import type { Sql } from '../../db/sql.ts';
import { newId } from '../../domain/ids.ts';
import { ingestEvents } from '../../domain/ingest.ts';
import type { IngestDeps } from '../../domain/ingest.ts';
import {
  type Extraction,
  type Extractor,
  extractLeadDetails,
  mergeExtractions,
} from '../../parse/extract.ts';
import type { Llm } from '../openai/client.ts';
import type { Lang } from '../../scoring/types.ts';
import { esc } from '../slack/blocks.ts';
import {
  enqueueSends as enqueueSlackSends,
  insertSends as insertSlackSends,
  textPost,
} from '../slack/sender.ts';
import { type FlowState, languageOf, nextStep, type Question, QUESTIONS } from './flow.ts';
import { enqueueZaloSends, queueZaloSends, type ZaloSendRequest } from './sender.ts';
import { transcriptOf } from './transcript.ts';
import { type ZaloEnvelope, envelopeSchema } from './webhook.ts';

export interface ProcessDeps extends IngestDeps {
  queue: Parameters<typeof enqueueSlackSends>[0];
  logger: Parameters<typeof enqueueSlackSends>[2];
  /** Whether the qualification flow runs (per-OA setting; default on). */
  qualify: () => Promise<boolean>;
  /** Where hand-offs are posted when the lead has no Slack thread yet (null: Slack is off). */
  slackChannel: string | null;
  /** With OPENAI_API_KEY: fills what the deterministic extractor left out (validated there). */
  llm: Llm | null;
  /** The user's Zalo display name (OA `user/detail`); null when it cannot be had. */
  displayName: (userId: string) => Promise<string | null>;
  /** How long a claimed delivery is left to its worker before the sweep may run it again. */
  leaseMs: number;
  /** Runs of one delivery before it is marked failed. */
  maxAttempts: number;
}

interface ConversationRow {
  user_id: string;
  lead_id: string | null;
  display_name: string | null;
  flow: string;
  asked: string | null;
  answered_since_ask: boolean;
  lang: string;
  slack_channel: string | null;
  slack_thread_ts: string | null;
  rep_replied_at: Date | null;
}

interface InboundRow {
  id: string;
  dedupe_key: string;
  payload: unknown;
  user_id: string | null;
  received_at: Date;
  attempts: number;
}

/**
 * Claims the delivery (compare-and-set with a lease: the sweep re-runs only deliveries that
 * are pending or whose lease ran out, never one a worker is processing — a message read by the
 * LLM can take longer than a sweep interval) and processes it. A failure gives the claim back
 * for a retry; after `maxAttempts` the delivery is `failed`.
 */
export async function processInbound(deps: ProcessDeps, inboundId: string): Promise<void> {
  const now = deps.now();
  const [row] = await deps.db.transaction((tx) =>
    tx.query<InboundRow>(
      `UPDATE zalo_inbound SET status = 'processing', attempts = attempts + 1, locked_until = $2::timestamptz
       WHERE id = $1 AND (status = 'pending'
         OR (status = 'processing' AND (locked_until IS NULL OR locked_until < $3::timestamptz)))
       RETURNING id, dedupe_key, payload, user_id, received_at, attempts`,
      [inboundId, new Date(now + deps.leaseMs).toISOString(), new Date(now).toISOString()],
    ),
  );
  if (!row) return; // done, failed, or in another worker's hands
  try {
    await processClaimed(deps, row);
  } catch (err) {
    const failed = row.attempts >= deps.maxAttempts;
    await deps.db.transaction((tx) =>
      tx.execute(`UPDATE zalo_inbound SET status = $2, locked_until = NULL, last_error = $3 WHERE id = $1`, [
        row.id,
        failed ? 'failed' : 'pending',
        String((err as Error)?.message ?? err).slice(0, 1000),
      ]),
    );
    if (failed) deps.logger.error({ err, inboundId }, 'Zalo delivery failed for good');
    throw err;
  }
}

async function processClaimed(deps: ProcessDeps, row: InboundRow): Promise<void> {
  if (!row.user_id) {
    await deps.db.transaction((tx) => markDone(tx, row.id, deps.now()));
    return;
  }
  const e = envelopeSchema.parse(row.payload);
  const userId = row.user_id;
  const at = eventTime(e, row.received_at.getTime());
  const key = `zalo:${row.dedupe_key}`;
  const text = e.message?.text ?? '';
  const extraction = text ? await extract(deps, text, at, e.message?.msg_id) : null;
  const submitted = e.event_name === 'user_submit_info' ? submittedInfo(e) : null;

  // 1. Score and link: one event for what happened, one for what it told us.
  const conversation = await ensureConversation(deps, userId, at);
  if (!conversation.display_name && e.event_name !== 'unfollow') {
    conversation.display_name = await deps.displayName(userId);
    if (conversation.display_name) {
      await deps.db.transaction((tx) =>
        tx.execute('UPDATE zalo_conversation SET display_name = $2 WHERE user_id = $1', [
          userId,
          conversation.display_name,
        ]),
      );
    }
  }
  const lang: Lang = text
    ? languageOf(text, conversation.lang === 'en' ? 'en' : 'vi')
    : conversation.lang === 'en'
      ? 'en'
      : 'vi';
  const lead = {
    zaloUserId: userId,
    ...(conversation.display_name ? { name: conversation.display_name } : {}),
    ...attributesOf(extraction, submitted),
  };
  const events: unknown[] = [];
  const type =
    e.event_name === 'follow'
      ? 'zalo_follow'
      : e.event_name === 'unfollow'
        ? 'zalo_unfollow'
        : 'zalo_message';
  const extracted = provenanceOf(extraction);
  events.push({
    id: key,
    type,
    occurredAt: new Date(at).toISOString(),
    lead,
    properties: {
      ...(e.message?.msg_id ? { msgId: e.message.msg_id } : {}),
      ...(text ? { text: text.slice(0, 2000) } : {}),
      ...(extraction?.intent ? { intent: extraction.intent } : {}),
      ...(extracted ? { extracted } : {}),
      event: e.event_name,
    },
  });
  // One BANT answer event per extractor, so each stored answer says who read it: source
  // `zalo:<msg_id>` (the deterministic parser) or `zalo:<msg_id>:llm`, with that reader's confidence.
  for (const extractor of ['parser', 'llm'] as const) {
    const bant = bantOf(extraction, extractor);
    if (!bant) continue;
    const suffix = extractor === 'llm' ? ':llm' : '';
    events.push({
      id: `${key}:bant${suffix}`,
      type: 'bant_update',
      occurredAt: new Date(at).toISOString(),
      lead: { zaloUserId: userId },
      properties: {
        ...bant.values,
        source: `zalo:${e.message?.msg_id ?? row.dedupe_key}${suffix}`,
        confidence: bant.confidence,
      },
    });
  }
  const results = await ingestEvents(deps, events, { source: 'zalo' });
  const rejected = results.filter((r) => r.status === 'rejected');
  if (rejected.length > 0) deps.logger.warn({ rejected }, 'some Zalo-derived events were rejected');
  const leadId = results.find((r) => r.leadId)?.leadId ?? conversation.lead_id;

  // 2. Log, relay, and the bot's next words — one transaction, keyed by the delivery.
  const known = leadId ? await knownOf(deps, leadId) : null;
  const state: FlowState = {
    flow: conversation.flow,
    asked: (conversation.asked ?? '')
      .split(',')
      .filter((q): q is Question => (QUESTIONS as readonly string[]).includes(q)),
    answeredSinceAsk: conversation.answered_since_ask,
    repReplied: conversation.rep_replied_at !== null,
  };
  const step =
    e.event_name === 'unfollow' || !known
      ? null
      : nextStep(
          state,
          {
            kind: e.event_name === 'follow' ? 'follow' : 'message',
            asksForHuman: extraction?.intent === 'human',
            name: known.displayName,
          },
          known,
          { enabled: await deps.qualify(), lang },
        );
  const slackIds: string[] = [];
  const zaloSends: ZaloSendRequest[] = (step?.say ?? []).map((say, i) => ({
    dedupeKey: `${key}:say:${i}`,
    userId,
    author: 'bot',
    ...(say.kind === 'text'
      ? { kind: 'text' as const, payload: { text: say.text } }
      : {
          kind: 'request_user_info' as const,
          payload: { title: say.title, subtitle: say.subtitle, imageUrl: say.imageUrl },
        }),
  }));
  const zaloIds = await deps.db.transaction(async (tx) => {
    await tx.execute(
      `UPDATE zalo_conversation SET lead_id = coalesce($2, lead_id), lang = $3,
         last_inbound_at = CASE WHEN $4 THEN greatest(coalesce(last_inbound_at, $5::timestamptz), $5::timestamptz) ELSE last_inbound_at END,
         following = CASE $6 WHEN 'follow' THEN true WHEN 'unfollow' THEN false ELSE following END,
         flow = coalesce($7, flow), asked = coalesce($8, asked), answered_since_ask = coalesce($9, answered_since_ask),
         updated_at = $5::timestamptz
       WHERE user_id = $1`,
      [
        userId,
        leadId ?? null,
        lang,
        e.event_name !== 'unfollow',
        new Date(at).toISOString(),
        e.event_name,
        step?.state.flow ?? null,
        step ? step.state.asked.join(',') : null,
        step?.state.answeredSinceAsk ?? null,
      ],
    );
    const logged = text || describeSubmitted(submitted, lang) || describeAttachments(e) || null;
    if (logged) {
      await tx.execute(
        `INSERT INTO zalo_message (id, user_id, lead_id, direction, author, msg_id, text, at)
         VALUES ($1, $2, $3, 'in', 'user', $4, $5, $6::timestamptz) ON CONFLICT (msg_id) DO NOTHING`,
        [
          newId('zm'),
          userId,
          leadId ?? null,
          e.message?.msg_id ?? `${row.dedupe_key}`,
          logged,
          new Date(at).toISOString(),
        ],
      );
      if (conversation.slack_channel && conversation.slack_thread_ts) {
        slackIds.push(
          ...(await relay(
            tx,
            deps,
            conversation,
            `${key}:relay`,
            `💬 *${esc(conversation.display_name ?? userId)}*: ${esc(logged)}`,
          )),
        );
      }
    }
    if (step?.state.flow === 'handed_off' && conversation.flow !== 'handed_off' && leadId) {
      slackIds.push(...(await handOff(tx, deps, conversation, key, lang)));
    }
    const ids = await queueZaloSends(tx, zaloSends, deps.now());
    await markDone(tx, row.id, deps.now());
    return ids;
  });
  await enqueueSlackSends(deps.queue, slackIds, deps.logger);
  await enqueueZaloSends(deps.queue, zaloIds, deps.logger);
}

function markDone(tx: Sql, id: string, now: number): Promise<number> {
  return tx.execute(
    `UPDATE zalo_inbound SET status = 'done', locked_until = NULL, processed_at = $2::timestamptz WHERE id = $1`,
    [id, new Date(now).toISOString()],
  );
}

/** Deterministic first; the LLM (when configured) only fills the fields it left absent. */
async function extract(
  deps: ProcessDeps,
  text: string,
  at: number,
  messageId: string | undefined,
): Promise<Extraction> {
  const found = extractLeadDetails(text, { now: at, ...(messageId ? { messageId } : {}) });
  if (!deps.llm) return found;
  const lang = languageOf(text, 'vi');
  return mergeExtractions(found, await deps.llm.extractLead(text, { lang, now: at }));
}

function eventTime(e: ZaloEnvelope, fallback: number): number {
  const t = Number(e.timestamp);
  // Zalo's timestamp is epoch ms as a string; the docs' sample is truncated: keep it sane.
  return Number.isFinite(t) && t > 1_000_000_000_000 ? t : fallback;
}

async function ensureConversation(deps: ProcessDeps, userId: string, at: number): Promise<ConversationRow> {
  const [row] = await deps.db.transaction((tx) =>
    tx.query<ConversationRow>(
      `INSERT INTO zalo_conversation (user_id, created_at, updated_at) VALUES ($1, $2::timestamptz, $2::timestamptz)
       ON CONFLICT (user_id) DO UPDATE SET user_id = EXCLUDED.user_id
       RETURNING user_id, lead_id, display_name, flow, asked, answered_since_ask, lang, slack_channel, slack_thread_ts, rep_replied_at`,
      [userId, new Date(at).toISOString()],
    ),
  );
  return row!;
}

/** The submitted contact form, in either documented shape. */
function submittedInfo(e: ZaloEnvelope): { name?: string; phone?: string; city?: string } {
  const info = (e.info ?? {}) as Record<string, unknown>;
  const str = (v: unknown) =>
    typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : undefined;
  const full = (info.full_address ?? {}) as Record<string, unknown>;
  const name = str(info.name);
  const phone = str(info.phone);
  const city = str(info.city) ?? str(full.user_city);
  return { ...(name ? { name } : {}), ...(phone ? { phone } : {}), ...(city ? { city } : {}) };
}

/** A message without text (image, file, sticker, location…), as a line in the transcript. */
function describeAttachments(e: ZaloEnvelope): string {
  return (e.message?.attachments ?? [])
    .map((a) => {
      const p = (a.payload ?? {}) as { url?: unknown; name?: unknown };
      const what = typeof p.name === 'string' ? p.name : typeof p.url === 'string' ? p.url : '';
      return `[${a.type}]${what ? ` ${what}` : ''}`;
    })
    .join(' ');
}

function describeSubmitted(s: ReturnType<typeof submittedInfo> | null, lang: Lang): string {
  if (!s) return '';
  const parts = [s.name, s.phone, s.city].filter(Boolean).join(', ');
  return lang === 'vi' ? `[Gửi thông tin liên hệ] ${parts}` : `[Shared contact details] ${parts}`;
}

function attributesOf(
  x: Extraction | null,
  s: ReturnType<typeof submittedInfo> | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (x?.name) out.name = x.name;
  if (x?.phone) out.phone = x.phone;
  if (x?.email) out.email = x.email;
  if (x?.company) out.company = x.company;
  if (x?.title) out.title = x.title;
  if (x?.companySize) out.companySize = x.companySize;
  if (s?.name) out.name = s.name;
  if (s?.phone) out.phone = s.phone;
  if (s?.city) out.city = s.city;
  return out;
}

const BANT_KEYS = ['budget', 'authority', 'need', 'timeline'] as const;

/** The BANT values one extractor read, with its mean confidence over them; null when none. */
function bantOf(
  x: Extraction | null,
  extractor: Extractor,
): { values: Record<string, unknown>; confidence: number } | null {
  if (!x) return null;
  const values: Record<string, unknown> = {};
  const confidences: number[] = [];
  for (const k of BANT_KEYS) {
    const from = x.fields[k];
    if (x[k] === undefined || (from?.extractor ?? 'parser') !== extractor) continue;
    values[k] = k === 'need' ? true : x[k];
    confidences.push(from?.confidence ?? x.confidence);
  }
  if (confidences.length === 0) return null;
  return { values, confidence: confidences.reduce((a, b) => a + b, 0) / confidences.length };
}

/** Who read each field of the message and how sure it was (kept on the stored event). */
function provenanceOf(
  x: Extraction | null,
): Record<string, { extractor: Extractor; confidence: number }> | null {
  const entries = Object.entries(x?.fields ?? {}).map(([k, f]) => [
    k,
    { extractor: f.extractor, confidence: f.confidence },
  ]);
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

async function knownOf(deps: ProcessDeps, leadId: string) {
  const lead = await deps.db.prisma.lead.findUnique({
    where: { id: leadId },
    include: { identities: true },
  });
  const state = (lead?.state ?? {}) as { bant?: Record<string, unknown> };
  const bant = state.bant ?? {};
  return {
    displayName: lead?.name ?? null,
    name: Boolean(lead?.name),
    phone: Boolean(lead?.identities.some((i) => i.kind === 'phone')),
    need: 'need' in bant,
    company: Boolean(lead?.company) && Boolean(lead?.title),
    budget: 'budget' in bant,
    timeline: 'timeline' in bant,
  };
}

/** Posts a line in the lead's Slack thread (keyed). */
function relay(
  tx: Sql,
  deps: ProcessDeps,
  c: ConversationRow,
  dedupeKey: string,
  text: string,
): Promise<string[]> {
  return insertSlackSends(tx, [textPost(dedupeKey, c.slack_channel!, text, c.slack_thread_ts!)], deps.now());
}

/**
 * The customer asked for a person: if the lead already has a Slack thread, say so there;
 * otherwise post a hand-off message to the alert channel — its thread becomes the
 * conversation's (bound when it is posted).
 */
async function handOff(
  tx: Sql,
  deps: ProcessDeps,
  c: ConversationRow,
  key: string,
  lang: Lang,
): Promise<string[]> {
  if (c.slack_channel && c.slack_thread_ts) {
    return relay(
      tx,
      deps,
      c,
      `${key}:handoff`,
      lang === 'vi' ? '🙋 Khách muốn gặp nhân viên.' : '🙋 The customer asks for a person.',
    );
  }
  const [channel] = await tx.query<{ channel: string }>(
    `SELECT channel FROM slack_alert ORDER BY created_at DESC LIMIT 1`,
  );
  const target = channel?.channel ?? process.env.SLACK_SQL_CHANNEL;
  if (!target) return [];
  const transcript = await transcriptOf(tx, c.user_id);
  const name = esc(c.display_name ?? c.user_id);
  const head =
    lang === 'vi'
      ? `🙋 Khách Zalo *${name}* muốn gặp nhân viên — trả lời trong thread này, khách nhận qua Zalo.`
      : `🙋 Zalo customer *${name}* asks for a person — reply in this thread, they get it on Zalo.`;
  return insertSlackSends(
    tx,
    [
      {
        dedupeKey: `${key}:handoff`,
        kind: 'post',
        channel: target,
        payload: {
          message: {
            text: head,
            blocks: [
              { type: 'section', text: { type: 'mrkdwn', text: `${head}\n\n${transcript}`.slice(0, 2900) } },
            ],
          },
          bindZaloUser: c.user_id,
        },
      },
    ],
    deps.now(),
  );
}
