import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { loadPrompt, parsePromptFile, promptLabel } from '../../src/integrations/openai/prompts.ts';

describe('OpenAI configuration', () => {
  it('is undefined without OPENAI_API_KEY', () => {
    expect(parseConfig({}).openai).toBeUndefined();
    expect(parseConfig({ OPENAI_API_KEY: '  ', OPENAI_MODEL: 'gpt-4o' }).openai).toBeUndefined();
  });

  it('defaults the model and keeps the base URL', () => {
    expect(parseConfig({ OPENAI_API_KEY: 'sk-1' }).openai).toEqual({
      apiKey: 'sk-1',
      baseUrl: undefined,
      model: 'gpt-4o-mini',
    });
    expect(
      parseConfig({
        OPENAI_API_KEY: 'sk-1',
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        OPENAI_MODEL: 'gpt-4.1',
      }).openai,
    ).toEqual({ apiKey: 'sk-1', baseUrl: 'http://127.0.0.1:9/v1', model: 'gpt-4.1' });
  });

  it('names the variable when a value is bad or missing', () => {
    expect(() => parseConfig({ OPENAI_API_KEY: 'sk-1', OPENAI_BASE_URL: 'ftp://x' })).toThrow(
      /OPENAI_BASE_URL must start with http:\/\/ or https:\/\//,
    );
    expect(() => parseConfig({ OPENAI_BASE_URL: 'https://proxy.example/v1' })).toThrow(/OPENAI_API_KEY/);
  });
});

describe('prompts', () => {
  it('loads each prompt once, with its id, version and both languages', () => {
    for (const id of ['bant-extract', 'why-phrase'] as const) {
      const p = loadPrompt(id);
      expect(loadPrompt(id)).toBe(p);
      expect(p).toMatchObject({ id, version: 'v1' });
      expect(promptLabel(p)).toBe(`${id}@v1`);
      expect(p.text.vi).not.toContain('<!--');
      expect(p.text.en).not.toContain('<!--');
      expect(p.text.vi).not.toBe(p.text.en);
    }
    expect(loadPrompt('bant-extract').text.vi).toContain('Tết');
    expect(loadPrompt('why-phrase').text.en).toContain('Never invent numbers');
  });

  it('refuses a prompt file without a language section', () => {
    expect(() => parsePromptFile('<!-- lang: vi -->\nXin chào', 'x.v1.md')).toThrow(
      /x\.v1\.md has no "<!-- lang: en -->" section/,
    );
  });
});
