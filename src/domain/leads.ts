/**
 * Read side: find a lead by any reference, show it, explain it, list the top ones. Every read
 * first brings the leads it returns up to now (due decay applied and traced).
 */
import { AppError } from '../errors/app-error.ts';
import { normalizeEmail, normalizePhone } from '../parse/index.ts';
import { explain } from '../scoring/index.ts';
import type { Explanation, LeadState, Stage, TraceEntryDraft, TraceCategory } from '../scoring/types.ts';
import { type DecayDeps, refreshLeads } from './decay.ts';
import { decodeState } from './state-codec.ts';

export type ReadDeps = DecayDeps;

/** A lead id, an email, a phone (any format), `zalo:<id>`, `ext:<id>`, or (for chat) a name/company. */
export async function resolveLeadRef(
  deps: ReadDeps,
  ref: string,
  opts: { allowName?: boolean } = {},
): Promise<string> {
  const candidates = await findLeadIds(deps, ref, opts.allowName ?? false);
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) throw new AppError('NOT_FOUND', `No lead matches “${ref}”`);
  throw new AppError(
    'CONFLICT',
    `“${ref}” matches ${candidates.length} leads; use an email, phone or lead id`,
    {
      details: candidates.slice(0, 10).map((id) => ({ path: id, message: 'matches' })),
    },
  );
}

async function findLeadIds(deps: ReadDeps, rawRef: string, allowName: boolean): Promise<string[]> {
  const ref = rawRef.trim();
  if (!ref) throw new AppError('BAD_INPUT', 'A lead reference is required (id, email, phone or zalo:<id>)');
  const prisma = deps.db.prisma;
  const live = async (ids: (string | undefined)[]) => {
    const clean = ids.filter((x): x is string => Boolean(x));
    if (clean.length === 0) return [];
    const rows = await prisma.lead.findMany({
      where: { id: { in: clean } },
      select: { id: true, mergedIntoId: true },
    });
    return [...new Set(rows.map((r) => r.mergedIntoId ?? r.id))];
  };
  if (/^ld_[0-9a-f]{20}$/.test(ref)) return live([ref]);
  const byIdentity = async (kind: 'email' | 'phone' | 'zalo' | 'external', value: string) =>
    live([(await prisma.leadIdentity.findUnique({ where: { kind_value: { kind, value } } }))?.leadId]);
  const lower = ref.toLowerCase();
  if (lower.startsWith('zalo:')) return byIdentity('zalo', ref.slice(5).trim());
  if (lower.startsWith('ext:')) return byIdentity('external', ref.slice(4).trim());
  if (ref.includes('@')) {
    const email = normalizeEmail(ref);
    if (!email) throw new AppError('BAD_INPUT', `“${ref}” is not a valid email address`);
    return byIdentity('email', email);
  }
  const phone = /^[+\d][\d\s.\-()]{6,}$/.test(ref) ? normalizePhone(ref) : null;
  if (phone) return byIdentity('phone', phone);
  if (!allowName) {
    throw new AppError('BAD_INPUT', `“${ref}” is not a lead id, email, phone or zalo:<id>`);
  }
  const rows = await prisma.lead.findMany({
    where: {
      mergedIntoId: null,
      OR: [
        { name: { contains: ref, mode: 'insensitive' } },
        { company: { contains: ref, mode: 'insensitive' } },
      ],
    },
    select: { id: true },
    take: 20,
  });
  return rows.map((r) => r.id);
}

export interface StageHistoryItem {
  from: Stage;
  to: Stage;
  at: string;
  reason: string;
  reasonVi: string;
}

export interface LeadView {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  zaloUserId: string | null;
  externalId: string | null;
  company: string | null;
  title: string | null;
  companySize: number | null;
  industry: string | null;
  city: string | null;
  stage: Stage;
  score: number;
  fitScore: number;
  engagementScore: number;
  fastTracked: boolean;
  ownerId: string | null;
  bant: LeadState['bant'];
  doNotEmail: boolean;
  doNotContact: boolean;
  source: string | null;
  firstTouchAt: string | null;
  lastActivityAt: string | null;
  modelVersion: string;
  identities: { kind: string; value: string }[];
  stageHistory: StageHistoryItem[];
}

export async function showLead(deps: ReadDeps, leadId: string): Promise<LeadView> {
  await refreshLeads(deps, [leadId]);
  const lead = await deps.db.prisma.lead.findUnique({
    where: { id: leadId },
    include: {
      identities: { orderBy: { createdAt: 'asc' } },
      stageChanges: { orderBy: [{ at: 'asc' }, { createdAt: 'asc' }] },
    },
  });
  if (!lead) throw new AppError('NOT_FOUND', `No lead ${leadId}`);
  const state = decodeState(lead.state, (await deps.getModel()).model);
  const first = (kind: string) => lead.identities.find((i) => i.kind === kind)?.value ?? null;
  return {
    id: lead.id,
    name: lead.name,
    email: state.attributes.email ?? first('email'),
    phone: state.attributes.phone ?? first('phone'),
    zaloUserId: state.attributes.zaloUserId ?? first('zalo'),
    externalId: state.attributes.externalId ?? first('external'),
    company: lead.company,
    title: lead.title,
    companySize: lead.companySize,
    industry: lead.industry,
    city: lead.city,
    stage: lead.stage,
    score: lead.score,
    fitScore: lead.fitScore,
    engagementScore: lead.engagementScore,
    fastTracked: lead.fastTracked,
    ownerId: lead.ownerId,
    bant: state.bant,
    doNotEmail: lead.doNotEmail,
    doNotContact: lead.doNotContact,
    source: lead.source,
    firstTouchAt: lead.firstTouchAt?.toISOString() ?? null,
    lastActivityAt: lead.lastActivityAt?.toISOString() ?? null,
    modelVersion: lead.modelVersion,
    identities: lead.identities.map((i) => ({ kind: i.kind, value: i.value })),
    stageHistory: lead.stageChanges.map((s) => ({
      from: s.fromStage,
      to: s.toStage,
      at: s.at.toISOString(),
      reason: s.reason,
      reasonVi: s.reasonVi,
    })),
  };
}

export interface LeadExplanation extends Explanation {
  leadId: string;
  lead: { name: string | null; company: string | null; title: string | null };
}

export async function explainLead(deps: ReadDeps, leadId: string): Promise<LeadExplanation> {
  await refreshLeads(deps, [leadId]);
  const active = await deps.getModel();
  const lead = await deps.db.prisma.lead.findUnique({ where: { id: leadId } });
  if (!lead) throw new AppError('NOT_FOUND', `No lead ${leadId}`);
  const decayRows = await deps.db.prisma.scoreTrace.findMany({
    where: { leadId, revision: lead.revision, category: 'decay' },
    orderBy: { seq: 'asc' },
  });
  const decay: TraceEntryDraft[] = decayRows.map((t) => ({
    ruleId: t.ruleId,
    modelVersion: t.modelVersion,
    category: t.category as TraceCategory,
    points: t.points,
    fitDelta: t.fitDelta,
    engagementDelta: t.engagementDelta,
    scoreBefore: t.scoreBefore,
    scoreAfter: t.scoreAfter,
    reason: { en: t.reason, vi: t.reasonVi },
    ...(t.eventId ? { eventId: t.eventId } : {}),
    at: t.at.getTime(),
  }));
  const e = explain(active.model, decodeState(lead.state, active.model), decay, deps.now());
  return { ...e, leadId, lead: { name: lead.name, company: lead.company, title: lead.title } };
}

export interface LeadSummary {
  id: string;
  name: string | null;
  company: string | null;
  title: string | null;
  stage: Stage;
  score: number;
  fitScore: number;
  engagementScore: number;
  ownerId: string | null;
  lastActivityAt: string | null;
}

export async function topLeads(
  deps: ReadDeps,
  opts: { stage?: Stage; limit?: number; ownerId?: string },
): Promise<LeadSummary[]> {
  const limit = opts.limit ?? 10;
  const where = {
    mergedIntoId: null,
    ...(opts.stage ? { stage: opts.stage } : {}),
    ...(opts.ownerId ? { ownerId: opts.ownerId } : {}),
  };
  // Bring the candidates up to now first: decay may reorder them.
  const candidates = await deps.db.prisma.lead.findMany({
    where,
    orderBy: [{ score: 'desc' }, { updatedAt: 'desc' }],
    take: limit * 2,
    select: { id: true },
  });
  await refreshLeads(
    deps,
    candidates.map((c) => c.id),
  );
  const rows = await deps.db.prisma.lead.findMany({
    where,
    orderBy: [{ score: 'desc' }, { updatedAt: 'desc' }],
    take: limit,
  });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    company: r.company,
    title: r.title,
    stage: r.stage,
    score: r.score,
    fitScore: r.fitScore,
    engagementScore: r.engagementScore,
    ownerId: r.ownerId,
    lastActivityAt: r.lastActivityAt?.toISOString() ?? null,
  }));
}
