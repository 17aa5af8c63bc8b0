/**
 * Managers' daily digest: subscriptions (a local time of day in the manager's time zone), the
 * compare-and-set that claims a due digest exactly once whatever the number of workers, and the
 * figures of one digest — what happened in the 24 h before its due time.
 *
 * Time zones go through Intl only: a local wall time is turned into an instant by trying the
 * UTC offsets in force a day before and a day after it, so DST-less zones (Asia/Ho_Chi_Minh)
 * and DST zones (America/New_York) come out right, including the skipped and repeated hours.
 *
 * The figures are read with plain SQL (`loadDigestRows`) and summarised by a pure function
 * (`summariseDigest`), so every rule below is testable without a database:
 * - new SQLs: leads with a stage change to SQL in [at − 24 h, at) (a lead counts once);
 * - unclaimed SQLs: leads now at SQL with no owner (not merged), oldest SQL crossing first;
 * - claimed per rep: assignments whose claimed_at is in the window;
 * - disqualified per rep: stage changes to DISQUALIFIED in the window, attributed to the rep
 *   named by the event's actor (`rep:<name|id|email>`) or by the Slack alert's status_by;
 * - median time to claim: claimed_at − the lead's latest SQL crossing before it;
 * - dropped by decay: stage changes from SQL/MQL to a lower stage without an event, at an
 *   instant where the lead's trace has a `decay` entry (award expiry or inactivity reset);
 * - top sources: lead.source of the new SQLs;
 * - trend: new SQLs per local day over the 7 full days before the digest's day.
 */
import type { Database } from '../db/client.ts';
import type { Sql } from '../db/sql.ts';
import { AppError } from '../errors/app-error.ts';
import type { Stage } from '../scoring/types.ts';
import { newId } from './ids.ts';

export const DAY_MS = 86_400_000;
export const DEFAULT_DIGEST_TIME_ZONE = 'Asia/Ho_Chi_Minh';
const TREND_DAYS = 7;

// ---------------------------------------------------------------------------------------------
// Time of day and time zones

export interface TimeOfDay {
  hour: number;
  minute: number;
}

/** "08:30", "8:30", "8h30", "08.30" → { hour: 8, minute: 30 }; null unless 00:00–23:59. */
export function parseTimeOfDay(text: string): TimeOfDay | null {
  const m = /^(\d{1,2})\s*[:hH.]\s*(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  if (hour > 23 || minute > 59) return null;
  return { hour, minute };
}

/** "08:30". */
export function formatTimeOfDay(t: TimeOfDay): string {
  return `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
}

const ZONE_FORMATS = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let f = ZONE_FORMATS.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    ZONE_FORMATS.set(timeZone, f);
  }
  return f;
}

/** Whether Intl knows the IANA zone (Slack's `tz` is one; anything else is refused). */
export function isTimeZone(timeZone: string): boolean {
  try {
    zoneFormat(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** A wall-clock reading in some zone (month 1–12, weekday 0 = Sunday). */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

export function localTime(at: number, timeZone: string): LocalTime {
  const p: Record<string, number> = {};
  for (const part of zoneFormat(timeZone).formatToParts(at)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const year = p.year ?? 1970;
  const month = p.month ?? 1;
  const day = p.day ?? 1;
  return {
    year,
    month,
    day,
    hour: p.hour ?? 0,
    minute: p.minute ?? 0,
    second: p.second ?? 0,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

/** The zone's UTC offset at `at`, in ms (Asia/Ho_Chi_Minh: +7 h). */
export function zoneOffsetMs(at: number, timeZone: string): number {
  const l = localTime(at, timeZone);
  const wall = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return wall - Math.floor(at / 1000) * 1000;
}

/**
 * The instant the zone's clocks show `year-month-day hour:minute`. A wall time skipped by a DST
 * jump is taken as shifted forward by the jump (02:30 → 03:30); a repeated one as its first
 * occurrence. Day and month overflow like Date.UTC's (day 32 is the 1st of the next month).
 */
export function zonedInstant(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const before = zoneOffsetMs(wall - DAY_MS, timeZone);
  const after = zoneOffsetMs(wall + DAY_MS, timeZone);
  const valid = [wall - before, wall - after].filter((t) => zoneOffsetMs(t, timeZone) === wall - t);
  return valid.length > 0 ? Math.min(...valid) : wall - before;
}

/** The first instant strictly after `after` at which the zone's clocks show `time`. */
export function nextOccurrence(time: TimeOfDay, timeZone: string, after: number): number {
  const l = localTime(after, timeZone);
  for (let d = 0; ; d++) {
    const t = zonedInstant(timeZone, l.year, l.month, l.day + d, time.hour, time.minute);
    if (t > after) return t;
  }
}

/** Local midnight starting the day that contains `at`, `offsetDays` days later (may be negative). */
export function startOfLocalDay(at: number, timeZone: string, offsetDays = 0): number {
  const l = localTime(at, timeZone);
  return zonedInstant(timeZone, l.year, l.month, l.day + offsetDays, 0, 0);
}

// ---------------------------------------------------------------------------------------------
// Subscriptions

/** A subscription row as the database holds it. */
type SubscriptionRecord = {
  id: string;
  repId: string;
  slackUserId: string;
  /** HH:MM, 24 h. */
  timeOfDay: string;
  timeZone: string;
  active: boolean;
  nextRunAt: Date;
  lastSentAt: Date | null;
};

/** A subscription with its instants in ms. */
export type DigestSubscriptionView = Omit<SubscriptionRecord, 'nextRunAt' | 'lastSentAt'> & {
  nextRunAt: number;
  lastSentAt: number | null;
};

function toView(r: SubscriptionRecord): DigestSubscriptionView {
  return {
    id: r.id,
    repId: r.repId,
    slackUserId: r.slackUserId,
    timeOfDay: r.timeOfDay,
    timeZone: r.timeZone,
    active: r.active,
    nextRunAt: r.nextRunAt.getTime(),
    lastSentAt: r.lastSentAt?.getTime() ?? null,
  };
}

/** Creates or replaces the rep's subscription, due next at the first `time` after `now`. */
export async function subscribeDigest(
  db: Database,
  input: { repId: string; slackUserId: string; time: TimeOfDay; timeZone: string; now: number },
): Promise<DigestSubscriptionView> {
  if (!isTimeZone(input.timeZone)) throw new AppError('BAD_INPUT', `Unknown time zone “${input.timeZone}”`);
  const data = {
    slackUserId: input.slackUserId,
    timeOfDay: formatTimeOfDay(input.time),
    timeZone: input.timeZone,
    active: true,
    nextRunAt: new Date(nextOccurrence(input.time, input.timeZone, input.now)),
  };
  const row = await db.prisma.digestSubscription.upsert({
    where: { repId: input.repId },
    create: { id: newId('dg'), repId: input.repId, ...data },
    update: data,
  });
  return toView(row);
}

/** Turns the rep's digest off; false when there was none on. */
export async function stopDigest(db: Database, repId: string): Promise<boolean> {
  const { count } = await db.prisma.digestSubscription.updateMany({
    where: { repId, active: true },
    data: { active: false },
  });
  return count > 0;
}

export async function digestSubscriptionOf(
  db: Database,
  repId: string,
): Promise<DigestSubscriptionView | null> {
  const row = await db.prisma.digestSubscription.findUnique({ where: { repId } });
  return row ? toView(row) : null;
}

/**
 * The rep's subscription for an on-demand digest: theirs, or a new inactive one (nothing is
 * scheduled) that records where to send it and in which zone.
 */
export async function digestTarget(
  db: Database,
  input: { repId: string; slackUserId: string; timeZone: string; now: number },
): Promise<DigestSubscriptionView> {
  const row = await db.prisma.digestSubscription.upsert({
    where: { repId: input.repId },
    create: {
      id: newId('dg'),
      repId: input.repId,
      slackUserId: input.slackUserId,
      timeOfDay: '08:00',
      timeZone: input.timeZone,
      active: false,
      nextRunAt: new Date(input.now),
    },
    update: {},
  });
  return toView(row);
}

/**
 * The due time a digest claimed late is for: the latest occurrence not after `now` (after a
 * long outage one digest is sent, for the latest missed time, not one per missed day).
 */
export function latestDue(time: TimeOfDay, timeZone: string, due: number, now: number): number {
  let at = due;
  for (
    let next = nextOccurrence(time, timeZone, at);
    next <= now;
    next = nextOccurrence(time, timeZone, at)
  ) {
    at = next;
  }
  return at;
}

export interface ClaimedDigest {
  subscriptionId: string;
  /** The due time this digest is for. */
  at: number;
  /** The next due time the claim moved the subscription to. */
  next: number;
}

/**
 * Claims every active subscription due at `now`: each is moved to its next occurrence with a
 * compare-and-set on its old due time, so of any number of concurrent ticks exactly one gets it.
 */
export async function claimDueDigests(db: Database, now: number, limit = 500): Promise<ClaimedDigest[]> {
  const due = await db.transaction((tx) =>
    tx.query<{ id: string; next_run_at: Date; time_of_day: string; time_zone: string }>(
      `SELECT id, next_run_at, time_of_day, time_zone FROM digest_subscription
       WHERE active AND next_run_at <= $1::timestamptz ORDER BY next_run_at LIMIT $2`,
      [new Date(now).toISOString(), limit],
    ),
  );
  const claimed: ClaimedDigest[] = [];
  for (const row of due) {
    const time = parseTimeOfDay(row.time_of_day);
    const old = row.next_run_at.getTime();
    const zone = isTimeZone(row.time_zone) ? row.time_zone : DEFAULT_DIGEST_TIME_ZONE;
    const at = time ? latestDue(time, zone, old, now) : old;
    // A row whose time cannot be read is pushed a day on, so it does not fire every minute.
    const next = time ? nextOccurrence(time, zone, at) : now + DAY_MS;
    const won = await db.transaction((tx) =>
      tx.execute(
        `UPDATE digest_subscription SET next_run_at = $3::timestamptz
         WHERE id = $1 AND active AND next_run_at = $2::timestamptz`,
        [row.id, new Date(old).toISOString(), new Date(next).toISOString()],
      ),
    );
    if (won === 1 && time) claimed.push({ subscriptionId: row.id, at, next });
  }
  return claimed;
}

/** Gives a claim back (its job could not be enqueued): the next tick claims it again. */
export async function releaseDigest(db: Database, claim: ClaimedDigest): Promise<void> {
  await db.transaction((tx) =>
    tx.execute(
      `UPDATE digest_subscription SET next_run_at = $2::timestamptz WHERE id = $1 AND next_run_at = $3::timestamptz`,
      [claim.subscriptionId, new Date(claim.at).toISOString(), new Date(claim.next).toISOString()],
    ),
  );
}

/** Records (in the caller's transaction) that the digest was queued for sending. */
export async function markDigestSent(tx: Sql, subscriptionId: string, now: number): Promise<void> {
  await tx.execute('UPDATE digest_subscription SET last_sent_at = $2::timestamptz WHERE id = $1', [
    subscriptionId,
    new Date(now).toISOString(),
  ]);
}

// ---------------------------------------------------------------------------------------------
// The figures

export interface DigestLead {
  leadId: string;
  name: string | null;
  company: string | null;
}

/** What the database holds for one digest (instants in ms); see `loadDigestRows`. */
export interface DigestRows {
  /** Stage changes to SQL since the trend's first day (lead details for the window's). */
  crossings: (DigestLead & { at: number; source: string | null })[];
  unclaimed: UnclaimedSql[];
  unclaimedTotal: number;
  claims: { repId: string; repName: string; claimedAt: number; sqlAt: number | null }[];
  disqualifications: { leadId: string; at: number; repId: string | null; repName: string | null }[];
  decayed: (DigestLead & { from: Stage; to: Stage; at: number })[];
}

export interface RepActivity {
  repId: string | null;
  /** Null for disqualifications no rep is named for. */
  name: string | null;
  claimed: number;
  disqualified: number;
}

export interface TrendDay {
  /** Local midnight starting the day. */
  start: number;
  weekday: number;
  day: number;
  month: number;
  count: number;
}

export interface DigestFigures {
  at: number;
  from: number;
  timeZone: string;
  /** First crossing of each lead in the window, in order. */
  newSqls: (DigestLead & { at: number; source: string | null })[];
  /** Oldest SQL crossing first; `unclaimedTotal` counts those not listed too. */
  unclaimed: UnclaimedSql[];
  unclaimedTotal: number;
  reps: RepActivity[];
  claimMedianMs: number | null;
  /** Claims with a known SQL crossing (the median's sample). */
  claimSamples: number;
  decayed: (DigestLead & { from: Stage; to: Stage; at: number })[];
  topSources: { source: string | null; count: number }[];
  trend: TrendDay[];
}

/** The 7 full local days before the day that contains `at` (counts zero). */
export function trendDays(at: number, timeZone: string, days = TREND_DAYS): TrendDay[] {
  const out: TrendDay[] = [];
  for (let i = days; i >= 1; i--) {
    const start = startOfLocalDay(at, timeZone, -i);
    const l = localTime(start, timeZone);
    out.push({ start, weekday: l.weekday, day: l.day, month: l.month, count: 0 });
  }
  return out;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const TOP_SOURCES = 5;

/** The digest's figures from its rows (pure). */
export function summariseDigest(rows: DigestRows, at: number, timeZone: string): DigestFigures {
  const from = at - DAY_MS;
  const newSqls: DigestFigures['newSqls'] = [];
  const seen = new Set<string>();
  for (const c of [...rows.crossings].sort((a, b) => a.at - b.at)) {
    if (c.at < from || c.at >= at || seen.has(c.leadId)) continue;
    seen.add(c.leadId);
    newSqls.push(c);
  }

  const trend = trendDays(at, timeZone);
  const end = startOfLocalDay(at, timeZone);
  for (let i = 0; i < trend.length; i++) {
    const day = trend[i]!;
    const until = trend[i + 1]?.start ?? end;
    const leads = new Set(
      rows.crossings.filter((c) => c.at >= day.start && c.at < until).map((c) => c.leadId),
    );
    day.count = leads.size;
  }

  const sources = new Map<string | null, number>();
  for (const s of newSqls) sources.set(s.source, (sources.get(s.source) ?? 0) + 1);
  const topSources = [...sources]
    .map(([source, count]) => ({ source, count }))
    .sort((a, b) => b.count - a.count || (a.source ?? '\uffff').localeCompare(b.source ?? '\uffff'))
    .slice(0, TOP_SOURCES);

  const reps = new Map<string | null, RepActivity>();
  const repOf = (repId: string | null, name: string | null) => {
    let r = reps.get(repId);
    if (r === undefined) {
      r = { repId, name, claimed: 0, disqualified: 0 };
      reps.set(repId, r);
    }
    return r;
  };
  const samples: number[] = [];
  for (const c of rows.claims) {
    if (c.claimedAt < from || c.claimedAt >= at) continue;
    repOf(c.repId, c.repName).claimed++;
    if (c.sqlAt !== null && c.sqlAt <= c.claimedAt) samples.push(c.claimedAt - c.sqlAt);
  }
  for (const d of rows.disqualifications) {
    if (d.at < from || d.at >= at) continue;
    repOf(d.repId, d.repName).disqualified++;
  }

  return {
    at,
    from,
    timeZone,
    newSqls,
    unclaimed: [...rows.unclaimed].sort((a, b) => (a.sqlAt ?? 0) - (b.sqlAt ?? 0)),
    unclaimedTotal: Math.max(rows.unclaimedTotal, rows.unclaimed.length),
    reps: [...reps.values()].sort(
      (a, b) =>
        Number(a.repId === null) - Number(b.repId === null) ||
        b.claimed + b.disqualified - (a.claimed + a.disqualified) ||
        (a.name ?? '').localeCompare(b.name ?? ''),
    ),
    claimMedianMs: median(samples),
    claimSamples: samples.length,
    decayed: rows.decayed.filter((d) => d.at >= from && d.at < at).sort((a, b) => a.at - b.at),
    topSources,
    trend,
  };
}

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());
const leadOf = (r: { lead_id: string; name: string | null; company: string | null }): DigestLead => ({
  leadId: r.lead_id,
  name: r.name,
  company: r.company,
});

export type UnclaimedSql = DigestLead & { score: number; sqlAt: number | null };

/** Leads now at SQL with no owner (merged ones left out), oldest SQL crossing first. */
async function unclaimedSqls(tx: Sql, limit: number): Promise<{ leads: UnclaimedSql[]; total: number }> {
  const rows = await tx.query<{
    lead_id: string;
    name: string | null;
    company: string | null;
    score: number;
    sql_at: Date | null;
    total: string | number;
  }>(
    `SELECT l.id AS lead_id, l.name, l.company, l.score, count(*) OVER () AS total,
       (SELECT max(sc.at) FROM stage_change sc WHERE sc.lead_id = l.id AND sc.to_stage = 'SQL') AS sql_at
     FROM lead l
     WHERE l.stage = 'SQL' AND l.owner_id IS NULL AND l.merged_into_id IS NULL
     ORDER BY sql_at ASC NULLS FIRST, l.id LIMIT $1`,
    [limit],
  );
  return {
    leads: rows.map((u) => ({ ...leadOf(u), score: u.score, sqlAt: ms(u.sql_at) })),
    total: Number(rows[0]?.total ?? 0),
  };
}

/** The rows of the digest due at `at` (see the file comment for each figure's definition). */
export async function loadDigestRows(
  db: Database,
  at: number,
  timeZone: string,
  opts: { unclaimedLimit?: number } = {},
): Promise<DigestRows> {
  const from = at - DAY_MS;
  const since = Math.min(from, trendDays(at, timeZone)[0]?.start ?? from);
  const p = [new Date(from).toISOString(), new Date(at).toISOString()];
  return db.transaction(async (tx) => {
    const crossings = await tx.query<{
      lead_id: string;
      at: Date;
      name: string | null;
      company: string | null;
      source: string | null;
    }>(
      `SELECT sc.lead_id, sc.at, l.name, l.company, l.source
       FROM stage_change sc JOIN lead l ON l.id = sc.lead_id
       WHERE sc.to_stage = 'SQL' AND sc.from_stage <> 'SQL' AND sc.at >= $1::timestamptz AND sc.at < $2::timestamptz
       ORDER BY sc.at`,
      [new Date(since).toISOString(), p[1]],
    );
    const unclaimed = await unclaimedSqls(tx, opts.unclaimedLimit ?? 50);
    const claims = await tx.query<{
      rep_id: string;
      rep_name: string;
      claimed_at: Date;
      sql_at: Date | null;
    }>(
      `SELECT a.rep_id, r.name AS rep_name, a.claimed_at,
         (SELECT max(sc.at) FROM stage_change sc
          WHERE sc.lead_id = a.lead_id AND sc.to_stage = 'SQL' AND sc.at <= a.claimed_at) AS sql_at
       FROM assignment a JOIN rep r ON r.id = a.rep_id
       WHERE a.claimed_at >= $1::timestamptz AND a.claimed_at < $2::timestamptz`,
      p,
    );
    const disqualifications = await tx.query<{
      lead_id: string;
      at: Date;
      rep_id: string | null;
      rep_name: string | null;
    }>(
      `SELECT sc.lead_id, sc.at, r.id AS rep_id, r.name AS rep_name
       FROM stage_change sc
       LEFT JOIN LATERAL (
         SELECT r.id, r.name, 1 AS pref FROM event e JOIN rep r
           ON e.payload->>'actor' IN ('rep:' || r.name, 'rep:' || r.id, 'rep:' || r.email)
         WHERE e.id = sc.event_id
         UNION ALL
         SELECT r.id, r.name, 2 AS pref FROM slack_alert sa JOIN rep r ON r.slack_user_id = sa.status_by
         WHERE sa.lead_id = sc.lead_id AND sa.status = 'disqualified'
         ORDER BY pref LIMIT 1
       ) r ON true
       WHERE sc.to_stage = 'DISQUALIFIED' AND sc.at >= $1::timestamptz AND sc.at < $2::timestamptz`,
      p,
    );
    const decayed = await tx.query<{
      lead_id: string;
      from_stage: Stage;
      to_stage: Stage;
      at: Date;
      name: string | null;
      company: string | null;
    }>(
      `SELECT sc.lead_id, sc.from_stage, sc.to_stage, sc.at, l.name, l.company
       FROM stage_change sc JOIN lead l ON l.id = sc.lead_id
       WHERE sc.from_stage IN ('SQL', 'MQL') AND sc.to_stage IN ('NEW', 'WARM', 'MQL')
         AND sc.from_stage <> sc.to_stage AND sc.event_id IS NULL
         AND sc.at >= $1::timestamptz AND sc.at < $2::timestamptz
         AND EXISTS (SELECT 1 FROM score_trace t
                     WHERE t.lead_id = sc.lead_id AND t.at = sc.at AND t.category = 'decay')
       ORDER BY sc.at`,
      p,
    );
    return {
      crossings: crossings.map((c) => ({ ...leadOf(c), source: c.source, at: c.at.getTime() })),
      unclaimed: unclaimed.leads,
      unclaimedTotal: unclaimed.total,
      claims: claims.map((c) => ({
        repId: c.rep_id,
        repName: c.rep_name,
        claimedAt: c.claimed_at.getTime(),
        sqlAt: ms(c.sql_at),
      })),
      disqualifications: disqualifications.map((d) => ({
        leadId: d.lead_id,
        at: d.at.getTime(),
        repId: d.rep_id,
        repName: d.rep_name,
      })),
      decayed: decayed.map((d) => ({
        ...leadOf(d),
        from: d.from_stage,
        to: d.to_stage,
        at: d.at.getTime(),
      })),
    };
  });
}

/** The digest due at `at`, for a manager in `timeZone`. */
export async function computeDigest(db: Database, at: number, timeZone: string): Promise<DigestFigures> {
  return summariseDigest(await loadDigestRows(db, at, timeZone), at, timeZone);
}

// ---------------------------------------------------------------------------------------------
// App Home figures

export const FUNNEL_STAGES = ['NEW', 'WARM', 'MQL', 'SQL', 'DISQUALIFIED', 'WON', 'LOST'] as const;

/** Leads per stage (merged leads not counted), every stage present. */
export async function funnelCounts(db: Database): Promise<Record<Stage, number>> {
  const rows = await db.transaction((tx) =>
    tx.query<{ stage: Stage; n: string | number }>(
      'SELECT stage, count(*) AS n FROM lead WHERE merged_into_id IS NULL GROUP BY stage',
    ),
  );
  const out = Object.fromEntries(FUNNEL_STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  for (const r of rows) out[r.stage] = Number(r.n);
  return out;
}

/** The team's unclaimed SQLs, oldest SQL crossing first, and how many there are in all. */
export async function openSqls(
  db: Database,
  limit: number,
): Promise<{ leads: UnclaimedSql[]; total: number }> {
  return db.transaction((tx) => unclaimedSqls(tx, limit));
}
