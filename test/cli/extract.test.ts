/**
 * `hotlead extract "<text>" [--json] [--lang vi|en]`: what Hotlead reads in one message, as an
 * admin runs it — deterministic only, then merged with the OpenAI fallback (local fake).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../helpers/fake-openai.ts';

describe('hotlead extract', () => {
  let dir: string;
  let env: Record<string, string>;
  let fake: FakeOpenAi;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hotlead-extract-'));
    env = { HOTLEAD_DATA_DIR: path.join(dir, 'data'), HOTLEAD_LANG: 'vi', LOG_LEVEL: 'error' };
    fake = await startFakeOpenAi();
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the documented JSON, fields absent when not found', async () => {
    const r = await runCli(
      [
        'extract',
        'Em là Trang, trưởng phòng mua hàng Công ty CP Nhựa Bình Minh, sđt 0912.345.678. Mã đơn 0987654321. Cho em xin báo giá, ngân sách khoảng 80tr',
        '--json',
      ],
      env,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({
      name: 'Trang',
      phone: '+84912345678',
      company: 'Nhựa Bình Minh',
      title: 'trưởng phòng mua hàng',
      budget: { amount: 80_000_000, currency: 'VND' },
      authority: 'influencer',
      intent: 'pricing',
      confidence: expect.any(Number),
      fields: expect.any(Object),
    });
    expect(out.fields.phone).toEqual({ extractor: 'parser', confidence: 0.95 });
    expect(out).not.toHaveProperty('email');
  });

  it('lists the fields in the chosen language, or says nothing was recognised', {
    timeout: 60_000,
  }, async () => {
    const vi = await runCli(['extract', 'sdt 0912 345 678, toi can bao gia'], env);
    expect(vi.code).toBe(0);
    expect(vi.stdout).toContain('Số điện thoại: +84912345678');
    expect(vi.stdout).toContain('Ý định: hỏi giá / báo giá');
    const en = await runCli(['extract', 'sdt 0912 345 678', '--lang', 'en'], env);
    expect(en.stdout).toContain('Phone: +84912345678');
    const none = await runCli(['extract', 'Dạ vâng ạ'], env);
    expect(none.stdout.trim()).toBe('Không nhận ra thông tin nào');
    const noneEn = await runCli(['extract', 'ok thanks', '--lang', 'en'], env);
    expect(noneEn.stdout.trim()).toBe('Nothing recognised');
  });

  it('refuses an empty message with a clear error, non-zero exit and no stack trace', async () => {
    const r = await runCli(['extract', '   ', '--json'], env);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('extract needs a message');
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('merges the OpenAI reading when OPENAI_API_KEY is set (parser wins, LLM fills gaps)', async () => {
    fake.reply({
      name: null,
      phone: '0987654321', // the parser's phone wins
      email: null,
      company: null,
      title: null,
      companySize: null,
      need: null,
      budget: { amount: 200_000_000, currency: 'VND' },
      authority: null,
      timeline: null,
      intent: null,
      confidence: 0.75,
    });
    const r = await runCli(
      ['extract', 'sđt 0912345678 hoặc 0987654321, ngan sach tam 2 tram trieu', '--json'],
      {
        ...env,
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: fake.baseUrl,
      },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.phone).toBe('+84912345678');
    expect(out.budget).toEqual({ amount: 200_000_000, currency: 'VND' });
    expect(out.fields).toEqual({
      phone: { extractor: 'parser', confidence: 0.95 },
      budget: { extractor: 'llm', confidence: 0.75 },
    });
    expect(fake.requests).toHaveLength(1);
  });
});
