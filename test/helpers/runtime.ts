/**
 * A runtime wired exactly like production (createRuntime) on a test database, with a chat
 * channel that records what a rep would see and a clock the test controls.
 */
import type { ChatChannel, SqlAlert } from '../../src/bot/chat-port.ts';
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import type { TestDb } from './db.ts';

export interface TestRuntime {
  rt: Runtime;
  alerts: SqlAlert[];
  clock: { now: number };
  close(): Promise<void>;
}

export async function testRuntime(tdb: TestDb, env: Record<string, string> = {}): Promise<TestRuntime> {
  const alerts: SqlAlert[] = [];
  const clock = { now: Date.parse('2026-11-23T03:00:00Z') };
  const channel: ChatChannel = {
    name: 'test',
    async deliverSqlAlert(alert) {
      alerts.push(alert);
    },
  };
  const config = parseConfig({ LOG_LEVEL: 'silent', ...env });
  const rt = await createRuntime(config, createLogger(config), { db: tdb.db, channel, now: () => clock.now });
  return {
    rt,
    alerts,
    clock,
    async close() {
      await rt.queue.close();
    },
  };
}
