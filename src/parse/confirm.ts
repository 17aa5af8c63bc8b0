/**
 * Replies to the bot's confirmation question ("Ngân sách: 200.000.000 ₫ — đúng không?"):
 * yes, no, or a corrected value.
 *
 * Yes/no words are matched on the folded text, word by word, so "đúng rồi", "dung roi",
 * "ĐÚNG RỒI ạ" are the same reply. A word counts only where it is the whole reply (give or take
 * politeness: "dạ", "ạ", "anh", "nhé", "rồi", "thanks") or where it opens the reply:
 *   - strong words open a reply on their own: "yes we need it", "sai rồi chị ấy là trưởng
 *     phòng", "correct, thanks";
 *   - weak words ("ok", "đúng", "không", "không phải", "no", …) need a separator after them:
 *     "không, 300 triệu" is a no, but "không biết", "không cần", "không phải hỏi sếp" (no need
 *     to ask the boss), "no budget", "no idea" are not; "ok, để
 *     em hỏi lại" is not a yes either (what follows may take it back), so a weak yes followed
 *     by more text is null;
 *   - a yes followed by "nhưng" / "but" is null ("đúng, nhưng 300 triệu").
 * "k" is left out on purpose: it is "không" in Vietnamese chat and "ok" in English chat.
 */
import type { BantField, BantFieldValues } from './bant.ts';
import { parseBantText } from './bant.ts';
import { foldText } from './text.ts';

export type Confirmation = 'yes' | 'no';

interface Phrase {
  words: readonly string[];
  answer: Confirmation;
  strong: boolean;
}

function phrases(answer: Confirmation, strong: boolean, list: readonly string[]): Phrase[] {
  return list.map((p) => ({ words: p.split(' '), answer, strong }));
}

/** Folded phrases, longest first so "khong phai" wins over "khong". */
const PHRASES: readonly Phrase[] = [
  ...phrases('yes', true, [
    'dung roi',
    'dung vay',
    'dung the',
    'dung la vay',
    'chinh xac',
    'phai roi',
    'chuan roi',
    'chuan luon',
    'yes',
    'yep',
    'yeah',
    'yup',
    'correct',
    'exactly',
    "that's right",
    'thats right',
    "that's correct",
  ]),
  ...phrases('no', true, [
    'sai',
    'nham',
    'nope',
    'nah',
    'wrong',
    'incorrect',
    'not right',
    'not correct',
    'not quite',
    "that's wrong",
    'thats wrong',
  ]),
  ...phrases('yes', false, [
    'dung',
    'chuan',
    'ok',
    'oke',
    'okay',
    'okie',
    'oki',
    'okela',
    'vang',
    'phai',
    'co',
    'duoc',
    'dc',
    'u',
    'uh',
    'uhm',
    'um',
    'right',
    'sure',
    'ya',
    '👍',
    '👌',
    '✅',
    '✔',
  ]),
  // Weak: "không phải hỏi sếp" (no need to ask the boss) is an answer, not a "no".
  ...phrases('no', false, [
    'khong phai',
    'ko phai',
    'k phai',
    'hong phai',
    'khong dung',
    'ko dung',
    'chua dung',
    'chua chinh xac',
    'khong chinh xac',
    'khong',
    'ko',
    'kh',
    'khg',
    'hong',
    'no',
    '👎',
    '❌',
  ]),
].sort((a, b) => b.words.length - a.words.length);

/** Politeness around a reply: "dạ đúng ạ", "ok anh nhé", "đúng rồi, cảm ơn". */
const PARTICLES = new Set([
  'da',
  'a',
  'ah',
  'oh',
  'nhe',
  'nha',
  'nhen',
  'ne',
  'em',
  'anh',
  'chi',
  'ban',
  'oi',
  'roi',
  'dau',
  'vay',
  'luon',
  'nhi',
  'ha',
  'sir',
  'thanks',
  'thank',
  'you',
  'cam',
  'on',
  'please',
]);
const SEPARATORS = new Set([',', '.', ';', ':', '!', '-', '–', '—', '…', '/']);
const CONTRAST = new Set(['nhung', 'but', 'ma', 'tuy', 'however', 'except']);

interface Word {
  fold: string;
  start: number;
  end: number;
}

function words(raw: string): Word[] {
  return [...raw.matchAll(/[\p{L}\p{N}']+|[^\s\p{L}\p{N}]/gu)].map((m) => ({
    fold: foldText(m[0]),
    start: m.index,
    end: m.index + m[0].length,
  }));
}

const isParticle = (w: Word | undefined) => w !== undefined && PARTICLES.has(w.fold);
const isSeparator = (w: Word | undefined) => w !== undefined && SEPARATORS.has(w.fold);

interface Split {
  answer: Confirmation | null;
  /** The raw text after the yes/no and its separator: "không, 300 triệu" → "300 triệu". */
  rest: string;
}

function startsWith(ws: readonly Word[], at: number, phrase: Phrase): boolean {
  return phrase.words.every((p, k) => ws[at + k]?.fold === p);
}

function splitConfirmation(text: string): Split {
  const raw = text.normalize('NFC').trim();
  const ws = words(raw);
  let i = 0;
  while (isParticle(ws[i])) i++;
  for (const phrase of PHRASES) {
    if (!startsWith(ws, i, phrase)) continue;
    let j = i + phrase.words.length;
    while (isParticle(ws[j]) || isSeparator(ws[j])) j++;
    const next = ws[j];
    if (!next) return { answer: phrase.answer, rest: '' };
    const rest = raw.slice(next.start);
    if (phrase.answer === 'yes' && CONTRAST.has(next.fold)) return { answer: null, rest: raw };
    const separated = ws.slice(i + phrase.words.length, j).some(isSeparator);
    if (phrase.strong || (separated && phrase.answer === 'no')) return { answer: phrase.answer, rest };
    return { answer: null, rest: raw };
  }
  return { answer: null, rest: raw };
}

/**
 * Yes / no to a confirmation question, or null when the reply is neither (or is both:
 * "đúng, nhưng 300 triệu"). Recognises, with and without diacritics: đúng, đúng rồi, chuẩn,
 * chính xác, phải, vâng, ok, yes, yep, correct, 👍 / sai, không, không phải, chưa đúng, nhầm,
 * no, nope, wrong, 👎.
 *
 * Corrections: a reply that is neither yes nor no but parses as a value of the same field
 * ("300 triệu", "không gấp", "chị ấy là trưởng phòng") is a correction, and so is a no that
 * carries a value ("không, 300 triệu": parseConfirmation says 'no', the text after it is the
 * new value). The caller stores the new value and confirms again; readConfirmationReply does
 * exactly that.
 */
export function parseConfirmation(text: string): Confirmation | null {
  return splitConfirmation(text).answer;
}

export type ConfirmationReply<F extends BantField> =
  | { kind: 'yes' }
  | { kind: 'no' }
  | { kind: 'correction'; value: BantFieldValues[F] }
  | { kind: 'unclear' };

/**
 * A reply to "<field>: <proposed> — đúng không?", read against the value that was proposed:
 *   - a value for the field that differs from `proposed` → correction ("300 triệu",
 *     "không, 300 triệu", "ok, 300 triệu", "đúng, nhưng 300 triệu");
 *   - else yes / no from parseConfirmation; a reply that only repeats the proposed value is
 *     a yes;
 *   - else unclear: ask again.
 * The value is read from the text after a yes/no, so that "không" (no) is not read as the
 * budget answer "không" (= no budget). A need counts as the same when `confirmed` matches.
 */
export function readConfirmationReply<F extends BantField>(
  field: F,
  proposed: BantFieldValues[F],
  text: string,
  now: number | Date,
): ConfirmationReply<F> {
  const { answer, rest } = splitConfirmation(text);
  const value = rest ? parseBantText(field, rest, now) : null;
  if (value !== null && !sameValue(field, value, proposed)) return { kind: 'correction', value };
  if (answer) return { kind: answer };
  return value !== null ? { kind: 'yes' } : { kind: 'unclear' };
}

function sameValue(field: BantField, a: unknown, b: unknown): boolean {
  if (field === 'need') {
    return (a as BantFieldValues['need']).confirmed === (b as BantFieldValues['need']).confirmed;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  const ea = Object.entries(a).filter(([, v]) => v !== undefined);
  const eb = Object.entries(b).filter(([, v]) => v !== undefined);
  return ea.length === eb.length && ea.every(([k, v]) => (b as Record<string, unknown>)[k] === v);
}
