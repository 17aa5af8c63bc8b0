/**
 * Versioned system prompts (prompts/<id>.<version>.md at the repo root), read once.
 *
 * A prompt file holds one section per language, each opened by a `<!-- lang: vi -->` /
 * `<!-- lang: en -->` line; anything before the first marker (a comment for maintainers) is not
 * sent. The version is part of the file name, so changing a prompt means adding a new file and
 * bumping PROMPT_VERSIONS here; logs name the prompt as `id@version`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Lang, Text } from '../../scoring/types.ts';

export const PROMPT_DIR = path.resolve(import.meta.dirname, '../../../prompts');

/** The version of each prompt in use. */
export const PROMPT_VERSIONS = {
  'bant-extract': 'v1',
  'lead-extract': 'v1',
  'why-phrase': 'v1',
} as const;
export type PromptId = keyof typeof PROMPT_VERSIONS;

export interface Prompt {
  id: PromptId;
  version: string;
  /** The system prompt in each language. */
  text: Text;
}

const LANGS: readonly Lang[] = ['vi', 'en'];
const MARKER = /^<!--\s*lang:\s*(\w+)\s*-->\s*$/gm;

/** Splits a prompt file into its language sections; throws naming the file when one is missing. */
export function parsePromptFile(source: string, file: string): Text {
  const sections = new Map<string, string>();
  const markers = [...source.matchAll(MARKER)];
  markers.forEach((m, i) => {
    const start = m.index + m[0].length;
    const end = markers[i + 1]?.index ?? source.length;
    sections.set(m[1] ?? '', source.slice(start, end).trim());
  });
  const [vi, en] = LANGS.map((lang) => {
    const text = sections.get(lang);
    if (!text) throw new Error(`Prompt file ${file} has no "<!-- lang: ${lang} -->" section`);
    return text;
  });
  return { vi: vi!, en: en! };
}

const cache = new Map<PromptId, Prompt>();

/** The prompt `id` at its current version, read from disk on first use. */
export function loadPrompt(id: PromptId): Prompt {
  const cached = cache.get(id);
  if (cached) return cached;
  const version = PROMPT_VERSIONS[id];
  const file = path.join(PROMPT_DIR, `${id}.${version}.md`);
  const prompt: Prompt = { id, version, text: parsePromptFile(readFileSync(file, 'utf8'), file) };
  cache.set(id, prompt);
  return prompt;
}

/** "bant-extract@v1", as logged. */
export function promptLabel(p: Prompt): string {
  return `${p.id}@${p.version}`;
}
