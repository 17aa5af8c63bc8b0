import { describe, expect, it } from 'vitest';
import { formatTime } from '../../src/bot/render-explanation.ts';
import type { LeadSummary, LeadView } from '../../src/domain/leads.ts';
import {
  bantEditModal,
  clip,
  esc,
  notFitModal,
  renderAlert,
  renderExplanation,
  renderReply,
} from '../../src/integrations/slack/blocks.ts';
import {
  ACTION,
  type AlertView,
  BANT_EDIT_INPUT,
  type Block,
  type LeadExplanation,
  NOT_FIT_INPUT,
  NOT_FIT_REASONS,
  type SlackMessage,
  VIEW,
} from '../../src/integrations/slack/contract.ts';
import { explain } from '../../src/scoring/index.ts';
import type { ExplanationFactor, Lang, TraceEntryDraft } from '../../src/scoring/types.ts';
import { DAY, ev, HOUR, MIN, model, run } from '../scoring/helpers.ts';

/** 2026-11-23 10:00 in Vietnam (03:00 UTC). */
const NOW = Date.UTC(2026, 10, 23, 3, 0);
const TZ = 'Asia/Ho_Chi_Minh';
const LEAD_ID = 'ld_3f9a1c2b4d5e6f708192';

// ---------------------------------------------------------------------------------------------
// Inputs

const alertView = (over: Partial<AlertView> = {}): AlertView => ({
  leadId: LEAD_ID,
  name: 'Nguyễn Thị Lan',
  title: 'Giám đốc',
  company: 'Thép Việt',
  score: 86,
  stage: 'SQL',
  reasons: [
    { points: 30, reason: { vi: 'Yêu cầu báo giá', en: 'Quote requested' } },
    {
      points: 15,
      reason: { vi: 'Chức danh “Giám đốc” là người ra quyết định', en: 'Title is a decision maker' },
    },
    { points: 15, reason: { vi: 'Ngân sách đã xác nhận', en: 'Budget confirmed' } },
    { points: 10, reason: { vi: 'Tham dự webinar', en: 'Webinar attended' } },
  ],
  bant: {
    budget: { known: true, value: { vi: '200.000.000 ₫', en: '200,000,000 VND' }, points: 15 },
    authority: { known: false, points: 0 },
    need: { known: true, value: { vi: 'đã xác nhận', en: 'confirmed' }, points: 10 },
    timeline: { known: false, points: 0 },
  },
  source: 'Zalo OA',
  firstTouchAt: NOW - 3 * DAY,
  crossedAt: NOW - HOUR,
  assignee: { slackUserId: 'U0123ABCD', name: 'Trần Minh Quân' },
  status: { kind: 'open' },
  lang: 'vi',
  now: NOW,
  timeZone: TZ,
  ...over,
});

/** 2026-11-20 10:05 Vietnam time. */
const AT = Date.UTC(2026, 10, 20, 3, 5);

const factor = (points: number, vi: string, en: string, at = AT, count = 1): ExplanationFactor => ({
  ruleId: `r.${en.toLowerCase().replace(/\W+/g, '_')}`,
  category: points < 0 ? 'negative' : 'engagement',
  points,
  reason: { vi, en },
  at,
  count,
});

const LAN = { name: 'Nguyễn Thị Lan', title: 'Trưởng phòng mua hàng', company: 'Thép Việt' };

/** Nguyễn Thị Lan as the default model explains her: MQL 64 (fit 40, engagement 24), one decay. */
function explanation(over: Partial<LeadExplanation> = {}): LeadExplanation {
  const events = [
    ev('attribute_update', AT - 3 * DAY, { lead: { ...LAN, city: 'Hải Phòng' } }),
    ev('bant_update', AT - 3 * DAY + MIN, {
      bant: {
        budget: { amount: 200_000_000, currency: 'VND' },
        need: { confirmed: true, text: 'quản lý kho cho 3 chi nhánh' },
      },
    }),
    ev('webinar_attended', AT - 2 * DAY),
    ev('content_download', AT - DAY),
    ...[1, 2, 3, 4].map((i) => ev('email_open', AT - DAY + i * MIN)),
    ev('call_unreachable', AT),
  ];
  const decay: TraceEntryDraft = {
    ruleId: 'decay.inactivity',
    modelVersion: model.version,
    category: 'decay',
    points: -8,
    fitDelta: 0,
    engagementDelta: -8,
    scoreBefore: 8,
    scoreAfter: 0,
    reason: { vi: 'Không tương tác 30 ngày', en: 'No engagement for 30 days' },
    at: AT - 6 * DAY,
  };
  const e = explain(model, run(events).state, [decay], AT + HOUR);
  return { ...e, leadId: LEAD_ID, lead: LAN, ...over };
}

const NAMES = [
  'Nguyễn Văn An',
  'Trần Thị Bích',
  'Lê Hoàng Nam',
  'Phạm Thu Hà',
  'Võ Minh Tuấn',
  'Đặng Mai Anh',
];
const COMPANIES = ['Thép Việt', 'Nhựa Bình Minh', 'Gạch Đồng Tâm', 'Dệt may Thành Công', 'Vận tải Sài Gòn'];
const TITLES = ['Giám đốc', 'Trưởng phòng mua hàng', 'Kế toán trưởng', 'Phó giám đốc'];

const summaries = (n: number, name = (i: number) => NAMES[i % NAMES.length]!): LeadSummary[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `ld_${String(i).padStart(20, '0')}`,
    name: name(i),
    company: COMPANIES[i % COMPANIES.length]!,
    title: TITLES[i % TITLES.length]!,
    stage: i < 10 ? 'SQL' : 'MQL',
    score: 99 - i,
    fitScore: 40,
    engagementScore: 59 - i,
    ownerId: null,
    lastActivityAt: new Date(NOW - (i + 1) * HOUR).toISOString(),
  }));

const leadView = (): LeadView => ({
  id: LEAD_ID,
  name: 'Nguyễn Thị Lan',
  email: 'lan.nguyen@thepviet.vn',
  phone: '+84912345678',
  zaloUserId: null,
  externalId: null,
  company: 'Thép Việt',
  title: 'Giám đốc',
  companySize: 250,
  industry: 'Sản xuất',
  city: 'Hải Phòng',
  stage: 'SQL',
  score: 86,
  fitScore: 40,
  engagementScore: 46,
  fastTracked: false,
  ownerId: null,
  bant: {},
  doNotEmail: true,
  doNotContact: false,
  source: 'Zalo OA',
  firstTouchAt: new Date(NOW - 3 * DAY).toISOString(),
  lastActivityAt: new Date(AT).toISOString(),
  modelVersion: 'default-2026.11.2',
  identities: [],
  stageHistory: [
    {
      from: 'MQL',
      to: 'SQL',
      at: new Date(AT).toISOString(),
      reason: 'Score 86 ≥ 81',
      reasonVi: 'Điểm 86 ≥ 81',
    },
  ],
});

// ---------------------------------------------------------------------------------------------
// Walking a payload

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every text object ({type: plain_text|mrkdwn, text}) anywhere below `v`. */
function textObjects(
  v: unknown,
  out: { type: string; text: string }[] = [],
): { type: string; text: string }[] {
  if (Array.isArray(v)) for (const x of v) textObjects(x, out);
  else if (isObj(v)) {
    if ((v.type === 'plain_text' || v.type === 'mrkdwn') && typeof v.text === 'string') {
      out.push({ type: v.type, text: v.text });
    }
    for (const x of Object.values(v)) textObjects(x, out);
  }
  return out;
}

const len = (t: unknown) => (isObj(t) && typeof t.text === 'string' ? t.text.length : 0);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Every Block Kit limit the renderers promise, as a list of violations (empty = fine). */
function violations(blocks: Block[], maxBlocks: number): string[] {
  const bad: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) bad.push(what);
  };
  check(blocks.length <= maxBlocks, `${blocks.length} blocks`);
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`);
    }
    if (!isObj(v)) return;
    if (typeof v.block_id === 'string') check(v.block_id.length <= 255, `${path} block_id`);
    if (typeof v.action_id === 'string') check(v.action_id.length <= 255, `${path} action_id`);
    switch (v.type) {
      case 'section':
        check(len(v.text) <= 3000, `${path} section text ${len(v.text)}`);
        check(arr(v.fields).length <= 10, `${path} fields`);
        for (const f of arr(v.fields)) check(len(f) <= 2000, `${path} field ${len(f)}`);
        check(v.text !== undefined || v.fields !== undefined, `${path} empty section`);
        break;
      case 'header':
        check(len(v.text) <= 150, `${path} header ${len(v.text)}`);
        check(isObj(v.text) && v.text.type === 'plain_text', `${path} header not plain_text`);
        break;
      case 'context':
        check(arr(v.elements).length <= 10, `${path} context elements`);
        break;
      case 'actions':
        check(arr(v.elements).length <= 25, `${path} actions elements`);
        break;
      case 'button':
        check(len(v.text) <= 75, `${path} button text`);
        check(typeof v.value === 'string' && v.value.length <= 2000, `${path} button value`);
        break;
      case 'static_select':
        check(arr(v.options).length <= 100, `${path} options`);
        check(len(v.placeholder) <= 150, `${path} placeholder`);
        for (const o of arr(v.options)) {
          check(isObj(o) && len(o.text) <= 75, `${path} option text`);
          check(isObj(o) && typeof o.value === 'string' && o.value.length <= 150, `${path} option value`);
        }
        break;
      case 'input':
        check(len(v.label) <= 2000 && len(v.hint) <= 2000, `${path} label/hint`);
        break;
      case 'plain_text':
      case 'mrkdwn':
        check(typeof v.text === 'string' && v.text.length >= 1 && v.text.length <= 3000, `${path} text`);
        break;
    }
    for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(blocks, 'blocks');
  const chars = textObjects(blocks).reduce((n, t) => n + t.text.length, 0);
  check(chars <= 12_000, `${chars} characters of text`);
  return bad;
}

const blocksOf = (m: SlackMessage, type: string) => m.blocks.filter((b) => b.type === type);
const actionIds = (m: SlackMessage) =>
  blocksOf(m, 'actions').flatMap((b) => arr(b.elements).map((e) => (isObj(e) ? e.action_id : undefined)));
const element = (m: SlackMessage, actionId: string): Obj => {
  const found = blocksOf(m, 'actions')
    .flatMap((b) => arr(b.elements))
    .find((e) => isObj(e) && e.action_id === actionId);
  if (!isObj(found)) throw new Error(`no element ${actionId}`);
  return found;
};
/** What a rep reads: every text of the message, one per line. */
const shown = (m: SlackMessage) =>
  textObjects(m.blocks)
    .map((t) => t.text)
    .join('\n');
/** Asserts that the rep sees every one of `parts`. */
function expectAll(text: string, parts: string[]): void {
  for (const part of parts) expect(text).toContain(part);
}
const mrkdwnTexts = (m: SlackMessage) => [
  m.text,
  ...textObjects(m.blocks)
    .filter((t) => t.type === 'mrkdwn')
    .map((t) => t.text),
];

// ---------------------------------------------------------------------------------------------
// SQL alert

describe('renderAlert', () => {
  it('shows who, score, stage, top 3 reasons, BANT, source, first touch and assignee (vi)', () => {
    const m = renderAlert(alertView());
    expect(m.text).toBe('🔥 SQL: Nguyễn Thị Lan (Giám đốc, Thép Việt) — 86 điểm');
    const head = blocksOf(m, 'header')[0];
    expect(isObj(head?.text) && head.text.text).toBe(
      '🔥 SQL: Nguyễn Thị Lan (Giám đốc, Thép Việt) — 86 điểm',
    );
    const text = shown(m);
    expect(text).toContain('*+30*  Yêu cầu báo giá');
    expect(text).toContain('*+15*  Ngân sách đã xác nhận');
    expect(text).not.toContain('Tham dự webinar');
    expect(text).toContain(
      '✓ Ngân sách: 200.000.000 ₫  ·  ✗ Người quyết định  ·  ✓ Nhu cầu: đã xác nhận  ·  ✗ Thời gian',
    );
    expectAll(text, ['Nguồn: Zalo OA', 'Lần đầu tiếp cận: 3 ngày trước', 'Giao cho: <@U0123ABCD>']);
    expect(violations(m.blocks, 50)).toEqual([]);
  });

  it('speaks English', () => {
    const m = renderAlert(alertView({ lang: 'en' }));
    expect(m.text).toBe('🔥 SQL: Nguyễn Thị Lan (Giám đốc, Thép Việt) — 86 points');
    const text = shown(m);
    expectAll(text, [
      '*+30*  Quote requested',
      '✓ Budget: 200,000,000 VND  ·  ✗ Authority  ·  ✓ Need: confirmed  ·  ✗ Timeline',
      'Source: Zalo OA',
      'First touch: 3 days ago',
      'Assigned to: <@U0123ABCD>',
    ]);
  });

  it('open: Claim (primary, value = lead id), Why hot?, Start BANT, Snooze options, Not a fit (danger)', () => {
    const vi = renderAlert(alertView());
    expect(actionIds(vi)).toEqual([ACTION.claim, ACTION.why, ACTION.startBant, ACTION.snooze, ACTION.notFit]);
    const claim = element(vi, ACTION.claim);
    expect(claim).toMatchObject({
      type: 'button',
      value: LEAD_ID,
      style: 'primary',
      text: { text: 'Nhận lead' },
    });
    expect(element(vi, ACTION.why)).toMatchObject({ value: LEAD_ID, text: { text: 'Vì sao nóng?' } });
    expect(element(vi, ACTION.startBant)).toMatchObject({ value: LEAD_ID, text: { text: 'Bắt đầu BANT' } });
    expect(element(vi, ACTION.notFit)).toMatchObject({
      value: LEAD_ID,
      style: 'danger',
      text: { text: 'Không phù hợp' },
    });
    const snooze = element(vi, ACTION.snooze);
    expect(snooze.type).toBe('static_select');
    expect(arr(snooze.options)).toEqual([
      { text: { type: 'plain_text', text: 'Hoãn 1 ngày', emoji: true }, value: `${LEAD_ID}|1d` },
      { text: { type: 'plain_text', text: 'Hoãn 3 ngày', emoji: true }, value: `${LEAD_ID}|3d` },
      { text: { type: 'plain_text', text: 'Hoãn 1 tuần', emoji: true }, value: `${LEAD_ID}|1w` },
    ]);

    const en = renderAlert(alertView({ lang: 'en' }));
    expect(element(en, ACTION.claim)).toMatchObject({ text: { text: 'Claim' }, value: LEAD_ID });
    expect(element(en, ACTION.why)).toMatchObject({ text: { text: 'Why hot?' } });
    expect(element(en, ACTION.startBant)).toMatchObject({ text: { text: 'Start BANT' } });
    expect(element(en, ACTION.notFit)).toMatchObject({ text: { text: 'Not a fit' } });
    expect(
      arr(element(en, ACTION.snooze).options).map((o) => isObj(o) && isObj(o.text) && o.text.text),
    ).toEqual(['1 day', '3 days', '1 week']);
  });

  it('claimed: who claimed and when (workspace time zone), then Why hot? and Start BANT only', () => {
    const status = {
      kind: 'claimed',
      rep: { slackUserId: 'U0999XYZ', name: 'Lê Văn Hùng' },
      at: NOW + 42 * 60_000,
    } as const;
    const vi = renderAlert(alertView({ status }));
    expect(shown(vi)).toContain('<@U0999XYZ> đã nhận lúc 10:42');
    expect(actionIds(vi)).toEqual([ACTION.why, ACTION.startBant]);
    const en = renderAlert(alertView({ status, lang: 'en' }));
    expect(shown(en)).toContain('Claimed by <@U0999XYZ> 10:42');
    const tokyo = renderAlert(alertView({ status, lang: 'en', timeZone: 'Asia/Tokyo' }));
    expect(shown(tokyo)).toContain('Claimed by <@U0999XYZ> 12:42');
    const byName = renderAlert(
      alertView({ status: { ...status, rep: { slackUserId: null, name: 'Lê Văn Hùng' } } }),
    );
    expect(shown(byName)).toContain('Lê Văn Hùng đã nhận lúc 10:42');
  });

  it('snoozed: until when (weekday, date, time), and a rep can still claim', () => {
    const until = Date.UTC(2026, 10, 26, 2, 0); // Thu 26/11 09:00 in Vietnam
    const status = {
      kind: 'snoozed',
      until,
      by: { slackUserId: 'U0123ABCD', name: 'Trần Minh Quân' },
    } as const;
    const vi = renderAlert(alertView({ status }));
    expect(shown(vi)).toContain('Hoãn đến T5 26/11 09:00 — bởi <@U0123ABCD>');
    expect(actionIds(vi)).toEqual([ACTION.claim, ACTION.why]);
    expect(element(vi, ACTION.claim).value).toBe(LEAD_ID);
    const en = renderAlert(alertView({ status: { ...status, by: null }, lang: 'en' }));
    expect(shown(en)).toContain('Snoozed until Thu 26/11 09:00');
    expect(shown(en)).not.toContain(' — by');
  });

  it('disqualified: reason label and who, no buttons', () => {
    const status = {
      kind: 'disqualified',
      reason: 'wrong_industry',
      by: { slackUserId: 'U0123ABCD', name: 'Trần Minh Quân' },
      at: NOW,
    } as const;
    const vi = renderAlert(alertView({ status }));
    expect(shown(vi)).toContain('Loại: sai ngành — bởi <@U0123ABCD>');
    expect(blocksOf(vi, 'actions')).toEqual([]);
    const en = renderAlert(alertView({ status, lang: 'en' }));
    expect(shown(en)).toContain('Disqualified: wrong industry — by <@U0123ABCD>');
    const free = renderAlert(alertView({ status: { ...status, reason: 'Khách <hỏi> nhầm', by: null } }));
    expect(shown(free)).toContain('Loại: Khách &lt;hỏi&gt; nhầm');
  });

  it('renders missing name, title, company, source, first touch and assignee sensibly', () => {
    const bare = alertView({
      name: null,
      title: null,
      company: null,
      source: null,
      firstTouchAt: null,
      assignee: null,
    });
    const vi = renderAlert(bare);
    expect(vi.text).toBe('🔥 SQL: Lead chưa có tên — 86 điểm');
    expect(shown(vi)).toContain('Nguồn: chưa rõ');
    expect(shown(vi)).toContain('Lần đầu tiếp cận: chưa rõ');
    expect(shown(vi)).toContain('Giao cho: chưa giao');
    expect(shown(vi)).not.toMatch(/null|undefined|\(\)|, \)/);
    const en = renderAlert({ ...bare, lang: 'en', title: 'Kế toán trưởng', company: '  ' });
    expect(en.text).toBe('🔥 SQL: Unnamed lead (Kế toán trưởng) — 86 points');
    expect(renderAlert(alertView({ name: '', company: 'Nhựa Bình Minh', title: null })).text).toBe(
      '🔥 SQL: Lead chưa có tên (Nhựa Bình Minh) — 86 điểm',
    );
  });

  it('escapes names so "<!channel>" or "<@U123>" cannot ping anyone', () => {
    const m = renderAlert(
      alertView({
        name: '<!channel>',
        company: '<@U123> & Co',
        title: '<https://evil.example|bấm vào đây>',
        source: '<!here>',
        reasons: [{ points: 20, reason: { vi: 'Gửi form <!everyone>', en: 'Form <!everyone>' } }],
        assignee: { slackUserId: 'U1><!channel', name: '<!channel> Quân' },
      }),
    );
    for (const t of mrkdwnTexts(m)) {
      expect(t).not.toMatch(/<!|<@U123>|<https/);
    }
    expect(m.text).toContain(
      '&lt;!channel&gt; (&lt;https://evil.example|bấm vào đây&gt;, &lt;@U123&gt; &amp; Co)',
    );
    expect(shown(m)).toContain('Giao cho: &lt;!channel&gt; Quân');
    // The header is plain_text, which Slack never parses: it shows the name as typed.
    const head = blocksOf(m, 'header')[0];
    expect(isObj(head?.text) && head.text.type).toBe('plain_text');
  });

  it('stays within limits with huge names and reasons', () => {
    const long = 'Công ty TNHH Thương mại Dịch vụ Xuất nhập khẩu '.repeat(100);
    const m = renderAlert(
      alertView({
        name: long,
        company: long,
        title: long,
        source: long,
        reasons: Array.from({ length: 40 }, () => ({ points: 5, reason: { vi: long, en: long } })),
        bant: {
          budget: { known: true, value: { vi: long, en: long }, points: 5 },
          authority: { known: true, value: { vi: long, en: long }, points: 5 },
          need: { known: true, value: { vi: long, en: long }, points: 5 },
          timeline: { known: true, value: { vi: long, en: long }, points: 5 },
        },
        assignee: { slackUserId: null, name: long },
      }),
    );
    expect(violations(m.blocks, 50)).toEqual([]);
    expect(m.text.length).toBeLessThanOrEqual(3000);
    const head = blocksOf(m, 'header')[0];
    expect(isObj(head?.text) && String(head.text.text).endsWith('…')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Why is this lead hot?

/** Every digit run of `text`, after removing the rendered evidence times. */
function numbersIn(text: string, times: string[]): string[] {
  let rest = text;
  for (const t of times) rest = rest.split(t).join(' ');
  return rest.match(/\d+/g) ?? [];
}

/** Every digit run the explanation holds: its numbers and the digits inside its texts. */
function numbersOf(v: unknown, out = new Set<string>()): Set<string> {
  if (typeof v === 'number') {
    out.add(String(Math.abs(v)));
  } else if (typeof v === 'string') {
    for (const d of v.match(/\d+/g) ?? []) out.add(d);
  } else if (Array.isArray(v)) {
    for (const x of v) numbersOf(x, out);
  } else if (isObj(v)) {
    for (const x of Object.values(v)) numbersOf(x, out);
  }
  return out;
}

const evidenceTimes = (e: LeadExplanation, lang: Lang) =>
  [...e.factors, ...e.decay].filter((f) => f.at > 0).map((f) => formatTime(f.at, lang));

describe('renderExplanation', () => {
  it('shows stage, scores, thresholds, factors with evidence time, decay, BANT and what is missing (vi)', () => {
    const e = explanation();
    const m = renderExplanation(e, 'vi');
    expect(m.text).toBe('🔍 Nguyễn Thị Lan (Trưởng phòng mua hàng, Thép Việt) — MQL, 64 điểm');
    expectAll(shown(m), [
      '*Giai đoạn*\nMQL',
      '*Điểm*\n64',
      '*Phù hợp*\n40',
      '*Tương tác*\n24',
      'Ngưỡng: Ấm 20 · MQL 50 · SQL 81 · biên trễ 5 · mô hình default-2026.11.2',
      '*Điểm cộng chính*\n*+15*  Tham dự webinar — 18/11/2026 10:05\n' +
        '*+15*  Ngân sách 200.000.000 ₫ đã xác nhận (≥ giá trị tối thiểu) — 17/11/2026 10:06',
      '*+4*  Mở e-mail ×4 — 19/11/2026 10:09',
      '*Điểm trừ*\n*−5*  Không liên lạc được qua điện thoại — 20/11/2026 10:05',
      '*Suy giảm*\n*−8*  Không tương tác 30 ngày — 14/11/2026 10:05',
      '✓ Ngân sách: 200.000.000 ₫ (+15)  ·  ✗ Người quyết định  ·  ' +
        '✓ Nhu cầu: đã xác nhận: quản lý kho cho 3 chi nhánh (+10)  ·  ✗ Thời gian',
      '*Còn thiếu để lên SQL:*\n• Một yêu cầu demo sẽ cộng 30 → SQL (chuyển thẳng)\n' +
        '• Công ty từ 200 nhân sự sẽ cộng 10\n• Làm việc với người ra quyết định sẽ cộng 10',
    ]);
    expect(violations(m.blocks, 50)).toEqual([]);
  });

  it('speaks English and honours the time zone', () => {
    const m = renderExplanation(
      explanation({ stage: 'SQL', fastTracked: true, missing: [], nextStage: null }),
      'en',
      'Asia/Tokyo',
    );
    const text = shown(m);
    expectAll(text, [
      '*Stage*\nSQL (fast-track)',
      'Thresholds: Warm 20 · MQL 50 · SQL 81 · hysteresis 5 · model default-2026.11.2',
      '*+15*  Webinar attended — 18 Nov 2026 12:05',
      '✓ Budget: 200,000,000 VND (+15)',
    ]);
    expect(text).not.toContain('To reach');
  });

  it('says so when there are no factors, and never shows "null" for an unknown lead', () => {
    const m = renderExplanation(
      explanation({ factors: [], decay: [], lead: { name: null, company: null, title: null } }),
      'vi',
    );
    expect(shown(m)).toContain('Chưa có điểm nào.');
    expect(m.text).toBe('🔍 Lead chưa có tên — MQL, 64 điểm');
    expect(shown(m)).not.toMatch(/null|undefined/);
  });

  for (const lang of ['vi', 'en'] as const) {
    it(`shows only numbers that come from the explanation (${lang})`, () => {
      const e = explanation();
      const m = renderExplanation(e, lang);
      const allowed = numbersOf(e);
      const text = [m.text, shown(m)].join('\n');
      expect(numbersIn(text, evidenceTimes(e, lang)).filter((n) => !allowed.has(n))).toEqual([]);
    });
  }

  it('a 200-factor explanation stays within every limit and counts what it leaves out', () => {
    const factors = Array.from({ length: 200 }, (_, i) =>
      i % 4 === 3
        ? factor(
            -(i % 9) - 1,
            `Bỏ qua e-mail chiến dịch ${i} `.repeat(8),
            `Ignored campaign e-mail ${i} `.repeat(8),
          )
        : factor(
            40 - (i % 37),
            `Xem trang bảng giá lần ${i} `.repeat(8),
            `Viewed the pricing page, visit ${i} `.repeat(8),
          ),
    );
    const decay = Array.from({ length: 30 }, (_, i) => ({
      ruleId: `decay.${i}`,
      points: -2,
      reason: { vi: `Suy giảm định kỳ ${i}`, en: `Periodic decay ${i}` },
      at: AT - i * DAY,
    }));
    const e = explanation({ factors, decay });
    for (const lang of ['vi', 'en'] as const) {
      const m = renderExplanation(e, lang);
      expect(violations(m.blocks, 50)).toEqual([]);
      const text = shown(m);
      const factorLines = text.split('\n').filter((l) => /^\*[+−]\d+\*/.test(l));
      const moreCounts = [...text.matchAll(/(?:…và|…and) (\d+)/g)].map((x) => Number(x[1]));
      // Every factor and decay entry is either shown or counted.
      expect(factorLines.length + moreCounts.reduce((a, b) => a + b, 0)).toBe(200 + 30);
      expect(text).toMatch(lang === 'vi' ? /…và \d+ yếu tố khác/ : /…and \d+ more factors/);
      const allowed = numbersOf(e);
      for (const n of moreCounts) allowed.add(String(n));
      expect(numbersIn(text, evidenceTimes(e, lang)).filter((n) => !allowed.has(n))).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Replies

const opts = { now: NOW, timeZone: TZ };

describe('renderReply', () => {
  it('explanation replies are the explanation message', () => {
    const e = explanation();
    expect(renderReply({ type: 'explanation', lang: 'en', explanation: e }, opts)).toEqual(
      renderExplanation(e, 'en', TZ),
    );
  });

  it('help lists every /hotlead subcommand in both languages', () => {
    const subcommands = [
      'why',
      'top',
      'lead',
      'mine',
      'bant',
      'rep add',
      'digest on HH:MM',
      'digest now',
      'help',
    ];
    for (const lang of ['vi', 'en'] as const) {
      const m = renderReply({ type: 'help', lang }, opts);
      const text = shown(m);
      for (const s of subcommands) expect(text).toContain(`\`/hotlead ${s}`);
      expect(text).toContain('&lt;lead&gt;');
      expect(violations(m.blocks, 50)).toEqual([]);
    }
    expect(shown(renderReply({ type: 'help', lang: 'vi' }, opts))).toContain('vì sao lead này nóng');
    expect(shown(renderReply({ type: 'help', lang: 'en' }, opts))).toContain('why this lead is hot');
  });

  it('error shows ⚠ and the message, escaped', () => {
    const m = renderReply(
      { type: 'error', lang: 'vi', code: 'NOT_FOUND', message: 'Không tìm thấy lead “<!channel>”' },
      opts,
    );
    expect(m.text).toBe('⚠ Không tìm thấy lead “&lt;!channel&gt;”');
    expect(shown(m)).toBe('⚠ Không tìm thấy lead “&lt;!channel&gt;”');
  });

  it('notice is shown as given (mrkdwn by contract)', () => {
    const m = renderReply({ type: 'notice', lang: 'vi', text: 'Đã thêm <@U0123ABCD> vào đội sales' }, opts);
    expect(m.text).toBe('Đã thêm <@U0123ABCD> vào đội sales');
    expect(shown(m)).toBe('Đã thêm <@U0123ABCD> vào đội sales');
  });

  it('claimed and claim-taken name the rep (no Slack id in RepRef)', () => {
    const rep = { id: 'rep_1', name: 'Trần Minh Quân', email: 'quan@hotlead.vn' };
    const claimed = { type: 'claimed', leadId: LEAD_ID, leadName: 'Nguyễn Thị Lan', rep } as const;
    expect(renderReply({ ...claimed, lang: 'vi' }, opts).text).toBe(
      '✅ Trần Minh Quân đã nhận lead *Nguyễn Thị Lan* lúc 10:00.',
    );
    expect(renderReply({ ...claimed, lang: 'en' }, opts).text).toBe(
      '✅ Trần Minh Quân claimed *Nguyễn Thị Lan* at 10:00.',
    );
    const taken = { type: 'claim-taken', leadId: LEAD_ID, leadName: null, owner: rep } as const;
    expect(renderReply({ ...taken, lang: 'vi' }, opts).text).toBe('Lead này đã được Trần Minh Quân nhận.');
    expect(renderReply({ ...taken, lang: 'en', leadName: 'Lan <@U123>' }, opts).text).toBe(
      '*Lan &lt;@U123&gt;* is already claimed by Trần Minh Quân.',
    );
  });

  it('lead card: the details as fields, stage history and the id', () => {
    const m = renderReply({ type: 'lead', lang: 'vi', lead: leadView() }, opts);
    const text = shown(m);
    expectAll(text, [
      '*Tên*\nNguyễn Thị Lan',
      '*Công ty*\nThép Việt · Giám đốc',
      '*Điểm*\n86 (phù hợp 40, tương tác 46)',
      '*Hoạt động gần nhất*\n20/11/2026 10:05',
      '*Đồng ý*\nKhông gửi email',
      '20/11/2026 10:05  MQL → SQL  Điểm 86 ≥ 81',
      `\`${LEAD_ID}\``,
    ]);
    expect(violations(m.blocks, 50)).toEqual([]);
    const en = shown(renderReply({ type: 'lead', lang: 'en', lead: { ...leadView(), name: null } }, opts));
    expect(en).toContain('*Name*\n—');
    expect(en).toContain('Score 86 ≥ 81');
  });

  it('top list: rank, stage, score, who, id and last activity', () => {
    const m = renderReply({ type: 'top', lang: 'vi', leads: summaries(3) }, opts);
    const text = shown(m);
    expect(text).toContain(
      '1. *SQL · 99* — Nguyễn Văn An (Giám đốc, Thép Việt) · `ld_00000000000000000000` · hoạt động 1 giờ trước',
    );
    expect(text).toContain('3. *SQL · 97* — Lê Hoàng Nam (Kế toán trưởng, Gạch Đồng Tâm)');
    expect(renderReply({ type: 'top', lang: 'en', leads: [] }, opts).text).toBe('No leads yet.');
    expect(renderReply({ type: 'mine', lang: 'vi', leads: [] }, opts).text).toBe('Bạn chưa nhận lead nào.');
    expect(
      blocksOf(renderReply({ type: 'mine', lang: 'en', leads: summaries(2) }, opts), 'header')[0],
    ).toMatchObject({
      text: { text: 'Your leads' },
    });
  });

  it('a 50-lead top list stays within every limit; when it cannot all fit it says how many are left', () => {
    const all = renderReply({ type: 'top', lang: 'vi', leads: summaries(50) }, opts);
    expect(violations(all.blocks, 50)).toEqual([]);
    expect(shown(all)).toContain('50. *MQL · 50*');
    for (const lang of ['vi', 'en'] as const) {
      const long = summaries(50, (i) =>
        `${NAMES[i % NAMES.length]} — Chi nhánh Thành phố Hồ Chí Minh `.repeat(10),
      );
      const m = renderReply({ type: 'top', lang, leads: long.map((l) => ({ ...l, company: l.name })) }, opts);
      expect(violations(m.blocks, 50)).toEqual([]);
      const text = shown(m);
      const rows = text.split('\n').filter((l) => /^\d+\. /.test(l)).length;
      const rest = new RegExp(lang === 'vi' ? '…và (\\d+) lead khác' : '…and (\\d+) more leads').exec(text);
      expect(rest).not.toBeNull();
      expect(rows + Number(rest?.[1])).toBe(50);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Modals

describe('modals', () => {
  const meta = { leadId: LEAD_ID, channel: 'C0SALES', ts: '1732330000.000100' };
  const inputs = (blocks: Block[]) => blocks.filter((b) => b.type === 'input');

  it('not-a-fit modal: ids, metadata, a required reason and an optional note', () => {
    for (const lang of ['vi', 'en'] as const) {
      const v = notFitModal(meta, lang);
      expect(v.type).toBe('modal');
      expect(v.callback_id).toBe(VIEW.notFit);
      expect(JSON.parse(v.private_metadata)).toEqual(meta);
      for (const t of [v.title, v.submit, v.close]) expect(t.text.length).toBeLessThanOrEqual(24);
      const [reason, note] = inputs(v.blocks);
      expect(reason).toMatchObject({
        block_id: NOT_FIT_INPUT.reasonBlock,
        optional: false,
        element: { type: 'static_select', action_id: NOT_FIT_INPUT.reasonSelect },
      });
      const options = arr(isObj(reason?.element) ? reason.element.options : []);
      expect(options.map((o) => isObj(o) && o.value)).toEqual(NOT_FIT_REASONS.map((r) => r.value));
      expect(options.map((o) => isObj(o) && isObj(o.text) && o.text.text)).toEqual(
        NOT_FIT_REASONS.map((r) => r.label[lang]),
      );
      expect(note).toMatchObject({
        block_id: NOT_FIT_INPUT.noteBlock,
        optional: true,
        element: { type: 'plain_text_input', action_id: NOT_FIT_INPUT.noteInput, multiline: true },
      });
      expect(violations(v.blocks, 100)).toEqual([]);
    }
    expect(notFitModal(meta, 'vi').title.text).toBe('Không phù hợp');
  });

  it('BANT modal: one optional input per field, prefilled, with example answers', () => {
    const bant = alertView().bant;
    const vi = bantEditModal({ leadId: LEAD_ID }, bant, 'vi');
    expect(vi.callback_id).toBe(VIEW.bantEdit);
    expect(JSON.parse(vi.private_metadata)).toEqual({ leadId: LEAD_ID });
    const byBlock = new Map(inputs(vi.blocks).map((b) => [b.block_id, b]));
    for (const field of ['budget', 'authority', 'need', 'timeline'] as const) {
      const b = byBlock.get(BANT_EDIT_INPUT[field].block);
      expect(b).toMatchObject({
        optional: true,
        element: { type: 'plain_text_input', action_id: BANT_EDIT_INPUT[field].action },
      });
    }
    const el = (field: keyof typeof BANT_EDIT_INPUT) => {
      const b = byBlock.get(BANT_EDIT_INPUT[field].block);
      return isObj(b?.element) ? b.element : {};
    };
    expect(el('budget').initial_value).toBe('200.000.000 ₫');
    expect(el('need').initial_value).toBe('đã xác nhận');
    expect(el('authority')).not.toHaveProperty('initial_value');
    const text = shown({ text: '', blocks: vi.blocks });
    for (const example of [
      'khoảng 200 triệu',
      'phải hỏi sếp',
      'cần trước Tết',
      'Người quyết định',
      'Thời gian',
    ]) {
      expect(text).toContain(example);
    }
    const en = bantEditModal({ leadId: LEAD_ID }, bant, 'en');
    const enBudget = inputs(en.blocks).find((b) => b.block_id === BANT_EDIT_INPUT.budget.block);
    expect(isObj(enBudget?.element) && enBudget.element.initial_value).toBe('200,000,000 VND');
    expect(shown({ text: '', blocks: en.blocks })).toContain('I have to ask my boss');
    for (const t of [en.title, en.submit, en.close, vi.title]) expect(t.text.length).toBeLessThanOrEqual(24);
    expect(violations(vi.blocks, 100)).toEqual([]);
  });
});

describe('clip and esc', () => {
  it('cut with "…" without breaking an escape, a mention or an emoji', () => {
    expect(clip('Thép Việt', 20)).toBe('Thép Việt');
    expect(clip('Công ty Thép Việt', 10)).toBe('Công ty T…');
    expect(clip(esc('Lan & Co'), 6)).toBe('Lan …');
    expect(clip('Giao cho <@U0123ABCD> nhé', 15)).toBe('Giao cho …');
    expect(clip('🔥🔥🔥', 4)).toBe('🔥…');
    expect(esc('<!channel> & <@U123>')).toBe('&lt;!channel&gt; &amp; &lt;@U123&gt;');
  });
});
