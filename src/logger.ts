import { pino } from 'pino';
import type { Config } from './config.ts';

/** Structured logs to stderr, so stdout stays for what a user asked for (alerts, JSON output). */
export function createLogger(config: Pick<Config, 'logLevel'>) {
  return pino({ level: config.logLevel }, pino.destination(2));
}
export type Logger = ReturnType<typeof createLogger>;
