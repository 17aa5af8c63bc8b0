/**
 * The platform-agnostic command layer: text in (Vietnamese or English, with or without
 * diacritics), a structured reply out. Console, Slack and Zalo adapters render the replies.
 */
import { AppError, asAppError } from '../errors/app-error.ts';
import type { Database } from '../db/client.ts';
import {
  explainLead,
  type LeadExplanation,
  type LeadSummary,
  type LeadView,
  resolveLeadRef,
  showLead,
  topLeads,
  type ReadDeps,
} from '../domain/leads.ts';
import { claimLead, type RepRef } from '../domain/reps.ts';
import { foldText } from '../parse/text.ts';
import type { Lang } from '../scoring/types.ts';

export type BotReply =
  | { type: 'explanation'; lang: Lang; explanation: LeadExplanation }
  | { type: 'lead'; lang: Lang; lead: LeadView }
  | { type: 'top'; lang: Lang; leads: LeadSummary[] }
  | { type: 'claimed'; lang: Lang; leadId: string; leadName: string | null; rep: RepRef }
  | { type: 'claim-taken'; lang: Lang; leadId: string; leadName: string | null; owner: RepRef }
  | { type: 'help'; lang: Lang }
  | { type: 'error'; lang: Lang; code: string; message: string };

export interface BotDeps extends ReadDeps {
  db: Database;
}

export interface BotContext {
  lang: Lang;
  rep?: RepRef;
}

type CommandName = 'why' | 'top' | 'lead' | 'claim' | 'help';

/** Command words, folded (no diacritics). Vietnamese words also switch the reply to Vietnamese. */
const WORDS: { name: CommandName; vi: string[]; en: string[] }[] = [
  { name: 'why', vi: ['vi sao', 'tai sao', 'sao'], en: ['why', 'explain'] },
  { name: 'top', vi: ['hang dau', 'nong nhat'], en: ['top'] },
  { name: 'lead', vi: ['xem', 'khach'], en: ['lead', 'show'] },
  { name: 'claim', vi: ['nhan', 'giu'], en: ['claim', 'take'] },
  { name: 'help', vi: ['tro giup', 'giup', 'huong dan'], en: ['help', '?'] },
];

export function parseCommand(
  input: string,
  fallback: Lang,
): { name: CommandName; arg: string; lang: Lang } | null {
  const trimmed = input.trim();
  const folded = foldText(trimmed);
  for (const w of WORDS) {
    for (const lang of ['vi', 'en'] as const) {
      for (const word of w[lang]) {
        if (folded === word || folded.startsWith(`${word} `)) {
          // Cut the same number of words from the original text to keep the argument's diacritics/case.
          const words = word.split(' ').length;
          const arg = trimmed
            .split(/\s+/)
            .slice(words)
            .join(' ')
            .replace(/\s*(nong|hot)\s*\??$/i, '')
            .replace(/\?$/, '')
            .trim();
          return {
            name: w.name,
            arg,
            lang: lang === 'vi' ? 'vi' : fallback === 'vi' && word === '?' ? 'vi' : lang,
          };
        }
      }
    }
  }
  return null;
}

export async function handleCommand(deps: BotDeps, input: string, ctx: BotContext): Promise<BotReply> {
  const cmd = parseCommand(input, ctx.lang);
  const lang = cmd?.lang ?? ctx.lang;
  try {
    if (!cmd) {
      return {
        type: 'error',
        lang,
        code: 'UNKNOWN_COMMAND',
        message:
          lang === 'vi'
            ? `Mình chưa hiểu “${input.trim()}”. Gõ “trợ giúp” để xem các lệnh.`
            : `I did not understand “${input.trim()}”. Type “help” for the commands.`,
      };
    }
    switch (cmd.name) {
      case 'help':
        return { type: 'help', lang };
      case 'top': {
        const n = cmd.arg ? Number.parseInt(cmd.arg, 10) : 5;
        if (!Number.isInteger(n) || n < 1 || n > 50) {
          throw new AppError(
            'BAD_INPUT',
            lang === 'vi' ? 'Số lượng phải từ 1 đến 50' : 'The count must be 1–50',
          );
        }
        return { type: 'top', lang, leads: await topLeads(deps, { limit: n }) };
      }
      case 'why': {
        const id = await resolveRef(deps, cmd.arg, lang);
        return { type: 'explanation', lang, explanation: await explainLead(deps, id) };
      }
      case 'lead': {
        const id = await resolveRef(deps, cmd.arg, lang);
        return { type: 'lead', lang, lead: await showLead(deps, id) };
      }
      case 'claim': {
        if (!ctx.rep)
          throw new AppError(
            'BAD_INPUT',
            lang === 'vi' ? 'Bạn chưa được đăng ký là sales' : 'You are not registered as a rep',
          );
        const id = await resolveRef(deps, cmd.arg, lang);
        const lead = await deps.db.prisma.lead.findUnique({ where: { id }, select: { name: true } });
        const r = await claimLead(deps.db, id, ctx.rep, deps.now());
        return r.ok
          ? { type: 'claimed', lang, leadId: id, leadName: lead?.name ?? null, rep: r.rep }
          : { type: 'claim-taken', lang, leadId: id, leadName: lead?.name ?? null, owner: r.owner };
      }
    }
  } catch (err) {
    const e = asAppError(err);
    return { type: 'error', lang, code: e.code, message: e.userMessage };
  }
}

async function resolveRef(deps: BotDeps, arg: string, lang: Lang): Promise<string> {
  if (!arg) {
    throw new AppError(
      'BAD_INPUT',
      lang === 'vi'
        ? 'Cho mình biết lead nào: email, số điện thoại, tên hoặc mã lead'
        : 'Which lead? Give an email, phone, name or lead id',
    );
  }
  try {
    return await resolveLeadRef(deps, arg, { allowName: true });
  } catch (err) {
    const e = asAppError(err);
    if (e.code === 'NOT_FOUND') {
      throw new AppError(
        'NOT_FOUND',
        lang === 'vi' ? `Không tìm thấy lead “${arg}”` : `No lead matches “${arg}”`,
      );
    }
    if (e.code === 'CONFLICT') {
      throw new AppError(
        'CONFLICT',
        lang === 'vi'
          ? `“${arg}” khớp với nhiều lead; hãy dùng email, số điện thoại hoặc mã lead`
          : `“${arg}” matches several leads; use an email, phone or lead id`,
      );
    }
    throw e;
  }
}
