/**
 * Reading event files for `hotlead events import`: JSON Lines (one event per line) or CSV with
 * a header (columns id, type, occurredAt, lead.email, lead.phone, …, properties.url, …).
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../errors/app-error.ts';

export interface FileItem {
  line: number;
  value: unknown;
  parseError?: string;
}

export async function readEventFile(file: string): Promise<FileItem[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new AppError('BAD_INPUT', `Cannot read ${file}`);
  }
  if (/\.jsonl$|\.ndjson$|\.json$/i.test(file)) return parseJsonl(text);
  if (/\.csv$/i.test(file)) return parseCsvEvents(text);
  throw new AppError('BAD_INPUT', `${file}: use a .jsonl or .csv file`);
}

function parseJsonl(text: string): FileItem[] {
  const items: FileItem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    try {
      items.push({ line: i + 1, value: JSON.parse(line) });
    } catch (err) {
      items.push({ line: i + 1, value: null, parseError: `not valid JSON (${(err as Error).message})` });
    }
  });
  return items;
}

/** RFC 4180-style CSV: quoted fields, doubled quotes, commas and newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

const NUMERIC = new Set(['lead.companySize', 'properties.budget', 'properties.timeline']);

function parseCsvEvents(text: string): FileItem[] {
  const rows = parseCsv(text.replace(/^\uFEFF/, ''));
  const header = rows.shift();
  if (!header) return [];
  return rows.map((cells, i) => {
    const value: Record<string, unknown> = {};
    header.forEach((col, c) => {
      const name = col.trim();
      const cell = (cells[c] ?? '').trim();
      if (!name || cell === '') return;
      const [head, ...rest] = name.split('.');
      const typed = NUMERIC.has(name) && /^\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell;
      if (rest.length === 0) value[head!] = typed;
      else {
        const obj = (value[head!] ?? {}) as Record<string, unknown>;
        obj[rest.join('.')] = typed;
        value[head!] = obj;
      }
    });
    if (!value.lead) value.lead = {};
    return { line: i + 2, value };
  });
}
