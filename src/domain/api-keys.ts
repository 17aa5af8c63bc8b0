/** API keys: shown once at creation, stored as a sha256 hash (a leaked database leaks no key). */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../db/client.ts';
import { AppError } from '../errors/app-error.ts';
import { newId } from './ids.ts';

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export async function createApiKey(
  db: Database,
  name: string,
): Promise<{ id: string; key: string; prefix: string }> {
  const clean = name.trim();
  if (!clean || clean.length > 100) throw new AppError('BAD_INPUT', 'The key name must be 1–100 characters');
  const key = `hl_${randomBytes(24).toString('base64url')}`;
  const id = newId('ak');
  const prefix = key.slice(0, 7);
  await db.prisma.apiKey.create({ data: { id, name: clean, prefix, hash: hashKey(key) } });
  return { id, key, prefix };
}

/** The key's id when the bearer token is a live key; null otherwise. */
export async function verifyApiKey(db: Database, token: string): Promise<string | null> {
  if (!token.startsWith('hl_')) return null;
  const row = await db.prisma.apiKey.findUnique({ where: { hash: hashKey(token) } });
  if (!row || row.revokedAt) return null;
  return row.id;
}
