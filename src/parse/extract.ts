/**
 * Lead details from ONE free-text message (Zalo, Slack, a form's comment box), Vietnamese with
 * or without diacritics, or English: name, phone, email, company, title, company size, need,
 * budget, authority, timeline and what the lead asks for (intent).
 *
 * Deterministic and pure: the same text and `now` give the same result. The BANT parsers
 * (budget.ts, authority.ts, need.ts, timeline.ts) were written for the answer to ONE question;
 * free text mixes everything, so each is only run on the clause that carries its cue word,
 * and what they cannot tell apart in free text is refused rather than guessed:
 *
 *   - a phone is only what findPhones reads (VN 0x…/84…/+84…, "+" international), minus
 *     numbers labelled as something else: bank accounts ("STK", "số tài khoản", "account"),
 *     tax codes ("MST"), order/invoice/contract codes ("mã đơn", "đơn hàng", "order", "#…"),
 *     ID cards ("CCCD", "CMND");
 *   - a budget needs a budget word in its clause ("ngân sách", "kinh phí", "budget", "dự kiến
 *     chi", "spend"): a product price ("giá 500k"), revenue, capital or a salary is not one;
 *   - a timeline needs a decision/implementation word in its clause ("quyết định", "triển
 *     khai", "dự kiến", "trước", "gấp", "decide", "go live", "by", "within"…), and
 *     subscription periods ("gói 12 tháng", "/tháng") are masked first; 'none' ("không gấp")
 *     is not kept (the field is absent);
 *   - a company size needs a headcount unit ("nhân viên", "nhân sự", "employees", "staff"), or
 *     "người"/"people" in a company context ("công ty 200 người", "team of 50"), or "quy mô";
 *     "cho 20 người dùng" is seats, not the company; a range keeps its lower bound;
 *   - authority comes from an explicit statement ("phải hỏi sếp", "tôi quyết định") or, failing
 *     that, from the title; "gặp nhân viên" or "50 nhân viên" never make the lead a "user";
 *   - a need is the first clause stating one (parseNeed) that names something beyond the
 *     request itself ("tôi cần báo giá" is an intent, not a need); denials are not stored.
 *
 * Names, companies and titles are read after cue words only (see readName / readCompany /
 * readTitle for the patterns and their limits). A company needs no company word ("công ty",
 * "company") when it follows the lead's title ("giám đốc Thép Việt", "CTO of Acme"), the lead's
 * name ("Lan ở FPT", "Lan - Thép Việt") or "làm việc tại" / "mình ở"; then only capitalised
 * words are taken, and places (the 63 provinces, big cities, districts, countries), departments,
 * products, titles and person-like names (one syllable, a family name first) are refused: a
 * wrong company is worse than none.
 */
import type { Authority, BantValues, Lang } from '../scoring/types.ts';
import { parseAuthority } from './authority.ts';
import { describeBant } from './bant.ts';
import { parseBudgetDetailed } from './budget.ts';
import { findEmails } from './email.ts';
import { formatNumber } from './format.ts';
import { parseNumberLiteral } from './money.ts';
import { parseNeed } from './need.ts';
import { findPhones } from './phone.ts';
import { parseTimeline, type TimelineValue } from './timeline.ts';

/**
 * What the lead asks for, highest priority first (one message → one intent):
 *   - unsubscribe: "hủy đăng ký", "đừng nhắn tin nữa", "unsubscribe", "stop messaging";
 *   - human: "gặp nhân viên", "tư vấn viên", "nói chuyện với người", "talk to a person";
 *   - pricing: "giá bao nhiêu", "báo giá", "bảng giá", "bao nhiêu tiền", "price", "quote";
 *   - demo: "demo", "dùng thử", "trial";
 *   - callback: "gọi lại cho em", "liên hệ lại", "call me back".
 */
export const LEAD_INTENTS = ['unsubscribe', 'human', 'pricing', 'demo', 'callback'] as const;
export type LeadIntent = (typeof LEAD_INTENTS)[number];

export const LEAD_FIELDS = [
  'name',
  'phone',
  'email',
  'company',
  'title',
  'companySize',
  'need',
  'budget',
  'authority',
  'timeline',
  'intent',
] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];

/** Who read a field: the deterministic parser or the OpenAI fallback. */
export type Extractor = 'parser' | 'llm';

export interface FieldProvenance {
  extractor: Extractor;
  /** 0–1 */
  confidence: number;
  /** The message the field was read from, when known. */
  messageId?: string;
}

/** The lead's details; a field is absent when it was not found. */
export interface LeadDetails {
  name?: string;
  /** E.164 */
  phone?: string;
  email?: string;
  company?: string;
  title?: string;
  companySize?: number;
  need?: string;
  budget?: NonNullable<BantValues['budget']>;
  authority?: Authority;
  timeline?: TimelineValue;
  intent?: LeadIntent;
}

export interface Extraction extends LeadDetails {
  /** Mean of the fields' confidences; 0 when nothing was found. */
  confidence: number;
  /** Provenance of each field present. */
  fields: Partial<Record<LeadField, FieldProvenance>>;
}

export interface LeadExtractOptions {
  /** Anchors relative timelines ("tháng sau"), in Vietnam time. */
  now: number | Date;
  messageId?: string;
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/**
 * Lower-cased, diacritics-free copy of `raw` (already NFC) with the SAME length, so a match in
 * the folded text is a slice of the original: "Tôi là Lan" → "toi la lan".
 */
function alignedFold(raw: string): string {
  let out = '';
  for (const ch of raw) {
    const folded = ch
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .toLowerCase();
    out += folded.length === ch.length ? folded : ch;
  }
  return out;
}

interface Clause {
  raw: string;
  fold: string;
  start: number;
}

/** Sentence parts: split on line breaks, ; ! ? and on , . not inside numbers or addresses. */
const CLAUSE_BREAK = /[\n;!?…]+|,(?!\d)|\.(?=\s|$)/g;

function clausesOf(raw: string, fold: string): Clause[] {
  const out: Clause[] = [];
  let start = 0;
  const push = (end: number) => {
    const piece = raw.slice(start, end);
    if (piece.trim()) out.push({ raw: piece, fold: fold.slice(start, end), start });
  };
  for (const m of raw.matchAll(CLAUSE_BREAK)) {
    push(m.index);
    start = m.index + m[0].length;
  }
  push(raw.length);
  return out;
}

/** Replaces a span by spaces (same length), so later readers do not see it. */
function blank(s: string, start: number, end: number): string {
  return s.slice(0, start) + ' '.repeat(end - start) + s.slice(end);
}

const L = '\\p{L}';
/** A word boundary that works on folded Vietnamese (JS \b is ASCII-only with letters like đ). */
const B = `(?<![${L}\\d])`;
const E = `(?![${L}\\d])`;

function re(source: string, flags = 'u'): RegExp {
  return new RegExp(source, flags);
}

// ---------------------------------------------------------------------------------------------
// Phone and email

/** Labels that make the number after them something other than a phone. */
const NOT_A_PHONE_LABEL = re(
  `${B}(?:stk|so tk|so tai khoan|tai khoan|tk|account(?: number| no\\.?)?|acct|a\\/c|mst|ma so thue|tax code|tax id|ma don(?: hang)?|don hang|ma dh|order(?: number| no\\.?| id)?|ma hoa don|hoa don|invoice|so hop dong|hop dong so|contract no\\.?|cccd|cmnd|can cuoc|passport|ho chieu|ma khach hang|ma kh|ma van don|van don|tracking|serial|ma)${E}(?:\\s+(?:cua|em|toi|minh|anh|chi|ben|la|is|so|number|no\\.?|my|your|the|of))*\\s*[:#.]?\\s*(\\+?\\d[\\d .-]*\\d)|#\\s*(\\d[\\d .-]*\\d)`,
  'gu',
);

/** The text with labelled non-phone numbers blanked out. */
function maskNonPhones(raw: string, fold: string): string {
  let masked = raw;
  for (const m of fold.matchAll(NOT_A_PHONE_LABEL)) {
    const digits = m[1] ?? m[2] ?? '';
    const end = m.index + m[0].length;
    masked = blank(masked, end - digits.length, end);
  }
  return masked;
}

const PHONE_CUE = re(`${B}(?:sdt|so dien thoai|dien thoai|dt|hotline|zalo|phone|tel|mobile|call|goi)${E}`);

// ---------------------------------------------------------------------------------------------
// Names

/** Words that start what follows "tôi là" / "I'm" when it is not a name. */
const NOT_A_NAME = new Set(
  (
    'giam pho tong truong ke nhan chu nguoi khach sinh hoc cong cty quan sep thu tro chuyen ky lap ban dai ' +
    'dang moi rat cung the a an admin sale sales marketing ceo cto cfo coo cmo founder co-founder owner director ' +
    'manager head mot khong chua co can muon ben o tu user dev it hr ong ba anh chi em toi minh day here just ' +
    'interested looking calling writing still also very so ok fine good happy sorry trying new not from with ' +
    'doi le ngoc dai-dien hien dai'
  ).split(' '),
);

/** Words that end a name (or a company) typed in lower case. */
const STOP_WORDS = new Set(
  (
    'la o tai ben tu thuoc cua lam from at and va voi cho de nay do kia nhu rat hoi xin can muon dang da se co ' +
    'sdt so dt email mail zalo phone tel nha nhe a ah nhen day here toi em minh anh chi ban chung hien ' +
    'vi nen roi oi a. the i im we our my is are was want need can could would please hi hello ' +
    'cong cty ty gia bao quy nam thang nguoi nhan tnhh'
  ).split(' '),
);

/** Words that end a company name typed in lower case ("cty thep viet can bao gia"). */
const COMPANY_STOP = new Set(
  (
    'la o tai ben thuoc cua lam from at and va voi cho de nay do kia nhu rat hoi xin can muon dang da se co ' +
    'sdt so dt email mail zalo phone tel nha nhe a ah nhen day here toi em minh anh chi ban chung hien thi ma ' +
    'nhung vi nen roi oi the i we our my is are want need please quy mo khoang tam'
  ).split(' '),
);

/**
 * Places (folded) that follow "from" / "ở" / "bên" and are not companies: the 63 provinces by
 * their common names, their usual short forms, big cities, the districts people name as where
 * they are, regions and countries. Single Vietnamese syllables ("Huế", "Vinh", "Mỹ") are refused
 * as companies anyway (see `looksLikeAPerson`), so they need not all be here.
 */
const PLACE_NAMES = [
  // Provinces and centrally-run cities (63, as people write them).
  'an giang, ba ria vung tau, ba ria, vung tau, bac giang, bac kan, bac can, bac lieu, bac ninh, ben tre, binh dinh, ' +
    'binh duong, binh phuoc, binh thuan, ca mau, can tho, cao bang, da nang, dak lak, dac lac, dak nong, dien bien, ' +
    'dong nai, dong thap, gia lai, ha giang, ha nam, ha noi, ha tinh, hai duong, hai phong, hau giang, hoa binh, ' +
    'hung yen, khanh hoa, kien giang, kon tum, lai chau, lam dong, lang son, lao cai, long an, nam dinh, nghe an, ' +
    'ninh binh, ninh thuan, phu tho, phu yen, quang binh, quang nam, quang ngai, quang ninh, quang tri, soc trang, ' +
    'son la, tay ninh, thai binh, thai nguyen, thanh hoa, thua thien hue, hue, tien giang, tra vinh, tuyen quang, ' +
    'vinh long, vinh phuc, yen bai, ho chi minh',
  // Short forms and other cities.
  'hanoi, hn, hcm, hcmc, tphcm, tp, sai gon, saigon, sg, danang, thu duc, nha trang, da lat, dalat, ha long, ' +
    'phu quoc, quy nhon, hoi an, sa pa, sapa, buon ma thuot, bien hoa, thu dau mot, di an, thuan an, my tho, ' +
    'rach gia, long xuyen, phan thiet, mui ne, cam ranh, mong cai, uong bi, cat ba, bao loc, pleiku, tuy hoa',
  // Districts of Hà Nội, Hồ Chí Minh City and Đà Nẵng; "Quận 1", "Q.7".
  'quan, q\\d+, hoan kiem, ba dinh, dong da, hai ba trung, cau giay, thanh xuan, hoang mai, long bien, tay ho, ' +
    'ha dong, tu liem, nam tu liem, bac tu liem, gia lam, dong anh, soc son, thanh tri, me linh, son tay, ' +
    'binh thanh, go vap, tan binh, tan phu, phu nhuan, binh tan, cu chi, hoc mon, nha be, can gio, binh chanh, ' +
    'hai chau, thanh khe, son tra, ngu hanh son, lien chieu, cam le',
  // Urban areas people live in ("em ở Vinhomes"), named like companies.
  'vinhomes, vincity, ecopark, times city, royal city, phu my hung, thao dien, sala, landmark',
  // Regions and countries.
  'viet nam, vietnam, vn, mien bac, mien nam, mien trung, mien tay, tay nguyen, dong nam bo, singapore, bangkok, ' +
    'thai lan, nhat ban, han quoc, trung quoc, dai loan, hong kong, campuchia, malaysia, indonesia, philippines, ' +
    'tokyo, seoul, japan, korea, china, taiwan, thailand, usa, uk, australia, europe, chau au',
  // "from Monday".
  'monday, tuesday, wednesday, thursday, friday, saturday, sunday, january, february, march, april, june, july, ' +
    'august, september, october, november, december',
]
  .join(', ')
  .split(', ');
const PLACES = re(`^(?:${PLACE_NAMES.join('|')})${E}`);
const ONLY_A_PLACE = re(`^(?:${PLACE_NAMES.join('|')})$`);

const CAPITALISED = /^\p{Lu}/u;
const ALL_CAPS = /^[\p{Lu}\d&.-]{2,}$/u;

function titleCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

interface Words {
  raw: string;
  fold: string;
  start: number;
  end: number;
}

/** The words after `index` in the clause (up to punctuation), with their offsets in the text. */
function wordsAfter(c: Clause, index: number): Words[] {
  const out: Words[] = [];
  const rest = c.raw.slice(index);
  for (const m of rest.matchAll(/[^\s,.;:!?()"“”]+|[,.;:!?()"“”]/gu)) {
    const start = c.start + index + m.index;
    const w = m[0];
    if (/^[,.;:!?()"“”]$/.test(w)) break;
    out.push({ raw: w, fold: alignedFold(w), start, end: start + w.length });
  }
  return out;
}

/**
 * "Nguyễn Văn An": capitalised words, up to four. Lower-case words too when `lowerOk` (a
 * message typed all in lower case). After an explicit cue ("tên", "my name is") the first word
 * is taken whatever it is ("em tên Minh": "Minh" is also the pronoun "mình").
 */
function nameWords(words: Words[], lowerOk: boolean, explicit = false): Words[] {
  const out: Words[] = [];
  for (const w of words) {
    if (out.length >= 4 || !/^\p{L}[\p{L}\p{M}'’-]*$/u.test(w.raw)) break;
    const first = out.length === 0;
    if (first && explicit && !/^(?:la|is|cua|gi|of)$/.test(w.fold)) {
      out.push(w);
      continue;
    }
    if (first && NOT_A_NAME.has(w.fold)) break;
    if (CAPITALISED.test(w.raw) && !ALL_CAPS.test(w.raw)) {
      out.push(w);
      continue;
    }
    if (!lowerOk || /\p{Lu}/u.test(w.raw) || STOP_WORDS.has(w.fold)) break;
    out.push(w);
  }
  return out;
}

const NAME_EXPLICIT = re(
  `${B}(?:ten (?:toi|em|minh|anh|chi|con)(?: la)?|ten la|(?:toi|em|minh|anh|chi|con) ten(?: la)?|ho ten(?: la)?|ho va ten|ten|my name is|my name's|name|full name)\\s*:?\\s+`,
  'gu',
);
const NAME_IDENTITY = re(
  `${B}(?:(?<!(?:ben|cong ty|cty) )(?:toi|em|minh) la|i'?m|i am|this is|it'?s)\\s+`,
  'gu',
);
/** "anh Khoa ở công ty …", "chị Hương bên …", "Mr. Tuan from …": a name between a form of address and a place. */
const NAME_ADDRESS = re(`${B}(?:anh|chi|em|co|chu|ong|ba|mr|ms|mrs)\\.?\\s+`, 'gu');
const AFTER_ADDRESSED_NAME = re(`^\\s+(?:o|ben|tu|thuoc|cua|lam|from|at)${E}`);

interface Found<T> {
  value: T;
  confidence: number;
  /** Where the value starts and ends in the text (titles and companies may follow a name: "Lan, giám đốc"). */
  start?: number;
  end?: number;
}

function readName(clauses: Clause[], lowerCaseMessage: boolean): Found<string> | null {
  const pick = (words: Words[], confidence: number): Found<string> | null => {
    if (words.length === 0) return null;
    const value = words.map((w) => (/\p{Lu}/u.test(w.raw) ? w.raw : titleCase(w.raw))).join(' ');
    return { value, confidence, start: words[0]!.start, end: words[words.length - 1]!.end };
  };
  for (const c of clauses) {
    for (const m of c.fold.matchAll(NAME_EXPLICIT)) {
      // "tên" / "name" alone need a colon: "tên miền", "name tag" are not names.
      if (/^(?:ten|name)\s*$/.test(m[0].trim()) && !m[0].includes(':')) continue;
      const words = nameWords(wordsAfter(c, m.index + m[0].length), lowerCaseMessage, true);
      const found = pick(words, 0.9);
      if (found) return found;
    }
  }
  for (const c of clauses) {
    for (const m of c.fold.matchAll(NAME_IDENTITY)) {
      const words = nameWords(wordsAfter(c, m.index + m[0].length), lowerCaseMessage);
      const found = pick(words, lowerCaseMessage ? 0.6 : 0.8);
      if (found) return found;
    }
  }
  for (const c of clauses) {
    for (const m of c.fold.matchAll(NAME_ADDRESS)) {
      const words = nameWords(wordsAfter(c, m.index + m[0].length), false);
      const last = words[words.length - 1];
      if (!last || PLACES.test(words[0]!.fold)) continue;
      if (AFTER_ADDRESSED_NAME.test(c.fold.slice(last.end - c.start))) return pick(words, 0.6);
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Title

const DEPARTMENTS =
  '(?:kinh doanh|marketing|mua hang|thu mua|nhan su|hanh chinh nhan su|hanh chinh|ky thuat|cong nghe thong tin|cong nghe|it|tai chinh|ke toan|cham soc khach hang|cskh|van hanh|san xuat|dieu hanh|du an|xuat nhap khau|ban hang|sales|phat trien kinh doanh|chien luoc|kho|logistics|dao tao|phap che|truyen thong)';
/** Titles one holds at the head of a company: "giám đốc Thép Việt" names the company. */
const LEADER_TITLES = [
  `(?:pho )?tong giam doc`,
  `(?:pho )?giam doc(?: ${DEPARTMENTS})?`,
  `(?:truong|pho) (?:phong|nhom|bo phan|ban)(?: ${DEPARTMENTS})?`,
  `ke toan truong`,
  `chu (?:doanh nghiep|cong ty|shop|cua hang|tich(?: hdqt| hoi dong quan tri)?)`,
  `(?:nha|dong) sang lap`,
  `(?:ceo|cto|cfo|coo|cmo|cio)`,
  `co-?founder|founder`,
  `managing director|general manager`,
  `head of (?:sales|marketing|it|hr|operations|procurement|purchasing|finance|product|engineering|growth|business development)`,
  `(?:vp|vice president) of \\w+`,
].join('|');
const TITLE_PATTERN = [
  LEADER_TITLES,
  `quan ly(?: ${DEPARTMENTS})?`,
  `ke toan`,
  `nhan vien(?: ${DEPARTMENTS})?`,
  `chuyen vien(?: ${DEPARTMENTS})?`,
  `thu ky|tro ly(?: giam doc)?`,
  `(?:business )?owner`,
  `(?:sales|marketing|it|hr|operations|purchasing|procurement|finance|product|project|account|office|regional|country) (?:manager|director|lead|executive)`,
  `(?:director|manager|president|chairman|accountant|engineer|team lead)`,
].join('|');

/** What introduces the lead's own title: "tôi là", "em làm", "chức vụ:", "I'm the", "as a". */
const TITLE_CUE = re(
  `(?:${B}(?:toi|em|minh|anh ay|chi ay|ong ay|ba ay|anh|chi)\\s+(?:hien |dang )?(?:la|lam|giu chuc)|${B}(?:chuc vu|vi tri|position|title|role)\\s*(?:la|is|:)?|${B}(?:i'?m|i am|i work as|working as|as)(?: (?:the|a|an|currently))?)\\s+(${TITLE_PATTERN})${E}`,
  'gu',
);
const TITLE_AFTER_NAME = re(`^\\s*[,–—(-]\\s*(${TITLE_PATTERN})${E}`, 'u');

function readTitle(raw: string, fold: string, nameEnd: number | undefined): Found<string> | null {
  const m = TITLE_CUE.exec(fold);
  TITLE_CUE.lastIndex = 0;
  if (m?.[1]) {
    const start = m.index + m[0].length - m[1].length;
    return { value: raw.slice(start, start + m[1].length), confidence: 0.85 };
  }
  if (nameEnd !== undefined) {
    const after = TITLE_AFTER_NAME.exec(fold.slice(nameEnd));
    if (after?.[1]) {
      const start = nameEnd + after[0].length - after[1].length;
      return { value: raw.slice(start, start + after[1].length), confidence: 0.8 };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Company

/** Legal forms dropped in front of a Vietnamese company name: "Công ty TNHH Thép Việt" → "Thép Việt". */
const LEGAL_FORM = re(
  `^(?:(?:tnhh|trach nhiem huu han|co phan|cp|cổ phần|mtv|mot thanh vien|hai thanh vien|2tv|jsc|llc)\\s+)+`,
);
const COMPANY_SUFFIX = new Set(['corp', 'corp.', 'inc', 'inc.', 'ltd', 'ltd.', 'llc', 'jsc', 'co.', 'group']);

interface CompanyCue {
  re: RegExp;
  confidence: number;
  /** "công ty", "tập đoàn": what follows is the company's name unless it is only a place. */
  noun?: boolean;
  english?: boolean;
  /** The cue is too common to take lower-case words after it ("bên cạnh", "ở nhà"). */
  capitalOnly?: boolean;
  /**
   * No company word, only a title or the lead's name before it: a person may follow as well
   * ("giám đốc Nguyễn Văn An", "Lan - Trần Minh"), so names that look like a person's are refused.
   */
  implicit?: boolean;
  /** The title must be the lead's own ("Lan, giám đốc …"), not someone's they mention ("trình giám đốc Hùng"). */
  ownTitle?: boolean;
  /** Counts only right after the lead's name: "Lan ở Thép Việt", "Mai at FinViet", "Lan - FPT". */
  afterName?: boolean;
}

/** Where a company is named, strongest cue first; the first cue that reads a company wins. */
const COMPANY_CUES: readonly CompanyCue[] = [
  { re: re(`${B}(?:cong ty|cty|c\\.ty|tap doan)\\s+`, 'gu'), confidence: 0.85, noun: true },
  {
    re: re(`${B}(?:ben|o ben)\\s+(?:em|minh|toi|anh|chi|chung toi|chung em)\\s+(?:la|thuoc)\\s+`, 'gu'),
    confidence: 0.8,
  },
  {
    re: re(
      `${B}(?:from|work(?:ing)? (?:at|for)|(?:ceo|cto|cfo|coo|founder|co-founder|owner|director|manager|head of \\w+) (?:of|at)|company(?: name)?(?: is|:))\\s+`,
      'gu',
    ),
    confidence: 0.8,
    english: true,
  },
  {
    re: re(
      `${B}(?:em|toi|minh|anh|chi)\\s+(?:ben|thuoc|lam (?:o |tai |cho |ben )?|dang lam (?:o |tai |cho |ben )?)(?=\\S)`,
      'gu',
    ),
    confidence: 0.7,
  },
  { re: re(`${B}(?:ben|thuoc)\\s+`, 'gu'), confidence: 0.7, capitalOnly: true },
  // "làm việc tại FPT", "công tác tại Hòa Phát", "làm ở VNG".
  {
    re: re(`${B}(?:(?:lam viec|cong tac) (?:o|tai|cho)|lam (?:o|tai))\\s+`, 'gu'),
    confidence: 0.7,
    capitalOnly: true,
  },
  // "trưởng phòng kinh doanh của Hòa Phát", "giám đốc tại FPT", "sales manager at Acme".
  {
    re: re(`${B}(?:${TITLE_PATTERN})\\s+(?:cua|tai|o|of|at)\\s+`, 'gu'),
    confidence: 0.75,
    capitalOnly: true,
    implicit: true,
  },
  // "Lan, giám đốc Thép Việt", "tôi là CEO FinViet".
  {
    re: re(`${B}(?:${LEADER_TITLES})\\s+`, 'gu'),
    confidence: 0.7,
    capitalOnly: true,
    implicit: true,
    ownTitle: true,
  },
  // "mình ở FPT", "em đang ở Vinamilk".
  {
    re: re(`${B}(?:em|toi|minh|anh|chi)\\s+(?:dang )?o\\s+`, 'gu'),
    confidence: 0.6,
    capitalOnly: true,
    implicit: true,
  },
  // "Em là Lan ở Thép Việt", "This is Mai at FinViet", "Lan - Thép Việt".
  {
    re: re(`\\s+(?:o|tai|at)\\s+|\\s*[-–—|]\\s*`, 'gu'),
    confidence: 0.6,
    capitalOnly: true,
    implicit: true,
    afterName: true,
  },
];

/** What may stand before a leader's title directly followed by a company: the clause start, "là", "I'm the", a dash. */
const OWN_TITLE_BEFORE = re(`(?:^|${B}(?:la|lam|i'?m|i am|as)(?: the| a| an)?|[-–—(|])\\s*$`);

/** Words (folded) a company's name does not start with: units, departments, titles, products, channels. */
const NOT_A_COMPANY = re(
  `^(?:${[
    // Units of a company ("phòng khám", a clinic, is a business), then addresses.
    'phong(?! kham)|ban|bo phan|nhom|doi|team|khoi|van phong|chi nhanh',
    'tinh|thanh pho|huyen|thi xa|thi tran|phuong|xa|khu|kcn|khu cong nghiep|duong|so nha|chung cu|toa',
    DEPARTMENTS,
    TITLE_PATTERN,
    'crm|erp|hrm|pos|saas|api|kpi|ai|app|ung dung|phan mem|website|web|fanpage|page|excel|google sheets?|email|sms|demo',
    'shopee|lazada|tiki|tiktok|sendo|facebook|fb|zalo|messenger|youtube|instagram',
  ].join('|')})${E}`,
);

/** Common Vietnamese family names: "Nguyễn Văn An" after a title is a person, not a company. */
const SURNAME = re(
  `^(?:nguyen|tran|le|pham|hoang|huynh|phan|vu|vo|dang|bui|do|ho|ngo|duong|ly|dinh|trinh)\\s`,
);
/** One Vietnamese syllable ("Tuấn", "Lan", "Huế"): a given name or a place far more often than a company. */
const ONE_SYLLABLE =
  /^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?$/;

/** A person's name rather than a company: one syllable not in capitals, or a family name first. */
function looksLikeAPerson(words: Words[], fold: string): boolean {
  if (words.length === 1) return ONE_SYLLABLE.test(fold) && !ALL_CAPS.test(words[0]!.raw);
  return SURNAME.test(fold);
}

/**
 * Stop words spelled with diacritics ("mình", "chị", "tại"): in a message typed with diacritics a
 * capitalised "Minh" or "Tai" without them is a name ("Minh Long"), not the pronoun or "tại".
 */
const ACCENTED_STOPS = new Set(
  (
    'la o tai ben thuoc cua lam va voi de nay do nhu rat hoi can muon dang da se co so dt toi minh chi ban ' +
    'chung hien thi nhung vi nen roi oi quy mo khoang tam'
  ).split(' '),
);

/** Whether a capitalised word ends the name before it starts ("bên Anh có…", "bên Mình"). */
function startsNoName(w: Words, accented: boolean): boolean {
  if (!COMPANY_STOP.has(w.fold)) return false;
  return !(accented && w.raw.toLowerCase() === w.fold && ACCENTED_STOPS.has(w.fold));
}

function companyWords(words: Words[], lowerOk: boolean, english: boolean, accented: boolean): Words[] {
  const out: Words[] = [];
  for (const w of words) {
    if (out.length >= 6) break;
    if (english && out.length === 0 && w.fold === 'the') continue;
    // A letter is needed: "ABC 0912345678" ends before the phone.
    const named =
      /\p{L}/u.test(w.raw) &&
      (CAPITALISED.test(w.raw) || ALL_CAPS.test(w.raw) || /^\d+\p{Lu}+$/u.test(w.raw));
    if (named || w.raw === '&' || (out.length > 0 && COMPANY_SUFFIX.has(w.fold))) {
      if (out.length === 0 && startsNoName(w, accented)) break;
      out.push(w);
      continue;
    }
    if (!lowerOk || /^\d/.test(w.raw) || COMPANY_STOP.has(w.fold)) break;
    out.push(w);
  }
  while (out.length > 0 && out[out.length - 1]!.raw === '&') out.pop();
  return out;
}

interface Span {
  start: number;
  end: number;
}

/** Whether the cue found at `index` (in the text) may introduce a company at all. */
function cueApplies(cue: CompanyCue, c: Clause, index: number, name: Span | undefined): boolean {
  if (cue.afterName) return name !== undefined && index === name.end;
  if (cue.ownTitle) {
    const before = c.fold.slice(0, index - c.start);
    const rightAfterName =
      name !== undefined &&
      name.end >= c.start &&
      /^\s*$/.test(c.fold.slice(name.end - c.start, index - c.start));
    return OWN_TITLE_BEFORE.test(before) || rightAfterName;
  }
  return true;
}

/** Whether the words read after a cue can be a company. */
function isCompany(cue: CompanyCue, words: Words[], name: Span | undefined): boolean {
  const fold = words.map((w) => w.fold).join(' ');
  const first = words[0]!;
  const last = words[words.length - 1]!;
  if (name && first.start < name.end && last.end > name.start) return false;
  // "công ty Hòa Bình Xanh" is a company; "công ty Hà Nội" says where one is.
  if (cue.noun) return !ONLY_A_PLACE.test(fold);
  if (PLACES.test(fold) || NOT_A_COMPANY.test(fold)) return false;
  // One word right after a title is a company only when written like a brand ("FPT", "FinViet"):
  // "Director John", "giám đốc Tuấn" are people.
  if (cue.ownTitle && words.length === 1 && !/\p{Lu}/u.test(first.raw.slice(1))) return false;
  return !((cue.implicit || words.length === 1) && looksLikeAPerson(words, fold));
}

/** What readCompany needs to know about the whole message. */
interface MessageShape {
  /** Typed all in lower case: lower-case words may form a name after a strong cue. */
  lowerCase: boolean;
  /** Typed with diacritics somewhere. */
  accented: boolean;
  /** Where the lead's name is, if read. */
  name?: Span;
}

function readCompany(clauses: Clause[], text: string, shape: MessageShape): Found<string> | null {
  const { name } = shape;
  for (const cue of COMPANY_CUES) {
    for (const c of clauses) {
      for (const m of c.fold.matchAll(cue.re)) {
        if (!cueApplies(cue, c, c.start + m.index, name)) continue;
        let from = m.index + m[0].length;
        // "bên em là công ty ABC": the generic noun after the cue is not the name.
        const generic = /^(?:cong ty|cty|tap doan)\s+/.exec(c.fold.slice(from));
        if (generic) from += generic[0].length;
        const legal = LEGAL_FORM.exec(c.fold.slice(from));
        if (legal) from += legal[0].length;
        const words = companyWords(
          wordsAfter(c, from),
          shape.lowerCase && !cue.capitalOnly,
          cue.english === true,
          shape.accented,
        );
        if (words.length === 0 || !isCompany(cue, words, name)) continue;
        const value = text.slice(words[0]!.start, words[words.length - 1]!.end).replace(/[.,]+$/, '');
        const lower = !/\p{Lu}/u.test(value);
        return {
          value: lower ? value.split(' ').map(titleCase).join(' ') : value,
          confidence: lower ? 0.6 : cue.confidence,
        };
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Company size

const COUNT = '(\\d{1,3}(?:[.,]\\d{3})+|\\d{1,7})';
const SIZE_UNIT = re(
  `${B}(?:(?:khoang|tam|hon|tren|gan|around|about|over|approximately|~)\\s*)?${COUNT}\\s*\\+?(?:\\s*(?:-|–|~|den|toi|to)\\s*${COUNT})?\\s*\\+?\\s*(nhan vien|nhan su|lao dong|nv|employees?|staff|nguoi|people|persons?)${E}`,
  'gu',
);
const SIZE_QUY_MO = re(
  `${B}(?:quy mo|headcount|team of|company of)\\s*(?:la|is|of|:)?\\s*(?:khoang|tam|hon|tren|around|about|over)?\\s*${COUNT}(?:\\s*(?:-|–|~|den|toi|to)\\s*${COUNT})?`,
  'gu',
);
const COMPANY_CONTEXT = re(
  `${B}(?:cong ty|cty|doanh nghiep|tap doan|ben (?:em|minh|toi|anh|chi)|chung (?:toi|em)|quy mo|to chuc|we are|we have|we're|company|team of|organization|firm|headcount)${E}`,
);

function sizeNumber(s: string | undefined): number | null {
  if (!s) return null;
  const n = parseNumberLiteral(s);
  return n !== null && Number.isInteger(n) && n > 0 ? n : null;
}

function readCompanySize(clauses: Clause[]): Found<number> | null {
  for (const c of clauses) {
    for (const m of c.fold.matchAll(SIZE_QUY_MO)) {
      const n = sizeNumber(m[1]);
      if (n !== null) return { value: n, confidence: m[2] ? 0.7 : 0.8 };
    }
    for (const m of c.fold.matchAll(SIZE_UNIT)) {
      const unit = m[3] ?? '';
      const before = c.fold.slice(0, m.index);
      const after = c.fold.slice(m.index + m[0].length);
      // "cho 20 người dùng", "20 users": seats, not the company.
      if (/^\s*(?:dung|su dung|xai)/.test(after) || /(?:^|\s)cho\s*$/.test(before)) continue;
      const person = unit === 'nguoi' || unit === 'people' || unit.startsWith('person');
      if (person && !COMPANY_CONTEXT.test(c.fold)) continue;
      const n = sizeNumber(m[1]);
      if (n !== null) return { value: n, confidence: m[2] ? 0.7 : 0.8 };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Budget, timeline, authority, need: the BANT parsers on the right clause

const BUDGET_CUE = re(
  `${B}(?:ngan sach|kinh phi|budget|(?:co the|du kien|du tinh|san sang|muon|toi da) (?:chi|dau tu|bo ra)|chi toi da|spend|afford)${E}`,
);

function readBudget(clauses: Clause[]): Found<NonNullable<BantValues['budget']>> | null {
  for (const [i, c] of clauses.entries()) {
    const cue = BUDGET_CUE.exec(c.fold);
    if (!cue) continue;
    // From three words before the cue ("chưa có ngân sách", "have $10k to spend") to the end.
    const head = c.raw.slice(0, cue.index).trimEnd().split(/\s+/);
    const lookback = head.slice(Math.max(0, head.length - 3)).join(' ');
    const fromCue = `${lookback} ${c.raw.slice(cue.index)}`;
    // "budget is tight, maybe 50-100 triệu": the amount may sit in the next clause.
    for (const candidate of [fromCue, `${fromCue}, ${clauses[i + 1]?.raw ?? ''}`]) {
      const read = parseBudgetDetailed(candidate);
      if (read.value !== null) return { value: read.value, confidence: read.confidence };
    }
  }
  return null;
}

const TIMELINE_CUE = re(
  `${B}(?:quyet dinh|quyet|chot|trien khai|ap dung|bat dau|dua vao|van hanh|ky hop dong|mua|du kien|du tinh|ke hoach|deadline|timeline|thoi han|han chot|truoc|trong vong|cang som cang tot|asap|urgent|urgently|gap|decide|decision|implement|roll ?out|go live|launch|start|buy|purchase|sign|by|before|within|need it)${E}`,
);
/** Subscription periods and prices per period: "gói 12 tháng", "500k/tháng", "1 năm bao nhiêu". */
const PERIOD = re(
  `(?:${B}(?:goi|ban|license|plan|subscription|bao hanh|warranty|hop dong|thue|tra truoc|per|moi|every)\\s*|\\/\\s*)(?:\\d+\\s*)?(?:thang|nam|months?|years?|yrs?)${E}|${B}\\d+\\s*(?:thang|nam|months?|years?)\\s*(?:la |thi )?(?:bao nhieu|gia|how much|cost)`,
  'gu',
);
/** Unaccented "gap" before a person is "gặp" (meet), not "gấp" (urgent). */
const MEET = re(`${B}gap(?=\\s+(?:nhan vien|tu van|nguoi|sale|sales|truc tiep|anh|chi|em|ban|ai|ben))`, 'gu');

function readTimeline(clauses: Clause[], now: number | Date): Found<TimelineValue> | null {
  for (const c of clauses) {
    if (!TIMELINE_CUE.test(c.fold)) continue;
    let raw = c.raw;
    for (const m of c.fold.matchAll(PERIOD)) raw = blank(raw, m.index, m.index + m[0].length);
    for (const m of c.fold.matchAll(MEET)) raw = `${raw.slice(0, m.index)}gặp${raw.slice(m.index + 3)}`;
    const t = parseTimeline(raw, now);
    if (t && t !== 'none') return { value: t, confidence: 0.8 };
  }
  return null;
}

const AUTHORITY_CUE = re(
  `${B}(?:quyet dinh|quyet|duyet|phe duyet|ky duyet|decision|decide|decides|approve|approves|approval|sign off|signs off|final say|sep|boss|cap tren|lanh dao|ban giam doc|hoi dong quan tri|hdqt|trinh|de xuat|xin y kien|nguoi dung|end user|just a user)${E}`,
);

function readAuthority(clauses: Clause[], title: string | undefined): Found<Authority> | null {
  for (const c of clauses) {
    if (!AUTHORITY_CUE.test(c.fold)) continue;
    const a = parseAuthority(c.raw);
    if (a) return { value: a, confidence: 0.8 };
  }
  if (!title) return null;
  const a = parseAuthority(`tôi là ${title}`);
  return a ? { value: a, confidence: 0.7 } : null;
}

/** Where a stated need starts: the need verb. */
const NEED_VERB = re(
  `${B}(?:dang can|rat can|can|muon|mong muon|dang tim|tim|du dinh|co nhu cau|quan tam|need|needs|want|wants|looking for|interested in|require|requires|plan to|planning to|would like)${E}`,
);
/** Words that only restate a request (price, a person, a demo) or are politeness. */
const REQUEST_WORDS = new Set(
  (
    'can muon mong dang rat tim du dinh co nhu cau quan tam need needs want wants looking for interested in require ' +
    'requires plan planning to would like hoi gia bao bang nhieu tien tu van vien gap nhan noi chuyen voi nguoi demo ' +
    'dung thu xin biet xem them thong tin ve a nhe nha em anh chi minh toi ben ban lien he goi lai cho duoc khong ko ' +
    'the an know more about price prices pricing quote talk speak person human agent trial it info information ' +
    'please call me us lam sao nao thi la va de tham khao san pham dich vu cua a. oi nhen ne gi ah some get ' +
    // time and decision words: "cần trước Tết" is a timeline, not a need
    'trien khai ap dung bat dau mua implement start deploy go live roll out ' +
    'quyet dinh chot truoc sau tet trong vong toi gap som ngay luon thang nam quy tuan decide decision by before ' +
    'within end of month months year years quarter week weeks next this soon asap urgent urgently in on at ' +
    'q1 q2 q3 q4 that'
  ).split(' '),
);

/** A need stated as a pain, without a need verb (as in need.ts). */
const PAIN = re(
  `${B}(?:dang (?:quan ly|theo doi|luu) .*bang (?:excel|google sheet|so|tay)|mat khach|bo sot|sot khach|losing|missing|struggl)`,
);
const MONTH = /^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*$/;

function readNeed(clauses: Clause[]): Found<string> | null {
  for (const c of clauses) {
    const parsed = parseNeed(c.raw);
    if (!parsed?.confirmed) continue;
    const verb = NEED_VERB.exec(c.fold);
    if (!verb && !PAIN.test(c.fold)) continue;
    const start = verb ? verb.index : 0;
    const words = alignedFold(c.raw.slice(start))
      .split(/[^\p{L}\d]+/u)
      .filter(Boolean);
    if (!words.some((w) => w.length > 1 && !/^\d+$/.test(w) && !REQUEST_WORDS.has(w) && !MONTH.test(w)))
      continue;
    const value = c.raw
      .slice(start)
      .trim()
      .replace(/[\s.,;:!?…]+$/u, '');
    return { value: value.length > 200 ? `${value.slice(0, 199)}…` : value, confidence: 0.7 };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Intent

const INTENT_PATTERNS: Readonly<Record<LeadIntent, RegExp>> = {
  unsubscribe: re(
    `${B}(?:huy dang ky|huy nhan tin|unsubscribe|opt[- ]out|stop (?:messaging|sending|texting)|dung (?:nhan|gui) (?:tin )?(?:cho (?:em|toi|minh) )?nua|dung lam phien|khong muon nhan tin)${E}`,
  ),
  human: re(
    `${B}(?:gap (?:nhan vien|tu van|nguoi|sale|sales|truc tiep|ai do|ban)|tu van vien|nhan vien tu van|noi chuyen (?:voi|truc tiep)|(?:ket noi|chuyen|cho em|cho toi|cho minh) (?:voi |sang |gap )?(?:nhan vien|tu van vien|sale|sales|nguoi that)|nguoi that|(?:talk|speak|chat) (?:to|with) (?:a |an |your |the )?(?:someone|somebody|person|human|agent|rep|representative|sales|real person|consultant)|real person|human agent|live agent)${E}`,
  ),
  pricing: re(
    `${B}(?:gia bao nhieu|gia ca|bao gia|bang gia|muc gia|hoi gia|xin gia|gia the nao|gia nhu the nao|gia sao|gia ra sao|gia goi|bao nhieu tien|het bao nhieu|phi bao nhieu|chi phi (?:bao nhieu|the nao|ra sao)|how much|price|prices|pricing|quote|quotation|what does it cost)${E}|${B}gia\\s*\\?`,
  ),
  demo: re(`${B}(?:demo|dung thu|xem thu|test thu|trial|try it|try it out)${E}`),
  callback: re(
    `${B}(?:goi lai|goi (?:dien )?(?:lai )?(?:cho )?(?:em|toi|minh)|lien he lai|call me|call back|give me a call|ring me)${E}`,
  ),
};

/** "giá" with its accent, in a question: "Giá gói Pro là 500k/tháng đúng không?". */
const PRICE_QUESTION = /(?<!\p{L})giá(?!\p{L})[^.!?\n]*\?/u;

function readIntent(raw: string, fold: string): LeadIntent | null {
  const priceQuestion = PRICE_QUESTION.test(raw.toLowerCase());
  return (
    LEAD_INTENTS.find((i) => INTENT_PATTERNS[i].test(fold) || (i === 'pricing' && priceQuestion)) ?? null
  );
}

// ---------------------------------------------------------------------------------------------

/** Overall confidence: the mean of the fields', two decimals; 0 when nothing was found. */
export function overallConfidence(fields: Extraction['fields']): number {
  const values = Object.values(fields).map((f) => f.confidence);
  if (values.length === 0) return 0;
  return Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
}

/**
 * What Hotlead understands from one message. Pure and deterministic; fields absent when not
 * found; every field present has its provenance (extractor 'parser').
 */
export function extractLeadDetails(text: string, opts: LeadExtractOptions): Extraction {
  const raw = text.normalize('NFC');
  const fold = alignedFold(raw);
  const clauses = clausesOf(raw, fold);
  const lowerCaseMessage = !/\p{Lu}/u.test(raw);
  const found: { [K in LeadField]?: Found<NonNullable<LeadDetails[K]>> } = {};

  const masked = maskNonPhones(raw, fold);
  const phone = findPhones(masked)[0];
  if (phone) found.phone = { value: phone, confidence: PHONE_CUE.test(fold) ? 0.95 : 0.85 };
  const email = findEmails(raw)[0];
  if (email) found.email = { value: email, confidence: 0.95 };

  // Emails hold words that look like names and companies ("lan@thepviet.vn"): not read there.
  let prose = raw;
  for (const m of raw.matchAll(/\S+@\S+/g)) prose = blank(prose, m.index, m.index + m[0].length);
  const proseFold = alignedFold(prose);
  const proseClauses = clausesOf(prose, proseFold);

  const name = readName(proseClauses, lowerCaseMessage);
  if (name) found.name = name;
  const company = readCompany(proseClauses, prose, {
    lowerCase: lowerCaseMessage,
    accented: raw.toLowerCase() !== fold,
    ...(name?.start !== undefined && name.end !== undefined
      ? { name: { start: name.start, end: name.end } }
      : {}),
  });
  if (company) found.company = company;
  const title = readTitle(prose, proseFold, name?.end);
  if (title) found.title = title;
  const size = readCompanySize(clauses);
  if (size) found.companySize = size;
  const need = readNeed(clauses);
  if (need) found.need = need;
  const budget = readBudget(clauses);
  if (budget) found.budget = budget;
  const authority = readAuthority(clauses, title?.value);
  if (authority) found.authority = authority;
  const timeline = readTimeline(clauses, opts.now);
  if (timeline) found.timeline = timeline;
  const intent = readIntent(raw, fold);
  if (intent) found.intent = { value: intent, confidence: 0.9 };

  const values: Record<string, unknown> = {};
  const fields: Extraction['fields'] = {};
  for (const key of LEAD_FIELDS) {
    const f = found[key];
    if (!f) continue;
    values[key] = f.value;
    fields[key] = {
      extractor: 'parser',
      confidence: f.confidence,
      ...(opts.messageId ? { messageId: opts.messageId } : {}),
    };
  }
  return assemble(values, fields);
}

/** Fields in the documented order, then `confidence`, then `fields` (provenance). */
function assemble(values: Record<string, unknown>, fields: Extraction['fields']): Extraction {
  const out: Record<string, unknown> = {};
  for (const key of LEAD_FIELDS) if (values[key] !== undefined) out[key] = values[key];
  out.confidence = overallConfidence(fields);
  out.fields = fields;
  return out as unknown as Extraction;
}

/**
 * Deterministic values win; the LLM's reading only fills fields the parser left absent, each
 * marked with extractor 'llm' and its own confidence (the LLM's overall one when it gave none).
 */
export function mergeExtractions(deterministic: Extraction, llm: Partial<Extraction> | null): Extraction {
  if (!llm) return deterministic;
  const values: Record<string, unknown> = { ...deterministic };
  const fields: Extraction['fields'] = { ...deterministic.fields };
  const source = llm as Record<string, unknown>;
  for (const key of LEAD_FIELDS) {
    if (values[key] !== undefined || source[key] === undefined) continue;
    values[key] = source[key];
    const from = llm.fields?.[key];
    fields[key] = {
      extractor: 'llm',
      confidence: from?.confidence ?? llm.confidence ?? 0,
      ...(from?.messageId ? { messageId: from.messageId } : {}),
    };
  }
  return assemble(values, fields);
}

const LABELS: Readonly<Record<LeadField, { vi: string; en: string }>> = {
  name: { vi: 'Tên', en: 'Name' },
  phone: { vi: 'Số điện thoại', en: 'Phone' },
  email: { vi: 'Email', en: 'Email' },
  company: { vi: 'Công ty', en: 'Company' },
  title: { vi: 'Chức danh', en: 'Title' },
  companySize: { vi: 'Quy mô', en: 'Company size' },
  need: { vi: 'Nhu cầu', en: 'Need' },
  budget: { vi: 'Ngân sách', en: 'Budget' },
  authority: { vi: 'Vai trò', en: 'Authority' },
  timeline: { vi: 'Thời gian', en: 'Timeline' },
  intent: { vi: 'Ý định', en: 'Intent' },
};

const INTENT_LABELS: Readonly<Record<LeadIntent, { vi: string; en: string }>> = {
  pricing: { vi: 'hỏi giá / báo giá', en: 'pricing / quote' },
  human: { vi: 'muốn gặp nhân viên', en: 'wants a person' },
  demo: { vi: 'demo / dùng thử', en: 'demo / trial' },
  callback: { vi: 'xin gọi lại', en: 'call back' },
  unsubscribe: { vi: 'hủy nhận tin', en: 'unsubscribe' },
};

function describeValue(e: Extraction, key: LeadField, lang: Lang): string | null {
  switch (key) {
    case 'companySize':
      return e.companySize === undefined
        ? null
        : `${formatNumber(e.companySize, lang)} ${lang === 'vi' ? 'nhân sự' : 'employees'}`;
    case 'budget':
      return e.budget === undefined ? null : describeBant('budget', e.budget, lang);
    case 'authority':
      return e.authority === undefined ? null : describeBant('authority', e.authority, lang);
    case 'timeline':
      return e.timeline === undefined ? null : describeBant('timeline', e.timeline, lang);
    case 'intent':
      return e.intent === undefined ? null : INTENT_LABELS[e.intent][lang];
    default: {
      const v = e[key];
      return v === undefined ? null : String(v);
    }
  }
}

/**
 * One line a field in `lang` ("Số điện thoại: +84912345678 (0.95)"), a field read by the LLM
 * marked as such; "Không nhận ra thông tin nào" / "Nothing recognised" when empty.
 */
export function describeExtraction(e: Extraction, lang: Lang): string {
  const lines: string[] = [];
  for (const key of LEAD_FIELDS) {
    const value = describeValue(e, key, lang);
    if (value === null) continue;
    const p = e.fields[key];
    const how = p ? ` (${p.extractor === 'llm' ? 'LLM, ' : ''}${formatNumber(p.confidence, lang)})` : '';
    lines.push(`${LABELS[key][lang]}: ${value}${how}`);
  }
  if (lines.length === 0) return lang === 'vi' ? 'Không nhận ra thông tin nào' : 'Nothing recognised';
  lines.push(`${lang === 'vi' ? 'Độ tin cậy' : 'Confidence'}: ${formatNumber(e.confidence, lang)}`);
  return lines.join('\n');
}
