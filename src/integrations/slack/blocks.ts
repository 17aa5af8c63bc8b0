/**
 * Block Kit renderers of the Slack app: the SQL alert, "why is this lead hot?", replies to
 * commands and the modals. Pure: view models in, Slack payloads out — no I/O, no clock.
 *
 * Slack's limits hold by construction: every block is made by the builders below, which clip
 * texts ("…"), cap fields, elements and blocks, and budget long lists (cut with "…and N more").
 * Text that comes from people or models (names, companies, reasons, BANT answers) goes through
 * `esc` before it enters mrkdwn, so a lead named "<!channel>" cannot ping anyone; plain_text
 * objects are never parsed by Slack and keep the text as typed.
 */
import { formatAge, leadDetailRows } from '../../bot/render.ts';
import {
  EXPLANATION_LABELS as EL,
  formatTime,
  missingLines,
  STAGE_NAMES,
  signed,
} from '../../bot/render-explanation.ts';
import type { LeadSummary, LeadView } from '../../domain/leads.ts';
import type { BantStatus, ExplanationDecay, Lang, Stage, Text } from '../../scoring/types.ts';
import {
  ACTION,
  type AlertView,
  BANT_EDIT_INPUT,
  type Block,
  type LeadExplanation,
  type ModalMeta,
  NOT_FIT_INPUT,
  NOT_FIT_REASONS,
  type ReplyView,
  SNOOZE_OPTIONS,
  type SlackMessage,
  type SlackPerson,
  type SnoozeOption,
  VIEW,
} from './contract.ts';

// ---------------------------------------------------------------------------------------------
// Limits and the builders that enforce them

/** Slack's Block Kit limits, and our own (lower) budgets against `msg_blocks_too_long`. */
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  headerText: 150,
  buttonText: 75,
  optionText: 75,
  placeholder: 150,
  blockId: 255,
  contextElements: 10,
  actionsElements: 25,
  viewTitle: 24,
  label: 2000,
  hint: 2000,
  fallbackText: 3000,
  /** Our budgets: all the text of one message, one list line, one name/company/value. */
  messageChars: 12_000,
  line: 500,
  name: 100,
  /** What a rep may type in the modals: a BANT answer, a "not a fit" note. */
  bantAnswer: 500,
  note: 1000,
} as const;

/** Vietnam time, for explanations rendered without a workspace time zone. */
const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}
interface Option {
  text: PlainText;
  value: string;
}
type Element = { type: string; action_id?: string } & Record<string, unknown>;

/** A modal (structural subset of Slack's view payload). */
export interface View {
  type: 'modal';
  callback_id: string;
  private_metadata: string;
  title: PlainText;
  submit: PlainText;
  close: PlainText;
  blocks: Block[];
}

/** A modal that only tells something: no inputs, nothing to submit. */
export interface NoticeView {
  type: 'modal';
  title: PlainText;
  close: PlainText;
  blocks: Block[];
}

/** Escapes text for mrkdwn: `&`, `<`, `>` (no mention, link or command can be formed). */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts `text` to at most `max` UTF-16 units (≥ Slack's character count), ending with "…".
 * Never splits a surrogate pair, an escape (`&amp;`) or a mention/link (`<@U…>`).
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  const amp = cut.lastIndexOf('&');
  if (amp > cut.lastIndexOf(';') && amp >= cut.length - 5) cut = cut.slice(0, amp);
  return `${cut}…`;
}

function plain(text: string, max: number): PlainText {
  return { type: 'plain_text', text: clip(text, max), emoji: true };
}

function md(text: string, max: number = LIMITS.sectionText): Mrkdwn {
  return { type: 'mrkdwn', text: clip(text, max) };
}

function header(text: string): Block {
  return { type: 'header', text: plain(text, LIMITS.headerText) };
}

function section(text: string): Block {
  return { type: 'section', text: md(text) };
}

function fieldsSection(fields: string[]): Block {
  return { type: 'section', fields: fields.slice(0, LIMITS.fields).map((f) => md(f, LIMITS.fieldText)) };
}

function context(...texts: string[]): Block {
  return { type: 'context', elements: texts.slice(0, LIMITS.contextElements).map((t) => md(t)) };
}

function actions(blockId: string, elements: Element[]): Block {
  return {
    type: 'actions',
    block_id: blockId.slice(0, LIMITS.blockId),
    elements: elements.slice(0, LIMITS.actionsElements),
  };
}

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Element {
  return {
    type: 'button',
    action_id: actionId,
    text: plain(text, LIMITS.buttonText),
    value,
    ...(style ? { style } : {}),
  };
}

function option(text: string, value: string): Option {
  return { text: plain(text, LIMITS.optionText), value };
}

function staticSelect(actionId: string, placeholder: string, options: Option[]): Element {
  return {
    type: 'static_select',
    action_id: actionId,
    placeholder: plain(placeholder, LIMITS.placeholder),
    options,
  };
}

function input(
  blockId: string,
  label: string,
  element: Element,
  opts: { optional?: boolean; hint?: string } = {},
): Block {
  return {
    type: 'input',
    block_id: blockId.slice(0, LIMITS.blockId),
    label: plain(label, LIMITS.label),
    element,
    optional: opts.optional ?? false,
    ...(opts.hint ? { hint: plain(opts.hint, LIMITS.hint) } : {}),
  };
}

/** Caps the block count; by construction renderers stay below it, this only guards. */
function capBlocks(blocks: Block[], max: number): Block[] {
  return blocks.length <= max ? blocks : [...blocks.slice(0, max - 1), context('…')];
}

function message(text: string, blocks: Block[]): SlackMessage {
  return { text: clip(text, LIMITS.fallbackText), blocks: capBlocks(blocks, LIMITS.messageBlocks) };
}

function modal(callbackId: string, meta: ModalMeta, title: string, lang: Lang, blocks: Block[]): View {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: JSON.stringify(meta),
    title: plain(title, LIMITS.viewTitle),
    submit: plain(T.save[lang], LIMITS.viewTitle),
    close: plain(T.cancel[lang], LIMITS.viewTitle),
    blocks: capBlocks(blocks, LIMITS.viewBlocks),
  };
}

interface ListBudget {
  /** Items shown at most (the rest is counted in the "more" line). */
  items: number;
  /** Blocks used at most, the "more" line included. */
  blocks: number;
  /** Characters of text used at most. */
  chars: number;
}

/**
 * A titled list as sections of lines (each section ≤ 3,000 characters), within `budget`;
 * items that do not fit are counted in a closing context line ("…và N lead khác").
 */
function listBlocks(
  title: string,
  items: string[],
  budget: ListBudget,
  more: (n: number) => string,
): Block[] {
  const sections: string[] = [title];
  let chars = title.length;
  let shown = 0;
  for (const item of items.slice(0, budget.items)) {
    const line = clip(item, LIMITS.line);
    const last = sections.length - 1;
    const fits = (sections[last] ?? '').length + 1 + line.length <= LIMITS.sectionText;
    if (chars + 1 + line.length > budget.chars || (!fits && sections.length >= budget.blocks - 1)) break;
    if (fits) sections[last] = sections[last] === '' ? line : `${sections[last]}\n${line}`;
    else sections.push(line);
    chars += 1 + line.length;
    shown++;
  }
  const blocks = sections.filter((s) => s !== '').map(section);
  const rest = items.length - shown;
  if (rest > 0) blocks.push(context(more(rest)));
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// Wording

const T = {
  unnamed: { vi: 'Lead chưa có tên', en: 'Unnamed lead' },
  points: { vi: 'điểm', en: 'points' },
  stage: { vi: 'Giai đoạn', en: 'Stage' },
  score: { vi: 'Điểm', en: 'Score' },
  thresholds: { vi: 'Ngưỡng', en: 'Thresholds' },
  hysteresis: { vi: 'biên trễ', en: 'hysteresis' },
  positives: { vi: 'Điểm cộng chính', en: 'Top positive factors' },
  negatives: { vi: 'Điểm trừ', en: 'Negative factors' },
  factors: { vi: 'yếu tố', en: 'factors' },
  decayEntries: { vi: 'lần suy giảm', en: 'decay entries' },
  leads: { vi: 'lead', en: 'leads' },
  source: { vi: 'Nguồn', en: 'Source' },
  firstTouch: { vi: 'Lần đầu tiếp cận', en: 'First touch' },
  ago: { vi: 'trước', en: 'ago' },
  assignee: { vi: 'Giao cho', en: 'Assigned to' },
  unassigned: { vi: 'chưa giao', en: 'unassigned' },
  by: { vi: 'bởi', en: 'by' },
  claim: { vi: 'Nhận lead', en: 'Claim' },
  why: { vi: 'Vì sao nóng?', en: 'Why hot?' },
  startBant: { vi: 'Bắt đầu BANT', en: 'Start BANT' },
  snooze: { vi: 'Hoãn', en: 'Snooze' },
  notFit: { vi: 'Không phù hợp', en: 'Not a fit' },
  snoozedUntil: { vi: 'Hoãn đến', en: 'Snoozed until' },
  disqualified: { vi: 'Loại', en: 'Disqualified' },
  top: { vi: 'Lead điểm cao nhất', en: 'Top leads' },
  noLeads: { vi: 'Chưa có lead nào.', en: 'No leads yet.' },
  mine: { vi: 'Lead của bạn', en: 'Your leads' },
  noMine: { vi: 'Bạn chưa nhận lead nào.', en: 'You have not claimed any lead yet.' },
  history: { vi: 'Lịch sử giai đoạn', en: 'Stage history' },
  active: { vi: 'hoạt động', en: 'active' },
  save: { vi: 'Lưu', en: 'Save' },
  cancel: { vi: 'Huỷ', en: 'Cancel' },
  close: { vi: 'Đóng', en: 'Close' },
  reason: { vi: 'Lý do', en: 'Reason' },
  chooseReason: { vi: 'Chọn lý do', en: 'Choose a reason' },
  note: { vi: 'Ghi chú', en: 'Note' },
  noteHint: {
    vi: 'Bắt buộc khi chọn “Lý do khác”. Đội marketing sẽ đọc ghi chú này.',
    en: 'Required for “Other”. Marketing reads these notes.',
  },
  notFitIntro: {
    vi: 'Lead sẽ được chuyển sang *Đã loại* và không còn được báo cho đội sales.',
    en: 'The lead moves to *Disqualified* and is no longer sent to sales.',
  },
  bantTitle: { vi: 'Cập nhật BANT', en: 'Edit BANT' },
  bantIntro: {
    vi: 'Ghi lại điều khách hàng đã nói; để trống nếu chưa biết. Hotlead sẽ chấm lại điểm.',
    en: 'Write down what the customer said; leave blank what you do not know. Hotlead rescores the lead.',
  },
  helpTitle: { vi: 'Hotlead — các lệnh', en: 'Hotlead — commands' },
  helpRef: {
    vi: '<lead> là email, số điện thoại, tên, tên công ty hoặc mã lead.',
    en: '<lead> is an email, phone, name, company or lead id.',
  },
} satisfies Record<string, Text>;

const SNOOZE_LABELS: Record<SnoozeOption, Text> = {
  '1d': { vi: 'Hoãn 1 ngày', en: '1 day' },
  '3d': { vi: 'Hoãn 3 ngày', en: '3 days' },
  '1w': { vi: 'Hoãn 1 tuần', en: '1 week' },
};

const BANT_FIELDS = ['budget', 'authority', 'need', 'timeline'] as const;
type BantField = (typeof BANT_FIELDS)[number];

const BANT_LABELS: Record<BantField, Text> = {
  budget: { vi: 'Ngân sách', en: 'Budget' },
  authority: { vi: 'Người quyết định', en: 'Authority' },
  need: { vi: 'Nhu cầu', en: 'Need' },
  timeline: { vi: 'Thời gian', en: 'Timeline' },
};

const BANT_HINTS: Record<BantField, Text> = {
  budget: {
    vi: 'Ví dụ: “khoảng 200 triệu”, “300–500 triệu”, “chưa có ngân sách”',
    en: 'e.g. “about 200 million VND”, “$10k a year”, “no budget yet”',
  },
  authority: {
    vi: 'Ví dụ: “tôi quyết định”, “phải hỏi sếp”, “trình giám đốc duyệt”',
    en: 'e.g. “I decide”, “I have to ask my boss”, “the director signs off”',
  },
  need: {
    vi: 'Ví dụ: “quản lý kho cho 3 chi nhánh”, “thay Excel bằng CRM”',
    en: 'e.g. “stock control for 3 branches”, “replace spreadsheets with a CRM”',
  },
  timeline: {
    vi: 'Ví dụ: “cần trước Tết”, “trong quý này”, “chưa gấp”',
    en: 'e.g. “before Tết”, “this quarter”, “no rush”',
  },
};

const HELP: { command: string; what: Text }[] = [
  {
    command: 'why <lead>',
    what: {
      vi: 'vì sao lead này nóng (điểm, lý do, còn thiếu gì)',
      en: 'why this lead is hot (score, reasons, what is missing)',
    },
  },
  { command: 'top [n]', what: { vi: 'n lead điểm cao nhất', en: 'the n highest-scoring leads' } },
  { command: 'lead <lead>', what: { vi: 'thông tin một lead', en: 'one lead’s details' } },
  { command: 'mine', what: { vi: 'các lead bạn đã nhận', en: 'the leads you claimed' } },
  {
    command: 'bant <lead>',
    what: {
      vi: 'hỏi và ghi BANT (ngân sách, người quyết định, nhu cầu, thời gian)',
      en: 'qualify with BANT (budget, authority, need, timeline)',
    },
  },
  {
    command: 'rep add @user [territory]',
    what: {
      vi: 'đăng ký một người là sales (khớp theo email Slack)',
      en: 'register a rep (matched by Slack email)',
    },
  },
  {
    command: 'digest on HH:MM',
    what: { vi: 'nhận bản tóm tắt hằng ngày lúc HH:MM', en: 'get the daily digest at HH:MM' },
  },
  { command: 'digest now', what: { vi: 'gửi bản tóm tắt ngay', en: 'send the digest now' } },
  { command: 'digest off', what: { vi: 'tắt bản tóm tắt hằng ngày', en: 'stop the daily digest' } },
  { command: 'help', what: { vi: 'danh sách lệnh', en: 'this list' } },
];

function more(noun: Text, lang: Lang): (n: number) => string {
  return (n) => (lang === 'vi' ? `…và ${n} ${noun.vi} khác` : `…and ${n} more ${noun.en}`);
}

/** "Nguyễn Thị Lan (Giám đốc, Thép Việt)"; raw text: escape it for mrkdwn. */
function who(
  lead: { name: string | null; title: string | null; company: string | null },
  lang: Lang,
): string {
  const name = clip(lead.name?.trim() || T.unnamed[lang], LIMITS.name);
  const extra = [lead.title, lead.company]
    .map((s) => s?.trim() ?? '')
    .filter((s) => s !== '')
    .map((s) => clip(s, LIMITS.name));
  return extra.length === 0 ? name : `${name} (${extra.join(', ')})`;
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** A mention when the Slack id is known (and well-formed), the escaped name otherwise. */
function person(p: SlackPerson): string {
  return p.slackUserId !== null && SLACK_USER_ID.test(p.slackUserId)
    ? `<@${p.slackUserId}>`
    : esc(clip(p.name, LIMITS.name));
}

function stageName(stage: Stage, fastTracked: boolean, lang: Lang): string {
  return STAGE_NAMES[stage][lang] + (fastTracked ? ` (${EL.fastTrack[lang]})` : '');
}

/** "✓ Ngân sách: 200.000.000 ₫ · ✗ Người quyết định · …", points too when `withPoints`. */
function bantSummary(
  bant: Record<BantField, Pick<BantStatus, 'known' | 'value' | 'points'>>,
  lang: Lang,
  withPoints: boolean,
): string {
  return BANT_FIELDS.map((field) => {
    const b = bant[field];
    const label = BANT_LABELS[field][lang];
    if (!b.known) return `✗ ${label}`;
    const value = b.value === undefined ? '' : `: ${esc(clip(b.value[lang], LIMITS.name))}`;
    const points = withPoints && b.points !== 0 ? ` (${signed(b.points)})` : '';
    return `✓ ${label}${value}${points}`;
  }).join('  ·  ');
}

/** A scored line of an explanation: a factor or a decay entry. */
type Scored = Pick<ExplanationDecay, 'points' | 'reason' | 'at'>;

/** "+15 Tham dự webinar — 14/11/2026 10:05". */
function pointsLine(f: Scored, lang: Lang, timeZone: string): string {
  const at = f.at > 0 ? ` — ${formatTime(f.at, lang, timeZone)}` : '';
  return `*${signed(f.points)}*  ${esc(clip(f.reason[lang], LIMITS.line))}${at}`;
}

const CLOCKS = new Map<string, Intl.DateTimeFormat>();
const VI_WEEKDAYS: Record<string, string> = {
  Mon: 'T2',
  Tue: 'T3',
  Wed: 'T4',
  Thu: 'T5',
  Fri: 'T6',
  Sat: 'T7',
  Sun: 'CN',
};

function clockParts(at: number, timeZone: string): Record<string, string> {
  let f = CLOCKS.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      day: '2-digit',
      month: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    CLOCKS.set(timeZone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(at)) parts[p.type] = p.value;
  return parts;
}

/** "10:42" in `timeZone`. */
function clock(at: number, timeZone: string): string {
  const p = clockParts(at, timeZone);
  return `${p.hour}:${p.minute}`;
}

/** vi "T5 26/11 09:00", en "Thu 26/11 09:00" in `timeZone`. */
function dayClock(at: number, lang: Lang, timeZone: string): string {
  const p = clockParts(at, timeZone);
  const weekday = p.weekday ?? '';
  return `${lang === 'vi' ? (VI_WEEKDAYS[weekday] ?? weekday) : weekday} ${p.day}/${p.month} ${p.hour}:${p.minute}`;
}

// ---------------------------------------------------------------------------------------------
// SQL alert

/** The SQL alert posted to reps, re-rendered in place on every status change. */
export function renderAlert(view: AlertView): SlackMessage {
  const { lang } = view;
  const title = `🔥 ${STAGE_NAMES[view.stage][lang]}: ${who(view, lang)} — ${view.score} ${T.points[lang]}`;
  const blocks: Block[] = [header(title)];
  const reasons = view.reasons
    .slice(0, 3)
    .map((r) => clip(`*${signed(r.points)}*  ${esc(r.reason[lang])}`, LIMITS.line));
  if (reasons.length > 0) blocks.push(section(reasons.join('\n')));
  blocks.push(section(`*BANT*  ${bantSummary(view.bant, lang, false)}`));
  const firstTouch =
    view.firstTouchAt === null
      ? EL.unknown[lang]
      : `${formatAge(view.firstTouchAt, view.now, lang)} ${T.ago[lang]}`;
  blocks.push(
    context(
      `${T.source[lang]}: ${view.source === null ? EL.unknown[lang] : esc(clip(view.source, LIMITS.name))}`,
      `${T.firstTouch[lang]}: ${firstTouch}`,
      `${T.assignee[lang]}: ${view.assignee === null ? T.unassigned[lang] : person(view.assignee)}`,
    ),
  );
  blocks.push(...statusBlocks(view));
  return message(esc(title), blocks);
}

function statusBlocks(view: AlertView): Block[] {
  const { lang, leadId, status } = view;
  const claim = button(T.claim[lang], ACTION.claim, leadId, 'primary');
  const why = button(T.why[lang], ACTION.why, leadId);
  const blockId = `hl_alert_${status.kind}`;
  const by = (p: SlackPerson | null) => (p === null ? '' : ` — ${T.by[lang]} ${person(p)}`);
  switch (status.kind) {
    case 'open':
      return [
        actions(blockId, [
          claim,
          why,
          button(T.startBant[lang], ACTION.startBant, leadId),
          staticSelect(
            ACTION.snooze,
            T.snooze[lang],
            SNOOZE_OPTIONS.map((o) => option(SNOOZE_LABELS[o][lang], `${leadId}|${o}`)),
          ),
          button(T.notFit[lang], ACTION.notFit, leadId, 'danger'),
        ]),
      ];
    case 'claimed': {
      const rep = person(status.rep);
      const time = clock(status.at, view.timeZone);
      return [
        context(lang === 'vi' ? `✅ ${rep} đã nhận lúc ${time}` : `✅ Claimed by ${rep} ${time}`),
        actions(blockId, [why, button(T.startBant[lang], ACTION.startBant, leadId)]),
      ];
    }
    case 'snoozed':
      return [
        context(`⏰ ${T.snoozedUntil[lang]} ${dayClock(status.until, lang, view.timeZone)}${by(status.by)}`),
        actions(blockId, [claim, why]),
      ];
    case 'disqualified':
      return [context(`🚫 ${T.disqualified[lang]}: ${notFitReason(status.reason, lang)}${by(status.by)}`)];
  }
}

/** A NOT_FIT_REASONS value as its label ("sai ngành"); any other text as written. */
function notFitReason(reason: string, lang: Lang): string {
  const known = NOT_FIT_REASONS.find((r) => r.value === reason);
  if (known === undefined) return esc(clip(reason, LIMITS.line));
  const label = known.label[lang];
  return label.charAt(0).toLocaleLowerCase(lang) + label.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Why is this lead hot?

const MAX_POSITIVE = 8;
const MAX_NEGATIVE = 5;
const MAX_DECAY = 3;

/** "Why is this lead hot?": scores, thresholds, factors, decay, BANT and what is missing. */
export function renderExplanation(
  e: LeadExplanation,
  lang: Lang,
  timeZone: string = DEFAULT_TIME_ZONE,
): SlackMessage {
  const name = who(e.lead, lang);
  const stage = stageName(e.stage, e.fastTracked, lang);
  const t = e.thresholds;
  const blocks: Block[] = [
    header(`🔍 ${name}`),
    fieldsSection([
      `*${T.stage[lang]}*\n${stage}`,
      `*${T.score[lang]}*\n${e.score}`,
      `*${EL.fit[lang]}*\n${e.fitScore}`,
      `*${EL.engagement[lang]}*\n${e.engagementScore}`,
    ]),
    context(
      `${T.thresholds[lang]}: ${STAGE_NAMES.WARM[lang]} ${t.WARM} · MQL ${t.MQL} · SQL ${t.SQL} · ` +
        `${T.hysteresis[lang]} ${t.hysteresis} · ${EL.model[lang]} ${esc(clip(e.modelVersion, LIMITS.name))}`,
    ),
  ];
  const lists: { title: Text; items: Scored[]; budget: ListBudget; noun: Text }[] = [
    {
      title: T.positives,
      items: e.factors.filter((f) => f.points >= 0).sort((a, b) => b.points - a.points),
      budget: { items: MAX_POSITIVE, blocks: 4, chars: 4000 },
      noun: T.factors,
    },
    {
      title: T.negatives,
      items: e.factors.filter((f) => f.points < 0).sort((a, b) => a.points - b.points),
      budget: { items: MAX_NEGATIVE, blocks: 3, chars: 2500 },
      noun: T.factors,
    },
    {
      title: EL.decay,
      items: e.decay,
      budget: { items: MAX_DECAY, blocks: 2, chars: 1500 },
      noun: T.decayEntries,
    },
  ];
  if (e.factors.length === 0) blocks.push(section(EL.noFactors[lang]));
  for (const { title, items, budget, noun } of lists) {
    if (items.length === 0) continue;
    const lines = items.map((f) => pointsLine(f, lang, timeZone));
    blocks.push(...listBlocks(`*${title[lang]}*`, lines, budget, more(noun, lang)));
  }
  blocks.push(section(`*BANT*  ${bantSummary(e.bant, lang, true)}`));
  const [missingTitle, ...missing] = missingLines(e, lang);
  if (missingTitle !== undefined) {
    blocks.push(
      section([`*${esc(missingTitle)}*`, ...missing.map((m) => clip(esc(m.trim()), LIMITS.line))].join('\n')),
    );
  }
  return message(esc(`🔍 ${name} — ${stage}, ${e.score} ${T.points[lang]}`), blocks);
}

// ---------------------------------------------------------------------------------------------
// Replies to commands, mentions and DMs

/** Every bot reply as a Slack message; `timeZone` is the workspace's, for clock times. */
export function renderReply(reply: ReplyView, opts: { now: number; timeZone: string }): SlackMessage {
  const { lang } = reply;
  switch (reply.type) {
    case 'explanation':
      return renderExplanation(reply.explanation, lang, opts.timeZone);
    case 'lead':
      return leadCard(reply.lead, lang, opts.timeZone);
    case 'top':
      return leadList(T.top, T.noLeads, reply.leads, lang, opts.now);
    case 'mine':
      return leadList(T.mine, T.noMine, reply.leads, lang, opts.now);
    case 'claimed': {
      const lead = esc(clip(reply.leadName ?? reply.leadId, LIMITS.name));
      const rep = esc(clip(reply.rep.name, LIMITS.name));
      const time = clock(opts.now, opts.timeZone);
      return single(
        lang === 'vi'
          ? `✅ ${rep} đã nhận lead *${lead}* lúc ${time}.`
          : `✅ ${rep} claimed *${lead}* at ${time}.`,
      );
    }
    case 'claim-taken': {
      const lead = reply.leadName === null ? null : esc(clip(reply.leadName, LIMITS.name));
      const owner = esc(clip(reply.owner.name, LIMITS.name));
      if (lang === 'vi')
        return single(`${lead === null ? 'Lead này' : `Lead *${lead}*`} đã được ${owner} nhận.`);
      return single(`${lead === null ? 'This lead' : `*${lead}*`} is already claimed by ${owner}.`);
    }
    case 'help': {
      const lines = HELP.map((h) => `\`/hotlead ${esc(h.command)}\` — ${h.what[lang]}`);
      return message(T.helpTitle[lang], [
        header(T.helpTitle[lang]),
        section(lines.join('\n')),
        context(esc(T.helpRef[lang])),
      ]);
    }
    case 'error':
      return single(`⚠ ${esc(clip(reply.message, LIMITS.line))}`);
    case 'notice':
      // mrkdwn by contract: the handler builds it (mentions included) and escapes what it quotes.
      return single(reply.text);
  }
}

/** A one-section message whose fallback is the same text. */
function single(text: string): SlackMessage {
  return message(text, [section(text)]);
}

function leadCard(l: LeadView, lang: Lang, timeZone: string): SlackMessage {
  const time = (at: string | null) => (at === null ? '—' : formatTime(Date.parse(at), lang, timeZone));
  const rows = leadDetailRows(l, lang, time);
  const title = who(l, lang);
  const blocks: Block[] = [
    header(title),
    fieldsSection(rows.map(([k, v]) => `*${esc(k)}*\n${esc(clip(v, LIMITS.line))}`)),
  ];
  const history = l.stageHistory
    .slice(-5)
    .map(
      (s) =>
        `${time(s.at)}  ${s.from} → ${s.to}  ${esc(clip(lang === 'vi' ? s.reasonVi : s.reason, LIMITS.line))}`,
    );
  if (history.length > 0) blocks.push(section([`*${T.history[lang]}*`, ...history].join('\n')));
  blocks.push(context(`\`${esc(l.id)}\``));
  return message(esc(`${title} — ${l.stage}, ${l.score} ${T.points[lang]}`), blocks);
}

function leadList(title: Text, empty: Text, leads: LeadSummary[], lang: Lang, now: number): SlackMessage {
  if (leads.length === 0) return single(empty[lang]);
  const lines = leads.map((l, i) => {
    const active =
      l.lastActivityAt === null
        ? ''
        : ` · ${T.active[lang]} ${formatAge(Date.parse(l.lastActivityAt), now, lang)} ${T.ago[lang]}`;
    return `${i + 1}. *${STAGE_NAMES[l.stage][lang]} · ${l.score}* — ${esc(who(l, lang))} · \`${esc(l.id)}\`${active}`;
  });
  return message(`${title[lang]} (${leads.length})`, [
    header(title[lang]),
    ...listBlocks(
      '',
      lines,
      { items: leads.length, blocks: LIMITS.messageBlocks - 1, chars: LIMITS.messageChars - 500 },
      more(T.leads, lang),
    ),
  ]);
}

// ---------------------------------------------------------------------------------------------
// App Home

/**
 * The App Home's open SQLs: the title, then one section per lead (`line`: mrkdwn, escaped by
 * the caller) with its Claim button beside it — at most `max` leads, the others (of `total`)
 * counted in a closing "…and N more" line. At most `max + 2` blocks; each line is clipped to
 * LIMITS.line, far below a section's 3,000 characters.
 */
export function claimableLeads(
  title: string,
  leads: { leadId: string; line: string }[],
  total: number,
  max: number,
  lang: Lang,
): Block[] {
  const shown = leads.slice(0, max);
  const blocks: Block[] = [section(clip(title, LIMITS.line))];
  for (const lead of shown) {
    blocks.push({
      type: 'section',
      text: md(lead.line, LIMITS.line),
      accessory: button(T.claim[lang], ACTION.claimFromHome, lead.leadId, 'primary'),
    });
  }
  const rest = Math.max(total, leads.length) - shown.length;
  if (rest > 0) blocks.push(context(more(T.leads, lang)(rest)));
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// Modals

/** A message shown in a modal, for answers that have no channel to go to (e.g. from App Home). */
export function noticeModal(message: SlackMessage, lang: Lang): NoticeView {
  return {
    type: 'modal',
    title: plain('Hotlead', LIMITS.viewTitle),
    close: plain(T.close[lang], LIMITS.viewTitle),
    blocks: capBlocks(message.blocks, LIMITS.viewBlocks),
  };
}

/** "Not a fit": a required reason and an optional note. */
export function notFitModal(meta: ModalMeta, lang: Lang): View {
  return modal(VIEW.notFit, meta, T.notFit[lang], lang, [
    section(T.notFitIntro[lang]),
    input(
      NOT_FIT_INPUT.reasonBlock,
      T.reason[lang],
      staticSelect(
        NOT_FIT_INPUT.reasonSelect,
        T.chooseReason[lang],
        NOT_FIT_REASONS.map((r) => option(r.label[lang], r.value)),
      ),
    ),
    input(
      NOT_FIT_INPUT.noteBlock,
      T.note[lang],
      {
        type: 'plain_text_input',
        action_id: NOT_FIT_INPUT.noteInput,
        multiline: true,
        max_length: LIMITS.note,
      },
      { optional: true, hint: T.noteHint[lang] },
    ),
  ]);
}

/** BANT edit: one free-text input per field, prefilled with what is known. */
export function bantEditModal(meta: ModalMeta, current: AlertView['bant'], lang: Lang): View {
  return modal(VIEW.bantEdit, meta, T.bantTitle[lang], lang, [
    context(T.bantIntro[lang]),
    ...BANT_FIELDS.map((field) => {
      const value = current[field].known ? current[field].value?.[lang] : undefined;
      return input(
        BANT_EDIT_INPUT[field].block,
        BANT_LABELS[field][lang],
        {
          type: 'plain_text_input',
          action_id: BANT_EDIT_INPUT[field].action,
          max_length: LIMITS.bantAnswer,
          ...(value ? { initial_value: clip(value, LIMITS.bantAnswer) } : {}),
        },
        { optional: true, hint: BANT_HINTS[field][lang] },
      );
    }),
  ]);
}
