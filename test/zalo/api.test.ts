/**
 * The Zalo OA client against the fake Zalo (real fetch, real token store on PGlite and, when
 * DATABASE_URL is set, Postgres): ids stay strings, every error code maps to its kind, a
 * refused token is refreshed once and the call retried once, network failures are retryable.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createZaloApi,
  MAX_TEXT_CHARS,
  parseJsonKeepingIds,
  ZaloApiError,
  type ZaloApi,
  type ZaloErrorKind,
} from '../../src/integrations/zalo/api.ts';
import { createTokenStore } from '../../src/integrations/zalo/tokens.ts';
import { BACKENDS } from '../helpers/db.ts';
import { storedTokens, ZALO_PATHS, zaloTestBed } from '../helpers/fake-zalo.ts';

const USER = '8462372187620815423';
const QUIET = '5101248394716250001';

describe.each(BACKENDS)('Zalo OA API client ($name)', ({ open }) => {
  const bed = zaloTestBed(open);
  let api: ZaloApi;

  beforeEach(() => {
    bed.fake.addUser({
      id: USER,
      displayName: 'Trần Thị Hoa',
      sharedInfo: { name: 'Hoa', phone: '0912345678' },
    });
    bed.fake.addUser({ id: QUIET, displayName: 'Lê Văn Nam', isFollower: false });
    const { db, fake, logger, alert } = bed;
    const tokens = createTokenStore({ db, config: fake.config, logger, alert });
    api = createZaloApi({ config: fake.config, tokens, logger, timeoutMs: 300 });
  });

  const failure = async (p: Promise<unknown>): Promise<ZaloApiError> => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ZaloApiError);
    return err as ZaloApiError;
  };

  it('sends a CS text with the bare access_token header and returns the message id as a string', async () => {
    const sent = await api.sendText(USER, 'Chào anh/chị, em có thể giúp gì ạ?', { quoteMessageId: 'b1e0c2' });
    expect(sent.messageId).toMatch(/^[0-9a-f]{32}$/);
    const [msg] = bed.fake.messagesTo(USER);
    expect(msg).toMatchObject({
      messageId: sent.messageId,
      text: 'Chào anh/chị, em có thể giúp gì ạ?',
      quoteMessageId: 'b1e0c2',
    });
    const [call] = bed.fake.callsTo(ZALO_PATHS.send);
    expect(call?.headers.access_token).toBe((await storedTokens(bed.db))?.accessToken);
    expect(call?.headers.authorization).toBeUndefined();
    expect(call?.headers['content-type']).toContain('application/json');
    expect(call?.body).toEqual({
      recipient: { user_id: USER },
      message: { text: 'Chào anh/chị, em có thể giúp gì ạ?', quote_message_id: 'b1e0c2' },
    });
  });

  it.each(['numeric', 'numeric-json'] as const)('keeps 19-digit message ids exact (%s)', async (style) => {
    bed.fake.messageIds(style);
    const sent = await api.sendText(USER, 'Dạ vâng');
    expect(typeof sent.messageId).toBe('string');
    expect(sent.messageId).toMatch(/^\d{19}$/);
    expect(sent.messageId).toBe(bed.fake.messagesTo(USER)[0]?.messageId);
  });

  it('refuses a text over 2,000 characters locally (nothing sent); 2,000 exactly goes', async () => {
    const err = await failure(api.sendText(USER, 'a'.repeat(MAX_TEXT_CHARS + 1)));
    expect(err).toMatchObject({ kind: 'permanent', retryable: false, code: 0 });
    expect(err.message).toContain('2001 characters');
    expect(bed.fake.callsTo(ZALO_PATHS.send)).toHaveLength(0);
    await expect(api.sendText(USER, 'ă'.repeat(MAX_TEXT_CHARS))).resolves.toHaveProperty('messageId');
  });

  it.each<[number, ZaloErrorKind, boolean]>([
    [-32, 'rate_limited', true],
    [-201, 'permanent', false],
    [-204, 'oa_disabled', false],
    [-205, 'oa_disabled', false],
    [-211, 'quota', false],
    [-213, 'not_follower', false],
    [-227, 'user_inactive', false],
    [-230, 'window', false],
    [-232, 'window', false],
    [-233, 'permanent', false],
    [-240, 'permanent', false],
    [-999, 'permanent', false],
  ])('maps Zalo error %i to %s (retryable: %s)', async (code, kind, retryable) => {
    bed.fake.failNext(ZALO_PATHS.send, code);
    const err = await failure(api.sendText(USER, 'Xin chào'));
    expect(err).toMatchObject({ code, kind, retryable });
    expect(bed.fake.callsTo(ZALO_PATHS.send)).toHaveLength(1); // no retry inside the client
    expect(bed.fake.callsTo(ZALO_PATHS.token)).toHaveLength(0);
    expect(bed.fake.messagesTo(USER)).toHaveLength(0);
  });

  it('answers -213 for a user who does not follow the OA', async () => {
    const err = await failure(api.sendText(QUIET, 'Xin chào'));
    expect(err).toMatchObject({ code: -213, kind: 'not_follower' });
  });

  it.each([-216, -220])('on %i refreshes the token once, stores it and retries once', async (code) => {
    const before = await storedTokens(bed.db);
    bed.fake.failNext(ZALO_PATHS.send, code);
    const sent = await api.sendText(USER, 'Dạ em gửi lại ạ');
    expect(sent.messageId).toMatch(/^[0-9a-f]{32}$/);
    expect(bed.fake.callsTo(ZALO_PATHS.token)).toHaveLength(1);
    expect(bed.fake.callsTo(ZALO_PATHS.send)).toHaveLength(2);
    const after = await storedTokens(bed.db);
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    expect(bed.fake.messagesTo(USER)[0]?.accessToken).toBe(after?.accessToken);
  });

  it('a real expired token (-220 from the bed.fake) is refreshed and the call goes through', async () => {
    bed.fake.expireAccessTokens();
    await expect(api.userProfile(USER)).resolves.toMatchObject({ displayName: 'Trần Thị Hoa' });
    expect(bed.fake.callsTo(ZALO_PATHS.token)).toHaveLength(1);
  });

  it('-216 again after the refresh fails with kind token after exactly one refresh', async () => {
    bed.fake.failNext(ZALO_PATHS.send, -216, 2);
    const err = await failure(api.sendText(USER, 'Xin chào'));
    expect(err).toMatchObject({ code: -216, kind: 'token', retryable: false });
    expect(bed.fake.callsTo(ZALO_PATHS.token)).toHaveLength(1);
    expect(bed.fake.callsTo(ZALO_PATHS.send)).toHaveLength(2);
    expect(bed.alert).not.toHaveBeenCalled(); // the refresh itself worked: nothing lost
  });

  it('a lost refresh token during the retry: kind token, managers alerted', async () => {
    bed.fake.failNext(ZALO_PATHS.send, -216);
    bed.fake.revokeRefreshTokens();
    const err = await failure(api.sendText(USER, 'Xin chào'));
    expect(err).toMatchObject({ kind: 'token', retryable: false });
    expect(bed.alert).toHaveBeenCalledTimes(1);
  });

  it('a cut connection and a timeout are network errors, retryable', async () => {
    bed.fake.dropNext(ZALO_PATHS.send);
    expect(await failure(api.sendText(USER, 'Xin chào'))).toMatchObject({ kind: 'network', retryable: true });
    bed.fake.delay(ZALO_PATHS.send, 1000);
    const slow = await failure(api.sendText(USER, 'Xin chào'));
    expect(slow).toMatchObject({ kind: 'network', retryable: true });
    expect(slow.message).toContain('timed out');
  });

  it('sends the request_user_info template', async () => {
    const sent = await api.requestUserInfo(USER, {
      title: 'Cho em xin thông tin liên hệ',
      subtitle: 'Để tư vấn viên gọi lại cho anh/chị',
      imageUrl: 'https://hotlead.example/form.png',
    });
    expect(sent.messageId).toBeTypeOf('string');
    expect(bed.fake.messagesTo(USER)[0]?.attachment).toEqual({
      type: 'template',
      payload: {
        template_type: 'request_user_info',
        elements: [
          {
            title: 'Cho em xin thông tin liên hệ',
            subtitle: 'Để tư vấn viên gọi lại cho anh/chị',
            image_url: 'https://hotlead.example/form.png',
          },
        ],
      },
    });
  });

  it('reads a user profile (data= URL-encoded JSON with the id as a string)', async () => {
    await expect(api.userProfile(USER)).resolves.toEqual({
      displayName: 'Trần Thị Hoa',
      isFollower: true,
      sharedInfo: { name: 'Hoa', phone: '0912345678' },
    });
    expect(bed.fake.callsTo(ZALO_PATHS.userDetail)[0]?.query.data).toBe(`{"user_id":"${USER}"}`);
    await expect(api.userProfile(QUIET)).resolves.toEqual({
      displayName: 'Lê Văn Nam',
      isFollower: false,
      sharedInfo: null,
    });
  });

  it('logs the rate-limit headers at debug', async () => {
    await api.sendText(USER, 'Xin chào');
    expect(bed.logs).toContainEqual(
      expect.objectContaining({ level: 20, zalo: 'sendText', rateLimit: '4000', rateRemain: '3999' }),
    );
  });

  it('without a stored token: kind token, managers alerted, nothing sent', async () => {
    await bed.db.transaction((tx) => tx.execute('DELETE FROM zalo_token'));
    const err = await failure(api.sendText(USER, 'Xin chào'));
    expect(err).toMatchObject({ kind: 'token', retryable: false });
    expect(bed.alert).toHaveBeenCalledTimes(1);
    expect(bed.fake.callsTo(ZALO_PATHS.send)).toHaveLength(0);
  });
});

describe('parseJsonKeepingIds', () => {
  it('keeps long integers exact as strings and leaves everything else alone', () => {
    const raw =
      '{"error":0,"n":-1234567890123456789,"id":8462372187620815423,"s":"8462372187620815423 \\" 99999999999999999","t":1732345678901,"f":1.2345678901234567,"a":[12345678901234567890]}';
    expect(parseJsonKeepingIds(raw)).toEqual({
      error: 0,
      n: '-1234567890123456789',
      id: '8462372187620815423',
      s: '8462372187620815423 " 99999999999999999',
      t: 1732345678901,
      f: 1.2345678901234567,
      a: ['12345678901234567890'],
    });
  });
});
