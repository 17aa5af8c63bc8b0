/**
 * The managers' daily digest and the App Home tab in Slack.
 *
 * - `/hotlead digest on HH:MM | off | now` (`digestCommand`, called by the slash-command
 *   router): managers only; the time zone is the manager's Slack `tz`.
 * - `digest.tick` (every minute, any number of workers) claims due subscriptions with a
 *   compare-and-set and enqueues one `digest.send` per due time; `digest.send` computes the
 *   figures of the 24 h before that time and DMs them through slack_send under the key
 *   `digest:<subscriptionId>:<at>`, so a retried job or a second worker sends nothing twice.
 * - `app_home_opened` publishes the Home tab: the rep's leads and the team's open SQLs (each with
 *   a Claim button: app.ts claims as from an alert and publishes the tab again), and for a
 *   manager the funnel and their digest setting. views.publish replaces a view (no channel
 *   message, no per-channel slot): it is called directly, and a failure is only logged.
 *
 * Renderers here are pure and build every block with `clip`/`esc`/`LIMITS` from blocks.ts.
 */
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { STAGE_NAMES } from '../../bot/render-explanation.ts';
import { refreshLeads } from '../../domain/decay.ts';
import {
  computeDigest,
  DEFAULT_DIGEST_TIME_ZONE,
  type DigestFigures,
  type DigestLead,
  type DigestSubscriptionView,
  digestSubscriptionOf,
  digestTarget,
  FUNNEL_STAGES,
  formatTimeOfDay,
  funnelCounts,
  isTimeZone,
  localTime,
  markDigestSent,
  openSqls,
  parseTimeOfDay,
  releaseDigest,
  stopDigest,
  subscribeDigest,
  type TimeOfDay,
  type UnclaimedSql,
  claimDueDigests,
} from '../../domain/digest.ts';
import { type LeadSummary, type ReadDeps, topLeads } from '../../domain/leads.ts';
import { asAppError } from '../../errors/app-error.ts';
import type { JobHandlers, JobQueue } from '../../jobs/queue.ts';
import type { Logger } from '../../logger.ts';
import { foldText } from '../../parse/text.ts';
import type { Lang, Stage, Text } from '../../scoring/types.ts';
import { claimableLeads, clip, esc, LIMITS } from './blocks.ts';
import type { Block, ReplyView, SlackMessage } from './contract.ts';
import { repForSlackUser, type SlackRep, slackUserInfo } from './people.ts';
import { enqueueSends, insertSends } from './sender.ts';

export interface DigestDeps extends ReadDeps {
  client: WebClient;
  queue: JobQueue;
  logger: Logger;
  /** The workspace's default language (for Slack users Hotlead has not seen yet). */
  lang: Lang;
}

// ---------------------------------------------------------------------------------------------
// /hotlead digest …

/** Command words: "digest", "tóm tắt" / "tom tat", "bản tóm tắt". */
const COMMAND = /^(?:digest|(?:ban )?tom tat)(?: (.*))?$/;
const ON = new Set(['on', 'bat', 'dat', 'set']);
const AT = new Set(['at', 'luc', 'vao']);
const OFF = new Set(['off', 'tat', 'huy', 'dung', 'stop']);
const NOW = new Set(['now', 'ngay', 'gui ngay', 'bay gio', 'send', 'gui']);
const STATUS = new Set(['', 'status', 'trang thai']);

/**
 * The arguments of a digest command ("on 08:30", "tắt", …), or null when `text` (the whole
 * `/hotlead` text) is not one. Vietnamese with or without diacritics.
 */
export function digestArgs(text: string): string | null {
  const m = COMMAND.exec(foldText(text));
  return m ? (m[1] ?? '') : null;
}

type DigestAction =
  | { kind: 'on'; time: TimeOfDay }
  | { kind: 'bad-time'; given: string }
  | { kind: 'off' }
  | { kind: 'now' }
  | { kind: 'status' }
  | { kind: 'usage' };

export function parseDigestArgs(args: string): DigestAction {
  const folded = foldText(args);
  if (STATUS.has(folded)) return { kind: 'status' };
  if (OFF.has(folded)) return { kind: 'off' };
  if (NOW.has(folded)) return { kind: 'now' };
  const words = folded.split(' ');
  const on = ON.has(words[0] ?? '');
  const rest = words.slice(on ? 1 : 0);
  if (AT.has(rest[0] ?? '')) rest.shift();
  const given = rest.join(' ');
  if (!on && !/^\d/.test(given)) return { kind: 'usage' };
  const time = parseTimeOfDay(given);
  return time ? { kind: 'on', time } : { kind: 'bad-time', given: args.trim().split(/\s+/).pop() ?? '' };
}

/** Every text of the digest, its command and the Home tab. */
const T = {
  usage: {
    vi: 'Cú pháp: `/hotlead digest on HH:MM` (bật, ví dụ 08:30), `/hotlead digest off` (tắt), `/hotlead digest now` (gửi ngay).',
    en: 'Usage: `/hotlead digest on HH:MM` (e.g. 08:30), `/hotlead digest off`, `/hotlead digest now` (send it now).',
  },
  sending: {
    vi: '📨 Mình đang soạn bản tóm tắt 24 giờ qua và sẽ gửi vào tin nhắn riêng ngay.',
    en: '📨 Putting together the last 24 hours — it will be in your DMs in a moment.',
  },
  stopped: { vi: 'Đã tắt bản tóm tắt hằng ngày.', en: 'The daily digest is off.' },
  notOn: {
    vi: 'Bản tóm tắt hằng ngày đang tắt. Bật bằng `/hotlead digest on 08:30`.',
    en: 'The daily digest is off. Turn it on with `/hotlead digest on 08:30`.',
  },
  title: { vi: 'Tóm tắt hằng ngày', en: 'Daily digest' },
  window: { vi: '24 giờ đến', en: '24 hours to' },
  newSqls: { vi: 'SQL mới', en: 'New SQLs' },
  unclaimed: { vi: 'SQL chưa ai nhận', en: 'Unclaimed SQLs' },
  median: { vi: 'Thời gian nhận (trung vị)', en: 'Median time to claim' },
  decayed: { vi: 'Rơi hạng do suy giảm', en: 'Dropped by decay' },
  unclaimedList: { vi: 'Chưa ai nhận — chờ lâu nhất trước', en: 'Unclaimed — longest waiting first' },
  noUnclaimed: { vi: '🎉 Không có SQL nào đang chờ nhận.', en: '🎉 No SQL is waiting to be claimed.' },
  reps: { vi: 'Theo sales', en: 'By rep' },
  claimed: { vi: 'nhận', en: 'claimed' },
  disqualified: { vi: 'loại', en: 'disqualified' },
  unattributed: { vi: 'Không rõ ai loại', en: 'Not attributed' },
  noActivity: { vi: 'Chưa ai nhận hay loại lead nào.', en: 'Nobody claimed or disqualified a lead.' },
  decayList: { vi: 'Rơi khỏi SQL/MQL do không tương tác', en: 'Left SQL/MQL for lack of engagement' },
  sources: { vi: 'Nguồn SQL hàng đầu', en: 'Top SQL sources' },
  unknownSource: { vi: 'không rõ', en: 'unknown' },
  trend: { vi: 'SQL mới theo ngày (7 ngày qua)', en: 'New SQLs per day (last 7 days)' },
  waiting: { vi: 'chờ', en: 'waiting' },
  points: { vi: 'điểm', en: 'points' },
  leads: { vi: 'lead', en: 'leads' },
  samples: { vi: 'lead', en: 'leads' },
  hello: { vi: 'Xin chào', en: 'Hello' },
  updated: { vi: 'cập nhật lúc', en: 'updated' },
  funnel: { vi: 'Phễu lead', en: 'Lead funnel' },
  digest: { vi: 'Bản tóm tắt hằng ngày', en: 'Daily digest' },
  mine: { vi: 'Lead của bạn', en: 'Your leads' },
  noMine: { vi: 'Bạn chưa nhận lead nào.', en: 'You have not claimed any lead yet.' },
  open: { vi: 'SQL đang chờ nhận', en: 'Open SQLs waiting for a rep' },
  hint: {
    vi: 'Nhận lead bằng nút *Nhận lead* ở đây hoặc trong kênh SQL · `/hotlead mine` · `/hotlead why <lead>`',
    en: 'Claim leads with the *Claim* button here or in the SQL channel · `/hotlead mine` · `/hotlead why <lead>`',
  },
} satisfies Record<string, Text>;

/**
 * `/hotlead digest …` for `rep` (`argsText`: what follows the command word, see `digestArgs`).
 * Never throws: errors come back as replies with a code, without internals.
 */
export async function digestCommand(deps: DigestDeps, rep: SlackRep, argsText: string): Promise<ReplyView> {
  const lang = rep.language;
  try {
    const action = parseDigestArgs(argsText);
    if (action.kind === 'usage') return { type: 'notice', lang, text: T.usage[lang] };
    if (rep.role !== 'manager') return await refusal(deps, lang);
    switch (action.kind) {
      case 'bad-time':
        return {
          type: 'error',
          lang,
          code: 'BAD_INPUT',
          message:
            lang === 'vi'
              ? `“${action.given}” không phải giờ hợp lệ. Hãy dùng HH:MM từ 00:00 đến 23:59, ví dụ: /hotlead digest on 08:30`
              : `“${action.given}” is not a valid time. Use HH:MM from 00:00 to 23:59, e.g. /hotlead digest on 08:30`,
        };
      case 'on': {
        const sub = await subscribeDigest(deps.db, {
          repId: rep.id,
          slackUserId: rep.slackUserId,
          time: action.time,
          timeZone: await zoneOf(deps, rep.slackUserId),
          now: deps.now(),
        });
        return { type: 'notice', lang, text: `✅ ${scheduleLine(sub, lang)}` };
      }
      case 'off':
        return {
          type: 'notice',
          lang,
          text: (await stopDigest(deps.db, rep.id)) ? T.stopped[lang] : T.notOn[lang],
        };
      case 'status': {
        const sub = await digestSubscriptionOf(deps.db, rep.id);
        return { type: 'notice', lang, text: sub?.active ? scheduleLine(sub, lang) : T.notOn[lang] };
      }
      case 'now': {
        const now = deps.now();
        const sub = await digestTarget(deps.db, {
          repId: rep.id,
          slackUserId: rep.slackUserId,
          timeZone: await zoneOf(deps, rep.slackUserId),
          now,
        });
        await deps.queue.enqueue(
          'digest.send',
          { subscriptionId: sub.id, at: now },
          { jobId: `digest-${sub.id}-now-${now}` },
        );
        return { type: 'notice', lang, text: T.sending[lang] };
      }
    }
  } catch (err) {
    const e = asAppError(err);
    deps.logger.warn({ err, userId: rep.slackUserId }, 'digest command failed');
    return { type: 'error', lang, code: e.code, message: e.userMessage };
  }
}

/** "Mỗi ngày lúc 08:30 (Asia/Ho_Chi_Minh) mình sẽ gửi bản tóm tắt. Lần tới: T3 24/11 08:30." */
function scheduleLine(sub: DigestSubscriptionView, lang: Lang): string {
  const zone = esc(sub.timeZone);
  const next = dayTime(sub.nextRunAt, lang, sub.timeZone);
  return lang === 'vi'
    ? `Mỗi ngày lúc ${sub.timeOfDay} (${zone}) mình sẽ gửi bản tóm tắt. Lần tới: ${next}.`
    : `Every day at ${sub.timeOfDay} (${zone}) I'll send you the digest. Next: ${next}.`;
}

async function refusal(deps: DigestDeps, lang: Lang): Promise<ReplyView> {
  const managers = await deps.db.prisma.rep.findMany({
    where: { role: 'manager', active: true },
    orderBy: { name: 'asc' },
    take: 5,
  });
  const names = managers.map((m) => clip(m.name, LIMITS.name)).join(', ');
  const message =
    managers.length === 0
      ? lang === 'vi'
        ? 'Xin lỗi, bản tóm tắt hằng ngày chỉ dành cho quản lý, và đội chưa có quản lý nào. Người đầu tiên dùng /hotlead rep add sẽ là quản lý.'
        : 'Sorry, the daily digest is for managers, and the team has none yet. The first person to use /hotlead rep add becomes the manager.'
      : lang === 'vi'
        ? `Xin lỗi, chỉ quản lý mới đăng ký được bản tóm tắt hằng ngày. Bạn có thể nhờ ${names}.`
        : `Sorry, only managers can subscribe to the daily digest. You can ask ${names}.`;
  return { type: 'error', lang, code: 'FORBIDDEN', message };
}

/** The Slack user's IANA time zone (`users.info` → `tz`), Vietnam's when unknown or unreadable. */
async function zoneOf(deps: Pick<DigestDeps, 'client' | 'logger'>, userId: string): Promise<string> {
  try {
    const tz = (await slackUserInfo(deps.client, userId)).timeZone;
    if (tz && isTimeZone(tz)) return tz;
  } catch (err) {
    deps.logger.warn({ err, userId }, 'users.info failed; using the default time zone');
  }
  return DEFAULT_DIGEST_TIME_ZONE;
}

// ---------------------------------------------------------------------------------------------
// Jobs

export function digestJobId(subscriptionId: string, at: number): string {
  return `digest-${subscriptionId}-${at}`;
}

export function digestHandlers(deps: DigestDeps): Required<Pick<JobHandlers, 'digest.tick' | 'digest.send'>> {
  return {
    'digest.tick': async () => {
      await tickDigests(deps);
    },
    'digest.send': async ({ subscriptionId, at }) => {
      await sendDigest(deps, subscriptionId, at ?? deps.now());
    },
  };
}

/** Claims the due digests and enqueues one `digest.send` per due time. */
export async function tickDigests(deps: DigestDeps): Promise<number> {
  const claims = await claimDueDigests(deps.db, deps.now());
  for (const claim of claims) {
    try {
      await deps.queue.enqueue(
        'digest.send',
        { subscriptionId: claim.subscriptionId, at: claim.at },
        { jobId: digestJobId(claim.subscriptionId, claim.at) },
      );
    } catch (err) {
      // Not enqueued: give the claim back so the next tick tries again.
      deps.logger.warn({ err, subscriptionId: claim.subscriptionId }, 'could not enqueue a digest');
      await releaseDigest(deps.db, claim);
    }
  }
  return claims.length;
}

/** Computes the digest due at `at` and queues it as a DM to the manager (once per `at`). */
export async function sendDigest(deps: DigestDeps, subscriptionId: string, at: number): Promise<void> {
  const sub = await deps.db.prisma.digestSubscription.findUnique({ where: { id: subscriptionId } });
  const rep = sub ? await deps.db.prisma.rep.findUnique({ where: { id: sub.repId } }) : null;
  if (!sub || !rep?.active || rep.role !== 'manager') {
    deps.logger.info({ subscriptionId }, 'digest skipped: no such subscription or not a manager');
    return;
  }
  // Bring the open SQLs up to now (due decay applied) before listing them.
  await refreshLeads(
    deps,
    (await openSqls(deps.db, 200)).leads.map((l) => l.leadId),
  );
  const timeZone = isTimeZone(sub.timeZone) ? sub.timeZone : DEFAULT_DIGEST_TIME_ZONE;
  const lang: Lang = rep.language === 'en' ? 'en' : 'vi';
  const message = renderDigest(await computeDigest(deps.db, at, timeZone), lang);
  const now = deps.now();
  const ids = await deps.db.transaction(async (tx) => {
    const ids = await insertSends(
      tx,
      [{ dedupeKey: `digest:${sub.id}:${at}`, kind: 'post', channel: sub.slackUserId, payload: { message } }],
      now,
    );
    if (ids.length > 0) await markDigestSent(tx, sub.id, now);
    return ids;
  });
  await enqueueSends(deps.queue, ids, deps.logger);
}

// ---------------------------------------------------------------------------------------------
// App Home

const HomeOpened = z.object({
  type: z.literal('app_home_opened'),
  user: z.string().regex(/^[UW][A-Z0-9]+$/),
  tab: z.string().optional(),
});

/** Registers the `app_home_opened` listener (tab "home" only). */
export function registerHome(app: App, deps: DigestDeps): void {
  app.event('app_home_opened', async ({ event }) => {
    const parsed = HomeOpened.safeParse(event);
    if (!parsed.success || parsed.data.tab !== 'home') return;
    await publishHome(deps, parsed.data.user);
  });
}

/** Leads listed in each of the Home tab's lists (the open SQLs take one block each). */
const HOME_LIST = 20;
/**
 * Blocks of a Home tab at most. Slack allows 100, but long views can fail below the documented
 * limits, so the tab keeps a message's budget: by construction it uses at most 14 + HOME_LIST.
 */
const HOME_BLOCKS = 50;

/** Builds and publishes `userId`'s Home tab; failures are logged, never thrown. */
export async function publishHome(deps: DigestDeps, userId: string): Promise<void> {
  try {
    const rep = await repForSlackUser({ db: deps.db, client: deps.client, defaultLang: deps.lang }, userId);
    const manager = rep.role === 'manager';
    // Bring the open SQLs up to now (due decay applied) before listing them.
    const due = await openSqls(deps.db, HOME_LIST);
    await refreshLeads(
      deps,
      due.leads.map((l) => l.leadId),
    );
    const sub = manager ? await digestSubscriptionOf(deps.db, rep.id) : null;
    const view = renderHome({
      lang: rep.language,
      now: deps.now(),
      timeZone: sub?.timeZone ?? (await zoneOf(deps, userId)),
      repName: rep.name,
      mine: await topLeads(deps, { ownerId: rep.id, limit: HOME_LIST }),
      open: await openSqls(deps.db, HOME_LIST),
      manager: manager ? { funnel: await funnelCounts(deps.db), digest: sub } : null,
    });
    await deps.client.views.publish({ user_id: userId, view: view as never });
  } catch (err) {
    deps.logger.warn({ err, userId }, 'could not publish the App Home');
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering (pure)

type MdText = { type: 'mrkdwn'; text: string };

const mdText = (text: string, max: number): MdText => ({ type: 'mrkdwn', text: clip(text, max) });
const sectionOf = (text: string): Block => ({ type: 'section', text: mdText(text, LIMITS.sectionText) });
const contextOf = (text: string): Block => ({
  type: 'context',
  elements: [mdText(text, LIMITS.sectionText)],
});
const headerOf = (text: string): Block => ({
  type: 'header',
  text: { type: 'plain_text', text: clip(text, LIMITS.headerText), emoji: true },
});
const divider: Block = { type: 'divider' };
const fieldsOf = (pairs: [string, string][]): Block => ({
  type: 'section',
  fields: pairs.slice(0, LIMITS.fields).map(([k, v]) => mdText(`*${k}*\n${v}`, LIMITS.fieldText)),
});

/**
 * A bold title and its lines, as few sections as fit (each ≤ 3,000 characters), at most
 * `maxItems` lines; the rest is counted in a closing context line.
 */
function titledList(
  title: string,
  lines: string[],
  maxItems: number,
  lang: Lang,
  noun: Text,
  total: number = lines.length,
): Block[] {
  const shown = lines.slice(0, maxItems).map((l) => clip(l, LIMITS.line));
  const chunks: string[] = [`*${title}*`];
  for (const line of shown) {
    const last = chunks.length - 1;
    if ((chunks[last] ?? '').length + 1 + line.length > LIMITS.sectionText) chunks.push(line);
    else chunks[last] = `${chunks[last]}\n${line}`;
  }
  const blocks = chunks.map(sectionOf);
  const rest = Math.max(total, lines.length) - shown.length;
  if (rest > 0) {
    blocks.push(contextOf(lang === 'vi' ? `…và ${rest} ${noun.vi} khác` : `…and ${rest} more ${noun.en}`));
  }
  return blocks;
}

const WEEKDAYS: Record<Lang, readonly string[]> = {
  vi: ['CN', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
};

const pad2 = (n: number) => String(n).padStart(2, '0');

/** "T3 24/11" / "Tue 24/11". */
function dayLabel(at: number, lang: Lang, timeZone: string): string {
  const l = localTime(at, timeZone);
  return `${WEEKDAYS[lang][l.weekday]} ${pad2(l.day)}/${pad2(l.month)}`;
}

/** "T3 24/11 08:30". */
function dayTime(at: number, lang: Lang, timeZone: string): string {
  const l = localTime(at, timeZone);
  return `${dayLabel(at, lang, timeZone)} ${formatTimeOfDay(l)}`;
}

/** "45 phút", "1 giờ 30 phút", "3 ngày 4 giờ". */
export function formatDuration(ms: number, lang: Lang): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60];
  const u = lang === 'vi' ? { d: 'ngày', h: 'giờ', m: 'phút' } : { d: 'd', h: 'h', m: 'min' };
  const parts =
    d > 0
      ? [
          [d, u.d],
          [h, u.h],
        ]
      : h > 0
        ? [
            [h, u.h],
            [m, u.m],
          ]
        : [[m, u.m]];
  const shown = parts.filter(([n], i) => i === 0 || n !== 0);
  return shown.map(([n, unit]) => `${n} ${unit}`).join(' ');
}

const BARS = '▁▂▃▄▅▆▇█';

/** "T6 ▃ 1 · T7 ▅ 2 · CN ▁ 0 · T2 █ 5": one bar a day, scaled to the busiest day. */
export function sparkline(days: { weekday: number; count: number }[], lang: Lang): string {
  const max = Math.max(0, ...days.map((d) => d.count));
  return days
    .map((d) => {
      const level = d.count === 0 || max === 0 ? 0 : Math.max(1, Math.round((d.count / max) * 7));
      return `${WEEKDAYS[lang][d.weekday]} ${BARS[level]} ${d.count}`;
    })
    .join(' · ');
}

/** "Nguyễn Văn An (Thép Việt)", escaped for mrkdwn. */
function leadLabel(l: DigestLead, lang: Lang): string {
  const name = clip(l.name?.trim() || (lang === 'vi' ? 'Lead chưa có tên' : 'Unnamed lead'), LIMITS.name);
  const company = l.company?.trim() ? ` (${clip(l.company.trim(), LIMITS.name)})` : '';
  return esc(`${name}${company}`);
}

/** The digest DM (≤ 50 blocks by construction: at most 13). */
export function renderDigest(f: DigestFigures, lang: Lang): SlackMessage {
  const tz = f.timeZone;
  const title = `📊 ${T.title[lang]} — ${dayLabel(f.at, lang, tz)}`;
  const median =
    f.claimMedianMs === null
      ? '—'
      : `${formatDuration(f.claimMedianMs, lang)} (${f.claimSamples} ${T.samples[lang]})`;
  const blocks: Block[] = [
    headerOf(title),
    contextOf(`${T.window[lang]} ${dayTime(f.at, lang, tz)} (${esc(tz)})`),
    fieldsOf([
      [T.newSqls[lang], String(f.newSqls.length)],
      [T.unclaimed[lang], String(f.unclaimedTotal)],
      [T.median[lang], median],
      [T.decayed[lang], String(f.decayed.length)],
    ]),
  ];
  if (f.newSqls.length > 0) {
    const lines = f.newSqls.map((s) => {
      const source = s.source ? ` · ${esc(clip(s.source, LIMITS.name))}` : '';
      return `• ${leadLabel(s, lang)} — ${dayTime(s.at, lang, tz)}${source}`;
    });
    blocks.push(...titledList(`${T.newSqls[lang]} (${f.newSqls.length})`, lines, 10, lang, T.leads));
  }
  if (f.unclaimedTotal === 0) blocks.push(sectionOf(T.noUnclaimed[lang]));
  else {
    const lines = f.unclaimed.map((u) => unclaimedLine(u, f.at, lang));
    const title = `${T.unclaimedList[lang]} (${f.unclaimedTotal})`;
    blocks.push(...titledList(title, lines, 10, lang, T.leads, f.unclaimedTotal));
  }
  const repLines = f.reps.map(
    (r) =>
      `• ${r.name === null ? T.unattributed[lang] : esc(clip(r.name, LIMITS.name))}: ` +
      `${T.claimed[lang]} ${r.claimed} · ${T.disqualified[lang]} ${r.disqualified}`,
  );
  blocks.push(
    ...(repLines.length === 0
      ? [sectionOf(`*${T.reps[lang]}*\n${T.noActivity[lang]}`)]
      : titledList(T.reps[lang], repLines, 15, lang, { vi: 'sales', en: 'reps' })),
  );
  if (f.decayed.length > 0) {
    const lines = f.decayed.map(
      (d) => `• ${leadLabel(d, lang)}: ${STAGE_NAMES[d.from][lang]} → ${STAGE_NAMES[d.to][lang]}`,
    );
    blocks.push(...titledList(T.decayList[lang], lines, 10, lang, T.leads));
  }
  if (f.topSources.length > 0) {
    const line = f.topSources
      .map(
        (s) => `${s.source === null ? T.unknownSource[lang] : esc(clip(s.source, LIMITS.name))} ${s.count}`,
      )
      .join(' · ');
    blocks.push(sectionOf(`*${T.sources[lang]}*\n${line}`));
  }
  blocks.push(sectionOf(`*${T.trend[lang]}*\n${sparkline(f.trend, lang)}`));
  const text =
    lang === 'vi'
      ? `${title}: ${f.newSqls.length} SQL mới, ${f.unclaimedTotal} chưa ai nhận`
      : `${title}: ${f.newSqls.length} new SQLs, ${f.unclaimedTotal} unclaimed`;
  return { text: clip(text, LIMITS.fallbackText), blocks: blocks.slice(0, LIMITS.messageBlocks) };
}

/** "• Đinh Văn Cũ (Thép Việt) — 95 điểm · chờ 3 ngày 22 giờ". */
function unclaimedLine(u: UnclaimedSql, now: number, lang: Lang): string {
  const waiting = u.sqlAt === null ? '' : ` · ${T.waiting[lang]} ${formatDuration(now - u.sqlAt, lang)}`;
  return `• ${leadLabel(u, lang)} — ${u.score} ${T.points[lang]}${waiting}`;
}

export interface HomeModel {
  lang: Lang;
  now: number;
  timeZone: string;
  repName: string;
  mine: LeadSummary[];
  open: { leads: UnclaimedSql[]; total: number };
  manager: { funnel: Record<Stage, number>; digest: DigestSubscriptionView | null } | null;
}

/**
 * The Home tab, at most HOME_BLOCKS blocks by construction: header and greeting (2), the
 * manager's funnel and digest (4), the rep's leads (≤ 20 lines of ≤ 500 characters: ≤ 4
 * sections) and a divider, the open SQLs (a title, one section per lead with its Claim button —
 * ≤ HOME_LIST — and a "…and N more" line), the hint.
 */
export function renderHome(m: HomeModel): { type: 'home'; blocks: Block[] } {
  const { lang } = m;
  const blocks: Block[] = [
    headerOf('🔥 Hotlead'),
    contextOf(
      `${T.hello[lang]} ${esc(clip(m.repName, LIMITS.name))} · ${T.updated[lang]} ${dayTime(m.now, lang, m.timeZone)}`,
    ),
  ];
  if (m.manager) {
    blocks.push(
      sectionOf(`*${T.funnel[lang]}*`),
      fieldsOf(FUNNEL_STAGES.map((s) => [STAGE_NAMES[s][lang], String(m.manager?.funnel[s] ?? 0)])),
      sectionOf(
        `*${T.digest[lang]}*\n${m.manager.digest?.active ? scheduleLine(m.manager.digest, lang) : T.notOn[lang]}`,
      ),
      divider,
    );
  }
  const mine = m.mine.map(
    (l, i) =>
      `${i + 1}. *${STAGE_NAMES[l.stage][lang]} · ${l.score}* — ${leadLabel({ ...l, leadId: l.id }, lang)}`,
  );
  blocks.push(
    ...(mine.length === 0
      ? [sectionOf(`*${T.mine[lang]}*\n${T.noMine[lang]}`)]
      : titledList(`${T.mine[lang]} (${mine.length})`, mine, HOME_LIST, lang, T.leads)),
    divider,
  );
  const open = m.open.leads.map((u) => ({ leadId: u.leadId, line: unclaimedLine(u, m.now, lang) }));
  blocks.push(
    ...(m.open.total === 0
      ? [sectionOf(`*${T.open[lang]}*\n${T.noUnclaimed[lang]}`)]
      : claimableLeads(`*${T.open[lang]} (${m.open.total})*`, open, m.open.total, HOME_LIST, lang)),
    contextOf(T.hint[lang]),
  );
  return { type: 'home', blocks: blocks.slice(0, HOME_BLOCKS) };
}
