/**
 * A person's click on a button of their App Home tab, as Slack sends it: `block_actions` from a
 * view container (no channel, no message, no response_url), carrying the view. Built from the
 * view the fake Web API holds for that person, so a test can only click what they were shown.
 */
import { randomBytes } from 'node:crypto';
import type { FakeView } from './fake-slack.ts';
import { APP_ID, newTriggerId, newTs, TEAM, VERIFICATION_TOKEN } from './slack-requests.ts';

type ButtonBlock = {
  type: string;
  block_id?: string;
  accessory?: Record<string, unknown>;
  elements?: Record<string, unknown>[];
};

/** The buttons a view shows (section accessories and actions elements), with their block. */
export function viewButtons(view: FakeView): { blockId?: string; button: Record<string, unknown> }[] {
  const out: { blockId?: string; button: Record<string, unknown> }[] = [];
  for (const b of view.blocks as ButtonBlock[]) {
    const buttons = [b.accessory, ...(b.elements ?? [])].filter((e) => e?.type === 'button');
    for (const button of buttons)
      out.push({ ...(b.block_id ? { blockId: b.block_id } : {}), button: button! });
  }
  return out;
}

/** `payload=` body of a click on the button `actionId` whose value is `value` in `view` (a Home tab). */
export function homeButtonClick(
  view: FakeView,
  a: { actionId: string; value: string; userId: string; userName?: string },
): string {
  const found = viewButtons(view).find(
    (b) => b.button.action_id === a.actionId && b.button.value === a.value,
  );
  if (!found) throw new Error(`homeButtonClick: the view shows no ${a.actionId} button for ${a.value}`);
  const name = a.userName ?? a.userId.toLowerCase();
  const payload = {
    type: 'block_actions',
    user: { id: a.userId, username: name, name, team_id: TEAM.id },
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: { type: 'view', view_id: view.id },
    trigger_id: newTriggerId(),
    team: { id: TEAM.id, domain: TEAM.domain },
    enterprise: null,
    is_enterprise_install: false,
    view: {
      ...view,
      type: 'home',
      previous_view_id: null,
      root_view_id: view.id,
      external_id: '',
      app_installed_team_id: TEAM.id,
    },
    actions: [
      {
        ...found.button,
        // Slack gives a block without one a random block_id.
        block_id: found.blockId ?? randomBytes(3).toString('base64url'),
        action_ts: newTs(),
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
