/**
 * `hotlead zalo settings [--qualify on|off] [--paid-window on|off] [--json]`: shows the
 * connected OA's settings and changes the ones given (src/integrations/zalo/settings.ts). The OA
 * is the one `hotlead zalo connect` stored tokens for — the same row the integration reads.
 */
import type { Config } from '../config.ts';
import { openDatabase } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { AppError } from '../errors/app-error.ts';
import { readZaloSettings, updateZaloSettings, type ZaloSettings } from '../integrations/zalo/settings.ts';
import type { Lang } from '../scoring/types.ts';

export interface ZaloSettingsDeps {
  config: Config;
  print: (s: string) => void;
}

export interface ZaloSettingsOptions {
  qualify?: string | undefined;
  paidWindow?: string | undefined;
  json?: boolean | undefined;
  lang: Lang;
}

export async function zaloSettings(deps: ZaloSettingsDeps, opts: ZaloSettingsOptions): Promise<void> {
  const { config, print } = deps;
  const vi = opts.lang === 'vi';
  // Flags first: a typo is answered before anything is opened.
  const change = {
    qualify: onOff('--qualify', opts.qualify, opts.lang),
    allowPaidWindow: onOff('--paid-window', opts.paidWindow, opts.lang),
  };
  const changing = change.qualify !== undefined || change.allowPaidWindow !== undefined;
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
    const current = await readZaloSettings(db);
    if (!current) {
      throw new AppError(
        'ZALO_NOT_CONNECTED',
        vi
          ? 'Chưa có Zalo OA nào được kết nối: chạy `hotlead zalo connect` trước, rồi chỉnh cài đặt.'
          : 'No Zalo OA is connected: run `hotlead zalo connect` first, then change its settings.',
        config.zalo
          ? {}
          : {
              details: ['ZALO_APP_ID', 'ZALO_APP_SECRET', 'ZALO_OA_SECRET_KEY'].map((path) => ({
                path,
                message: vi ? 'chưa đặt (Zalo chưa được cấu hình)' : 'not set (Zalo is not configured)',
              })),
            },
      );
    }
    const settings = changing ? await updateZaloSettings(db, current.oaId, change) : current;
    if (opts.json) {
      print(JSON.stringify(settings, null, 2));
      return;
    }
    if (changing) print(vi ? 'Đã lưu cài đặt.' : 'Settings saved.');
    print(describeSettings(settings, opts.lang));
  } finally {
    await db.close();
  }
}

/** The settings as an admin reads them. */
export function describeSettings(s: ZaloSettings, lang: Lang): string {
  const vi = lang === 'vi';
  const state = (on: boolean) => (vi ? (on ? 'bật' : 'tắt') : on ? 'on' : 'off');
  return vi
    ? [
        `Cài đặt Zalo OA ${s.oaId}:`,
        `  • Bot hỏi các câu hỏi đánh giá khách (--qualify): ${state(s.qualify)}`,
        `  • Nhắn tin trong khung trả phí 48 giờ – 7 ngày (--paid-window): ${state(s.allowPaidWindow)}`,
      ].join('\n')
    : [
        `Zalo OA ${s.oaId} settings:`,
        `  • The bot asks its qualification questions (--qualify): ${state(s.qualify)}`,
        `  • Messages in the paid 48 h – 7 day window (--paid-window): ${state(s.allowPaidWindow)}`,
      ].join('\n');
}

/** `on` / `off` (any case) as a boolean; absent stays undefined; anything else is refused, naming the flag. */
function onOff(flag: string, value: string | undefined, lang: Lang): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new AppError(
    'BAD_INPUT',
    lang === 'vi'
      ? `${flag} phải là on hoặc off (nhận được “${value}”)`
      : `${flag} must be on or off (got “${value}”)`,
  );
}
