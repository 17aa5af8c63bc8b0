import { Redis } from 'ioredis';

/**
 * Deletes every Redis key under `prefix:` (a queue prefix a test or benchmark made up), so runs
 * on a shared Redis leave nothing behind. BullMQ's `obliterate` keeps a few bookkeeping keys,
 * and processes killed on purpose leave their repeatable-job schedules.
 */
export async function dropRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
