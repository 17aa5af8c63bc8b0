/**
 * The Timeline answer of BANT: when will the lead decide?
 *
 * Result: relative months from "now" (monthsMin / monthsMax) and/or an absolute decide-by
 * date (YYYY-MM-DD, Vietnam calendar). Whenever a decideBy is produced, monthsMax is filled
 * too (calendar months from today, rounded up) so consumers can compare in months; an
 * "after X" answer fills monthsMin (rounded down). 'none' = no timeline / no rush.
 *
 * Matchers run from the most specific to the least, and the first one that matches wins:
 * ranges ("2-3 tháng nữa"), durations ("trong 2 tháng"), quarters ("quý 1 năm sau", "Q3 2027";
 * before dates so that "quý 3/2027" is not read as March), absolute dates ("15/3/2027"), Tết,
 * relative calendar words ("tháng sau", "cuối năm"), and only then 'none' ("không gấp") and
 * urgency ("gấp", "asap"). Concrete beats vague: in "chưa vội, chắc sau Tết" the lead still
 * gave "after Tết".
 *
 * Dates are day/month/year, as in Vietnam. A date or period entirely in the past is refused
 * (null) rather than guessed.
 *
 * Vague answers are refused too: "sớm thôi", "sớm", "sắp tới", "soon", "later" give no bound
 * (soon may be weeks or a quarter), so the bot asks for a month instead of storing one. Only
 * explicit urgency ("gấp", "ASAP", "càng sớm càng tốt", "ngay") reads as within a month.
 * "trước X" is decided by the day before X ("trước 15/1" → 2027-01-14, "trước Tết" → the day
 * before Tết): decideBy is the last day the decision may fall on.
 */
import type { CivilDate } from './calendar.ts';
import {
  addDays,
  addMonths,
  compareDates,
  endOfMonth,
  endOfQuarter,
  endOfWeek,
  isValidDate,
  monthsCeil,
  monthsFloor,
  toIsoDate,
  vnToday,
} from './calendar.ts';
import { nextTet } from './lunar.ts';
import { foldText } from './text.ts';

export interface TimelineValue {
  monthsMin?: number;
  monthsMax?: number;
  /** YYYY-MM-DD */
  decideBy?: string;
}
export type TimelineResult = TimelineValue | 'none';

type Matcher = (t: string, today: CivilDate, raw: string) => TimelineResult | null;

// ---------------------------------------------------------------------------------------------
// Building results

function decideBy(today: CivilDate, date: CivilDate): TimelineValue | null {
  if (compareDates(date, today) < 0) return null;
  return { monthsMax: monthsCeil(today, date), decideBy: toIsoDate(date) };
}

function after(today: CivilDate, date: CivilDate): TimelineValue | null {
  if (compareDates(date, today) < 0) return null;
  return { monthsMin: monthsFloor(today, date) };
}

/** A period of time the lead pointed at (a day, a month, a quarter, a year, Tết). */
interface Anchor {
  start: CivilDate;
  end: CivilDate;
}

/**
 * How the lead relates to an anchor, from the word just before it:
 * "trước/before" → by the day before it starts; "sau/after/qua/ra" → not before it ends;
 * "đầu/early", "giữa/mid" → an earlier point inside the period; else → by its end.
 */
function resolveAnchor(anchor: Anchor, before: string, today: CivilDate): TimelineValue | null {
  const p = prepositionBefore(before);
  if (p === 'before') return decideBy(today, addDays(anchor.start, -1));
  if (p === 'after') return after(today, anchor.end);
  if (p === 'early' || p === 'mid') return decideBy(today, pointInside(anchor, p));
  return decideBy(today, anchor.end);
}

type Preposition = 'before' | 'after' | 'early' | 'mid' | 'by';

function prepositionBefore(before: string): Preposition {
  const w = before.trimEnd();
  if (/\b(?:truoc|before|prior to|ahead of)$/.test(w)) return 'before';
  if (/\b(?:sau|after|qua|ra|from|tu|ke tu)$/.test(w)) return 'after';
  if (/\b(?:dau|early|start of|beginning of|the start of|the beginning of)$/.test(w)) return 'early';
  if (/\b(?:giua|mid|middle of|the middle of)$/.test(w)) return 'mid';
  return 'by';
}

/**
 * "đầu tháng 3" → the 10th, "giữa tháng 3" → the 20th (the way Vietnamese splits a month in
 * thirds); "đầu năm" → end of Q1, "giữa năm" → end of June. Other periods: their end.
 */
function pointInside(anchor: Anchor, p: 'early' | 'mid'): CivilDate {
  const { start, end } = anchor;
  const sameMonth = start.year === end.year && start.month === end.month;
  if (sameMonth && start.day === 1) return { ...start, day: p === 'early' ? 10 : 20 };
  const wholeYear = start.month === 1 && start.day === 1 && end.month === 12 && end.day === 31;
  if (wholeYear) return endOfMonth(start.year, p === 'early' ? 3 : 6);
  return end;
}

// ---------------------------------------------------------------------------------------------
// Numbers and units

/** Number words before a unit, written on the raw text so "sáu" (6) ≠ "sau" (after), "tám" (8) ≠ "tầm" (about). */
const NUMBER_WORDS: ReadonlyArray<[RegExp, string]> = [
  [/(?<![\p{L}\d])(?:a couple of|couple of)(?![\p{L}\d])/gu, '2'],
  [/(?<![\p{L}\d])(?:mười hai|muoi hai|twelve)(?![\p{L}\d])/gu, '12'],
  [/(?<![\p{L}\d])(?:mười một|muoi mot|eleven)(?![\p{L}\d])/gu, '11'],
  [/(?<![\p{L}\d])(?:mười|muoi|ten)(?![\p{L}\d])/gu, '10'],
  [
    /(?<![\p{L}\d])(?:một|mot|one|an|a)(?= (?:tháng|thang|tuần|tuan|ngày|năm|quý|month|week|day|year|quarter))/gu,
    '1',
  ],
  [/(?<![\p{L}\d])(?:hai|two)(?![\p{L}\d])/gu, '2'],
  [/(?<![\p{L}\d])(?:ba|three)(?![\p{L}\d])/gu, '3'],
  [/(?<![\p{L}\d])(?:bốn|bon|four)(?![\p{L}\d])/gu, '4'],
  [/(?<![\p{L}\d])(?:năm|five)(?= (?:tháng|tuần|ngày|month|week|day))/gu, '5'],
  [/(?<![\p{L}\d])(?:sáu|six)(?![\p{L}\d])/gu, '6'],
  [/(?<![\p{L}\d])(?:bảy|bay|seven)(?![\p{L}\d])/gu, '7'],
  [/(?<![\p{L}\d])(?:tám|eight)(?![\p{L}\d])/gu, '8'],
  [/(?<![\p{L}\d])(?:chín|chin|nine)(?![\p{L}\d])/gu, '9'],
];

/** Replaces number words followed by a time unit with digits, then folds. */
function normalize(raw: string): string {
  let s = raw.normalize('NFC').toLowerCase();
  for (const [re, digits] of NUMBER_WORDS) {
    s = s.replace(re, (word, offset: number) => (isBeforeUnit(s, offset + word.length) ? digits : word));
  }
  // Sentence punctuation becomes space; "1,5 tháng" and "15.03.2027" keep theirs.
  return foldText(s.replace(/[;!?…]|,(?!\d)|\.(?!\d)/g, ' '));
}

function isBeforeUnit(s: string, end: number): boolean {
  const rest = foldText(s.slice(end, end + 16));
  return /^(?:\s*(?:-|–|den|toi|to|or|hoac)\s*[a-z0-9]+)?\s*(?:thang|tuan|ngay|nam|quy|months?|weeks?|days?|years?|quarters?)\b/.test(
    rest,
  );
}

const NUM = '(\\d+(?:[.,]\\d+)?)';
/**
 * A count of time units, not part of a date: "3" in "tháng 3 năm 2027" / "quý 1 năm sau" is
 * a month/quarter number, and "15 tháng 3" is a day of March, not fifteen months.
 */
const COUNT = `(?<![\\d/.,-])(?<!\\b(?:thang|quy|q|ngay|nam|tuan|tet)\\s?)${NUM}`;
const NOT_A_DATE_AFTER = '(?!\\s*[/.-]?\\d)';
const UNIT = '(ngay|tuan|thang|nam|quy|days?|weeks?|months?|mos?|years?|yrs?|quarters?)(?![a-z])';

function num(s: string | undefined): number {
  return Number((s ?? '').replace(',', '.'));
}

type Unit = 'day' | 'week' | 'month' | 'quarter' | 'year';

function unitOf(s: string | undefined): Unit {
  const u = s ?? '';
  if (u === 'ngay' || u.startsWith('day')) return 'day';
  if (u === 'tuan' || u.startsWith('week')) return 'week';
  if (u === 'quy' || u.startsWith('quarter')) return 'quarter';
  if (u === 'nam' || u.startsWith('year') || u.startsWith('yr')) return 'year';
  return 'month';
}

/** Months in n units; null for days/weeks, which become a decide-by date instead. */
function monthsIn(n: number, unit: Unit): number | null {
  if (unit === 'month') return n;
  if (unit === 'quarter') return n * 3;
  if (unit === 'year') return n * 12;
  return null;
}

function dateIn(today: CivilDate, n: number, unit: Unit): CivilDate {
  if (unit === 'day') return addDays(today, Math.round(n));
  if (unit === 'week') return addDays(today, Math.round(n * 7));
  return addMonths(today, Math.round(monthsIn(n, unit) ?? 0));
}

// ---------------------------------------------------------------------------------------------
// Matchers

/** "2-3 tháng nữa", "từ 2 đến 3 tháng", "2 hoặc 3 tháng", "2 to 3 months", "2-3 tuần". */
const matchRange: Matcher = (t, today) => {
  const re = new RegExp(
    `${COUNT}\\s*(?:${UNIT}\\s*)?(?:-|–|~|den|toi|to|or|hoac)\\s*${NUM}\\s*${UNIT}${NOT_A_DATE_AFTER}`,
  );
  const m = re.exec(t);
  if (!m) return null;
  const [lo, hi] = [num(m[1]), num(m[3])].sort((a, b) => a - b) as [number, number];
  const unit = unitOf(m[4]);
  const loMonths = monthsIn(lo, unit);
  const hiMonths = monthsIn(hi, unit);
  if (loMonths !== null && hiMonths !== null) return { monthsMin: loMonths, monthsMax: hiMonths };
  // Days/weeks: a decide-by date for the upper end; the lower end only if it reaches a month.
  const end = decideBy(today, dateIn(today, hi, unit));
  const minMonths = monthsFloor(today, dateIn(today, lo, unit));
  return end && (minMonths > 0 ? { monthsMin: minMonths, ...end } : end);
};

const WITHIN =
  '(?:trong vong|trong khoang|trong|within|in the next|in the coming|over the next|duoi|it hon|less than|under|khong qua|toi da|up to|no more than|chua den|chua toi)';
const AFTER = '(?:sau|after|hon|more than|over|it nhat|at least|tren|toi thieu|ngoai)';

/**
 * "trong 2 tháng" / "within 2 months" → at most; "sau 2 tháng" / "after 2 months" → at least;
 * "2 tháng nữa", "in 2 months", "khoảng 2 tháng" → about that (min = max). A bare "2 tháng"
 * answers "how long until you decide?" and reads as at most.
 */
const matchDuration: Matcher = (t, today) => {
  const re = new RegExp(
    `(?:(${WITHIN}|${AFTER})\\s+)?${COUNT}\\s*${UNIT}${NOT_A_DATE_AFTER}(\\s*(?:nua|sau|from now|later|toi|sap toi))?`,
  );
  const m = re.exec(t);
  if (!m) return null;
  const n = num(m[2]);
  if (!(n > 0)) return null;
  const unit = unitOf(m[3]);
  const kind = classifyDuration(m[1], m[4]);
  const months = monthsIn(n, unit);
  if (months !== null) {
    if (kind === 'max') return { monthsMax: months };
    if (kind === 'min') return { monthsMin: months };
    return { monthsMin: months, monthsMax: months };
  }
  const date = dateIn(today, n, unit);
  if (kind === 'min') return after(today, date);
  return decideBy(today, date);
};

function classifyDuration(pre: string | undefined, post: string | undefined): 'max' | 'min' | 'about' {
  if (pre && new RegExp(`^${AFTER}$`).test(pre)) return 'min';
  if (pre) return 'max';
  const trimmed = post?.trim();
  return trimmed === 'nua' || trimmed === 'sau' || trimmed === 'from now' || trimmed === 'later'
    ? 'about'
    : 'max';
}

const ABOUT_DURATION =
  /\b(?:khoang|tam|chung|around|about|roughly|in) (\d+(?:[.,]\d+)?)\s*(?:thang|months?)\b(?!\s*[/.-]?\d)/;

/** "khoảng 2 tháng", "in 2 months": about that long (min = max). Checked before matchDuration. */
const matchAboutDuration: Matcher = (t) => {
  const m = ABOUT_DURATION.exec(t);
  if (!m || /\bin the next\b/.test(t)) return null;
  const n = num(m[1]);
  return n > 0 ? { monthsMin: n, monthsMax: n } : null;
};

const MONTH_NAMES: Readonly<Record<string, number>> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};
const MONTH_NAME_RE =
  '(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)';

function dayAnchor(d: CivilDate): Anchor {
  return { start: d, end: d };
}

function monthAnchor(year: number, month: number): Anchor {
  return { start: { year, month, day: 1 }, end: endOfMonth(year, month) };
}

function fullYear(y: string): number {
  const n = Number(y);
  return y.length === 2 ? 2000 + n : n;
}

/** Without a year, a day or month means its next occurrence (this year, else next year). */
function nextOccurrence(today: CivilDate, month: number, day?: number): number {
  const thisYear = today.year;
  if (day === undefined) return month >= today.month ? thisYear : thisYear + 1;
  return compareDates({ year: thisYear, month, day }, today) >= 0 ? thisYear : thisYear + 1;
}

interface DateHit {
  anchor: Anchor;
  index: number;
}

type DateReader = (t: string, today: CivilDate) => DateHit | null;

/** "2027-03-15" */
const readIso: DateReader = (t) => {
  const m = /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/.exec(t);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isValidDate(y, mo, d) ? { anchor: dayAnchor({ year: y, month: mo, day: d }), index: m.index } : null;
};

/** "15/3/2027", "15-03-2027", "15.03.2027", "ngày 15 tháng 3 năm 2027", "15/3" */
const readDayMonth: DateReader = (t, today) => {
  const patterns = [
    /\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b/,
    /\b(\d{1,2}) thang (\d{1,2})(?:(?:\s*(?:nam|,|\/)\s*|\s+)(\d{4}))?\b/,
    /(?<![\d/.-])\b(\d{1,2})\/(\d{1,2})\b(?![/.-]?\d)/,
  ];
  for (const re of patterns) {
    const m = re.exec(t);
    if (!m) continue;
    const [d, mo] = [Number(m[1]), Number(m[2])];
    const y = m[3] ? fullYear(m[3]) : nextOccurrence(today, mo, d);
    if (isValidDate(y, mo, d)) return { anchor: dayAnchor({ year: y, month: mo, day: d }), index: m.index };
  }
  return null;
};

/** "tháng 3/2027", "tháng 3 năm 2027", "03/2027", "tháng 3" (next March). */
const readMonth: DateReader = (t, today) => {
  const withYear = /\b(?:thang (\d{1,2})(?:\s*[/.-]\s*|\s+nam\s+|\s+)|(?<![\d/.-])(\d{1,2})\/)(\d{4})\b/.exec(
    t,
  );
  if (withYear) {
    const mo = Number(withYear[1] ?? withYear[2]);
    const y = Number(withYear[3]);
    return mo >= 1 && mo <= 12 ? { anchor: monthAnchor(y, mo), index: withYear.index } : null;
  }
  const bare = /\bthang (\d{1,2})\b(?!\s*(?:thang|tuan|ngay))/.exec(t);
  if (!bare) return null;
  const mo = Number(bare[1]);
  if (mo < 1 || mo > 12) return null;
  return { anchor: monthAnchor(nextOccurrence(today, mo), mo), index: bare.index };
};

/**
 * "March 2027", "15 March 2027", "March 15, 2027", "Mar 15th", "in March".
 * "may" is also a verb ("we may decide…"), so a bare "may" needs a day, a year or "in/by".
 */
const readEnglishDate: DateReader = (t, today) => {
  const re = new RegExp(
    `(?:\\b(\\d{1,2})(?:st|nd|rd|th)?(?: of)? )?\\b${MONTH_NAME_RE}\\b(?: (\\d{1,2})(?:st|nd|rd|th)?\\b)?(?:,? (\\d{4}))?`,
    'g',
  );
  for (const m of t.matchAll(re)) {
    const mo = MONTH_NAMES[m[2] ?? ''] ?? 0;
    const dayStr = m[1] ?? m[3];
    const yearStr = m[4];
    const introduced = /\b(?:in|by|before|until|till|after|end of|early|mid|late|from)\s*$/.test(
      t.slice(0, m.index),
    );
    // "may" (the verb) and the short forms ("sep" = folded "sếp", boss; "may" = "máy") need context.
    const needsContext = (m[2] ?? '').length === 3 || m[2] === 'sept';
    if (needsContext && !dayStr && !yearStr && !introduced) continue;
    if (dayStr) {
      const d = Number(dayStr);
      const y = yearStr ? Number(yearStr) : nextOccurrence(today, mo, d);
      if (isValidDate(y, mo, d)) return { anchor: dayAnchor({ year: y, month: mo, day: d }), index: m.index };
      continue;
    }
    const y = yearStr ? Number(yearStr) : nextOccurrence(today, mo);
    return { anchor: monthAnchor(y, mo), index: m.index };
  }
  return null;
};

/** "năm 2027", "end of 2027", "in 2027", or a bare "2027" answer: that calendar year. */
const readYear: DateReader = (t) => {
  const m = /(?<![\d/.-])\b(?:nam )?(20[2-9]\d)\b(?![/.-]?\d)/.exec(t);
  if (!m) return null;
  return { anchor: yearAnchor(Number(m[1])), index: m.index };
};

/** "late March" = "cuối tháng 3" → its end; the other modifiers are read by prepositionBefore. */
const matchAbsoluteDate: Matcher = (t, today) => {
  for (const read of [readIso, readDayMonth, readMonth, readEnglishDate, readYear]) {
    const hit = read(t, today);
    if (hit) return resolveAnchor(hit.anchor, stripDayWord(t.slice(0, hit.index)), today);
  }
  return null;
};

/** "trước ngày 15/3" → the preposition is before "ngày"; "đầu tháng 3" → before "tháng". */
function stripDayWord(before: string): string {
  return before.replace(/\s*\b(?:ngay|hom|on|the)\s*$/, '');
}

const ROMAN: Readonly<Record<string, number>> = { i: 1, ii: 2, iii: 3, iv: 4 };

/**
 * "quý 1", "quý IV", "Q3", "quý 1 năm sau", "Q1 next year", "Q3 2027", "quý 3/2027",
 * "quý này", "quý sau", "this/next quarter". Without a year, a quarter already over this year
 * means next year's.
 */
const matchQuarter: Matcher = (t, today) => {
  const currentQ = Math.ceil(today.month / 3);
  const relative = /\b(?:(quy|quarter) (nay|sau|toi)|(this|next) quarter)\b/.exec(t);
  const m =
    /\b(?:quy|q)\s?([1-4]|iv|iii|ii|i)\b(?:\s*(?:nam\s+|\/|-|,)?\s*(\d{4})|\s+(nam sau|nam toi|next year|nam nay|this year))?/.exec(
      t,
    );
  let year: number;
  let quarter: number;
  let index: number;
  if (m) {
    quarter = Number(m[1]) || (ROMAN[m[1] ?? ''] ?? 0);
    index = m.index;
    if (m[2]) year = Number(m[2]);
    else if (m[3] === 'nam sau' || m[3] === 'nam toi' || m[3] === 'next year') year = today.year + 1;
    else if (m[3]) year = today.year;
    else year = quarter >= currentQ ? today.year : today.year + 1;
  } else if (relative) {
    const next = relative[2] === 'sau' || relative[2] === 'toi' || relative[3] === 'next';
    const q = currentQ + (next ? 1 : 0);
    quarter = q > 4 ? 1 : q;
    year = q > 4 ? today.year + 1 : today.year;
    index = relative.index;
  } else {
    return null;
  }
  const start: CivilDate = { year, month: quarter * 3 - 2, day: 1 };
  return resolveAnchor({ start, end: endOfQuarter(year, quarter) }, t.slice(0, index), today);
};

/**
 * Tết: "trước Tết", "before Tết", "before Lunar New Year", "sau Tết", "ra Tết", "qua Tết",
 * "ra giêng" (after), bare "Tết" (by Tết). "Tết dương lịch"/"Tết Tây" is January 1st.
 */
const matchTet: Matcher = (t, today) => {
  const solar = /\btet (?:duong lich|tay)\b/.exec(t);
  if (solar) {
    const jan1: CivilDate = { year: today.year + 1, month: 1, day: 1 };
    return resolveAnchor(dayAnchor(jan1), t.slice(0, solar.index), today);
  }
  if (/\bra gieng\b/.test(t)) {
    const tet = nextTet(today);
    return tet && after(today, tet);
  }
  const m = /\b(?:tet(?: am lich| nguyen dan)?|(?:lunar|chinese) new year)\b/.exec(t);
  if (!m) return null;
  const tet = nextTet(today);
  return tet && resolveAnchor(dayAnchor(tet), t.slice(0, m.index), today);
};

function yearAnchor(year: number): Anchor {
  return { start: { year, month: 1, day: 1 }, end: { year, month: 12, day: 31 } };
}

/** Calendar words relative to today: weeks, months and years. */
const matchRelative: Matcher = (t, today) => {
  const week = matchRelativeWeek(t, today);
  if (week) return week;
  const thisMonth = /\b(?:thang nay|this month|cuoi thang|end of (?:the |this )?month|trong thang)\b/.exec(t);
  const nextMonth = /\b(?:thang (?:sau|toi|ke tiep|ke)|next month)\b/.exec(t);
  if (nextMonth) {
    const d = addMonths({ ...today, day: 1 }, 1);
    return resolveAnchor(monthAnchor(d.year, d.month), t.slice(0, nextMonth.index), today);
  }
  if (thisMonth)
    return resolveAnchor(monthAnchor(today.year, today.month), t.slice(0, thisMonth.index), today);
  const nextYear = /\b(?:nam (?:sau|toi|ke tiep)|next year)\b/.exec(t);
  if (nextYear) return resolveAnchor(yearAnchor(today.year + 1), t.slice(0, nextYear.index), today);
  const thisYear =
    /\b(?:nam nay|this year|(?:cuoi|trong) nam|(?:the )?end of (?:the )?year|year[- ]end)\b/.exec(t);
  if (thisYear) {
    // "cuối năm" / "end of year" carry their own "end"; "đầu năm nay" is read by the preposition.
    const before = t.slice(0, thisYear.index);
    return resolveAnchor(yearAnchor(today.year), before, today);
  }
  return null;
};

function matchRelativeWeek(t: string, today: CivilDate): TimelineResult | null {
  if (/\b(?:tuan (?:sau|toi|ke tiep|ke)|next week)\b/.test(t)) {
    return decideBy(today, endOfWeek(addDays(today, 7)));
  }
  if (
    /\b(?:tuan nay|this week|cuoi tuan|(?:this |the )?weekend|end of (?:the |this )?week|trong tuan)\b/.test(
      t,
    )
  ) {
    return decideBy(today, endOfWeek(today));
  }
  return null;
}

const matchNone: Matcher = (t) => {
  const none =
    /\b(?:no rush|no hurry|not in a hurry|not urgent|no timeline|no deadline|no time ?frame|not sure when|no idea when|no plans? yet|(?:khong|ko|k|chua|chang) (?:can |qua |phai )?(?:gap|voi|co thoi han|co ke hoach|co deadline|xac dinh|biet khi nao|biet bao gio|biet luc nao|co timeline|dinh ngay)|tu tu|tu tu thoi|khi nao can thi tinh)\b/;
  return none.test(t) ? 'none' : null;
};

/**
 * Urgency → within a month. "gấp" (urgent) and "ngay" (right away) are checked on the raw
 * text: folded, "gặp" (meet) looks like "gấp" and "ngày" (day) looks like "ngay".
 */
const matchUrgent: Matcher = (t, _today, raw) => {
  const urgent =
    /\b(?:asap|as soon as possible|urgent|urgently|right away|immediately|right now|cang som cang tot|som nhat co the|lap tuc|hom nay|ngay mai|today|tomorrow)\b/;
  if (urgent.test(t)) return { monthsMax: 1 };
  const lower = raw.normalize('NFC').toLowerCase();
  if (/(?<!\p{L})(?:gấp|gap)(?!\p{L})/u.test(lower)) return { monthsMax: 1 };
  return hasUrgentNgay(lower) ? { monthsMax: 1 } : null;
};

/**
 * Unaccented "ngay" = right away ("mua ngay", "cần ngay"), unless it is a typed-without-
 * accents "ngày": after a count ("10 ngay", "mỗi ngay", "vài ngay") or before a date
 * ("ngay 15/3").
 */
function hasUrgentNgay(lower: string): boolean {
  for (const m of lower.matchAll(/(?<!\p{L})ngay(?!\p{L})/gu)) {
    const before = foldText(lower.slice(0, m.index));
    const afterText = lower.slice(m.index + 4);
    if (/(?:\d|\b(?:moi|hang|vai|may|cac|nhung|mot|nua|1))\s*$/.test(before)) continue;
    if (/^\s*\d/.test(afterText)) continue;
    return true;
  }
  return false;
}

const MATCHERS: readonly Matcher[] = [
  matchRange,
  matchAboutDuration,
  matchDuration,
  matchQuarter,
  matchAbsoluteDate,
  matchTet,
  matchRelative,
  matchNone,
  matchUrgent,
];

/**
 * Parses a timeline answer relative to `now` (epoch ms or Date; calendar in Vietnam time).
 * Null when the text says nothing about timing.
 */
export function parseTimeline(text: string, now: number | Date): TimelineResult | null {
  const t = normalize(text);
  if (!t) return null;
  const today = vnToday(now);
  for (const match of MATCHERS) {
    const result = match(t, today, text);
    if (result) return result;
  }
  return null;
}
