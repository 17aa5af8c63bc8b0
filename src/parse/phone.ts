/**
 * Phone numbers → E.164 ("+84912345678").
 *
 * Vietnam is the default country. Vietnamese numbers are written with a trunk 0
 * ("0912 345 678"), with the country code ("+84 912 345 678", "84912345678", "(+84) 912345678")
 * and with spaces, dots or dashes between groups. Since the 2017–2018 renumbering:
 *   - mobiles are 0 + 9 digits with prefixes 03[2-9], 05[2-9], 07[06-9], 08[1-9], 09x;
 *   - landlines are 0 + 10 digits starting 02 (e.g. 028 3823 4567, 024 …, 0236 …).
 * Other countries are accepted only when written with "+" (or "00") and 8–15 digits in total,
 * because without the country code we cannot tell a foreign number from an order code.
 */

/** Calling codes for the default countries we know how to read without a "+". */
const CALLING_CODES: Readonly<Record<string, string>> = {
  VN: '84',
  US: '1',
  CA: '1',
  SG: '65',
  TH: '66',
  MY: '60',
  ID: '62',
  PH: '63',
  JP: '81',
  KR: '82',
  CN: '86',
  AU: '61',
  GB: '44',
};

const VN_MOBILE = /^(?:3[2-9]|5[2-9]|7[06-9]|8[1-9]|9\d)\d{7}$/;
const VN_LANDLINE = /^2\d{9}$/;

/** A Vietnamese national significant number (no trunk 0, no +84). */
function isVietnameseNsn(nsn: string): boolean {
  return VN_MOBILE.test(nsn) || VN_LANDLINE.test(nsn);
}

/** E.164 from the digits after "+"; null when implausible. */
function fromInternational(digits: string): string | null {
  if (digits.startsWith('84')) {
    // People often keep the trunk 0 after the country code ("+84 0912 …"): drop it.
    const nsn = digits.slice(2).replace(/^0/, '');
    return isVietnameseNsn(nsn) ? `+84${nsn}` : null;
  }
  if (digits.startsWith('0')) return null; // country codes never start with 0
  return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : null;
}

/**
 * E.164 from digits written without "+". `allowBare84` lets "84912345678" through: common in
 * forms and exports, where the "+" is lost.
 */
function fromNational(digits: string, country: string): string | null {
  if (digits.startsWith('00')) return fromInternational(digits.slice(2));
  if (country === 'VN') {
    if (digits.startsWith('0')) {
      const nsn = digits.slice(1);
      return isVietnameseNsn(nsn) ? `+84${nsn}` : null;
    }
    // 84 + mobile (11 digits) or 84 + landline (12 digits), the "+" having been dropped.
    if (digits.startsWith('84') && (digits.length === 11 || digits.length === 12)) {
      return fromInternational(digits);
    }
    return null;
  }
  const code = CALLING_CODES[country];
  if (!code) return null;
  const full = code + digits.replace(/^0/, '');
  return full.length >= 8 && full.length <= 15 ? `+${full}` : null;
}

/**
 * Normalises one phone number (a form field, a CSV cell) to E.164, or null when the input is
 * not a plausible phone: letters, a year, an order code, too few or too many digits.
 */
export function normalizePhone(input: string, defaultCountry = 'VN'): string | null {
  const s = input.trim();
  // Only digits and the usual separators; any letter means this is not a bare phone number.
  if (!/^[\d\s.()+\-\u00a0]+$/.test(s)) return null;
  // "+" only once, at the start (optionally inside an opening parenthesis: "(+84)").
  const plusCount = (s.match(/\+/g) ?? []).length;
  if (plusCount > 1 || (plusCount === 1 && !/^\(?\s*\+/.test(s))) return null;
  const digits = s.replace(/\D/g, '');
  if (digits.length < 8 || digits.length > 15) return null;
  return plusCount === 1 ? fromInternational(digits) : fromNational(digits, defaultCountry.toUpperCase());
}

interface DigitGroup {
  digits: string;
  plus: boolean;
  start: number;
  end: number;
}

const GROUP_RE = /\+?\d+/g;
/** What may sit between two groups of one number: "0912 345 678", "0912.345.678", "(028) 3823". */
const JOIN_RE = /^(?:[ \u00a0]?[.-]?[ \u00a0]?|\)[ \u00a0]?)$/;

function digitGroups(text: string): DigitGroup[] {
  const groups: DigitGroup[] = [];
  for (const m of text.matchAll(GROUP_RE)) {
    const start = m.index;
    const raw = m[0];
    groups.push({ digits: raw.replace('+', ''), plus: raw.startsWith('+'), start, end: start + raw.length });
  }
  return groups;
}

/** True when the character before a number shows it is part of a word or a larger number. */
function badLeftContext(text: string, start: number): boolean {
  let i = start - 1;
  if (text[i] === '(') i--;
  const prev = text[i] ?? '';
  if (/[\p{L}\p{N}_/]/u.test(prev)) return true;
  // "1.0912…", "1-0912…": glued to a digit by a tight separator. A comma is allowed: phones
  // are listed as "0912345678,0987654321".
  return /[.-]/.test(prev) && /\d/.test(text[i - 1] ?? '');
}

/** True when the number continues right after `end` (letters, or tightly-glued digits). */
function badRightContext(text: string, end: number): boolean {
  const next = text[end] ?? '';
  if (/[\p{L}_]/u.test(next)) return true;
  return /[/.-]/.test(next) && /\d/.test(text[end + 1] ?? '');
}

/** A free-text candidate: VN trunk-0 numbers, 84-prefixed VN numbers, or "+" numbers. */
function candidateToE164(digits: string, plus: boolean): string | null {
  if (plus) return fromInternational(digits);
  if (digits.startsWith('0')) {
    const nsn = digits.slice(1);
    return isVietnameseNsn(nsn) ? `+84${nsn}` : null;
  }
  // Bare 84-prefixed numbers only for mobiles: "84" + landline is too easily an ID number.
  if (digits.startsWith('84') && digits.length === 11 && VN_MOBILE.test(digits.slice(2))) {
    return `+${digits}`;
  }
  return null;
}

/**
 * Phones inside free text ("sđt của em là 0912.345.678 nhé"), as E.164, in order, without
 * duplicates. A phone is made of whole digit groups joined by single separators; the longest
 * valid run of groups from a given start wins. Numbers glued to letters or other digits
 * ("DH0912345678", "1.0912…"), order codes, money, dates and long IDs are not phone-shaped and
 * are skipped.
 */
export function findPhones(text: string): string[] {
  const groups = digitGroups(text);
  const found: string[] = [];
  let i = 0;
  while (i < groups.length) {
    const match = longestPhoneFrom(text, groups, i);
    if (match) {
      if (!found.includes(match.e164)) found.push(match.e164);
      i = match.next;
    } else {
      i++;
    }
  }
  return found;
}

function longestPhoneFrom(
  text: string,
  groups: DigitGroup[],
  first: number,
): { e164: string; next: number } | null {
  const head = groups[first];
  if (!head || badLeftContext(text, head.start)) return null;
  let digits = '';
  let best: { e164: string; next: number } | null = null;
  for (let j = first; j < groups.length; j++) {
    const g = groups[j]!;
    if (j > first) {
      const prev = groups[j - 1]!;
      if (g.plus || !JOIN_RE.test(text.slice(prev.end, g.start))) break;
    }
    digits += g.digits;
    if (digits.length > 15) break;
    const e164 = candidateToE164(digits, head.plus);
    if (e164 && !badRightContext(text, g.end)) best = { e164, next: j + 1 };
  }
  return best;
}
