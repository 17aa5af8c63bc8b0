/**
 * The OpenAI layer with the real `openai` SDK against a local fake of the Chat Completions API.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OpenAiConfig } from '../../src/config.ts';
import type { LeadExplanation } from '../../src/domain/leads.ts';
import { createLlm, type Llm, type LlmOptions } from '../../src/integrations/openai/client.ts';
import { PROMPT_DIR } from '../../src/integrations/openai/prompts.ts';
import type { BantFieldValues } from '../../src/parse/bant.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../helpers/fake-openai.ts';

/** 2027-01-10 09:00 in Vietnam (02:00 UTC); the next Tết is 2027-02-06. */
const NOW = Date.UTC(2027, 0, 10, 2, 0);
const DAY = 86_400_000;

let fake: FakeOpenAi;
let logs: Record<string, unknown>[];

function llm(options: LlmOptions = {}, overrides: Partial<OpenAiConfig> = {}): Llm {
  const config: OpenAiConfig = {
    apiKey: 'sk-test',
    baseUrl: fake.baseUrl,
    model: 'gpt-4o-mini',
    ...overrides,
  };
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  return createLlm(config, logger, options);
}

/** The prompt file's section for `lang`, read independently of the loader. */
function promptSection(file: string, lang: 'vi' | 'en'): string {
  const source = readFileSync(path.join(PROMPT_DIR, file), 'utf8');
  const [, afterVi = ''] = source.split('<!-- lang: vi -->');
  const [vi = '', en = ''] = afterVi.split('<!-- lang: en -->');
  return (lang === 'vi' ? vi : en).trim();
}

const lastRequest = () => {
  const r = fake.requests.at(-1);
  if (!r) throw new Error('no request recorded');
  return r;
};
const messagesOf = (body: Record<string, unknown>) => body.messages as { role: string; content: string }[];
const warnings = () => logs.filter((l) => l.level === 40);

beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  logs = [];
});

describe('extractBantAnswer', () => {
  it('returns a valid budget reading, typed, and sends the prompt and a strict schema', async () => {
    fake.reply({ understood: true, value: { amount: 200_000_000, currency: 'VND' }, confidence: 0.92 });
    const r = await llm().extractBantAnswer('budget', 'tầm hai trăm củ', { lang: 'vi', answeredAt: NOW });
    expect(r).toEqual({ value: { amount: 200_000_000, currency: 'VND' }, confidence: 0.92 });
    const value: BantFieldValues['budget'] | undefined = r?.value; // typed as Hotlead's BANT value
    expect(value).toBeDefined();

    const req = lastRequest();
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(req.body.model).toBe('gpt-4o-mini');
    const [system, user] = messagesOf(req.body);
    expect(system).toEqual({ role: 'system', content: promptSection('bant-extract.v1.md', 'vi') });
    expect(system?.content).toMatch(/^Bạn là trợ lý/);
    expect(JSON.parse(user?.content ?? '')).toEqual({
      field: 'budget',
      answer: 'tầm hai trăm củ',
      answeredOn: '2027-01-10',
      nextTet: '2027-02-06',
    });
    const format = req.body.response_format as {
      type: string;
      json_schema: { name: string; strict: boolean; schema: Record<string, unknown> };
    };
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.name).toBe('bant_budget');
    expect(format.json_schema.strict).toBe(true);
    expect(format.json_schema.schema).toMatchObject({
      type: 'object',
      required: ['understood', 'value', 'confidence'],
      additionalProperties: false,
    });
  });

  it('sends the English prompt for lang en', async () => {
    fake.reply({ understood: true, value: 'decision_maker', confidence: 0.8 });
    const r = await llm().extractBantAnswer('authority', 'she signs off', { lang: 'en', answeredAt: NOW });
    expect(r).toEqual({ value: 'decision_maker', confidence: 0.8 });
    expect(messagesOf(lastRequest().body)[0]?.content).toBe(promptSection('bant-extract.v1.md', 'en'));
  });

  it('reads need and timeline into Hotlead values (null text dropped, monthsMax from decideBy)', async () => {
    fake.reply({ understood: true, value: { confirmed: true, text: ' CRM cho 20 sales ' }, confidence: 0.7 });
    expect(await llm().extractBantAnswer('need', 'cần crm 20 sale', { lang: 'vi', answeredAt: NOW })).toEqual(
      {
        value: { confirmed: true, text: 'CRM cho 20 sales' },
        confidence: 0.7,
      },
    );
    fake.reply({ understood: true, value: { confirmed: false, text: null }, confidence: 0.9 });
    expect(await llm().extractBantAnswer('need', 'chỉ xem thôi', { lang: 'vi', answeredAt: NOW })).toEqual({
      value: { confirmed: false },
      confidence: 0.9,
    });
    // "trước Tết": the day before 2027-02-06; the model's monthsMax is recomputed from the date.
    fake.reply({
      understood: true,
      value: { monthsMin: null, monthsMax: 5, decideBy: '2027-02-05' },
      confidence: 0.85,
    });
    expect(await llm().extractBantAnswer('timeline', 'trc tet', { lang: 'vi', answeredAt: NOW })).toEqual({
      value: { monthsMax: 1, decideBy: '2027-02-05' },
      confidence: 0.85,
    });
    fake.reply({ understood: true, value: 'none', confidence: 0.75 });
    expect(await llm().extractBantAnswer('timeline', 'k vội', { lang: 'vi', answeredAt: NOW })).toEqual({
      value: 'none',
      confidence: 0.75,
    });
  });

  it.each([
    ['budget', { amount: '200000000', currency: 'VND' }],
    ['budget', { amount: 200_000_000, currency: 'vnd' }],
    ['budget', { amount: -5, currency: 'VND' }],
    ['budget', { amount: 5, currency: 'VND', note: 'extra' }],
    ['authority', 'boss'],
    ['need', { confirmed: 'yes', text: null }],
    ['timeline', { monthsMin: null, monthsMax: null, decideBy: null }],
    ['timeline', { monthsMin: null, monthsMax: null, decideBy: '2026-12-31' }],
    ['timeline', { monthsMin: null, monthsMax: null, decideBy: '31/12/2027' }],
    ['timeline', { monthsMin: 4, monthsMax: 2, decideBy: null }],
    ['timeline', { monthsMin: 1.5, monthsMax: null, decideBy: null }],
  ] as const)('refuses a wrongly shaped %s value %j', async (field, value) => {
    fake.reply({ understood: true, value, confidence: 0.9 });
    expect(await llm().extractBantAnswer(field, 'x', { lang: 'vi', answeredAt: NOW })).toBeNull();
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ prompt: 'bant-extract@v1', reason: 'schema mismatch', field });
  });

  it('refuses answers missing a key or with a confidence out of range', async () => {
    fake.reply({ understood: true, value: 'user' });
    expect(await llm().extractBantAnswer('authority', 'x', { lang: 'vi', answeredAt: NOW })).toBeNull();
    fake.reply({ understood: true, value: 'user', confidence: 1.5 });
    expect(await llm().extractBantAnswer('authority', 'x', { lang: 'vi', answeredAt: NOW })).toBeNull();
    expect(warnings().map((w) => w.reason)).toEqual(['schema mismatch', 'schema mismatch']);
  });

  it('returns null when the model did not understand or is not confident', async () => {
    fake.reply({ understood: false, value: null, confidence: 0.2 });
    expect(await llm().extractBantAnswer('budget', 'để xem', { lang: 'vi', answeredAt: NOW })).toBeNull();
    // understood:false wins even when a value came along
    fake.reply({ understood: false, value: 'none', confidence: 0.9 });
    expect(await llm().extractBantAnswer('budget', 'hmm', { lang: 'vi', answeredAt: NOW })).toBeNull();
    fake.reply({ understood: true, value: { amount: 5, currency: 'USD' }, confidence: 0.49 });
    expect(await llm().extractBantAnswer('budget', 'khoảng 5', { lang: 'vi', answeredAt: NOW })).toBeNull();
    expect(logs.map((l) => l.msg)).toEqual([
      'openai: BANT answer not understood',
      'openai: BANT answer not understood',
      'openai: BANT answer read with low confidence',
    ]);
  });

  it('returns null on invalid JSON, a refusal and a truncated answer', async () => {
    fake.reply('{"understood": true, "value": ');
    expect(await llm().extractBantAnswer('budget', 'x', { lang: 'vi', answeredAt: NOW })).toBeNull();
    fake.refuse();
    expect(await llm().extractBantAnswer('budget', 'x', { lang: 'vi', answeredAt: NOW })).toBeNull();
    fake.reply({ understood: true, value: 'none', confidence: 0.9 }, { finishReason: 'length' });
    expect(await llm().extractBantAnswer('budget', 'x', { lang: 'vi', answeredAt: NOW })).toBeNull();
    expect(warnings().map((w) => w.reason)).toEqual(['invalid JSON', 'model refused', 'answer truncated']);
  });

  it('returns null after HTTP 500, retried twice by the SDK', async () => {
    fake.fail(500);
    expect(await llm().extractBantAnswer('budget', 'x', { lang: 'vi', answeredAt: NOW })).toBeNull();
    expect(fake.requests).toHaveLength(3);
    expect(warnings()).toEqual([
      expect.objectContaining({ prompt: 'bant-extract@v1', reason: 'HTTP 500', model: 'gpt-4o-mini' }),
    ]);
    // a short message, no error object or stack trace
    expect(typeof warnings()[0]?.error).toBe('string');
    expect(logs.some((l) => 'err' in l || 'stack' in l)).toBe(false);
  });

  it('recovers when a retry succeeds, and does not retry a 400', async () => {
    fake.reply({ understood: true, value: 'influencer', confidence: 0.8 });
    fake.fail(503, { times: 1 });
    expect(await llm().extractBantAnswer('authority', 'x', { lang: 'vi', answeredAt: NOW })).toEqual({
      value: 'influencer',
      confidence: 0.8,
    });
    expect(fake.requests).toHaveLength(2);
    fake.requests.length = 0;
    fake.fail(400, { times: 1 });
    expect(await llm().extractBantAnswer('authority', 'x', { lang: 'vi', answeredAt: NOW })).toBeNull();
    expect(fake.requests).toHaveLength(1);
  });

  it('returns null quickly on a timeout', async () => {
    fake.hang();
    const started = Date.now();
    const r = await llm({ timeoutMs: 200, maxRetries: 1 }).extractBantAnswer('budget', 'x', {
      lang: 'vi',
      answeredAt: NOW,
    });
    expect(r).toBeNull();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(fake.requests).toHaveLength(2);
    expect(warnings()).toEqual([expect.objectContaining({ reason: 'timeout' })]);
  });

  it('returns null when the server cannot be reached', async () => {
    const closed = await startFakeOpenAi();
    const baseUrl = closed.baseUrl;
    await closed.close();
    const r = await llm({ maxRetries: 0 }, { baseUrl }).extractBantAnswer('budget', 'x', {
      lang: 'vi',
      answeredAt: NOW,
    });
    expect(r).toBeNull();
    expect(warnings()).toEqual([expect.objectContaining({ reason: 'network error' })]);
  });

  it('does not call the model for a blank answer', async () => {
    expect(await llm().extractBantAnswer('need', '  ', { lang: 'vi', answeredAt: NOW })).toBeNull();
    expect(fake.requests).toHaveLength(0);
  });

  it('is absent without configuration', () => {
    expect(createLlm(undefined, pino({ level: 'silent' }))).toBeNull();
  });
});

/** An SQL lead: score 86, budget 200.000.000 ₫, company with a digit in its name. */
const explanation = (): LeadExplanation => ({
  leadId: 'lead_1',
  lead: { name: 'Nguyễn Văn An', company: 'Công ty 3T', title: 'Giám đốc' },
  stage: 'SQL',
  score: 86,
  fitScore: 46,
  engagementScore: 40,
  modelVersion: 'default-2027.01',
  thresholds: { WARM: 20, MQL: 50, SQL: 80, hysteresis: 5 },
  fastTracked: false,
  factors: [
    {
      ruleId: 'eng.quote_request',
      category: 'engagement',
      points: 30,
      reason: { vi: 'Yêu cầu báo giá', en: 'Quote requested' },
      at: NOW - 2 * DAY,
      count: 1,
    },
    {
      ruleId: 'bant.budget.min_deal',
      category: 'bant',
      points: 15,
      reason: { vi: 'Ngân sách 200.000.000 ₫', en: 'Budget VND 200,000,000' },
      at: Date.UTC(2027, 0, 8, 3, 0),
      count: 1,
    },
    {
      ruleId: 'eng.email_open',
      category: 'engagement',
      points: 5,
      reason: { vi: 'Mở e-mail', en: 'E-mail opened' },
      at: NOW - DAY,
      count: 4,
    },
  ],
  decay: [],
  bant: {
    budget: {
      known: true,
      value: { vi: '200.000.000 ₫', en: 'VND 200,000,000' },
      points: 15,
      answeredAt: NOW - 2 * DAY,
    },
    authority: { known: true, value: { vi: 'Người quyết định', en: 'Decision maker' }, points: 10 },
    need: { known: false, points: 0 },
    timeline: { known: false, points: 0 },
  },
  missing: [],
  nextStage: null,
});

describe('phraseExplanation', () => {
  const phrase = (lang: 'vi' | 'en' = 'vi') => llm().phraseExplanation(explanation(), lang, { now: NOW });

  it('returns the reply when every number is a fact, and sends the facts as JSON', async () => {
    const reply =
      'Anh An (Công ty 3T) đang là SQL với 86/100 điểm, trên ngưỡng SQL 80: đã yêu cầu báo giá 2 ngày trước ' +
      '(+30 điểm, ngày 08/01/2027) và có ngân sách 200 triệu (200.000.000 ₫). Còn thiếu Need và Timeline.';
    fake.reply(reply);
    expect(await phrase()).toBe(reply);

    const [system, user] = messagesOf(lastRequest().body);
    expect(system?.content).toBe(promptSection('why-phrase.v1.md', 'vi'));
    const facts = JSON.parse(user?.content ?? '');
    expect(facts).toMatchObject({
      lang: 'vi',
      lead: { name: 'Nguyễn Văn An', company: 'Công ty 3T', title: 'Giám đốc' },
      stage: 'SQL',
      score: 86,
      maxScore: 100,
      fit: 46,
      engagement: 40,
      thresholds: { WARM: 20, MQL: 50, SQL: 80 },
    });
    expect(facts.factors[0]).toEqual({
      points: 30,
      reason: 'Yêu cầu báo giá',
      date: '2027-01-08',
      daysAgo: 2,
    });
    expect(facts.factors[2]).toMatchObject({ points: 5, count: 4 });
    expect(facts.bant.budget).toEqual({ known: true, value: '200.000.000 ₫', points: 15 });
    expect(facts.bant.need).toEqual({ known: false });
    expect(user?.content).not.toContain('lead_1');
    expect(user?.content).not.toContain('default-2027.01');
  });

  it('works in English with English separators', async () => {
    const reply =
      'An is an SQL at 86 points (SQL from 80): quote requested on Jan 8, budget VND 200,000,000.';
    fake.reply(reply);
    expect(await phrase('en')).toBe(reply);
    expect(messagesOf(lastRequest().body)[0]?.content).toBe(promptSection('why-phrase.v1.md', 'en'));
  });

  it('discards a reply with a number that is not in the facts', async () => {
    fake.reply('Lead này có điểm 95, rất nóng.');
    expect(await phrase()).toBeNull();
    expect(warnings()).toEqual([
      expect.objectContaining({
        prompt: 'why-phrase@v1',
        reason: 'answer states numbers not in the facts',
        numbers: ['95'],
      }),
    ]);
  });

  it.each([
    ['an invented percentage', 'Điểm 86, khả năng chốt khoảng 70%.', ['70%']],
    ['a known number as a percentage', 'Lead đạt 86% điểm tối đa.', ['86%']],
    ['an invented amount', 'Ngân sách 300 triệu.', ['300 triệu']],
    ['an invented date', 'Yêu cầu báo giá ngày 12/01.', ['12/01']],
  ])('discards a reply with %s', async (_what, reply, numbers) => {
    fake.reply(reply);
    expect(await phrase()).toBeNull();
    expect(warnings()).toEqual([expect.objectContaining({ prompt: 'why-phrase@v1', numbers })]);
  });

  it('discards a reply that is too long, empty, or refused', async () => {
    fake.reply(`Lead SQL. ${'Rất tiềm năng. '.repeat(100)}`);
    expect(await phrase()).toBeNull();
    fake.reply('   ');
    expect(await phrase()).toBeNull();
    fake.refuse();
    expect(await phrase()).toBeNull();
    expect(warnings().map((w) => w.reason)).toEqual(['answer too long', 'empty answer', 'model refused']);
  });

  it('returns null on HTTP errors', async () => {
    fake.fail(429);
    expect(await llm({ maxRetries: 0 }).phraseExplanation(explanation(), 'vi')).toBeNull();
    expect(warnings()).toEqual([expect.objectContaining({ prompt: 'why-phrase@v1', reason: 'HTTP 429' })]);
  });
});
