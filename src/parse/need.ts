/**
 * The Need answer of BANT: does the lead describe a need ("cần phần mềm CRM cho 20 sales",
 * "we need to automate lead follow-up") or deny one ("chưa có nhu cầu", "just browsing")?
 *
 * Checks, in order:
 *   1. Firm denials ("chưa có nhu cầu", "chỉ tham khảo", "just browsing", "not interested")
 *      → confirmed false, even next to a need verb ("chỉ tham khảo, chưa cần" or "cần tham
 *      khảo giá thôi").
 *   2. A need verb that is not negated, followed by what is needed → confirmed true. This
 *      comes before the weak denials so that "không cần nhiều tính năng, chỉ cần CRM cơ bản"
 *      reads as a need.
 *   3. Weak denials ("không cần", "don't need") → confirmed false.
 *   4. Anything else (greetings, "ok", a bare "cần" with nothing needed) → null.
 * The returned text is the lead's own words, trimmed, so the rep sees what was said.
 */
import { foldText } from './text.ts';

export interface NeedValue {
  confirmed: boolean;
  text: string;
}

const FIRM_DENIALS: readonly RegExp[] = [
  /\b(?:chua|khong|ko|k|chang|hong) (?:co )?(?:nhu cau|y dinh|ke hoach)\b/,
  /\b(?:chi|chi la|chi muon|chi can) (?:tham khao|xem thu|xem qua|hoi thu|hoi gia|tim hieu)\b/,
  /\b(?:tham khao|xem|hoi|tim hieu) (?:thu |qua |gia )?thoi\b/,
  /\b(?:chua|khong|ko|k) (?:quan tam|co hung thu)\b/,
  /\bjust (?:browsing|looking|curious|checking|researching|exploring)\b/,
  /\b(?:not|no longer) interested\b/,
  /\bno (?:need|interest|use case)\b/,
  /\bnot (?:looking|in the market)\b/,
];

const WEAK_DENIALS: readonly RegExp[] = [
  /\b(?:khong|ko|k|chua|chang|hong) (?:can|muon)\b/,
  /\b(?:don'?t|dont|do not|doesn'?t|does not) (?:really )?(?:need|want)\b/,
  /^(?:no|nope|khong|ko|chua)$/,
];

/** Negation words that may precede a need verb and cancel it. */
const NEGATION = "(?:khong|ko|k|chua|chang|hong|don'?t|dont|do not|not|no)";

/**
 * Need verbs followed by at least one content word. English "can" shares the folded form of
 * "cần", so a following "you/we/i/…" marks the English modal and is skipped.
 */
const NEED_VERBS: readonly RegExp[] = [
  new RegExp(
    `(?<!\\b${NEGATION} (?:qua |lam |that )?)\\b(?:dang can|rat can|can|muon|mong muon|dang tim|tim|du dinh|dinh|ke hoach|co nhu cau|quan tam)\\s+(?!(?:you|we|i|be|do|it|this|that|he|she|they|help)\\b)(?:[a-z0-9]+)`,
  ),
  new RegExp(
    `(?<!\\b${NEGATION} (?:really )?)\\b(?:need|needs|want|wants|looking for|looking to|interested in|require|requires|plan to|planning to|would like|'d like|trying to|have to|must)\\s+[a-z0-9]+`,
  ),
];

/** A need stated without a verb: "có nhu cầu", pains like "đang quản lý bằng Excel". */
const NEED_STATEMENTS: readonly RegExp[] = [
  /^(?:co|da co|dang co) nhu cau\b/,
  /\bdang (?:quan ly|theo doi|luu) (?:khach hang |lead |don hang )?bang (?:excel|google sheet|so|tay)\b/,
  /\b(?:bi )?(?:mat|bo sot|sot|roi) (?:khach|lead|don)\b/,
  /\b(?:losing|missing|dropping) (?:leads|customers|deals|follow-ups?)\b/,
  /\bstruggl(?:e|ing) (?:with|to)\b/,
];

/**
 * Words that fold onto a need verb: "muộn" (late) → "muon" (want), "căn" (apartment) → "can"
 * (need). Replaced by a neutral word while the diacritics are still there.
 */
const FALSE_FRIENDS: ReadonlyArray<[RegExp, string]> = [
  [/(?<!\p{L})muộn(?!\p{L})/gu, 'tre'],
  [/(?<!\p{L})căn(?!\p{L})/gu, 'nha'],
];

function cleaned(text: string): string {
  let s = text.normalize('NFC').toLowerCase();
  for (const [re, word] of FALSE_FRIENDS) s = s.replace(re, word);
  return foldText(s)
    .replace(/[.,!?;:…"()]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function parseNeed(text: string): NeedValue | null {
  const t = cleaned(text);
  if (!t) return null;
  const own = text.trim().replace(/\s+/g, ' ');
  if (FIRM_DENIALS.some((re) => re.test(t))) return { confirmed: false, text: own };
  if (NEED_VERBS.some((re) => re.test(t)) || NEED_STATEMENTS.some((re) => re.test(t))) {
    return { confirmed: true, text: own };
  }
  if (WEAK_DENIALS.some((re) => re.test(t))) return { confirmed: false, text: own };
  return null;
}
