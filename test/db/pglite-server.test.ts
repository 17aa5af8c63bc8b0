/**
 * The embedded database served to other processes: concurrent clients with prepared
 * statements and transactions must not see each other's protocol messages.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PGliteServer, servePGlite } from '../../src/db/pglite-server.ts';

describe('PGlite served over a loopback port', () => {
  let db: PGlite;
  let server: PGliteServer;
  let pools: pg.Pool[];
  beforeAll(async () => {
    db = new PGlite();
    server = await servePGlite(db);
    const url = `postgresql://postgres@127.0.0.1:${server.port}/postgres?sslmode=disable`;
    pools = [new pg.Pool({ connectionString: url, max: 4 }), new pg.Pool({ connectionString: url, max: 4 })];
    await pools[0]!.query('CREATE TABLE counter (id int primary key, n int not null)');
    await pools[0]!.query('INSERT INTO counter VALUES (1, 0)');
  });
  afterAll(async () => {
    for (const p of pools) await p.end();
    await server.close();
    await db.close();
  });

  it('keeps each client’s parameterised queries intact under concurrency', async () => {
    const queries = Array.from({ length: 200 }, (_, i) => {
      const pool = pools[i % 2]!;
      // Different parameter counts make interleaved Parse/Bind messages fail loudly.
      return i % 3 === 0
        ? pool.query('SELECT $1::int + $2::int + $3::int AS v', [i, 1, 1]).then((r) => r.rows[0].v === i + 2)
        : pool.query('SELECT $1::int * 2 AS v', [i]).then((r) => r.rows[0].v === i * 2);
    });
    const results = await Promise.all(queries);
    expect(results.every(Boolean)).toBe(true);
  });

  it('keeps transactions whole: concurrent read-modify-write increments are not lost', async () => {
    const increment = async (pool: pg.Pool) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const { rows } = await c.query('SELECT n FROM counter WHERE id = $1', [1]);
        await c.query('UPDATE counter SET n = $1 WHERE id = $2', [rows[0].n + 1, 1]);
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    };
    await Promise.all(Array.from({ length: 40 }, (_, i) => increment(pools[i % 2]!)));
    const { rows } = await pools[1]!.query('SELECT n FROM counter WHERE id = 1');
    expect(rows[0].n).toBe(40);
  });
});
