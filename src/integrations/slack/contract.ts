/**
 * What the Slack adapter's parts agree on: the ids of buttons, menus and modals Hotlead puts
 * in messages (the interactivity handlers route on them), and the view models the Block Kit
 * renderers (`blocks.ts`, pure) turn into messages. Handlers build view models from the
 * domain; renderers never query anything.
 */
import type { BotReply } from '../../bot/commands.ts';
import type { LeadExplanation } from '../../domain/leads.ts';
import type { Lang, Stage, Text } from '../../scoring/types.ts';

/** action_id of every interactive element Hotlead posts. */
export const ACTION = {
  claim: 'hl_claim',
  /** Claim beside an open SQL in the App Home's team list (value: the lead id); same claim as `claim`. */
  claimFromHome: 'hl_home_claim',
  why: 'hl_why',
  startBant: 'hl_bant',
  /** static_select whose option values are `<leadId>|1d`, `<leadId>|3d`, `<leadId>|1w`. */
  snooze: 'hl_snooze',
  notFit: 'hl_not_fit',
  editBant: 'hl_bant_edit',
} as const;

/** callback_id of Hotlead's modals; their private_metadata is JSON (see ModalMeta). */
export const VIEW = {
  notFit: 'hl_not_fit_modal',
  bantEdit: 'hl_bant_edit_modal',
} as const;

/** Inputs of the "Not a fit" modal. */
export const NOT_FIT_INPUT = {
  reasonBlock: 'reason',
  reasonSelect: 'reason_select',
  noteBlock: 'note',
  noteInput: 'note_input',
} as const;

/** Inputs of the BANT edit modal: one plain_text_input per field, free text. */
export const BANT_EDIT_INPUT = {
  budget: { block: 'bant_budget', action: 'budget_input' },
  authority: { block: 'bant_authority', action: 'authority_input' },
  need: { block: 'bant_need', action: 'need_input' },
  timeline: { block: 'bant_timeline', action: 'timeline_input' },
} as const;

/** private_metadata of Hotlead's modals. */
export interface ModalMeta {
  leadId: string;
  /** The alert message the modal was opened from, to update it in place. */
  channel?: string;
  ts?: string;
}

export const SNOOZE_OPTIONS = ['1d', '3d', '1w'] as const;
export type SnoozeOption = (typeof SNOOZE_OPTIONS)[number];

/** Common "not a fit" reasons offered in the modal (value → label); "other" asks for a note. */
export const NOT_FIT_REASONS = [
  { value: 'wrong_industry', label: { vi: 'Sai ngành', en: 'Wrong industry' } },
  { value: 'too_small', label: { vi: 'Doanh nghiệp quá nhỏ', en: 'Company too small' } },
  { value: 'no_budget', label: { vi: 'Không có ngân sách', en: 'No budget' } },
  {
    value: 'competitor',
    label: { vi: 'Là đối thủ / đã dùng đối thủ', en: 'Competitor / uses a competitor' },
  },
  { value: 'student', label: { vi: 'Sinh viên / cá nhân', en: 'Student / individual' } },
  { value: 'spam', label: { vi: 'Spam / thông tin sai', en: 'Spam / fake details' } },
  { value: 'other', label: { vi: 'Lý do khác', en: 'Other' } },
] as const satisfies readonly { value: string; label: Text }[];

/** Where an alert stands; the alert message is re-rendered from this on every change. */
export type AlertStatus =
  | { kind: 'open' }
  | { kind: 'claimed'; rep: SlackPerson; at: number }
  | { kind: 'snoozed'; until: number; by: SlackPerson | null }
  | { kind: 'disqualified'; reason: string; by: SlackPerson | null; at: number };

/** A person as Slack shows them: mention when we know their Slack id, name otherwise. */
export interface SlackPerson {
  slackUserId: string | null;
  name: string;
}

export interface BantLine {
  known: boolean;
  /** Display value (e.g. "200.000.000 ₫"). */
  value?: Text;
  points: number;
}

/** Everything an SQL alert message shows. */
export interface AlertView {
  leadId: string;
  name: string | null;
  title: string | null;
  company: string | null;
  score: number;
  stage: Stage;
  /** Top reasons from the trace, best first (at most 3 are shown). */
  reasons: { points: number; reason: Text }[];
  bant: { budget: BantLine; authority: BantLine; need: BantLine; timeline: BantLine };
  source: string | null;
  firstTouchAt: number | null;
  crossedAt: number;
  /** The rep routing chose (mentioned in the message), if any. */
  assignee: SlackPerson | null;
  status: AlertStatus;
  lang: Lang;
  /** Render time (for "time since first touch"). */
  now: number;
  /** IANA time zone for clock times ("Claimed by @rep 10:42"). */
  timeZone: string;
}

/** A person's message in a Slack thread (e.g. a rep answering a Zalo customer there). */
export interface ThreadMessage {
  channel: string;
  threadTs: string;
  ts: string;
  user: string;
  text: string;
}
/** Sends a rep's thread reply on to the Zalo customer the thread belongs to; false when it is no such thread. */
export type RelayToZalo = (msg: ThreadMessage) => Promise<boolean>;

/** A Slack message: fallback text (notifications, screen readers) + blocks. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** A Block Kit block (kept structural: the renderers build plain objects). */
export type Block = { type: string; block_id?: string } & Record<string, unknown>;

/** Inputs of the reply renderers used by slash commands, mentions and DMs. */
export type ReplyView =
  | BotReply
  | { type: 'mine'; lang: Lang; leads: import('../../domain/leads.ts').LeadSummary[] }
  /** A confirmation in one sentence (e.g. "Added @an to the sales team"); mrkdwn allowed. */
  | { type: 'notice'; lang: Lang; text: string };
export type { LeadExplanation };
