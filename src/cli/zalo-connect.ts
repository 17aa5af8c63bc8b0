/**
 * `hotlead zalo connect`: authorises Hotlead on the Zalo OA (OAuth v4 with PKCE). Prints the
 * permission link; the admin opens it, consents, and pastes the URL Zalo redirected to (or just
 * its code) — or runs the command again later with `--code … --state …`. The token pair is then
 * stored and refreshed by Hotlead from there on.
 */
import { createInterface } from 'node:readline';
import type { Config } from '../config.ts';
import { openDatabase } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { AppError } from '../errors/app-error.ts';
import { createTokenStore } from '../integrations/zalo/tokens.ts';
import type { Logger } from '../logger.ts';
import type { Lang } from '../scoring/types.ts';

export interface ConnectZaloDeps {
  config: Config;
  logger: Logger;
  print: (s: string) => void;
  /** The first line the admin types or pipes in; null at end of input. */
  readLine: () => Promise<string | null>;
}

export interface ConnectZaloOptions {
  code?: string | undefined;
  state?: string | undefined;
  lang: Lang;
}

export async function connectZalo(deps: ConnectZaloDeps, opts: ConnectZaloOptions): Promise<void> {
  const { config, logger, print } = deps;
  const zalo = config.zalo;
  if (!zalo) {
    throw new AppError('BAD_CONFIG', 'Zalo is not configured', {
      details: ['ZALO_APP_ID', 'ZALO_APP_SECRET', 'ZALO_OA_SECRET_KEY', 'ZALO_REDIRECT_URI'].map((path) => ({
        path,
        message: 'required by `hotlead zalo connect`',
      })),
    });
  }
  if ((opts.code === undefined) !== (opts.state === undefined)) {
    throw new AppError(
      'BAD_INPUT',
      '--code and --state go together (both are in the URL Zalo redirected to)',
    );
  }
  const vi = opts.lang === 'vi';
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
    const tokens = createTokenStore({
      db,
      config: zalo,
      logger,
      // Nothing here refreshes a token, so nothing here alerts; log it should that change.
      alert: async (text) => logger.error({ alert: text.en }, 'zalo alert'),
    });
    let answer: { code: string; state: string; oaId?: string };
    if (opts.code !== undefined && opts.state !== undefined) {
      answer = { code: opts.code, state: opts.state };
    } else {
      const { url, state } = await tokens.authorizationUrl();
      print(
        vi
          ? `Mở liên kết này bằng tài khoản quản trị của Zalo OA và đồng ý cấp quyền:\n\n  ${url}\n\nSau đó dán URL mà Zalo chuyển hướng tới (hoặc chỉ mã code) rồi nhấn Enter:`
          : `Open this link as an admin of the Zalo OA and grant access:\n\n  ${url}\n\nThen paste the URL Zalo redirected to (or just its code) and press Enter:`,
      );
      const line = (await deps.readLine())?.trim();
      if (!line) {
        print(
          vi
            ? `Chưa nhận được mã. Khi có, chạy: hotlead zalo connect --code <code> --state ${state}`
            : `No code received. Once you have it, run: hotlead zalo connect --code <code> --state ${state}`,
        );
        return;
      }
      answer = parseRedirect(line, state);
    }
    await tokens.exchangeCode(answer.code, answer.state, answer.oaId ? { oaId: answer.oaId } : {});
    print(
      vi
        ? `Đã kết nối Zalo OA${answer.oaId ? ` ${answer.oaId}` : ''}: token đã được lưu, Hotlead sẽ tự làm mới.`
        : `Zalo OA${answer.oaId ? ` ${answer.oaId}` : ''} connected: the tokens are stored and Hotlead refreshes them.`,
    );
  } finally {
    await db.close();
  }
}

/** The redirect URL (`…?code=…&state=…&oa_id=…`) or a bare code, for the link of `state`. */
export function parseRedirect(input: string, state: string): { code: string; state: string; oaId?: string } {
  if (!/^https?:\/\//i.test(input)) return { code: input, state };
  const params = new URL(input).searchParams;
  const code = params.get('code');
  if (!code) throw new AppError('BAD_INPUT', 'That URL has no `code`: paste the URL Zalo redirected to');
  if (params.get('state') !== state) {
    throw new AppError(
      'BAD_INPUT',
      'That URL answers another link (its state differs): use the link just printed',
    );
  }
  const oaId = params.get('oa_id');
  return { code, state, ...(oaId ? { oaId } : {}) };
}

/** The first line of standard input (typed or piped), or null when it ends without one. */
export function readFirstLine(): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin });
    let line: string | null = null;
    rl.once('line', (l) => {
      line = l;
      rl.close();
    });
    rl.once('close', () => resolve(line));
  });
}
