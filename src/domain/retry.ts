/**
 * Retries a transaction that lost a race with a concurrent one (unique violation on an
 * idempotency key or identity, serialization failure, deadlock). The retry re-reads
 * everything, so the second attempt sees the other batch's rows as duplicates/existing.
 */
const RETRYABLE = /\b(23505|40001|40P01|P2002|P2034)\b|unique constraint|deadlock|could not serialize/i;

export function isRetryableDbError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; meta?: unknown; cause?: unknown } | null;
  const text = [e?.code, e?.message, JSON.stringify(e?.meta ?? null), (e?.cause as { code?: unknown })?.code]
    .filter(Boolean)
    .join(' ');
  return RETRYABLE.test(text);
}

export async function withRetry<T>(fn: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isRetryableDbError(err)) throw err;
      await new Promise((r) => setTimeout(r, 5 * 2 ** attempt + Math.random() * 20));
    }
  }
}
