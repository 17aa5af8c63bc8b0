/**
 * SQL alerts in Slack: the chat channel the outbox delivers to. Delivering an alert routes the
 * lead to a rep, records the alert and queues its sends (the channel post and the rep's DM) in
 * one transaction, keyed by the outbox row, so a re-delivery adds nothing. The message itself
 * is rendered when it is sent, from the alert row and the lead as of then; every later change
 * (claim, snooze, disqualify) bumps the alert's version and queues a `chat.update`.
 */
import type { ChatChannel, SqlAlert } from '../../bot/chat-port.ts';
import type { Sql } from '../../db/sql.ts';
import { newId } from '../../domain/ids.ts';
import { refreshLeads } from '../../domain/decay.ts';
import { explainLead, type LeadExplanation, type ReadDeps } from '../../domain/leads.ts';
import type { Lang, Stage } from '../../scoring/types.ts';
import { transcriptOf } from '../zalo/transcript.ts';
import { esc, renderAlert } from './blocks.ts';
import type { AlertStatus, AlertView, SlackPerson } from './contract.ts';
import {
  enqueueSends,
  insertSends,
  type Materialised,
  type SendRequest,
  type SenderDeps,
  textPost,
} from './sender.ts';

export interface AlertDeps extends ReadDeps {
  queue: SenderDeps['queue'];
  logger: SenderDeps['logger'];
  sqlChannel: string;
  slaMs: number;
  lang: Lang;
  timeZone: string;
}

/** Thrown while an alert's channel post has not happened yet: the update job retries later. */
export class AlertNotPostedYet extends Error {}

export function createSlackChannel(deps: AlertDeps): ChatChannel {
  return {
    name: 'slack',
    async deliverSqlAlert(alert: SqlAlert) {
      const ids = await deps.db.transaction(async (tx) => {
        const rep = await routeLead(tx, alert.leadId);
        const alertId = newId('sa');
        const inserted = await tx.query<{ id: string }>(
          `INSERT INTO slack_alert (id, lead_id, outbox_id, channel, rep_id, lang, crossed_at, sla_due_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz, $9::timestamptz)
           ON CONFLICT (outbox_id) DO NOTHING RETURNING id`,
          [
            alertId,
            alert.leadId,
            alert.outboxId,
            deps.sqlChannel,
            rep?.id ?? null,
            rep?.language === 'en' ? 'en' : deps.lang,
            new Date(alert.crossedAt).toISOString(),
            new Date(deps.now() + deps.slaMs).toISOString(),
            new Date(deps.now()).toISOString(),
          ],
        );
        if (inserted.length === 0) return []; // delivered before: its sends exist already
        const sends: SendRequest[] = [
          {
            dedupeKey: `alert:${alert.outboxId}:post`,
            kind: 'post',
            channel: deps.sqlChannel,
            payload: { alertId, as: 'alert' },
            alertId,
          },
        ];
        if (rep?.slack_user_id) {
          sends.push({
            dedupeKey: `alert:${alert.outboxId}:dm`,
            kind: 'post',
            channel: rep.slack_user_id,
            payload: { alertId, as: 'dm' },
            alertId,
          });
        }
        return insertSends(tx, sends, deps.now());
      });
      await enqueueSends(deps.queue, ids, deps.logger);
    },
  };
}

interface RoutedRep {
  id: string;
  slack_user_id: string | null;
  language: string;
}

/** Routing attempts before giving up on a rep whose cap concurrent routings keep filling. */
const ROUTING_TRIES = 5;

/**
 * Round-robin among active reps under their cap of open SQLs, preferring reps whose territory
 * matches the lead's city or whose industries include the lead's industry; the least recently
 * routed eligible rep gets the lead. Only reps Slack knows (linked by id or email) can be
 * mentioned and DM'd, so only they are routed to. Null when no rep is eligible (the alert
 * still posts, unassigned).
 *
 * Concurrent routings do not wait for each other: each locks the rep it chooses (the rep's
 * row, until its transaction ends). Among the reps of the best class (matching, else all) it
 * takes the first one no other routing holds, so simultaneous alerts go to successive reps;
 * when every rep of that class is held it waits for the first rather than settle for a worse
 * match. Once it holds the rep it checks the cap again: every routing to that rep before it has
 * committed, so the count is exact and caps hold however many workers route at once.
 */
export async function routeLead(tx: Sql, leadId: string): Promise<RoutedRep | null> {
  const excluded: string[] = [];
  for (let attempt = 0; attempt < ROUTING_TRIES; attempt++) {
    const ranked = await tx.query<{ id: string; matches: boolean }>(
      `WITH l AS (SELECT city, industry FROM lead WHERE id = $1)
       SELECT r.id,
              coalesce((r.territory IS NOT NULL AND lower(r.territory) = lower(l.city))
                OR (l.industry IS NOT NULL AND lower(l.industry) = ANY (SELECT lower(x) FROM unnest(r.industries) x)), false) AS matches
       FROM rep r CROSS JOIN l
       WHERE r.active AND r.role = 'rep' AND r.slack_user_id IS NOT NULL AND NOT (r.id = ANY($2::text[]))
         AND ${OPEN_SQLS} < r.max_open_sql
       ORDER BY 2 DESC,
         (SELECT max(a.created_at) FROM slack_alert a WHERE a.rep_id = r.id) ASC NULLS FIRST,
         r.created_at, r.id`,
      [leadId, excluded],
    );
    const best = ranked[0];
    if (!best) return null;
    const candidates = ranked.filter((r) => r.matches === best.matches).map((r) => r.id);
    const [free] = await tx.query<{ id: string }>(
      `SELECT id FROM rep WHERE id = ANY($1::text[])
       ORDER BY array_position($1::text[], id) LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [candidates],
    );
    const chosen = free?.id ?? best.id;
    if (!free) await tx.query('SELECT id FROM rep WHERE id = $1 FOR UPDATE', [chosen]);
    // A new statement sees every routing to this rep that committed before we got its row.
    const [rep] = await tx.query<RoutedRep>(
      `SELECT r.id, r.slack_user_id, r.language FROM rep r
       WHERE r.id = $1 AND r.active AND ${OPEN_SQLS} < r.max_open_sql`,
      [chosen],
    );
    if (rep) return rep;
    excluded.push(chosen);
  }
  return null;
}

/** Open SQLs of rep `r`: its owned SQL leads and its open or snoozed alerts. */
const OPEN_SQLS = `((SELECT count(*) FROM lead o WHERE o.owner_id = r.id AND o.stage = 'SQL')
  + (SELECT count(*) FROM slack_alert a WHERE a.rep_id = r.id AND a.status IN ('open', 'snoozed')))`;

interface AlertRow {
  id: string;
  lead_id: string;
  channel: string;
  ts: string | null;
  status: string;
  status_by: string | null;
  status_reason: string | null;
  status_at: Date | null;
  snoozed_until: Date | null;
  lang: string;
  crossed_at: Date;
  rep_id: string | null;
}

/** The routed rep's DM: who, the score as of now, and where to claim it (no explanation needed). */
async function materialiseDm(deps: AlertDeps, alertId: string): Promise<Materialised | null> {
  const [alert] = await deps.db.sql.query<{ lead_id: string }>(
    'SELECT lead_id FROM slack_alert WHERE id = $1',
    [alertId],
  );
  if (!alert) return null;
  await refreshLeads(deps, [alert.lead_id]);
  const [d] = await deps.db.sql.query<{
    channel: string;
    lang: string;
    name: string | null;
    title: string | null;
    company: string | null;
    score: number;
  }>(
    `SELECT a.channel, a.lang, l.name, l.title, l.company, l.score
     FROM slack_alert a JOIN lead l ON l.id = a.lead_id WHERE a.id = $1`,
    [alertId],
  );
  if (!d) return null;
  const who = esc([d.name, d.title, d.company].filter(Boolean).join(' · '));
  return {
    message: {
      text:
        d.lang === 'en'
          ? `🔥 A new SQL lead is routed to you: ${who} — score ${d.score}. See and claim it in <#${d.channel}>.`
          : `🔥 Bạn được giao một lead SQL mới: ${who} — ${d.score} điểm. Xem và nhận trong <#${d.channel}>.`,
      blocks: [],
    },
  };
}

/** Renders an alert for its channel post, its DM or an update (sender's `renderAlert`). */
export async function materialiseAlert(
  deps: AlertDeps,
  alertId: string,
  as: 'alert' | 'dm' | 'update',
): Promise<Materialised | null> {
  if (as === 'dm') return materialiseDm(deps, alertId);
  const view = await alertView(deps, alertId);
  if (!view) return null;
  const { row } = view;
  const message = renderAlert(view.view);
  if (as === 'update') {
    if (!row.ts) throw new AlertNotPostedYet(`alert ${alertId} is not posted yet`);
    return { message, ts: row.ts };
  }
  return {
    message,
    onSent: async (tx, ts) => {
      await tx.execute('UPDATE slack_alert SET ts = $2 WHERE id = $1 AND ts IS NULL', [alertId, ts]);
      return bindZaloThread(tx, row.lead_id, row.channel, ts, deps.now());
    },
  };
}

async function alertView(
  deps: AlertDeps,
  alertId: string,
): Promise<{ row: AlertRow; view: AlertView } | null> {
  const [row] = await deps.db.sql.query<AlertRow>(
    `SELECT id, lead_id, channel, ts, status, status_by, status_reason, status_at, snoozed_until, lang, crossed_at, rep_id
       FROM slack_alert WHERE id = $1`,
    [alertId],
  );
  if (!row) return null;
  const e = await explainLead(deps, row.lead_id);
  const lead = await deps.db.prisma.lead.findUnique({
    where: { id: row.lead_id },
    select: { source: true, firstTouchAt: true },
  });
  const people = await peopleById(
    deps,
    [row.rep_id, row.status_by].filter((x): x is string => !!x),
  );
  const by = row.status_by ? (people.get(row.status_by) ?? null) : null;
  const at = row.status_at?.getTime() ?? deps.now();
  const status: AlertStatus =
    row.status === 'claimed' && by
      ? { kind: 'claimed', rep: by, at }
      : row.status === 'snoozed' && row.snoozed_until
        ? { kind: 'snoozed', until: row.snoozed_until.getTime(), by }
        : row.status === 'disqualified'
          ? { kind: 'disqualified', reason: row.status_reason ?? '', by, at }
          : { kind: 'open' };
  const reasons = e.factors
    .filter((f) => f.points > 0)
    .sort((a, b) => b.points - a.points)
    .slice(0, 3)
    .map((f) => ({ points: f.points, reason: f.reason }));
  return {
    row,
    view: {
      leadId: row.lead_id,
      name: e.lead.name,
      title: e.lead.title,
      company: e.lead.company,
      score: e.score,
      stage: e.stage as Stage,
      reasons,
      bant: bantLines(e.bant),
      source: lead?.source ?? null,
      firstTouchAt: lead?.firstTouchAt?.getTime() ?? null,
      crossedAt: row.crossed_at.getTime(),
      assignee: row.rep_id ? (people.get(row.rep_id) ?? null) : null,
      status,
      lang: row.lang === 'en' ? 'en' : 'vi',
      now: deps.now(),
      timeZone: deps.timeZone,
    },
  };
}

/** The explanation's BANT status as the alert and the BANT edit modal show it. */
export function bantLines(bant: LeadExplanation['bant']): AlertView['bant'] {
  const line = (b: LeadExplanation['bant']['budget']) => ({
    known: b.known,
    points: b.points,
    ...(b.value ? { value: b.value } : {}),
  });
  return {
    budget: line(bant.budget),
    authority: line(bant.authority),
    need: line(bant.need),
    timeline: line(bant.timeline),
  };
}

/** Reps (by rep id) or Slack users (by Slack id) as people to show. */
async function peopleById(deps: AlertDeps, ids: string[]): Promise<Map<string, SlackPerson>> {
  const out = new Map<string, SlackPerson>();
  if (ids.length === 0) return out;
  const reps = await deps.db.prisma.rep.findMany({
    where: { OR: [{ id: { in: ids } }, { slackUserId: { in: ids } }] },
  });
  for (const r of reps) {
    const person = { slackUserId: r.slackUserId, name: r.name };
    out.set(r.id, person);
    if (r.slackUserId) out.set(r.slackUserId, person);
  }
  for (const id of ids) if (!out.has(id) && /^[UW]/.test(id)) out.set(id, { slackUserId: id, name: id });
  return out;
}

export type AlertChange =
  | { kind: 'claimed'; by: string }
  | { kind: 'snoozed'; by: string; until: number }
  | { kind: 'disqualified'; by: string; reason: string }
  | { kind: 'reopened' };

/**
 * Applies a change to every live alert of the lead (in the caller's transaction) and queues
 * their in-place updates; returns the new send ids to enqueue after commit.
 */
export async function changeAlerts(
  tx: Sql,
  leadId: string,
  change: AlertChange,
  now: number,
  slaMs: number,
): Promise<string[]> {
  const status = change.kind === 'reopened' ? 'open' : change.kind;
  const rows = await tx.query<{ id: string; channel: string; version: number }>(
    `UPDATE slack_alert SET status = $2, status_by = $3, status_reason = $4, status_at = $5::timestamptz,
       snoozed_until = $6::timestamptz, version = version + 1,
       sla_due_at = CASE WHEN $2 = 'open' THEN $7::timestamptz ELSE sla_due_at END
     WHERE lead_id = $1 AND status <> 'disqualified' AND NOT (status = 'claimed' AND $2 = 'snoozed')
     RETURNING id, channel, version`,
    [
      leadId,
      status,
      'by' in change ? change.by : null,
      change.kind === 'disqualified' ? change.reason : null,
      new Date(now).toISOString(),
      change.kind === 'snoozed' ? new Date(change.until).toISOString() : null,
      new Date(now + slaMs).toISOString(),
    ],
  );
  return insertSends(
    tx,
    rows.map((r) => ({
      dedupeKey: `alert:${r.id}:v${r.version}`,
      kind: 'update' as const,
      channel: r.channel,
      payload: { alertId: r.id, as: 'update' as const },
      alertId: r.id,
    })),
    now,
  );
}

/**
 * The alert SLA, run by the `slack.sweep` job: an alert still unclaimed past its due time is
 * re-pinged to its rep (in its thread and by DM) and escalated to the managers, once; a
 * snoozed alert whose time has come is back open with a fresh SLA. Every step is a
 * compare-and-set, so concurrent sweeps do each thing once.
 */
export async function sweepAlerts(deps: AlertDeps): Promise<void> {
  const now = deps.now();
  const iso = new Date(now).toISOString();
  const ids = await deps.db.transaction(async (tx) => {
    const woken = await tx.query<{
      id: string;
      lead_id: string;
      channel: string;
      ts: string | null;
      version: number;
      rep: string | null;
      lang: string;
    }>(
      `UPDATE slack_alert a SET status = 'open', snoozed_until = NULL, escalated_at = NULL, version = version + 1,
         sla_due_at = $2::timestamptz
       WHERE status = 'snoozed' AND snoozed_until <= $1::timestamptz
       RETURNING id, lead_id, channel, ts, version, lang,
         (SELECT slack_user_id FROM rep WHERE id = a.rep_id) AS rep`,
      [iso, new Date(now + deps.slaMs).toISOString()],
    );
    const late = await tx.query<{
      id: string;
      lead_id: string;
      channel: string;
      ts: string | null;
      rep: string | null;
      lang: string;
      name: string | null;
    }>(
      `UPDATE slack_alert a SET escalated_at = $1::timestamptz
       WHERE status = 'open' AND escalated_at IS NULL AND sla_due_at <= $1::timestamptz AND ts IS NOT NULL
       RETURNING id, lead_id, channel, ts, lang,
         (SELECT slack_user_id FROM rep WHERE id = a.rep_id) AS rep,
         (SELECT name FROM lead WHERE id = a.lead_id) AS name`,
      [iso],
    );
    const managers = late.length
      ? await tx.query<{ id: string; slack_user_id: string }>(
          `SELECT id, slack_user_id FROM rep WHERE role = 'manager' AND active AND slack_user_id IS NOT NULL`,
        )
      : [];
    const sends: SendRequest[] = [];
    for (const w of woken) {
      sends.push({
        dedupeKey: `alert:${w.id}:v${w.version}`,
        kind: 'update',
        channel: w.channel,
        payload: { alertId: w.id, as: 'update' },
        alertId: w.id,
      });
      if (w.ts) {
        const text =
          w.lang === 'en'
            ? `⏰ Snooze is over: this lead is open again${w.rep ? ` — <@${w.rep}>` : ''}.`
            : `⏰ Hết thời gian hoãn: lead này mở lại${w.rep ? ` — <@${w.rep}>` : ''}.`;
        sends.push(textPost(`alert:${w.id}:v${w.version}:woken`, w.channel, text, w.ts));
      }
    }
    const minutes = Math.round(deps.slaMs / 60_000);
    for (const l of late) {
      const vi = l.lang !== 'en';
      const who = esc(l.name ?? l.lead_id);
      const ping = vi
        ? `⏰ Lead *${who}* chưa được nhận sau ${minutes} phút${l.rep ? ` — <@${l.rep}> nhận giúp nhé` : ''}. Đã báo quản lý.`
        : `⏰ *${who}* is still unclaimed after ${minutes} min${l.rep ? ` — <@${l.rep}>, please claim it` : ''}. Managers notified.`;
      sends.push(textPost(`sla:${l.id}`, l.channel, ping, l.ts!));
      if (l.rep) sends.push(textPost(`sla:${l.id}:dm`, l.rep, ping));
      const link = `<#${l.channel}>`;
      for (const m of managers) {
        sends.push(
          textPost(
            `sla:${l.id}:mgr:${m.id}`,
            m.slack_user_id,
            vi
              ? `⚠ Lead SQL *${who}* chưa ai nhận sau ${minutes} phút${l.rep ? ` (giao cho <@${l.rep}>)` : ''}. Xem trong ${link}.`
              : `⚠ SQL lead *${who}* is unclaimed after ${minutes} min${l.rep ? ` (routed to <@${l.rep}>)` : ''}. See ${link}.`,
          ),
        );
      }
    }
    return insertSends(tx, sends, now);
  });
  await enqueueSends(deps.queue, ids, deps.logger);
}

/**
 * A lead that talks to us on Zalo: its first SQL alert's thread becomes the conversation's
 * thread in Slack — the conversation so far is posted there, later messages follow, and a rep's
 * reply there goes back to the customer through the OA.
 */
async function bindZaloThread(
  tx: Sql,
  leadId: string,
  channel: string,
  ts: string,
  now: number,
): Promise<string[]> {
  const [c] = await tx.query<{ user_id: string; display_name: string | null }>(
    `UPDATE zalo_conversation SET slack_channel = $2, slack_thread_ts = $3
     WHERE lead_id = $1 AND slack_thread_ts IS NULL RETURNING user_id, display_name`,
    [leadId, channel, ts],
  );
  if (!c) return [];
  const transcript = await transcriptOf(tx, c.user_id);
  const head = `💬 Zalo — ${esc(c.display_name ?? c.user_id)}`;
  const text = transcript ? `${head}\n${transcript}` : head;
  return insertSends(
    tx,
    [textPost(`zalo:${c.user_id}:transcript:${ts}`, channel, text.slice(0, 2900), ts)],
    now,
  );
}
