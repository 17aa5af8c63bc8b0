/**
 * Zalo OA webhook deliveries as Zalo sends them (shapes from the brief), signed with
 * `X-ZEvent-Signature: mac=sha256(appId + rawBody + timestamp + oaSecretKey)`.
 */
import { createHash } from 'node:crypto';

export const OA_ID = '2880000000000000001';
let seq = 0;
const nextId = () => `${Date.now().toString(16)}${(++seq).toString(16).padStart(6, '0')}`;

export interface ZaloApp {
  appId: string;
  oaSecretKey: string;
}

export function userText(userId: string, text: string, opts: { msgId?: string; timestamp?: string } = {}) {
  return {
    app_id: '',
    user_id_by_app: `app-${userId}`,
    event_name: 'user_send_text',
    timestamp: opts.timestamp ?? String(Date.now()),
    sender: { id: userId },
    recipient: { id: OA_ID },
    message: { msg_id: opts.msgId ?? nextId(), text },
  };
}

export function follow(userId: string, opts: { timestamp?: string } = {}) {
  return {
    app_id: '',
    oa_id: OA_ID,
    user_id_by_app: `app-${userId}`,
    event_name: 'follow',
    timestamp: opts.timestamp ?? String(Date.now()),
    source: 'oa_profile',
    follower: { id: userId },
  };
}

export function oaEcho(userId: string, text: string) {
  return {
    app_id: '',
    event_name: 'oa_send_text',
    timestamp: String(Date.now()),
    sender: { id: OA_ID },
    recipient: { id: userId },
    message: { msg_id: nextId(), text },
  };
}

/** Both documented shapes of the contact form's answer. */
export function submitInfo(
  userId: string,
  shape: 'a' | 'b',
  info: { name: string; phone: string; city?: string },
) {
  return {
    app_id: '',
    event_name: 'user_submit_info',
    timestamp: String(Date.now()),
    sender: { id: userId },
    recipient: { id: OA_ID },
    info:
      shape === 'a'
        ? { name: info.name, phone: info.phone, address: '', city: info.city ?? '', district: '', ward: '' }
        : {
            name: info.name,
            phone: info.phone,
            user_dob: '',
            gender: '',
            full_address: { user_city: info.city ?? '', user_ward: '', user_address: '' },
          },
  };
}

export function signZalo(app: ZaloApp, raw: string, timestamp: string): string {
  return `mac=${createHash('sha256')
    .update(app.appId + raw + timestamp + app.oaSecretKey)
    .digest('hex')}`;
}

/** POSTs a delivery to `/zalo/webhook`, signed unless told otherwise. */
export async function deliver(
  baseUrl: string,
  app: ZaloApp,
  event: { timestamp: string } & Record<string, unknown>,
  opts: { signature?: string | null } = {},
): Promise<{ status: number; body: string }> {
  const raw = JSON.stringify(event);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const sig = opts.signature === undefined ? signZalo(app, raw, event.timestamp) : opts.signature;
  if (sig !== null) headers['x-zevent-signature'] = sig;
  const res = await fetch(`${baseUrl}/zalo/webhook`, { method: 'POST', headers, body: raw });
  return { status: res.status, body: await res.text() };
}
