/**
 * The Authority answer of BANT: is the person we talk to the one who decides?
 *
 * The text is usually written either by the lead ("tôi là giám đốc", "phải hỏi sếp") or by a
 * sales rep noting what they learnt about the lead ("anh ấy là giám đốc", "chị ấy quyết").
 * Pronouns for the lead (tôi/em/mình/anh ấy/chị ấy, I/he/she) therefore all point at the
 * person being scored, while titles used as the subject of approving ("giám đốc phải duyệt",
 * "sếp quyết") point at someone else, which makes our contact an influencer.
 *
 * Order of the checks, and why:
 *   1. Influencer first: its phrases often contain a title ("phải hỏi giám đốc", "cần trình
 *      sếp duyệt") that would otherwise read as "decision maker". A denial ("tôi không phải
 *      người quyết định", "not the decision maker") also lands here: the contact is involved
 *      in the purchase without deciding it.
 *   2. Decision maker: identity ("là giám đốc", "CEO", "founder", "chủ doanh nghiệp") or
 *      deciding/approving/signing with a pronoun for the lead as subject ("tôi duyệt").
 *   3. User last: "nhân viên" (staff) often appears next to a title ("tôi là CEO, nhân viên
 *      dùng") and must not demote a decision maker.
 * Anything else, including "không biết" / "not sure", is null.
 *
 * Judgement calls: "trưởng phòng" / "trưởng nhóm" / "team lead" / "manager" are influencers
 * (they recommend; directors sign). "Phó giám đốc" (deputy director) counts as a decision
 * maker. A bare "sếp" (boss) is ambiguous and returns null; "tôi là sếp" is a decision maker.
 */
import type { Authority } from '../scoring/types.ts';
import { foldText } from './text.ts';

/** Titles (folded) that make whoever holds them the decision maker. */
const TITLES = [
  'tong giam doc',
  'pho tong giam doc',
  'pho giam doc',
  'giam doc dieu hanh',
  'giam doc kinh doanh',
  'giam doc',
  'tgd',
  'gd',
  'ceo',
  'cfo',
  'coo',
  'cto',
  'cmo',
  'co-?founder',
  'founder',
  'dong sang lap',
  'nha sang lap',
  'chu tich hdqt',
  'chu tich',
  'chu doanh nghiep',
  'chu cong ty',
  'chu shop',
  'chu cua hang',
  'business owner',
  'owner',
  'managing director',
  'general manager',
  'director',
  'president',
];
/** Whole answers that are just a title: "CEO", "Giám đốc", "chủ doanh nghiệp". */
const BARE_DM_TITLE = new RegExp(`^(?:${TITLES.join('|')})$`);
/** After "là"/"I'm": also "chủ" (owner) and "sếp" (boss), too vague on their own. */
const DM_TITLES = `(?:${TITLES.join('|')}|chu|sep|boss)`;

/** People above our contact, when they are the ones approving. */
const BOSSES =
  '(?:sep|sep tong|sep lon|giam doc|ban giam doc|bgd|gd|tong giam doc|tgd|cap tren|lanh dao|ban lanh dao|hoi dong quan tri|hdqt|chu tich|chu|ceo|boss|board|owner|founder)';

/** "sếp tôi", "giám đốc bên em", "ban giám đốc công ty". */
const OF_MINE = '(?: (?:toi|em|minh|cua toi|cua em|cua minh|ben toi|ben em|ben minh|cong ty|ben nay))?';

/** Modals between a boss and the approving verb: "giám đốc (phải|sẽ|mới) duyệt". */
const MODAL = '(?:\\s+(?:phai|se|moi|can|thi|la nguoi|quyet dinh|co quyen))?';
const APPROVE_VI = '(?:duyet|phe duyet|quyet|quyet dinh|chot|ky|ky duyet|gat)';

const INFLUENCER_PATTERNS: readonly RegExp[] = [
  // Denials of being the decision maker.
  /\b(?:khong|ko|k|chua) (?:phai )?(?:la )?nguoi (?:quyet dinh|duyet|ky)\b/,
  /\b(?:khong|ko|k) (?:duoc |tu )?quyet (?:dinh )?(?:duoc|dc)?\b/,
  /\bnot (?:the |a )?(?:final )?(?:decision[- ]maker|one who decides|person who decides)\b/,
  /\b(?:can ?no?t|can't|don'?t|do not) (?:make the decision|decide|sign off|approve)\b/,
  // Asking / proposing to someone above.
  // … unless negated: "không cần hỏi sếp" (no need to ask the boss).
  new RegExp(
    `(?<!\\b(?:khong|ko|k|chang|khoi) (?:can |phai )?)\\b(?:hoi|hoi y kien|xin y kien|xin phep|trinh|bao cao|thong qua|de xuat (?:voi|len)|de xuat cho) ${BOSSES}\\b`,
  ),
  new RegExp(
    `(?<!\\b(?:khong|ko|k|chang) )\\b(?:can|phai|cho|doi) ${BOSSES}${OF_MINE}${MODAL} ${APPROVE_VI}\\b`,
  ),
  // A boss is the subject of approving ("giám đốc phải duyệt", "sếp quyết"), unless it is the
  // contact's own title ("là giám đốc") or negated ("không cần sếp duyệt").
  new RegExp(
    `(?<!\\b(?:la|(?:khong|ko|k|chang) (?:can|phai)) )\\b${BOSSES}${OF_MINE}${MODAL} ${APPROVE_VI}\\b`,
  ),
  /\b(?:de xuat|tham muu|gioi thieu len|trinh len|trinh duyet)\b/,
  /\b(?:truong nhom|truong phong|truong bo phan|quan ly bo phan|team lead|team leader|head of)\b/,
  /(?<!\bgeneral )\bmanager\b/,
  /\b(?:toi|em|minh|anh|chi) (?:la|lam) quan ly\b/,
  /\b(?:check|talk|speak|consult|discuss)(?: it)? with (?:my|the|our) (?:boss|manager|director|ceo|board|owner|team|management|supervisor)\b/,
  /\b(?:ask|asking) (?:my|the|our) (?:boss|manager|director|ceo|board|owner|management)\b/,
  /\b(?:recommend|propose|suggest|present|pitch)(?:s|ed|ing)? (?:it |this )?to\b/,
  /\b(?:i(?:'ll| will)?|we(?:'ll| will)?) (?:recommend|propose|suggest)\b/,
  /\b(?:need|needs|get|getting|require|requires) (?:an? )?(?:approval|sign[- ]off|go[- ]ahead)\b/,
  /\b(?:my|our) (?:boss|manager|director|ceo|board) (?:decides|approves|signs|will decide|makes the call)\b/,
  /\binfluencer\b/,
];

const DM_PATTERNS: readonly RegExp[] = [
  // Identity: "anh ấy là giám đốc", "tôi là CEO", "I'm the founder".
  new RegExp(`\\b(?:la|lam) ${DM_TITLES}\\b`),
  new RegExp(`\\b(?:i'?m|i am|is|he'?s|she'?s|am) (?:the |a |an |our |co-)?${DM_TITLES}\\b`),
  /\bnguoi (?:ra )?quyet dinh\b/,
  /\b(?:final )?decision[- ]maker\b/,
  // A pronoun for the lead decides / approves / signs: "chị ấy quyết", "tôi duyệt".
  new RegExp(`\\b(?:toi|em|minh|anh ay|chi ay|ong ay|ba ay|anh|chi|ong|ba)${MODAL} (?:tu )?${APPROVE_VI}\\b`),
  /\b(?:i|he|she|they|we) (?:decide|decides|approve|approves|sign|signs|make the call|makes the call|have the final say|has the final say|make the decision|makes the decision)\b/,
  /\b(?:signs?|signing) off\b/,
  /\bfinal (?:say|decision) is (?:mine|his|hers)\b/,
  /\b(?:my|his|her) (?:call|decision)\b/,
  /\bquyen quyet dinh\b/,
];

const USER_PATTERNS: readonly RegExp[] = [
  /\bchi (?:dung|su dung|xai|la nguoi dung)\b/,
  /\bnguoi (?:dung|su dung) (?:cuoi|thoi)\b/,
  /\b(?:toi|em|minh|anh ay|chi ay) (?:la|lam) (?:nhan vien|nguoi dung|user)\b/,
  /^(?:nhan vien|staff|employee|user|end user|nguoi dung)$/,
  /\bnhan vien\b/,
  /\bend[- ]user\b/,
  /\bjust (?:a |an )?(?:user|using it|use it|using)\b/,
  /\b(?:i'?m|i am) (?:just |only )?(?:a |an )?(?:user|employee|staff|member of staff)\b/,
];

function cleaned(text: string): string {
  return foldText(text)
    .replace(/[.,!?;:…"()]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function parseAuthority(text: string): Authority | null {
  const t = cleaned(text);
  if (!t) return null;
  if (INFLUENCER_PATTERNS.some((re) => re.test(t))) return 'influencer';
  if (BARE_DM_TITLE.test(t) || DM_PATTERNS.some((re) => re.test(t))) return 'decision_maker';
  if (USER_PATTERNS.some((re) => re.test(t))) return 'user';
  return null;
}
