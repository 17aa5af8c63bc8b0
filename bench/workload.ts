/**
 * A realistic mixed event stream for the benchmarks: many leads with a few events, some leads
 * with many events, identity merges (an event naming one lead's email and another's phone),
 * and re-sent duplicates — in time order, as a live integration would send them.
 */
import { validateEvent } from '../src/domain/event-input.ts';
import type { ScoringEvent } from '../src/scoring/types.ts';

const TYPES: [type: string, weight: number][] = [
  ['page_view', 30],
  ['email_open', 20],
  ['email_click', 8],
  ['zalo_message', 8],
  ['content_download', 5],
  ['webinar_attended', 3],
  ['event_registration', 2],
  ['newsletter_signup', 3],
  ['form_submit', 3],
  ['zalo_follow', 2],
  ['call_unreachable', 1],
  ['email_bounce', 1],
  ['quote_request', 0.5],
  ['demo_request', 0.5],
  ['attribute_update', 3],
  ['bant_update', 2],
];
const TITLES = [
  'Giám đốc',
  'CEO',
  'Trưởng phòng kinh doanh',
  'Sales Manager',
  'Nhân viên',
  'Sinh viên',
  'Head of Marketing',
  'Kế toán',
];
const INDUSTRIES = [
  'software',
  'retail',
  'logistics',
  'education',
  'fintech',
  'construction',
  'manufacturing',
];
const URLS = ['/', '/blog/crm', '/tinh-nang', '/pricing', '/bang-gia', '/lien-he', '/blog/zalo-oa'];

/** Deterministic PRNG so every run benchmarks the same stream. */
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WorkloadEvent {
  id: string;
  type: string;
  occurredAt: string;
  lead: Record<string, unknown>;
  properties?: Record<string, unknown>;
}

export interface Workload {
  events: WorkloadEvent[];
  duplicates: number;
  merges: number;
  leads: number;
}

export function buildWorkload(opts: { events: number; seed?: number; endAt: number }): Workload {
  const rand = rng(opts.seed ?? 42);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const totalWeight = TYPES.reduce((s, [, w]) => s + w, 0);
  const pickType = () => {
    let r = rand() * totalWeight;
    for (const [t, w] of TYPES) {
      r -= w;
      if (r <= 0) return t;
    }
    return 'page_view';
  };
  const leadCount = Math.max(10, Math.round(opts.events / 5));
  const heavy = Math.max(1, Math.round(leadCount / 100)); // 1% of leads produce a third of the events
  const leadRef = (i: number) => ({
    email: `lead${i}@company${i % 997}.vn`,
    ...(i % 3 === 0 ? { phone: `09${String(10_000_000 + i).slice(-8)}` } : {}),
    name: `Khách hàng ${i}`,
    title: TITLES[i % TITLES.length],
    companySize: [5, 20, 80, 250, 1200][i % 5],
    industry: INDUSTRIES[i % INDUSTRIES.length],
  });
  const events: WorkloadEvent[] = [];
  const span = 20 * 86_400_000;
  const start = opts.endAt - span;
  let duplicates = 0;
  let merges = 0;
  for (let n = 0; n < opts.events; n++) {
    const occurredAt = new Date(start + Math.floor((n / opts.events) * span)).toISOString();
    if (n > 10 && rand() < 0.02) {
      events.push({ ...events[events.length - 1 - Math.floor(rand() * Math.min(10, events.length - 1))]! });
      duplicates++;
      continue;
    }
    const i = rand() < 0.33 ? Math.floor(rand() * heavy) : Math.floor(rand() * leadCount);
    let lead: Record<string, unknown> = leadRef(i);
    const identityRoll = rand();
    if (identityRoll < 0.005) {
      // The email of lead i and a phone first seen on another lead: the two are one person.
      const j = Math.floor(rand() * leadCount);
      lead = { email: leadRef(i).email, phone: `08${String(20_000_000 + j).slice(-8)}` };
      merges++;
    } else if (identityRoll < 0.01) {
      lead = { phone: `08${String(20_000_000 + i).slice(-8)}` };
    }
    const type = pickType();
    const properties: Record<string, unknown> =
      type === 'page_view'
        ? { url: `https://hotlead.vn${pick(URLS)}` }
        : type === 'zalo_message'
          ? { text: 'Cho em hỏi giá', direction: 'inbound' }
          : type === 'bant_update'
            ? pick([
                { budget: 'khoảng 200 triệu' },
                { authority: 'decision_maker' },
                { timeline: 'trong 2 tháng' },
                { need: true },
              ])
            : type === 'attribute_update'
              ? { note: 'crm sync' }
              : {};
    events.push({ id: `bench-${opts.seed ?? 42}-${n}`, type, occurredAt, lead, properties });
  }
  return { events, duplicates, merges, leads: leadCount };
}

/**
 * The workload as the engine sees it after ingestion's validation: scoring events keyed by the
 * lead's first identity (benchmarks and the engine's pinned-output test share it). The events
 * are first parsed from their JSON text, as ingestion receives them (HTTP body, JSONL import):
 * the generator builds strings with template literals, which V8 keeps as concatenations (cons
 * strings, compared piece by piece); parsed text gives flat strings, as in production.
 */
export function prepareForEngine(
  events: WorkloadEvent[],
  now: number,
  knownTypes: ReadonlySet<string>,
): { lead: string; ev: ScoringEvent }[] {
  const prepared: { lead: string; ev: ScoringEvent }[] = [];
  const received = JSON.parse(JSON.stringify(events)) as WorkloadEvent[];
  received.forEach((raw, n) => {
    const v = validateEvent(raw, { now, knownTypes });
    if (!v.ok) return;
    const e = v.event;
    prepared.push({
      lead: e.identities[0]!.value,
      ev: {
        id: `e${n}`,
        key: e.key,
        type: e.type,
        occurredAt: e.occurredAt,
        properties: e.properties,
        lead: e.lead,
        ...(e.bant ? { bant: e.bant } : {}),
      },
    });
  });
  return prepared;
}
