/**
 * Renders a scoring Explanation as a compact plain-text answer to "why is this lead hot?",
 * in Vietnamese or English. Times are shown in Vietnam time (Asia/Ho_Chi_Minh).
 */
import type { BantStatus, Explanation, ExplanationFactor, Lang, Stage, Text } from '../scoring/types.ts';

const TIME_ZONE = 'Asia/Ho_Chi_Minh';
const MAX_FACTORS = 5;
const MAX_MISSING = 3;

export const STAGE_NAMES: Record<Stage, Text> = {
  NEW: { vi: 'Mới', en: 'New' },
  WARM: { vi: 'Ấm', en: 'Warm' },
  MQL: { vi: 'MQL', en: 'MQL' },
  SQL: { vi: 'SQL', en: 'SQL' },
  DISQUALIFIED: { vi: 'Đã loại', en: 'Disqualified' },
  WON: { vi: 'Đã chốt (thắng)', en: 'Won' },
  LOST: { vi: 'Đã mất', en: 'Lost' },
};

const L = {
  lead: { vi: 'Lead này', en: 'This lead' },
  score: { vi: 'điểm', en: 'score' },
  fit: { vi: 'Phù hợp', en: 'Fit' },
  engagement: { vi: 'Tương tác', en: 'Engagement' },
  model: { vi: 'mô hình', en: 'model' },
  fastTrack: { vi: 'chuyển thẳng', en: 'fast-track' },
  why: { vi: 'Lý do chính:', en: 'Top factors:' },
  noFactors: { vi: 'Chưa có điểm nào.', en: 'No points yet.' },
  more: { vi: 'yếu tố khác', en: 'more' },
  decay: { vi: 'Suy giảm', en: 'Decay' },
  entries: { vi: 'lần', en: 'entries' },
  latest: { vi: 'gần nhất', en: 'latest' },
  budget: { vi: 'Ngân sách', en: 'Budget' },
  authority: { vi: 'Thẩm quyền', en: 'Authority' },
  need: { vi: 'Nhu cầu', en: 'Need' },
  timeline: { vi: 'Thời hạn', en: 'Timeline' },
  unknown: { vi: 'chưa rõ', en: 'unknown' },
  toReach: { vi: 'Còn thiếu để lên', en: 'To reach' },
  missing: { vi: 'Có thể cộng thêm:', en: 'Could add:' },
} satisfies Record<string, Text>;

/** Renders the explanation for a chat reply (Slack or Zalo), in `lang`. */
export function renderExplanation(
  e: Explanation,
  lang: Lang,
  lead: { name?: string; company?: string },
): string {
  const lines = [header(e, lang, lead), scores(e, lang), ...factorLines(e, lang)];
  const decay = decayLine(e, lang);
  if (decay !== null) lines.push(decay);
  lines.push(bantLine(e, lang));
  lines.push(...missingLines(e, lang));
  return lines.join('\n');
}

function header(e: Explanation, lang: Lang, lead: { name?: string; company?: string }): string {
  const who = [lead.name, lead.company].filter((s): s is string => s !== undefined && s !== '').join(' · ');
  const stage = STAGE_NAMES[e.stage][lang] + (e.fastTracked ? ` (${L.fastTrack[lang]})` : '');
  return `${who === '' ? L.lead[lang] : who} — ${stage}, ${L.score[lang]} ${e.score}/100`;
}

function scores(e: Explanation, lang: Lang): string {
  return `${L.fit[lang]} ${e.fitScore} · ${L.engagement[lang]} ${e.engagementScore} · ${L.model[lang]} ${e.modelVersion}`;
}

/** Largest factors first; the largest negative is always shown when there is one. */
function factorLines(e: Explanation, lang: Lang): string[] {
  if (e.factors.length === 0) return [L.noFactors[lang]];
  const shown = e.factors.slice(0, MAX_FACTORS);
  const negative = e.factors.find((f) => f.points < 0);
  if (negative !== undefined && !shown.includes(negative)) shown[shown.length - 1] = negative;
  const lines = [L.why[lang], ...shown.map((f) => `  ${signed(f.points)} ${f.reason[lang]}${when(f, lang)}`)];
  const rest = e.factors.length - shown.length;
  if (rest > 0) lines.push(`  (+${rest} ${L.more[lang]})`);
  return lines;
}

function when(f: ExplanationFactor, lang: Lang): string {
  return f.at > 0 ? ` — ${formatTime(f.at, lang)}` : '';
}

function decayLine(e: Explanation, lang: Lang): string | null {
  if (e.decay.length === 0) return null;
  const total = e.decay.reduce((sum, d) => sum + d.points, 0);
  const latest = e.decay.reduce((a, b) => (b.at > a.at ? b : a));
  return (
    `${L.decay[lang]}: ${signed(total)} (${e.decay.length} ${L.entries[lang]}); ` +
    `${L.latest[lang]}: ${latest.reason[lang]} — ${formatTime(latest.at, lang)}`
  );
}

function bantLine(e: Explanation, lang: Lang): string {
  const part = (label: Text, b: BantStatus) => {
    if (!b.known) return `${label[lang]} ? ${L.unknown[lang]}`;
    const value = b.value === undefined ? '' : ` ${b.value[lang]}`;
    const points = b.points !== 0 ? ` (${signed(b.points)})` : '';
    return `${label[lang]} ${b.points > 0 ? '✓' : '•'}${value}${points}`;
  };
  return `BANT: ${[
    part(L.budget, e.bant.budget),
    part(L.authority, e.bant.authority),
    part(L.need, e.bant.need),
    part(L.timeline, e.bant.timeline),
  ].join(' · ')}`;
}

export function missingLines(e: Explanation, lang: Lang): string[] {
  if (e.missing.length === 0) return [];
  const title =
    e.nextStage === null ? L.missing[lang] : `${L.toReach[lang]} ${STAGE_NAMES[e.nextStage][lang]}:`;
  return [title, ...e.missing.slice(0, MAX_MISSING).map((m) => `  • ${m.description[lang]}`)];
}

/** "+15" / "−10" (typographic minus). */
export function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0';
}

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: Lang, timeZone: string): Intl.DateTimeFormat {
  const key = `${lang} ${timeZone}`;
  let f = FORMATTERS.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      day: lang === 'vi' ? '2-digit' : 'numeric',
      month: lang === 'vi' ? '2-digit' : 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    FORMATTERS.set(key, f);
  }
  return f;
}

/**
 * vi "14/11/2026 10:05", en "14 Nov 2026 10:05" — Vietnam time unless `timeZone` (IANA) says
 * otherwise; built from parts for stability.
 */
export function formatTime(at: number, lang: Lang, timeZone: string = TIME_ZONE): string {
  const parts: Record<string, string> = {};
  for (const p of formatter(lang, timeZone).formatToParts(at)) parts[p.type] = p.value;
  const date =
    lang === 'vi' ? `${parts.day}/${parts.month}/${parts.year}` : `${parts.day} ${parts.month} ${parts.year}`;
  return `${date} ${parts.hour}:${parts.minute}`;
}

/** Labels of the explanation, shared with the chat renderers that lay it out differently. */
export { L as EXPLANATION_LABELS };
