/**
 * The Slack app in Socket Mode as tests drive it: a production runtime (createRuntime) with
 * SLACK_APP_TOKEN set and no signing secret, so the real Bolt app runs its SocketModeReceiver;
 * the real `@slack/socket-mode` client gets its URL from the fake Web API's
 * `apps.connections.open` and connects to the fake Socket Mode server, which delivers envelopes
 * and records acks. No HTTP server: Socket Mode needs no public URL.
 */
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import type { TestDb } from './db.ts';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';
import { type FakeSocketMode, startFakeSocketMode } from './fake-slack-socket.ts';
import { slackEnv } from './slack-app.ts';

export const APP_TOKEN = 'xapp-1-A0HOTLEAD-1-test';

export interface SocketModeHarness {
  fake: FakeSlack;
  socket: FakeSocketMode;
  rt: Runtime;
  close(): Promise<void>;
}

/** Starts the runtime and waits until the app is connected (Slack's `hello` received). */
export async function startSocketModeHarness(
  tdb: TestDb,
  clock: { now: number },
  env: Record<string, string> = {},
): Promise<SocketModeHarness> {
  const fake = await startFakeSlack();
  const socket = await startFakeSocketMode(fake);
  const config = parseConfig({ ...slackEnv(fake), SLACK_APP_TOKEN: APP_TOKEN, ...env });
  const rt = await createRuntime(config, createLogger(config), { db: tdb.db, now: () => clock.now });
  await rt.startWorker();
  await rt.slack?.start();
  return {
    fake,
    socket,
    rt,
    async close() {
      await rt.slack?.stop();
      await rt.queue.close(); // the database is the test's: its cleanup closes it
      await socket.close();
      await fake.close();
    },
  };
}
