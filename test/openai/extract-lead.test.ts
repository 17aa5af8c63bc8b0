/**
 * extractLead (prompt lead-extract) with the real `openai` SDK against the local fake of the
 * Chat Completions API: valid fields are used, invalid ones dropped one by one (never stored),
 * failures resolve to null; and the merge with the deterministic extractor.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlm, type Llm } from '../../src/integrations/openai/client.ts';
import { loadPrompt, PROMPT_DIR, promptLabel } from '../../src/integrations/openai/prompts.ts';
import { extractLeadDetails, mergeExtractions } from '../../src/parse/extract.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../helpers/fake-openai.ts';

/** 2027-01-10 09:00 in Vietnam; the next Tết is 2027-02-06. */
const NOW = Date.UTC(2027, 0, 10, 2, 0);

let fake: FakeOpenAi;
let logs: Record<string, unknown>[];

function llm(): Llm {
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  return createLlm({ apiKey: 'sk-test', baseUrl: fake.baseUrl, model: 'gpt-4o-mini' }, logger, {
    maxRetries: 0,
  });
}

/** A full wire answer: every key, null unless given. */
function answer(values: Record<string, unknown>, confidence = 0.8) {
  const keys = ['name', 'phone', 'email', 'company', 'title', 'companySize', 'need', 'budget'];
  const rest = ['authority', 'timeline', 'intent'];
  return {
    ...Object.fromEntries([...keys, ...rest].map((k) => [k, null])),
    ...values,
    confidence,
  };
}

const warnings = () => logs.filter((l) => l.level === 40);
const MESSAGE =
  'chào shop, mình là chị Hằng, công ty Ánh Dương, zalo 0912 345 678, ngân sách tầm hai trăm củ';

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

describe('extractLead', () => {
  it('uses a valid answer: typed fields marked llm, Vietnamese prompt first, strict schema', async () => {
    fake.reply(
      answer({
        name: 'Hằng',
        phone: '0912.345.678',
        company: 'Ánh Dương',
        budget: { amount: 200_000_000, currency: 'VND' },
        timeline: { monthsMin: null, monthsMax: null, decideBy: '2027-02-05' },
        intent: 'pricing',
      }),
    );
    const r = await llm().extractLead(MESSAGE, { lang: 'vi', now: NOW });
    expect(r).toEqual({
      name: 'Hằng',
      phone: '+84912345678',
      company: 'Ánh Dương',
      budget: { amount: 200_000_000, currency: 'VND' },
      timeline: { monthsMax: 1, decideBy: '2027-02-05' },
      intent: 'pricing',
      confidence: 0.8,
      fields: Object.fromEntries(
        ['name', 'phone', 'company', 'budget', 'timeline', 'intent'].map((k) => [
          k,
          { extractor: 'llm', confidence: 0.8 },
        ]),
      ),
    });
    const req = fake.requests.at(-1)!;
    const [system, user] = req.body.messages as { role: string; content: string }[];
    expect(system?.content).toBe(loadPrompt('lead-extract').text.vi);
    expect(system?.content).toMatch(/^Bạn là trợ lý/);
    expect(JSON.parse(user?.content ?? '')).toEqual({
      message: MESSAGE,
      receivedOn: '2027-01-10',
      nextTet: '2027-02-06',
    });
    const format = req.body.response_format as { json_schema: { name: string; strict: boolean } };
    expect(format.json_schema).toMatchObject({ name: 'lead_details', strict: true });
  });

  it('has a versioned prompt file, Vietnamese section first', () => {
    const source = readFileSync(path.join(PROMPT_DIR, 'lead-extract.v1.md'), 'utf8');
    expect(source.indexOf('<!-- lang: vi -->')).toBeLessThan(source.indexOf('<!-- lang: en -->'));
    expect(promptLabel(loadPrompt('lead-extract'))).toBe('lead-extract@v1');
  });

  it('drops invalid fields one by one and keeps the valid ones', async () => {
    fake.reply(
      answer({
        name: 'Hằng',
        phone: '12345', // not a phone
        email: 'hang@anhduong.vn', // not in the message: invented
        company: 'Công ty Mặt Trời', // words not in the message
        companySize: 12.5,
        budget: { amount: -200, currency: 'VND' }, // not a positive amount
        timeline: { monthsMin: null, monthsMax: null, decideBy: '2026-12-31' }, // before the message
        authority: 'decision_maker',
      }),
    );
    const r = await llm().extractLead(MESSAGE, { lang: 'vi', now: NOW });
    expect(r).toEqual({
      name: 'Hằng',
      authority: 'decision_maker',
      confidence: 0.8,
      fields: {
        name: { extractor: 'llm', confidence: 0.8 },
        authority: { extractor: 'llm', confidence: 0.8 },
      },
    });
    expect(warnings()).toEqual([
      expect.objectContaining({
        prompt: 'lead-extract@v1',
        dropped: ['phone', 'email', 'company', 'companySize', 'budget', 'timeline'],
      }),
    ]);
  });

  it('drops a valid phone that is not in the message, and a "none" timeline', async () => {
    fake.reply(answer({ phone: '+84 987 654 321', timeline: 'none', budget: 'none' }, 0.9));
    const r = await llm().extractLead('chưa có ngân sách, không gấp, sđt 0912345678', {
      lang: 'en',
      now: NOW,
    });
    expect(r).toEqual({
      budget: 'none',
      confidence: 0.9,
      fields: { budget: { extractor: 'llm', confidence: 0.9 } },
    });
    expect((fake.requests.at(-1)!.body.messages as { content: string }[])[0]?.content).toBe(
      loadPrompt('lead-extract').text.en,
    );
  });

  it('returns null below the confidence floor, when nothing survives, and on failures', async () => {
    fake.reply(answer({ name: 'Hằng' }, 0.3));
    expect(await llm().extractLead(MESSAGE, { lang: 'vi', now: NOW })).toBeNull();
    fake.reply(answer({ phone: '0000' }));
    expect(await llm().extractLead(MESSAGE, { lang: 'vi', now: NOW })).toBeNull();
    fake.reply({ name: 'Hằng', confidence: 0.9 }); // keys missing
    expect(await llm().extractLead(MESSAGE, { lang: 'vi', now: NOW })).toBeNull();
    fake.reply('{"name": ');
    expect(await llm().extractLead(MESSAGE, { lang: 'vi', now: NOW })).toBeNull();
    fake.refuse();
    expect(await llm().extractLead(MESSAGE, { lang: 'vi', now: NOW })).toBeNull();
    fake.fail(500);
    expect(await llm().extractLead(MESSAGE, { lang: 'vi', now: NOW })).toBeNull();
    expect(await llm().extractLead('   ', { lang: 'vi', now: NOW })).toBeNull();
    expect(warnings().map((w) => w.reason)).toEqual(
      expect.arrayContaining(['schema mismatch', 'model refused', 'HTTP 500']),
    );
    expect(logs.some((l) => 'stack' in l)).toBe(false);
  });

  it('merges with the deterministic reading: parser wins, LLM fills the gaps', async () => {
    fake.reply(
      answer({
        name: 'Hằng',
        phone: '0912345678',
        company: 'Ánh Dương',
        budget: { amount: 200_000_000, currency: 'VND' },
      }),
    );
    const parsed = extractLeadDetails(MESSAGE, { now: NOW });
    const merged = mergeExtractions(parsed, await llm().extractLead(MESSAGE, { lang: 'vi', now: NOW }));
    expect(merged.phone).toBe('+84912345678');
    expect(merged.fields.phone?.extractor).toBe('parser');
    expect(merged.budget).toEqual({ amount: 200_000_000, currency: 'VND' });
    expect(merged.fields.budget).toEqual({ extractor: 'llm', confidence: 0.8 });
    expect(merged.fields.company?.extractor).toBe(parsed.company ? 'parser' : 'llm');
  });
});
