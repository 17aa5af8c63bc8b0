/**
 * BANT by conversation: the bot asks a rep Budget, Authority, Need and Timeline one at a time
 * in a thread (the alert's) or their DM, skipping what is known with good confidence. Each
 * answer is read by the shared deterministic parser, confirmed ("Ngân sách: 200.000.000 ₫ —
 * đúng không?") and, once confirmed, stored as a `bant_update` event — scored, traced and
 * alerted like any other event. The conversation itself (`converse`) is a pure function of
 * the session and the rep's message; `handleBantMessage` persists it.
 */
import type { Sql } from '../../db/sql.ts';
import { AppError } from '../../errors/app-error.ts';
import { newId } from '../../domain/ids.ts';
import { ingestEvents } from '../../domain/ingest.ts';
import { explainLead, type LeadExplanation } from '../../domain/leads.ts';
import {
  type BantField,
  type BantFieldValues,
  confirmText,
  foldText,
  parseBantText,
} from '../../parse/index.ts';
import { readConfirmationReply } from '../../parse/confirm.ts';
import type { Lang } from '../../scoring/types.ts';
import type { SlackAppDeps } from './app.ts';
import { esc } from './blocks.ts';
import { ACTION } from './contract.ts';
import { enqueueSends, insertSends } from './sender.ts';

export const BANT_FIELDS: readonly BantField[] = ['budget', 'authority', 'need', 'timeline'];
/** Below this a stored answer is asked again. */
const GOOD_CONFIDENCE = 0.8;

const QUESTION: Record<BantField, Record<Lang, string>> = {
  budget: {
    vi: 'Ngân sách dự kiến của khách cho việc này là bao nhiêu? (ví dụ: “khoảng 200 triệu”, “tầm 1,5 tỷ”, “chưa có ngân sách”)',
    en: 'What budget does the lead have for this? (e.g. “about 200 million VND”, “$10k”, “no budget yet”)',
  },
  authority: {
    vi: 'Người này có phải là người quyết định không? (ví dụ: “anh ấy là giám đốc”, “phải hỏi sếp”)',
    en: 'Is this person the decision maker? (e.g. “she signs off”, “needs approval from his boss”)',
  },
  need: {
    vi: 'Khách đã xác nhận nhu cầu cụ thể chưa, là gì? (ví dụ: “cần phần mềm CRM”, “chưa có nhu cầu”)',
    en: 'Has the lead confirmed a concrete need? What is it? (e.g. “needs a CRM”, “just browsing”)',
  },
  timeline: {
    vi: 'Khi nào khách cần triển khai hoặc ra quyết định? (ví dụ: “trước Tết”, “quý 1 năm sau”, “trong 2 tháng”, “không vội”)',
    en: 'When does the lead need it or decide? (e.g. “before Tết”, “Q1 next year”, “within 2 months”, “no rush”)',
  },
};
const LABEL: Record<BantField, Record<Lang, string>> = {
  budget: { vi: 'ngân sách', en: 'the budget' },
  authority: { vi: 'vai trò quyết định', en: 'their authority' },
  need: { vi: 'nhu cầu', en: 'the need' },
  timeline: { vi: 'thời gian', en: 'the timeline' },
};
const TEXT = {
  notUnderstood: {
    vi: 'Mình chưa hiểu câu trả lời này. Bạn nói lại giúp mình nhé, hoặc gõ “bỏ qua” để sang câu khác.',
    en: 'I could not understand that. Could you rephrase it, or type “skip” to move on?',
  },
  unclearConfirm: {
    vi: 'Bạn trả lời “đúng” hoặc sửa lại giúp mình nhé.',
    en: 'Please answer “yes”, or correct it.',
  },
  stopped: {
    vi: 'Đã dừng hỏi BANT. Gõ /hotlead bant <lead> để tiếp tục sau.',
    en: 'BANT stopped. Type /hotlead bant <lead> to carry on later.',
  },
} as const;
const SKIP_WORDS = new Set([
  'bo qua',
  'skip',
  'next',
  'qua',
  'bo',
  'pass',
  'khong biet',
  'chua biet',
  "don't know",
  'dont know',
]);
/**
 * Folded stop words. Bare "dung" is both "dừng" (stop) and "đúng" (yes) once diacritics are
 * gone: with diacritics the text decides; without, it is a yes while a value awaits
 * confirmation and a stop otherwise.
 */
const STOP_WORDS = new Set(['dung lai', 'stop', 'thoi', 'cancel', 'huy', 'ket thuc', 'end']);

function isStop(text: string, folded: string, confirming: boolean): boolean {
  if (STOP_WORDS.has(folded)) return true;
  if (folded !== 'dung') return false;
  const lower = text.trim().toLowerCase().normalize('NFC');
  if (lower.startsWith('dừng')) return true;
  if (lower.startsWith('đúng')) return false;
  return !confirming;
}

export interface SessionState {
  field: BantField | null;
  pending: { value: unknown } | null;
  skipped: BantField[];
}

export type Turn = {
  state: SessionState;
  /** Messages the bot says, in order. */
  say: string[];
  /** A confirmed answer to store. */
  store?: { field: BantField; value: unknown };
  status: 'active' | 'done' | 'stopped';
};

/** The next field to ask: not known with good confidence, not skipped. */
export function nextField(known: ReadonlySet<BantField>, skipped: readonly BantField[]): BantField | null {
  return BANT_FIELDS.find((f) => !known.has(f) && !skipped.includes(f)) ?? null;
}

/**
 * One turn of the conversation: the rep said `text`. Pure. `understood` is what the LLM read
 * from the text when the deterministic parser could not (validated by the LLM layer); it is
 * confirmed with the rep like any other value.
 */
export function converse(
  s: SessionState,
  text: string,
  ctx: { lang: Lang; now: number; known: ReadonlySet<BantField>; understood?: unknown },
): Turn {
  const { lang, now } = ctx;
  const folded = foldText(text.trim()).replace(/[.!]+$/, '');
  if (isStop(text, folded, s.pending !== null))
    return { state: s, say: [TEXT.stopped[lang]], status: 'stopped' };
  const field = s.field;
  if (!field) return { state: s, say: [], status: 'done' };
  const advance = (state: SessionState, said: string[], store?: Turn['store']): Turn => {
    const known = new Set(ctx.known);
    if (store) known.add(store.field);
    const next = nextField(known, state.skipped);
    const after = { ...state, field: next, pending: null };
    return next
      ? { state: after, say: [...said, QUESTION[next][lang]], status: 'active', ...(store ? { store } : {}) }
      : { state: after, say: said, status: 'done', ...(store ? { store } : {}) };
  };
  if (SKIP_WORDS.has(folded)) return advance({ ...s, skipped: [...s.skipped, field] }, []);
  if (s.pending) {
    const reply = readConfirmationReply(field, s.pending.value as BantFieldValues[typeof field], text, now);
    switch (reply.kind) {
      case 'yes':
        return advance(s, [], { field, value: s.pending.value });
      case 'no':
        return {
          state: { ...s, pending: null },
          say: [lang === 'vi' ? `Vậy ${LABEL[field].vi} là gì?` : `What is ${LABEL[field].en} then?`],
          status: 'active',
        };
      case 'correction':
        return {
          state: { ...s, pending: { value: reply.value } },
          say: [confirmText(field, reply.value, lang)],
          status: 'active',
        };
      case 'unclear':
        return { state: s, say: [TEXT.unclearConfirm[lang]], status: 'active' };
    }
  }
  const value = parseBantText(field, text, now) ?? ctx.understood ?? null;
  if (value === null) return { state: s, say: [TEXT.notUnderstood[lang]], status: 'active' };
  return { state: { ...s, pending: { value } }, say: [confirmText(field, value, lang)], status: 'active' };
}

// ---------------------------------------------------------------------------------------------
// Persistence

interface SessionRow {
  id: string;
  lead_id: string;
  slack_user_id: string;
  channel: string;
  thread_ts: string;
  lang: string;
  field: string | null;
  pending: { value: unknown } | null;
  skipped: string[];
  status: string;
  step: number;
  last_ts: string;
}

/** Fields of the lead (explained as of now) known with good confidence. */
async function knownFields(deps: SlackAppDeps, e: LeadExplanation): Promise<Set<BantField>> {
  const leadId = e.leadId;
  const rows = await deps.db.transaction((tx) =>
    tx.query<{ field: string; confidence: number }>(
      `SELECT DISTINCT ON (field) field, confidence FROM bant_answer WHERE lead_id = $1 ORDER BY field, answered_at DESC`,
      [leadId],
    ),
  );
  const confidence = new Map(rows.map((r) => [r.field, r.confidence]));
  return new Set(BANT_FIELDS.filter((f) => e.bant[f].known && (confidence.get(f) ?? 1) >= GOOD_CONFIDENCE));
}

/**
 * Starts (or resumes) a BANT conversation with a rep about a lead, in `channel`'s thread
 * `threadTs` ('' = top level of a DM). A second start of the same conversation adds nothing.
 */
export async function startBant(
  deps: SlackAppDeps,
  args: {
    leadId: string;
    rep: { id: string; slackUserId: string };
    lang: Lang;
    channel: string;
    threadTs: string;
  },
): Promise<void> {
  const e = await explainLead(deps, args.leadId);
  const known = await knownFields(deps, e);
  const first = nextField(known, []);
  const who = esc(e.lead.name ?? e.leadId);
  const vi = args.lang === 'vi';
  const ids = await deps.db.transaction(async (tx) => {
    const [row] = await tx.query<{ id: string; step: number; status: string; field: string | null }>(
      `INSERT INTO bant_session (id, lead_id, rep_id, slack_user_id, channel, thread_ts, lang, field, skipped, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '{}', $9, $10::timestamptz, $10::timestamptz)
       ON CONFLICT (channel, thread_ts) DO UPDATE SET
         lead_id = EXCLUDED.lead_id, rep_id = EXCLUDED.rep_id, slack_user_id = EXCLUDED.slack_user_id,
         lang = EXCLUDED.lang, field = EXCLUDED.field, pending = NULL, skipped = '{}', status = EXCLUDED.status,
         step = bant_session.step + 1, updated_at = EXCLUDED.updated_at
       WHERE bant_session.status <> 'active' OR bant_session.lead_id <> EXCLUDED.lead_id
       RETURNING id, step, status, field`,
      [
        newId('bs'),
        args.leadId,
        args.rep.id,
        args.rep.slackUserId,
        args.channel,
        args.threadTs,
        args.lang,
        first,
        first ? 'active' : 'done',
        new Date(deps.now()).toISOString(),
      ],
    );
    if (!row) return []; // already asking this lead here: nothing new to say
    const intro = first
      ? vi
        ? `Bắt đầu BANT cho *${who}* với <@${args.rep.slackUserId}>. Gõ “bỏ qua” để bỏ qua một câu, “dừng” để dừng.`
        : `Starting BANT for *${who}* with <@${args.rep.slackUserId}>. Type “skip” to skip a question, “stop” to stop.`
      : vi
        ? `*${who}* đã đủ BANT: ${summary(e.bant, 'vi')}`
        : `*${who}* has full BANT already: ${summary(e.bant, 'en')}`;
    const said = first ? [intro, QUESTION[first][args.lang]] : [intro];
    return sayInThread(
      tx,
      deps,
      row.id,
      row.step,
      args.channel,
      args.threadTs,
      said,
      !first,
      args.leadId,
      args.lang,
    );
  });
  await enqueueSends(deps.queue, ids, deps.logger);
}

function summary(bant: Awaited<ReturnType<typeof explainLead>>['bant'], lang: Lang): string {
  return BANT_FIELDS.map((f) => `${LABEL[f][lang]}: ${bant[f].value?.[lang] ?? '—'}`).join(' · ');
}

/** The session a rep's message belongs to, if any (thread of a session, or a DM session). */
export async function sessionFor(
  deps: SlackAppDeps,
  channel: string,
  threadTs: string | undefined,
  userId: string,
): Promise<SessionRow | null> {
  const [row] = await deps.db.transaction((tx) =>
    tx.query<SessionRow>(
      `SELECT * FROM bant_session WHERE channel = $1 AND thread_ts = $2 AND status = 'active' AND slack_user_id = $3`,
      [channel, threadTs ?? '', userId],
    ),
  );
  return row ?? null;
}

/**
 * A rep's message in a BANT conversation. Processed once: the session remembers the last
 * message ts it took, so Slack's retries and re-deliveries change nothing.
 */
export async function handleBantMessage(
  deps: SlackAppDeps,
  session: SessionRow,
  msg: { ts: string; text: string },
): Promise<void> {
  if (Number(msg.ts) <= Number(session.last_ts)) return;
  const lang: Lang = session.lang === 'en' ? 'en' : 'vi';
  const known = await knownFields(deps, await explainLead(deps, session.lead_id));
  const state: SessionState = {
    field: (session.field as BantField | null) ?? null,
    pending: session.pending,
    skipped: session.skipped as BantField[],
  };
  const turn = converse(state, msg.text, {
    lang,
    now: deps.now(),
    known,
    understood: await understood(deps, state, msg.text, lang),
  });
  if (turn.store) {
    // Stored first, keyed by the message: a crash before the session moves on stores nothing twice.
    const identity = await identityOf(deps, session.lead_id);
    const value =
      turn.store.field === 'need' ? (turn.store.value as { confirmed: boolean }).confirmed : turn.store.value;
    await ingestEvents(
      deps.ingest,
      [
        {
          id: `slack:bant:${session.id}:${msg.ts}`,
          type: 'bant_update',
          occurredAt: new Date(deps.now()).toISOString(),
          lead: identity,
          properties: { [turn.store.field]: value, source: `slack:${session.slack_user_id}`, confidence: 1 },
        },
      ],
      { source: 'slack' },
    );
  }
  let said = turn.say;
  if (turn.status === 'done') {
    const e = await explainLead(deps, session.lead_id);
    const vi = lang === 'vi';
    said = [
      ...said,
      vi
        ? `Xong BANT cho *${esc(e.lead.name ?? e.leadId)}*: ${summary(e.bant, 'vi')}. Điểm hiện tại: ${e.score} (${e.stage}).`
        : `BANT done for *${esc(e.lead.name ?? e.leadId)}*: ${summary(e.bant, 'en')}. Score now: ${e.score} (${e.stage}).`,
    ];
  }
  const ids = await deps.db.transaction(async (tx) => {
    const [row] = await tx.query<{ step: number }>(
      `UPDATE bant_session SET field = $3, pending = $4::jsonb, skipped = $5::text[], status = $6, step = step + 1,
         last_ts = $7, updated_at = $8::timestamptz
       WHERE id = $1 AND step = $2 AND last_ts::numeric < $7::numeric RETURNING step`,
      [
        session.id,
        session.step,
        turn.state.field,
        turn.state.pending ? JSON.stringify(turn.state.pending) : null,
        turn.state.skipped,
        turn.status,
        msg.ts,
        new Date(deps.now()).toISOString(),
      ],
    );
    if (!row) return []; // another delivery of this message won the race
    return sayInThread(
      tx,
      deps,
      session.id,
      row.step,
      session.channel,
      session.thread_ts,
      said,
      turn.status === 'done',
      session.lead_id,
      lang,
    );
  });
  await enqueueSends(deps.queue, ids, deps.logger);
}

/**
 * When a question is open and the parser cannot read the answer, the LLM (if configured) may:
 * its value is validated by the LLM layer and still confirmed by the rep before it is stored.
 */
async function understood(deps: SlackAppDeps, s: SessionState, text: string, lang: Lang): Promise<unknown> {
  if (!deps.llm || !s.field || s.pending || parseBantText(s.field, text, deps.now()) !== null)
    return undefined;
  const folded = foldText(text.trim());
  if (SKIP_WORDS.has(folded) || isStop(text, folded, false)) return undefined;
  const got = await deps.llm.extractBantAnswer(s.field, text, { lang, answeredAt: deps.now() });
  return got?.value;
}

/**
 * Queues what the bot says at one step as ONE message (its lines in order: separate messages
 * could overtake each other), keyed by session and step.
 */
async function sayInThread(
  tx: Sql,
  deps: SlackAppDeps,
  sessionId: string,
  step: number,
  channel: string,
  threadTs: string,
  said: string[],
  offerEdit: boolean,
  leadId: string,
  lang: Lang,
): Promise<string[]> {
  if (said.length === 0) return [];
  const text = said.join('\n\n');
  const blocks: { type: string; [k: string]: unknown }[] = said.map((line) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: line },
  }));
  if (offerEdit) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION.editBant,
          value: leadId,
          text: { type: 'plain_text', text: lang === 'vi' ? 'Sửa BANT' : 'Edit BANT' },
        },
      ],
    });
  }
  return insertSends(
    tx,
    [
      {
        dedupeKey: `bant:${sessionId}:${step}`,
        kind: 'post',
        channel,
        payload: { message: { text, blocks }, ...(threadTs ? { threadTs } : {}) },
      },
    ],
    deps.now(),
  );
}

/** One identity of the lead, to address an event to it (events name leads by identity). */
export async function identityOf(deps: SlackAppDeps, leadId: string): Promise<Record<string, string>> {
  const id = await deps.db.prisma.leadIdentity.findFirst({
    where: { leadId },
    orderBy: { createdAt: 'asc' },
  });
  if (!id) throw new AppError('NOT_FOUND', `No lead ${leadId}`);
  const field = { email: 'email', phone: 'phone', zalo: 'zaloUserId', external: 'externalId' }[id.kind];
  return { [field ?? 'externalId']: id.value };
}
