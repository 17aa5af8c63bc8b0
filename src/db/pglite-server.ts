/**
 * Serves an embedded PGlite to other processes over a loopback TCP port, speaking the Postgres
 * wire protocol (connection handling from @electric-sql/pglite-socket).
 *
 * PGlite is one session, so messages of all connections are queued and run one at a time. The
 * stock queue keeps a connection's turn only while a transaction is open; between transactions
 * it interleaves *messages*, so one client's Parse/Bind/Execute can land between another's —
 * two clients then share the unnamed prepared statement and get "bind message supplies 4
 * parameters, but prepared statement requires 3". This queue keeps the turn until the
 * connection's extended-protocol cycle ends (Sync) and for the whole of an open transaction.
 */
import { createServer, type Server } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';

// Extended-protocol messages that continue a cycle ended by Sync ('S').
const MID_CYCLE = new Set(['P', 'B', 'D', 'E', 'H', 'C'].map((c) => c.charCodeAt(0)));

interface Pending {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
}

export class ProtocolQueue {
  readonly #db: PGlite;
  #queue: Pending[] = [];
  #processing = false;
  /** The connection whose turn it is (mid-cycle or in a transaction), or null. */
  #owner: number | null = null;

  constructor(db: PGlite) {
    this.#db = db;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ handlerId, message, onData, resolve, reject });
      void this.#process();
    });
  }

  async #process(): Promise<void> {
    if (this.#processing) return;
    this.#processing = true;
    try {
      while (this.#queue.length > 0) {
        const index = this.#owner === null ? 0 : this.#queue.findIndex((p) => p.handlerId === this.#owner);
        if (index < 0) break; // wait for the owner's next message
        const item = this.#queue.splice(index, 1)[0]!;
        let bytes = 0;
        try {
          await this.#db.runExclusive(() =>
            this.#db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
          item.resolve(bytes);
        } catch (err) {
          item.reject(err);
        }
        const midCycle = MID_CYCLE.has(item.message[0] ?? 0);
        this.#owner = midCycle || this.#db.isInTransaction() ? item.handlerId : null;
      }
    } finally {
      this.#processing = false;
    }
  }

  getQueueLength(): number {
    return this.#queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.#queue = this.#queue.filter((p) => {
      if (p.handlerId !== handlerId) return true;
      p.reject(new Error('Handler disconnected'));
      return false;
    });
  }

  /** A connection that dies mid-transaction must not leave it open for the others. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.#owner !== handlerId) return;
    if (this.#db.isInTransaction()) await this.#db.exec('ROLLBACK');
    this.#owner = null;
    void this.#process();
  }
}

export interface PGliteServer {
  port: number;
  close(): Promise<void>;
}

export async function servePGlite(db: PGlite, host = '127.0.0.1'): Promise<PGliteServer> {
  await db.waitReady;
  const queue = new ProtocolQueue(db);
  const handlers = new Set<PGLiteSocketHandler>();
  const server: Server = createServer((socket) => {
    const handler = new PGLiteSocketHandler({ queryQueue: queue as never, closeOnDetach: true });
    handlers.add(handler);
    handler.addEventListener('close', () => handlers.delete(handler));
    handler.addEventListener('error', () => handlers.delete(handler));
    void handler.attach(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('PGlite server has no TCP address');
  return {
    port: address.port,
    async close() {
      for (const h of handlers) await h.detach(true);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
