/**
 * The Bolt app: slash command, buttons, modals, mentions and DMs. Every listener acks first
 * (slash commands ack WITH their answer when it is ready within the deadline — the answer is
 * a read — and answer through `respond` otherwise); anything that changes what others see goes
 * through slack_send rows with dedupe keys derived from the Slack request (event_id,
 * action_ts, view id), so Slack's retries change nothing twice. Business rules stay in the
 * domain and bot layers; this file only translates.
 */
import type { App, BlockAction, StaticSelectAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Llm } from '../openai/client.ts';
import { type BotContext, type BotReply, handleCommand } from '../../bot/commands.ts';
import type { IngestDeps } from '../../domain/ingest.ts';
import { ingestEvents } from '../../domain/ingest.ts';
import { explainLead, type ReadDeps, resolveLeadRef, topLeads } from '../../domain/leads.ts';
import { type ClaimResult, claimLead } from '../../domain/reps.ts';
import { AppError, asAppError } from '../../errors/app-error.ts';
import { type BantField, parseBantText } from '../../parse/index.ts';
import { foldText } from '../../parse/text.ts';
import type { Lang } from '../../scoring/types.ts';
import { bantLines, changeAlerts } from './alerts.ts';
import { handleBantMessage, identityOf, sessionFor, startBant } from './bant.ts';
import { digestArgs, digestCommand, publishHome } from './digest.ts';
import { bantEditModal, esc, noticeModal, notFitModal, renderReply } from './blocks.ts';
import {
  ACTION,
  BANT_EDIT_INPUT,
  type ModalMeta,
  NOT_FIT_INPUT,
  NOT_FIT_REASONS,
  type RelayToZalo,
  type ReplyView,
  type SlackMessage,
  SNOOZE_OPTIONS,
  type SnoozeOption,
  VIEW,
} from './contract.ts';
import { linkRep, repForSlackUser, type SlackRep, slackUserInfo } from './people.ts';
import { enqueueSends, insertSends, queueSends, type SenderDeps } from './sender.ts';

export interface SlackAppDeps extends ReadDeps {
  client: WebClient;
  /** Null without OPENAI_API_KEY: every answer then comes from the deterministic path. */
  llm: Llm | null;
  /** Set with Zalo: a rep's reply in a thread bound to a Zalo conversation goes to the customer. */
  relayToZalo?: RelayToZalo;
  queue: SenderDeps['queue'];
  logger: SenderDeps['logger'];
  ingest: IngestDeps;
  lang: Lang;
  timeZone: string;
  slaMs: number;
}

const COMMAND_DEADLINE_MS = 2_000;
const BANT_FIELDS: readonly BantField[] = ['budget', 'authority', 'need', 'timeline'];
const EXAMPLE: Record<BantField, { vi: string; en: string }> = {
  budget: { vi: '“khoảng 200 triệu”, “chưa có ngân sách”', en: '“200 million VND”, “$10k”, “no budget”' },
  authority: { vi: '“giám đốc”, “phải hỏi sếp”', en: '“decision maker”, “needs his boss”' },
  need: { vi: '“cần phần mềm CRM”, “chưa có nhu cầu”', en: '“needs a CRM”, “just browsing”' },
  timeline: {
    vi: '“trước Tết”, “quý 1 năm sau”, “không vội”',
    en: '“before Tết”, “Q1 next year”, “no rush”',
  },
};
const SNOOZE_MS: Record<SnoozeOption, number> = {
  '1d': 86_400_000,
  '3d': 3 * 86_400_000,
  '1w': 7 * 86_400_000,
};

export function registerListeners(app: App, deps: SlackAppDeps): void {
  const rep = (userId: string) =>
    repForSlackUser({ db: deps.db, client: deps.client, defaultLang: deps.lang }, userId);
  const render = (reply: ReplyView) => renderWithLlm(deps, reply);

  // ---- /hotlead ------------------------------------------------------------------------------
  app.command('/hotlead', async ({ command, ack, respond }) => {
    const work = (async () =>
      await render(await runSlashCommand(deps, rep, command.user_id, command.text)))();
    const ready = await Promise.race([work, sleepMs(COMMAND_DEADLINE_MS).then(() => null)]);
    if (ready) {
      await ack({ response_type: 'ephemeral', ...ready });
      return;
    }
    await ack();
    const message = await work;
    await respond({ response_type: 'ephemeral', ...message });
  });

  // ---- Alert buttons -------------------------------------------------------------------------
  app.action<BlockAction>(ACTION.claim, async ({ ack, body, action }) => {
    await ack();
    const leadId = (action as { value?: string }).value ?? '';
    const who = await rep(body.user.id);
    const result = await claimWithAlerts(deps, leadId, who);
    if (!result.ok) {
      const lang = who.language;
      await ephemeral(
        deps,
        body,
        `claim:${body.actions[0]?.action_ts}:${body.user.id}`,
        await render({
          type: 'claim-taken',
          lang,
          leadId,
          leadName: null,
          owner: result.owner,
        }),
      );
    }
  });

  // ---- App Home -----------------------------------------------------------------------------
  // The same claim as the alert's button; the rep's tab is then published again, so the lead
  // moves from the team's open SQLs to their own (or just leaves the list if someone was faster).
  app.action<BlockAction>(ACTION.claimFromHome, async ({ ack, body, action, client }) => {
    await ack();
    const leadId = (action as { value?: string }).value ?? '';
    const who = await rep(body.user.id);
    const lang = who.language;
    let told: SlackMessage | null = null;
    try {
      const result = await claimWithAlerts(deps, leadId, who);
      if (!result.ok) {
        const lead = await deps.db.prisma.lead.findUnique({ where: { id: leadId }, select: { name: true } });
        told = await render({
          type: 'claim-taken',
          lang,
          leadId,
          leadName: lead?.name ?? null,
          owner: result.owner,
        });
      }
    } catch (err) {
      // The tab is a snapshot: the lead may have been merged into another since.
      if (asAppError(err).code !== 'NOT_FOUND') throw err;
      const gone =
        lang === 'vi'
          ? 'Lead này không còn trong danh sách (đã được gộp với một lead khác). Mình đã làm mới trang Home.'
          : 'This lead is no longer listed (it was merged into another lead). Your Home tab is refreshed.';
      told = await render({ type: 'error', lang, code: 'NOT_FOUND', message: gone });
    }
    if (told) {
      // A Home tab has no channel for an ephemeral: the rep is told in a modal (views.open
      // must use the click's trigger within 3 s, so it is called here, not queued).
      await client.views.open({ trigger_id: body.trigger_id, view: noticeModal(told, lang) as never });
    }
    await publishHome(deps, body.user.id);
  });

  app.action<BlockAction>(ACTION.why, async ({ ack, body, action }) => {
    await ack();
    const leadId = (action as { value?: string }).value ?? '';
    const who = await rep(body.user.id);
    const message = await answerOrError(who.language, async () =>
      renderWithLlm(deps, {
        type: 'explanation',
        lang: who.language,
        explanation: await explainLead(deps, leadId),
      }),
    );
    await ephemeral(deps, body, `why:${body.actions[0]?.action_ts}:${body.user.id}`, message);
  });

  app.action<BlockAction<StaticSelectAction>>(ACTION.snooze, async ({ ack, body, action }) => {
    await ack();
    const [leadId = '', option = ''] = action.selected_option.value.split('|');
    if (!(SNOOZE_OPTIONS as readonly string[]).includes(option)) return;
    const who = await rep(body.user.id);
    const now = deps.now();
    const ids = await deps.db.transaction((tx) =>
      changeAlerts(
        tx,
        leadId,
        { kind: 'snoozed', by: who.slackUserId, until: now + SNOOZE_MS[option as SnoozeOption] },
        now,
        deps.slaMs,
      ),
    );
    await enqueueSends(deps.queue, ids, deps.logger);
  });

  app.action<BlockAction>(ACTION.notFit, async ({ ack, body, action, client }) => {
    await ack();
    const leadId = (action as { value?: string }).value ?? '';
    const who = await rep(body.user.id);
    const meta: ModalMeta = {
      leadId,
      ...(body.container?.channel_id ? { channel: body.container.channel_id } : {}),
      ...(body.container?.message_ts ? { ts: body.container.message_ts } : {}),
    };
    // views.open must use the trigger within 3 s: it is called here, not queued.
    await client.views.open({ trigger_id: body.trigger_id, view: notFitModal(meta, who.language) as never });
  });

  app.view(VIEW.notFit, async ({ ack, body, view }) => {
    await ack();
    const meta = JSON.parse(view.private_metadata || '{}') as ModalMeta;
    const values = view.state.values;
    const picked = values[NOT_FIT_INPUT.reasonBlock]?.[NOT_FIT_INPUT.reasonSelect]?.selected_option?.value;
    const note = values[NOT_FIT_INPUT.noteBlock]?.[NOT_FIT_INPUT.noteInput]?.value?.trim();
    const who = await rep(body.user.id);
    const label = NOT_FIT_REASONS.find((r) => r.value === picked)?.label[who.language] ?? picked ?? '';
    const reason = [label, note].filter(Boolean).join(' — ');
    const now = deps.now();
    // The disqualification is an event like any other: scored, traced, idempotent by its key.
    await ingestEvents(
      deps.ingest,
      [
        {
          id: `slack:not-fit:${view.id}`,
          type: 'lead_disqualified',
          occurredAt: new Date(now).toISOString(),
          lead: await identityOf(deps, meta.leadId),
          properties: { reason, actor: `rep:${who.name}` },
        },
      ],
      { source: 'slack' },
    );
    const ids = await deps.db.transaction((tx) =>
      changeAlerts(tx, meta.leadId, { kind: 'disqualified', by: who.slackUserId, reason }, now, deps.slaMs),
    );
    await enqueueSends(deps.queue, ids, deps.logger);
  });

  // ---- BANT ----------------------------------------------------------------------------------
  app.action<BlockAction>(ACTION.startBant, async ({ ack, body, action }) => {
    await ack();
    const leadId = (action as { value?: string }).value ?? '';
    const channel = body.container?.channel_id ?? body.channel?.id;
    const threadTs = body.container?.message_ts;
    if (!channel || !threadTs) return;
    const who = await rep(body.user.id);
    await startBant(deps, { leadId, rep: who, lang: who.language, channel, threadTs });
  });

  app.action<BlockAction>(ACTION.editBant, async ({ ack, body, action, client }) => {
    await ack();
    const leadId = (action as { value?: string }).value ?? '';
    const who = await rep(body.user.id);
    const e = await explainLead(deps, leadId);
    await client.views.open({
      trigger_id: body.trigger_id,
      view: bantEditModal({ leadId }, bantLines(e.bant), who.language) as never,
    });
  });

  app.view(VIEW.bantEdit, async ({ ack, body, view }) => {
    const meta = JSON.parse(view.private_metadata || '{}') as ModalMeta;
    const who = await rep(body.user.id);
    const lang = who.language;
    const now = deps.now();
    const properties: Record<string, unknown> = {};
    const errors: Record<string, string> = {};
    for (const field of BANT_FIELDS) {
      const ids = BANT_EDIT_INPUT[field];
      const text = view.state.values[ids.block]?.[ids.action]?.value?.trim();
      if (!text) continue;
      const value = parseBantText(field, text, now);
      if (value === null) {
        errors[ids.block] =
          lang === 'vi'
            ? `Mình chưa hiểu “${text}”. Ví dụ: ${EXAMPLE[field].vi}`
            : `Could not understand “${text}”. E.g. ${EXAMPLE[field].en}`;
      } else {
        properties[field] = field === 'need' ? (value as { confirmed: boolean }).confirmed : value;
      }
    }
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    if (Object.keys(properties).length === 0) return;
    await ingestEvents(
      deps.ingest,
      [
        {
          id: `slack:bant-edit:${view.id}:${view.hash ?? ''}`,
          type: 'bant_update',
          occurredAt: new Date(now).toISOString(),
          lead: await identityOf(deps, meta.leadId),
          properties: { ...properties, source: `slack:${body.user.id}`, confidence: 1 },
        },
      ],
      { source: 'slack' },
    );
  });

  // ---- Mentions and DMs ----------------------------------------------------------------------
  app.event('app_mention', async ({ event, body }) => {
    // In a BANT thread the message listener takes the rep's words as an answer.
    if (event.thread_ts && event.user && (await sessionFor(deps, event.channel, event.thread_ts, event.user)))
      return;
    const text = event.text.replace(/<@[A-Z0-9]+>/g, '').trim();
    const eventId = (body as { event_id?: string }).event_id ?? event.ts;
    await answerInThread(deps, rep, {
      eventId,
      user: event.user ?? '',
      channel: event.channel,
      ts: event.thread_ts ?? event.ts,
      text,
    });
  });

  app.message(async ({ message, body }) => {
    const m = message as {
      channel_type?: string;
      user?: string;
      text?: string;
      ts: string;
      thread_ts?: string;
      subtype?: string;
      bot_id?: string;
      channel: string;
    };
    if (m.subtype || m.bot_id || !m.user) return;
    if (
      m.thread_ts &&
      deps.relayToZalo &&
      (await deps.relayToZalo({
        channel: m.channel,
        threadTs: m.thread_ts,
        ts: m.ts,
        user: m.user,
        text: m.text ?? '',
      }))
    ) {
      return;
    }
    const session = await sessionFor(deps, m.channel, m.thread_ts, m.user);
    if (session) {
      await handleBantMessage(deps, session, { ts: m.ts, text: m.text ?? '' });
      return;
    }
    if (m.channel_type !== 'im') return;
    const eventId = (body as { event_id?: string }).event_id ?? m.ts;
    await answerInThread(deps, rep, {
      eventId,
      user: m.user,
      channel: m.channel,
      ts: m.thread_ts ?? m.ts,
      text: m.text ?? '',
      inThread: Boolean(m.thread_ts),
    });
  });
}

type RepOf = (userId: string) => Promise<SlackRep>;

/**
 * Claims `leadId` for `who` — a compare-and-set in the domain, so of two reps exactly one wins —
 * and, when the claim wins, queues the update in place of the lead's alerts in its transaction.
 */
async function claimWithAlerts(deps: SlackAppDeps, leadId: string, who: SlackRep): Promise<ClaimResult> {
  const after: string[] = [];
  const result = await claimLead(deps.db, leadId, who, deps.now(), async (tx) => {
    after.push(
      ...(await changeAlerts(tx, leadId, { kind: 'claimed', by: who.slackUserId }, deps.now(), deps.slaMs)),
    );
  });
  await enqueueSends(deps.queue, after, deps.logger);
  return result;
}

/** `/hotlead <text>`: the bot's commands plus the Slack-only ones (mine, rep add). */
export async function runSlashCommand(
  deps: SlackAppDeps,
  repOf: RepOf,
  userId: string,
  text: string,
): Promise<ReplyView> {
  const who = await repOf(userId);
  const lang = who.language;
  const folded = foldText(text.trim());
  try {
    if (folded === '') return { type: 'help', lang };
    if (folded === 'mine' || folded === 'cua toi' || folded === 'cua tui') {
      return {
        type: 'mine',
        lang: folded === 'mine' ? 'en' : 'vi',
        leads: await topLeads(deps, { ownerId: who.id, limit: 20 }),
      };
    }
    const digest = digestArgs(text);
    if (digest !== null) return await digestCommand(deps, who, digest);
    const bant = /^bant\s+(.+)$/i.exec(text.trim());
    if (bant) {
      const leadId = await resolveLeadRef(deps, bant[1]!.trim(), { allowName: true }).catch(
        (err: unknown) => {
          throw asAppError(err).code === 'NOT_FOUND'
            ? new AppError(
                'NOT_FOUND',
                lang === 'vi'
                  ? `Không tìm thấy lead “${bant[1]!.trim()}”`
                  : `No lead matches “${bant[1]!.trim()}”`,
              )
            : err;
        },
      );
      const dm = await deps.client.conversations.open({ users: userId });
      const channel = dm.channel?.id;
      if (!channel) throw new AppError('INTERNAL', 'Slack did not open a DM');
      await startBant(deps, { leadId, rep: who, lang, channel, threadTs: '' });
      return {
        type: 'notice',
        lang,
        text:
          lang === 'vi'
            ? `Mình hỏi BANT trong tin nhắn riêng với bạn nhé (<#${channel}>).`
            : `I’ll ask the BANT questions in our DM (<#${channel}>).`,
      };
    }
    const repAdd = /^rep add\s+<@([UW][A-Z0-9]+)(?:\|[^>]*)?>\s*(.*)$/i.exec(text.trim());
    if (repAdd) return await addRep(deps, who, repAdd[1]!, repAdd[2]!.trim() || null);
    if (/^rep\b/.test(folded)) {
      return error(
        lang,
        'BAD_INPUT',
        lang === 'vi'
          ? 'Cú pháp: /hotlead rep add @người [khu vực]'
          : 'Usage: /hotlead rep add @user [territory]',
      );
    }
  } catch (err) {
    const e = asAppError(err);
    return error(lang, e.code, e.userMessage);
  }
  const ctx: BotContext = { lang, rep: { id: who.id, name: who.name, email: who.email } };
  return handleCommand(deps, text, ctx);
}

async function addRep(
  deps: SlackAppDeps,
  caller: SlackRep,
  userId: string,
  territory: string | null,
): Promise<ReplyView> {
  const lang = caller.language;
  const managers = await deps.db.prisma.rep.count({ where: { role: 'manager' } });
  if (caller.role !== 'manager' && managers > 0) {
    return error(
      lang,
      'FORBIDDEN',
      lang === 'vi' ? 'Chỉ quản lý mới thêm được sales' : 'Only managers can add reps',
    );
  }
  // The first person to add reps becomes the team's manager.
  if (managers === 0 && caller.role !== 'manager') {
    await deps.db.prisma.rep.update({ where: { id: caller.id }, data: { role: 'manager' } });
  }
  const info = await slackUserInfo(deps.client, userId);
  const added = await linkRep(deps.db, userId, info, deps.lang, {
    territory,
    ...(userId === caller.slackUserId ? {} : { role: 'rep' }),
  });
  const where = territory ? (lang === 'vi' ? ` (khu vực ${territory})` : ` (territory ${territory})`) : '';
  return {
    type: 'notice',
    lang,
    text:
      lang === 'vi'
        ? `Đã thêm <@${userId}> (${added.name}) vào đội sales${where}.`
        : `Added <@${userId}> (${added.name}) to the sales team${where}.`,
  };
}

function error(lang: Lang, code: string, message: string): BotReply {
  return { type: 'error', lang, code, message };
}

async function answerOrError(lang: Lang, fn: () => Promise<SlackMessage>): Promise<SlackMessage> {
  try {
    return await fn();
  } catch (err) {
    const e = asAppError(err);
    return renderReply(
      { type: 'error', lang, code: e.code, message: e.userMessage },
      { now: Date.now(), timeZone: 'Asia/Ho_Chi_Minh' },
    );
  }
}

async function ephemeral(
  deps: SlackAppDeps,
  body: BlockAction,
  key: string,
  message: SlackMessage,
): Promise<void> {
  const channel = body.container?.channel_id ?? body.channel?.id;
  if (!channel) return;
  await queueSends(deps, [
    { dedupeKey: key, kind: 'ephemeral', channel, payload: { message, user: body.user.id } },
  ]);
}

/** A question in a mention or DM, answered in its thread; the reply is keyed by the event. */
async function answerInThread(
  deps: SlackAppDeps,
  repOf: RepOf,
  q: { eventId: string; user: string; channel: string; ts: string; text: string; inThread?: boolean },
): Promise<void> {
  const reply = await runSlashCommand(deps, repOf, q.user, naturalQuestion(q.text));
  const message = await renderWithLlm(deps, reply);
  const ids = await deps.db.transaction((tx) =>
    insertSends(
      tx,
      [
        {
          dedupeKey: `event:${q.eventId}:reply`,
          kind: 'post',
          channel: q.channel,
          payload: { message, threadTs: q.ts },
        },
      ],
      deps.now(),
    ),
  );
  await enqueueSends(deps.queue, ids, deps.logger);
}

/**
 * "why is Acme hot?", "vì sao lead chị Lan nóng?" → "why Acme", "vì sao Lan": the question
 * words around the lead are dropped so the command layer sees a command and a reference.
 */
export function naturalQuestion(text: string): string {
  return text
    .trim()
    .replace(/\?+$/, '')
    .replace(/^(why)\s+(is|are|was)\s+/i, '$1 ')
    .replace(/\s+(so\s+)?(hot|nóng|nong)(\s+(vậy|vay|thế|the|thế\s+nhỉ|the\s+nhi))?$/i, '')
    .replace(
      /^((?:vì|vi|tại|tai)\s+sao)\s+(?:lead\s+|khách\s+|khach\s+)?(?:(?:anh|chị|chi|em|ông|ong|bà|ba|cô|co|chú|chu)\s+)?/i,
      '$1 ',
    )
    .replace(/^(why)\s+(?:lead\s+)?/i, '$1 ')
    .trim();
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/**
 * A reply as Block Kit; an explanation is first phrased by the LLM when one is configured —
 * from the trace only: the LLM layer discards any reply with a number that is not in the facts
 * it was given — and the structured explanation follows it. Model text is escaped.
 */
export async function renderWithLlm(
  deps: Pick<SlackAppDeps, 'llm' | 'now' | 'timeZone'>,
  reply: ReplyView,
): Promise<SlackMessage> {
  const message = renderReply(reply, { now: deps.now(), timeZone: deps.timeZone });
  if (reply.type !== 'explanation' || !deps.llm) return message;
  const phrased = await deps.llm.phraseExplanation(reply.explanation, reply.lang, { now: deps.now() });
  if (!phrased) return message;
  const text = esc(phrased);
  return {
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }, ...message.blocks].slice(0, 50),
  };
}
