/**
 * The embedded default chat channel: SQL alerts print to the terminal of the process that
 * dispatches them (the `hotlead start` terminal in embedded mode, the worker's in Redis mode).
 */
import type { ChatChannel, SqlAlert } from '../../bot/chat-port.ts';
import { renderSqlAlert } from '../../bot/render.ts';
import type { Lang } from '../../scoring/types.ts';

export function createConsoleChannel(opts: {
  lang: Lang;
  write?: (text: string) => void;
  now: () => number;
}): ChatChannel {
  const write = opts.write ?? ((text: string) => process.stdout.write(`${text}\n`));
  return {
    name: 'console',
    async deliverSqlAlert(alert: SqlAlert) {
      write(renderSqlAlert(alert, await alert.explain(), opts.lang, opts.now()));
    },
  };
}
