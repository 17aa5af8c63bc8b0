/**
 * Slack users ↔ reps. A Slack user is mapped to the rep with the same email
 * (`users.info` → profile email, the convention of CRM↔Slack integrations) and the mapping is
 * stored on the rep; a Slack user Hotlead has never seen becomes a rep when they first act.
 */
import type { WebClient } from '@slack/web-api';
import type { Database } from '../../db/client.ts';
import { newId } from '../../domain/ids.ts';
import type { Lang } from '../../scoring/types.ts';

export interface SlackRep {
  id: string;
  name: string;
  email: string | null;
  slackUserId: string;
  role: string;
  language: Lang;
}

interface SlackUserInfo {
  name: string;
  email: string | null;
  language: Lang | null;
  timeZone: string | null;
}

export async function slackUserInfo(client: WebClient, userId: string): Promise<SlackUserInfo> {
  const res = await client.users.info({ user: userId, include_locale: true });
  const u = res.user;
  const locale = u?.locale ?? '';
  return {
    name: u?.profile?.real_name || u?.real_name || u?.name || userId,
    email: u?.profile?.email?.toLowerCase() ?? null,
    language: locale.startsWith('vi') ? 'vi' : locale ? 'en' : null,
    timeZone: u?.tz ?? null,
  };
}

/** The rep behind a Slack user, mapping (by email) or creating them on first sight. */
export async function repForSlackUser(
  deps: { db: Database; client: WebClient; defaultLang: Lang },
  userId: string,
): Promise<SlackRep> {
  const known = await deps.db.prisma.rep.findUnique({ where: { slackUserId: userId } });
  if (known) return toSlackRep(known, userId);
  const info = await slackUserInfo(deps.client, userId);
  return linkRep(deps.db, userId, info, deps.defaultLang, {});
}

/** Stores the Slack id on the rep with the same email, or creates the rep. */
export async function linkRep(
  db: Database,
  userId: string,
  info: SlackUserInfo,
  defaultLang: Lang,
  set: { territory?: string | null; role?: string },
): Promise<SlackRep> {
  const language = info.language ?? defaultLang;
  const byEmail = info.email ? await db.prisma.rep.findUnique({ where: { email: info.email } }) : null;
  const rep = byEmail
    ? await db.prisma.rep.update({ where: { id: byEmail.id }, data: { slackUserId: userId, ...set } })
    : await db.prisma.rep.upsert({
        where: { slackUserId: userId },
        update: set,
        create: {
          id: newId('rp'),
          name: info.name,
          email: info.email,
          slackUserId: userId,
          language,
          industries: [],
          ...set,
        },
      });
  return toSlackRep(rep, userId);
}

function toSlackRep(
  r: { id: string; name: string; email: string | null; role: string; language: string },
  userId: string,
): SlackRep {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    slackUserId: userId,
    role: r.role,
    language: r.language === 'en' ? 'en' : 'vi',
  };
}

/**
 * Reps known by email but not yet by Slack id (added from the CLI or a CRM sync) are looked up
 * with `users.lookupByEmail` and linked, so routing can mention and DM them. Returns how many
 * were linked; a rep Slack does not know stays unlinked (and is not routed to).
 */
export async function linkRepsByEmail(db: Database, client: WebClient, limit = 50): Promise<number> {
  const reps = await db.prisma.rep.findMany({
    where: { slackUserId: null, email: { not: null }, active: true },
    take: limit,
  });
  let linked = 0;
  for (const rep of reps) {
    try {
      const res = await client.users.lookupByEmail({ email: rep.email! });
      const id = res.user?.id;
      if (!id) continue;
      await db.prisma.rep.updateMany({ where: { id: rep.id, slackUserId: null }, data: { slackUserId: id } });
      linked += 1;
    } catch (err) {
      if ((err as { data?: { error?: string } }).data?.error !== 'users_not_found') throw err;
    }
  }
  return linked;
}
