/**
 * Plain-text rendering of bot replies and SQL alerts (console channel; other channels build
 * their own layouts from the same structures). Vietnamese and English.
 */
import type { LeadExplanation, LeadView } from '../domain/leads.ts';
import type { Lang } from '../scoring/types.ts';
import type { SqlAlert } from './chat-port.ts';
import type { BotReply } from './commands.ts';
import { renderExplanation } from './render-explanation.ts';

const TZ = 'Asia/Ho_Chi_Minh';

export function formatTime(ms: number | string | null, lang: Lang): string {
  if (ms === null) return '—';
  const d = new Date(ms);
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    timeZone: TZ,
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(d);
}

export function formatAge(fromMs: number, nowMs: number, lang: Lang): string {
  const minutes = Math.max(0, Math.round((nowMs - fromMs) / 60_000));
  if (minutes < 60) return lang === 'vi' ? `${minutes} phút` : `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return lang === 'vi' ? `${hours} giờ` : `${hours} h`;
  const days = Math.round(hours / 24);
  return lang === 'vi' ? `${days} ngày` : `${days} days`;
}

const HELP: Record<Lang, string> = {
  vi: [
    'Các lệnh:',
    '  vì sao <lead>     — vì sao lead này nóng (điểm, lý do, còn thiếu gì)',
    '  top [n]           — n lead điểm cao nhất',
    '  xem <lead>        — thông tin một lead',
    '  nhận <lead>       — nhận chăm sóc lead',
    '  trợ giúp          — danh sách lệnh',
    '<lead> là email, số điện thoại, tên, tên công ty hoặc mã lead. English works too: why, top, lead, claim, help.',
  ].join('\n'),
  en: [
    'Commands:',
    '  why <lead>        — why this lead is hot (score, reasons, what is missing)',
    '  top [n]           — the n highest-scoring leads',
    '  lead <lead>       — one lead’s details',
    '  claim <lead>      — take ownership of a lead',
    '  help              — this list',
    '<lead> is an email, phone, name, company or lead id. Tiếng Việt cũng được: vì sao, top, xem, nhận, trợ giúp.',
  ].join('\n'),
};

export function renderReply(reply: BotReply, nowMs: number): string {
  const vi = reply.lang === 'vi';
  switch (reply.type) {
    case 'help':
      return HELP[reply.lang];
    case 'error':
      return `⚠ ${reply.message}`;
    case 'explanation':
      return renderExplanation(reply.explanation, reply.lang, {
        ...(reply.explanation.lead.name ? { name: reply.explanation.lead.name } : {}),
        ...(reply.explanation.lead.company ? { company: reply.explanation.lead.company } : {}),
      });
    case 'top': {
      if (reply.leads.length === 0) return vi ? 'Chưa có lead nào.' : 'No leads yet.';
      const lines = reply.leads.map(
        (l, i) =>
          `${String(i + 1).padStart(2)}. ${l.stage.padEnd(4)} ${String(l.score).padStart(3)}  ${l.name ?? '—'}${l.company ? ` · ${l.company}` : ''}${l.title ? ` (${l.title})` : ''}  [${l.id}]`,
      );
      return [vi ? 'Lead điểm cao nhất:' : 'Top leads:', ...lines].join('\n');
    }
    case 'lead': {
      const l = reply.lead;
      const rows = leadDetailRows(l, reply.lang, (at) => formatTime(at, reply.lang));
      const history = l.stageHistory
        .slice(-5)
        .map((s) => `  ${formatTime(s.at, reply.lang)}  ${s.from} → ${s.to}  ${vi ? s.reasonVi : s.reason}`);
      return [
        `${l.id}`,
        ...rows.map(([k, v]) => `  ${k.padEnd(18)} ${v}`),
        ...(history.length ? [vi ? 'Lịch sử giai đoạn:' : 'Stage history:', ...history] : []),
      ].join('\n');
    }
    case 'claimed':
      return vi
        ? `✔ ${reply.rep.name} đã nhận lead ${reply.leadName ?? reply.leadId} (${formatTime(nowMs, 'vi')}).`
        : `✔ ${reply.rep.name} claimed ${reply.leadName ?? reply.leadId} (${formatTime(nowMs, 'en')}).`;
    case 'claim-taken':
      return vi
        ? `Lead ${reply.leadName ?? reply.leadId} đã được ${reply.owner.name} nhận.`
        : `${reply.leadName ?? reply.leadId} is already claimed by ${reply.owner.name}.`;
  }
}

/** The label/value rows of a lead card (console and chat layouts share them). */
export function leadDetailRows(
  l: LeadView,
  lang: Lang,
  time: (at: string | null) => string,
): [string, string][] {
  const vi = lang === 'vi';
  const rows: [string, string][] = [
    [vi ? 'Tên' : 'Name', l.name ?? '—'],
    [vi ? 'Công ty' : 'Company', [l.company, l.title].filter(Boolean).join(' · ') || '—'],
    ['Email', l.email ?? '—'],
    [vi ? 'Điện thoại' : 'Phone', l.phone ?? '—'],
    [
      vi ? 'Giai đoạn' : 'Stage',
      `${l.stage}${l.fastTracked ? (vi ? ' (ưu tiên nhanh)' : ' (fast-tracked)') : ''}`,
    ],
    [
      vi ? 'Điểm' : 'Score',
      `${l.score} (${vi ? 'phù hợp' : 'fit'} ${l.fitScore}, ${vi ? 'tương tác' : 'engagement'} ${l.engagementScore})`,
    ],
    [vi ? 'Hoạt động gần nhất' : 'Last activity', time(l.lastActivityAt)],
    [vi ? 'Nguồn' : 'Source', l.source ?? '—'],
  ];
  if (l.doNotEmail) rows.push([vi ? 'Đồng ý' : 'Consent', vi ? 'Không gửi email' : 'Do not email']);
  return rows;
}

export function renderSqlAlert(alert: SqlAlert, e: LeadExplanation, lang: Lang, nowMs: number): string {
  const vi = lang === 'vi';
  const who = [e.lead.name ?? alert.leadId, e.lead.title, e.lead.company].filter(Boolean).join(' · ');
  const reasons = e.factors
    .filter((f) => f.points > 0)
    .slice(0, 3)
    .map((f) => `   +${f.points}  ${vi ? f.reason.vi : f.reason.en}`);
  const bant = (['budget', 'authority', 'need', 'timeline'] as const)
    .map((k) => {
      const s = e.bant[k];
      const label = vi
        ? { budget: 'Ngân sách', authority: 'Thẩm quyền', need: 'Nhu cầu', timeline: 'Thời hạn' }[k]
        : k[0]!.toUpperCase() + k.slice(1);
      return `${label}: ${s.known && s.value ? (vi ? s.value.vi : s.value.en) : '?'}`;
    })
    .join(' · ');
  return [
    `🔥 ${vi ? 'Lead mới đạt SQL' : 'New SQL'}: ${who}`,
    `   ${vi ? 'Điểm' : 'Score'} ${e.score} (${vi ? 'phù hợp' : 'fit'} ${e.fitScore}, ${vi ? 'tương tác' : 'engagement'} ${e.engagementScore})${e.fastTracked ? (vi ? ' · ưu tiên nhanh' : ' · fast-tracked') : ''}`,
    ...reasons,
    `   BANT — ${bant}`,
    `   ${vi ? 'Nguồn' : 'Source'}: ${alert.source ?? '—'} · ${vi ? 'Lần đầu tiếp xúc' : 'First touch'}: ${alert.firstTouchAt ? `${formatAge(alert.firstTouchAt, nowMs, lang)} ${vi ? 'trước' : 'ago'}` : '—'}`,
    `   → hotlead why ${alert.leadId}   ·   hotlead chat → ${vi ? 'nhận' : 'claim'} ${alert.leadId}`,
  ].join('\n');
}
