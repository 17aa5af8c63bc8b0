/**
 * The number guard of model-written text: every number the model wrote must be one of the
 * facts it was given. A reply that states any other number is discarded by the caller.
 *
 * What counts as a number in a reply (text is NFC-normalised and lower-cased first):
 *   - dates: 2027-03-15, 15/03/2027, 15-03-2027, 15.03.2027, 15/3, "ngày 15 tháng 3 (năm 2027)",
 *     "March 15(, 2027)", "15 March", and month references "tháng 3", "tháng 3/2027", "3/2027".
 *     A date matches a fact date with the same day and month (and year, when the reply gives
 *     one); a month reference matches a fact date in that month. A string that is not a valid
 *     date ("86/100") is read as plain numbers instead.
 *   - percentages: "15%", "15 %", "15 phần trăm", "15 percent": only a percentage among the
 *     facts supports them (a score of 86 does not make "86%" true).
 *   - plain numbers with "." and "," separators (readNumber): "200.000.000" and "200,000,000"
 *     are 200000000; "1,5" and "1.5" are 1.5; "1.500" is 1500. A unit word multiplies: "200 triệu"/"200tr"/"200 million" = 200000000,
 *     "1,5 tỷ" = 1500000000, "500k"/"500 nghìn" = 500000 (only the multiplied value counts).
 *     Signs are ignored ("-5" and "trừ 5" both read 5).
 *   - list markers at the start of a line ("1. ", "2) ", one digit) are not numbers.
 * The facts are the numbers of the JSON sent to the model, plus every number written inside
 * its strings (read the same way, so a lead named "Công ty 3T" or a reason "giảm 50%" supports
 * its own numbers), plus the year of every fact date.
 */

export interface DateRef {
  year?: number;
  month: number;
  /** Undefined for a month reference ("tháng 3"). */
  day?: number;
}

export interface NumberFacts {
  numbers: Set<number>;
  percents: Set<number>;
  dates: DateRef[];
}

type Mention =
  | { kind: 'number' | 'percent'; raw: string; value: number | null }
  | { kind: 'date'; raw: string; date: DateRef };

const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const MONTH_INDEX = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

type DateReader = (m: RegExpMatchArray) => DateRef;
const n = (s: string | undefined) => (s === undefined ? undefined : Number(s));
const month = (name: string | undefined) => MONTH_INDEX.indexOf((name ?? '').slice(0, 3)) + 1;

/** Date patterns, most specific first; each match is blanked before the next pattern runs. */
const DATE_PATTERNS: ReadonlyArray<[RegExp, DateReader]> = [
  [/(?<![\d.,/])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d/])/g, (m) => ymd(m[1], m[2], m[3])],
  [/(?<![\d.,/])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/]|[.,]\d)/g, (m) => ymd(m[4], m[3], m[1])],
  [/ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+(\d{4}))?(?!\d)/gu, (m) => ymd(m[3], m[2], m[1])],
  [
    new RegExp(`\\b(${MONTHS})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(\\d{4}))?(?!\\d)`, 'g'),
    (m) => ymd(m[3], String(month(m[1])), m[2]),
  ],
  [
    new RegExp(`(?<![\\d.,])(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(${MONTHS})\\b(?:,?\\s+(\\d{4}))?`, 'g'),
    (m) => ymd(m[3], String(month(m[2])), m[1]),
  ],
  [/(?<![\d.,/])(\d{1,2})\/(\d{1,2})(?![\d/]|[.,]\d)/g, (m) => ymd(undefined, m[2], m[1])],
  [/tháng\s+(\d{1,2})(?:\s*(?:\/|năm)\s*(\d{4}))?(?![\d.,/])/gu, (m) => ymd(m[2], m[1], undefined)],
  [/(?<![\d.,/])(\d{1,2})\/(\d{4})(?!\d)/g, (m) => ymd(m[2], m[1], undefined)],
];

function ymd(year: string | undefined, monthText: string | undefined, day: string | undefined): DateRef {
  const y = n(year);
  return {
    ...(y === undefined ? {} : { year: y < 100 ? 2000 + y : y }),
    month: Number(monthText),
    ...(day === undefined ? {} : { day: Number(day) }),
  };
}

function isValid(d: DateRef): boolean {
  if (!Number.isInteger(d.month) || d.month < 1 || d.month > 12) return false;
  if (d.day === undefined) return true;
  const days = new Date(Date.UTC(d.year ?? 2024, d.month, 0)).getUTCDate(); // 2024: Feb 29 exists
  return Number.isInteger(d.day) && d.day >= 1 && d.day <= days;
}

const UNITS: ReadonlyArray<[RegExp, number]> = [
  [/^(?:triệu|tr|million|millions)$/u, 1e6],
  [/^(?:tỷ|tỉ|billion|billions|bn)$/u, 1e9],
  [/^(?:nghìn|ngàn|k|thousand)$/u, 1e3],
];
const NUMBER =
  /(?<!\d)(\d+(?:[.,]\d+)*)(?:\s*(%|phần trăm|percent)|\s*(triệu|tr|million|millions|tỷ|tỉ|billion|billions|bn|nghìn|ngàn|thousand)(?![\p{L}\d])|(k)(?![\p{L}\d]))?/gu;

/**
 * "200.000.000" / "200,000,000" → 200000000, "1,5" / "1.5" → 1.5, "1.234,5" / "1,234.5" → 1234.5.
 * Groups of three digits after a leading group of 1–3 digits (not starting with 0) are
 * thousands, whichever the separator: "1.500" and "1,500" are 1500, never 1.5. Null when no
 * reading makes sense ("1.2.3").
 */
export function readNumber(s: string): number | null {
  const seps = s.match(/[.,]/g) ?? [];
  const [first = '', ...rest] = s.split(/[.,]/);
  const last = seps[seps.length - 1];
  const lead = first.length <= 3 && !first.startsWith('0');
  const groups = (ps: string[]) => ps.every((p) => p.length === 3);
  let value: number | null = null;
  if (seps.length === 0) value = Number(s);
  else if (new Set(seps).size === 1) {
    if (lead && groups(rest)) value = Number(first + rest.join(''));
    else if (seps.length === 1) value = Number(`${first}.${rest[0]}`);
  } else if (lead && seps.slice(0, -1).every((c) => c !== last) && groups(rest.slice(0, -1))) {
    value = Number(`${first}${rest.slice(0, -1).join('')}.${rest[rest.length - 1]}`);
  }
  return value !== null && Number.isFinite(value) ? value : null;
}

/** The numbers, percentages and dates written in `text`. */
export function findMentions(text: string): Mention[] {
  let s = text
    .normalize('NFC')
    .toLowerCase()
    .replace(/^(\s*)\d[.)](?=\s)/gm, '$1 ');
  const mentions: Mention[] = [];
  for (const [re, read] of DATE_PATTERNS) {
    for (const m of [...s.matchAll(re)]) {
      const date = read(m);
      if (!isValid(date)) continue;
      mentions.push({ kind: 'date', raw: m[0], date });
      // Blank the date (same length, so later match positions stay right).
      s = s.slice(0, m.index) + ' '.repeat(m[0].length) + s.slice(m.index + m[0].length);
    }
  }
  for (const m of s.matchAll(NUMBER)) {
    const [raw, digits = '', percent, unit, k] = m;
    const scale = unitScale(unit ?? k);
    mentions.push({
      kind: percent ? 'percent' : 'number',
      raw: raw.trim(),
      value: mapNull(readNumber(digits), (v) => v * scale),
    });
  }
  return mentions;
}

function mapNull(v: number | null, f: (v: number) => number): number | null {
  return v === null ? null : f(v);
}

function unitScale(unit: string | undefined): number {
  if (unit === undefined) return 1;
  return UNITS.find(([re]) => re.test(unit))?.[1] ?? 1;
}

/** Comparable key of a number: absolute value, rounded to 6 decimals (1.5e9 from "1,5 tỷ"). */
function key(v: number): number {
  return Math.round(Math.abs(v) * 1e6) / 1e6;
}

/** Every number of a JSON value: its numbers, and the numbers written in its strings. */
export function collectFacts(value: unknown): NumberFacts {
  const facts: NumberFacts = { numbers: new Set(), percents: new Set(), dates: [] };
  const visit = (v: unknown): void => {
    if (typeof v === 'number') facts.numbers.add(key(v));
    else if (typeof v === 'string') addText(facts, v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(value);
  return facts;
}

function addText(facts: NumberFacts, text: string): void {
  for (const m of findMentions(text)) {
    if (m.kind === 'date') {
      facts.dates.push(m.date);
      if (m.date.year !== undefined) facts.numbers.add(m.date.year);
      continue;
    }
    const target = m.kind === 'percent' ? facts.percents : facts.numbers;
    if (m.value !== null) target.add(key(m.value));
    // A fact "200 triệu" also supports the bare 200 of the same text.
    const bare = readNumber(m.raw.match(/^[\d.,]+/)?.[0] ?? '');
    if (bare !== null) target.add(key(bare));
  }
}

function supported(m: Mention, facts: NumberFacts): boolean {
  if (m.kind === 'date') {
    const { year, month, day } = m.date;
    return facts.dates.some(
      (f) =>
        f.month === month &&
        (day === undefined || f.day === day) &&
        (year === undefined || f.year === undefined || f.year === year),
    );
  }
  const set = m.kind === 'percent' ? facts.percents : facts.numbers;
  return m.value !== null && set.has(key(m.value));
}

/** The numbers written in `reply` that no fact supports, as written (empty: the reply passes). */
export function unsupportedNumbers(reply: string, facts: NumberFacts): string[] {
  return findMentions(reply)
    .filter((m) => !supported(m, facts))
    .map((m) => m.raw);
}
