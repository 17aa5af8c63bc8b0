/**
 * A fake of Slack's Socket Mode for the real `@slack/socket-mode` client (what Bolt's
 * SocketModeReceiver runs): the fake Web API's `apps.connections.open` hands out a one-time
 * `ws://127.0.0.1:<port>/link/?ticket=…` URL of this server; a connection opened with a valid
 * ticket gets Slack's `hello`, then the envelopes a test delivers — the request bodies of
 * slack-requests.ts wrapped as Slack wraps them (`events_api`, `slash_commands`, `interactive`) —
 * and every ack the app sends back (`{ envelope_id, payload }`) is recorded.
 *
 * The WebSocket protocol (RFC 6455: handshake, framing, ping/pong, close) is written here over
 * node:http's `upgrade`: the client is undici's WebSocket and no WebSocket server is among the
 * project's dependencies. Only what Slack's server does is implemented (text frames, no
 * extensions).
 */
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { FAKE_BOT, type FakeSlack } from './fake-slack.ts';

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

/** An ack the app sent over the socket. */
export interface SocketModeAck {
  envelope_id: string;
  /** What the app answered with (`{}` for a bare `ack()`). */
  payload?: Record<string, unknown>;
  /** Arrival time (ms since epoch). */
  at: number;
}

export interface DeliverOptions {
  /** Default: a fresh id. Pass the id of an earlier delivery to deliver the same envelope again. */
  envelopeId?: string;
  /** Slack's `retry_attempt` (events_api only; 0 on the first delivery). */
  retryAttempt?: number;
  /** Slack's `retry_reason` (`timeout`, `http_error`, …; events_api only). */
  retryReason?: string;
}

export interface FakeSocketMode {
  /** Connections opened with a valid ticket so far (each was sent `hello`). */
  readonly connections: number;
  /** Connections open now. */
  readonly openConnections: number;
  /** Every ack received, in arrival order. */
  readonly acks: SocketModeAck[];
  /** Every envelope sent, in order (what the app was given). */
  readonly sent: Record<string, unknown>[];
  /** Close codes the app sent, one per connection it closed with a close handshake (1000: normal). */
  readonly closeCodes: number[];
  /**
   * Wraps a Slack request body (`eventCallback(…)` JSON, a `slashCommand(…)` form, a
   * `blockActions(…)`/`viewSubmission(…)` `payload=` form) in its Socket Mode envelope and sends it
   * on the newest open connection. Returns the envelope id. Throws when no connection is open.
   */
  deliver(body: string, opts?: DeliverOptions): string;
  /** Resolves with the acks of `envelopeId` once `count` (default 1) arrived; rejects on timeout. */
  waitForAck(envelopeId: string, opts?: { count?: number; timeoutMs?: number }): Promise<SocketModeAck[]>;
  /** Resolves once `count` connections were opened in all (default 1); rejects on timeout. */
  waitForConnections(count?: number, timeoutMs?: number): Promise<void>;
  /** Slack's `disconnect` message (it recycles connections every few hours: `refresh_requested`). */
  disconnect(reason?: 'refresh_requested' | 'warning' | 'link_disabled'): void;
  close(): Promise<void>;
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Starts the Socket Mode server and makes `fake`'s `apps.connections.open` hand out its URLs. */
export async function startFakeSocketMode(fake: FakeSlack): Promise<FakeSocketMode> {
  const tickets = new Set<string>();
  const live: Connection[] = [];
  const acks: SocketModeAck[] = [];
  const sent: Record<string, unknown>[] = [];
  const closeCodes: number[] = [];
  const waiters = new Set<() => void>();
  let connections = 0;
  let envelopeSeq = 0;
  const notify = () => {
    for (const w of [...waiters]) w();
  };

  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('WebSocket only');
  });
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const key = req.headers['sec-websocket-key'];
    const ticket = url.searchParams.get('ticket') ?? '';
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (
      url.pathname !== '/link/' ||
      upgrade !== 'websocket' ||
      typeof key !== 'string' ||
      !tickets.delete(ticket)
    ) {
      // A URL is good for one connection, as Slack's are.
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const accept = createHash('sha1')
      .update(key + WS_GUID)
      .digest('base64');
    socket.write(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${accept}`,
        '',
        '',
      ].join('\r\n'),
    );
    const conn = new Connection(socket, {
      onText(text) {
        let msg: unknown;
        try {
          msg = JSON.parse(text);
        } catch {
          return;
        }
        if (isRecord(msg) && typeof msg.envelope_id === 'string') {
          const ack: SocketModeAck = { envelope_id: msg.envelope_id, at: Date.now() };
          if (isRecord(msg.payload)) ack.payload = msg.payload;
          acks.push(ack);
          notify();
        }
      },
      onCloseFrame(code) {
        closeCodes.push(code);
        notify();
      },
      onClosed() {
        const i = live.indexOf(conn);
        if (i >= 0) live.splice(i, 1);
        notify();
      },
    });
    live.push(conn);
    connections += 1;
    if (head.length > 0) conn.feed(head);
    conn.sendText(
      JSON.stringify({
        type: 'hello',
        num_connections: live.length,
        debug_info: { host: 'applink-fake-1', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: FAKE_BOT.appId },
      }),
    );
    notify();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  fake.useSocketMode(() => {
    const ticket = randomUUID();
    tickets.add(ticket);
    return `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${FAKE_BOT.appId}`;
  });

  function wait(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const test = () => {
        if (!check()) return false;
        waiters.delete(test);
        clearTimeout(timer);
        resolve();
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(test);
        reject(new Error(`fake Socket Mode: ${what} did not happen in ${timeoutMs} ms`));
      }, timeoutMs);
      if (!test()) waiters.add(test);
    });
  }

  return {
    get connections() {
      return connections;
    },
    get openConnections() {
      return live.length;
    },
    acks,
    sent,
    closeCodes,
    deliver(body, opts = {}) {
      const conn = live[live.length - 1];
      if (!conn) throw new Error('fake Socket Mode: no open connection to deliver on');
      envelopeSeq += 1;
      const envelopeId = opts.envelopeId ?? `${randomUUID()}-${envelopeSeq}`;
      const envelope = { envelope_id: envelopeId, ...wrap(body, opts) };
      sent.push(envelope);
      conn.sendText(JSON.stringify(envelope));
      return envelopeId;
    },
    async waitForAck(envelopeId, { count = 1, timeoutMs = 8000 } = {}) {
      const mine = () => acks.filter((a) => a.envelope_id === envelopeId);
      await wait(() => mine().length >= count, timeoutMs, `${count} ack(s) of ${envelopeId}`);
      return mine();
    },
    waitForConnections(count = 1, timeoutMs = 8000) {
      return wait(() => connections >= count && live.length > 0, timeoutMs, `connection #${count}`);
    },
    disconnect(reason = 'refresh_requested') {
      for (const conn of live) {
        conn.sendText(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake-1' } }));
      }
    },
    async close() {
      fake.useSocketMode(undefined);
      waiters.clear();
      for (const conn of [...live]) conn.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The Socket Mode envelope (without its id) of a request body as Slack would POST it. */
function wrap(body: string, opts: DeliverOptions): Record<string, unknown> {
  if (body.trimStart().startsWith('{')) {
    const payload = JSON.parse(body) as Record<string, unknown>;
    if (payload.type !== 'event_callback') {
      throw new Error(`fake Socket Mode: a JSON body must be an event_callback, got ${String(payload.type)}`);
    }
    return {
      payload,
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: opts.retryAttempt ?? 0,
      retry_reason: opts.retryReason ?? '',
    };
  }
  const form = Object.fromEntries(new URLSearchParams(body));
  if (typeof form.payload === 'string') {
    const payload = JSON.parse(form.payload) as Record<string, unknown>;
    // A view submission may answer with a response_action; a button click answers nothing.
    return { payload, type: 'interactive', accepts_response_payload: payload.type !== 'block_actions' };
  }
  if (typeof form.command === 'string') {
    return { payload: form, type: 'slash_commands', accepts_response_payload: true };
  }
  throw new Error('fake Socket Mode: not an event_callback, slash command or interactivity body');
}

interface ConnectionEvents {
  onText(text: string): void;
  /** The peer sent a close frame (1005: without a code). */
  onCloseFrame(code: number): void;
  onClosed(): void;
}

/** One server side of a WebSocket: frames in (masked, as clients must), frames out (unmasked). */
class Connection {
  #buffer: Buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  #fragmentOpcode = 0;
  #closeSent = false;
  #closed = false;

  readonly socket: Duplex;
  readonly on: ConnectionEvents;

  constructor(socket: Duplex, on: ConnectionEvents) {
    this.socket = socket;
    this.on = on;
    socket.on('data', (chunk: Buffer) => this.feed(chunk));
    socket.on('close', () => this.#finish());
  }

  feed(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    while (!this.#closed && this.#readFrame()) {}
  }

  sendText(text: string): void {
    this.#write(OP.text, Buffer.from(text, 'utf8'));
  }

  destroy(): void {
    this.socket.destroy();
    this.#finish();
  }

  #readFrame(): boolean {
    const buf = this.#buffer;
    if (buf.length < 2) return false;
    const b0 = buf[0]!;
    const b1 = buf[1]!;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    let length = b1 & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buf.length < 4) return false;
      length = buf.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buf.length < 10) return false;
      length = Number(buf.readBigUInt64BE(2));
      offset = 10;
    }
    if ((b1 & 0x80) === 0) {
      this.#close(1002); // clients must mask every frame
      return false;
    }
    if (buf.length < offset + 4 + length) return false;
    const mask = buf.subarray(offset, offset + 4);
    const data = Buffer.from(buf.subarray(offset + 4, offset + 4 + length));
    for (let i = 0; i < data.length; i++) data[i] = data[i]! ^ mask[i % 4]!;
    this.#buffer = buf.subarray(offset + 4 + length);

    switch (opcode) {
      case OP.ping:
        this.#write(OP.pong, data);
        break;
      case OP.pong:
        break;
      case OP.close: {
        // Answer the close handshake (echoing the code) and end the TCP connection.
        const code = data.length >= 2 ? data.readUInt16BE(0) : 1005;
        this.on.onCloseFrame(code);
        this.#close(code === 1005 ? 1000 : code);
        this.socket.end();
        break;
      }
      case OP.text:
      case OP.binary:
      case OP.continuation: {
        if (opcode !== OP.continuation) this.#fragmentOpcode = opcode;
        this.#fragments.push(data);
        if (fin) {
          const message = Buffer.concat(this.#fragments);
          this.#fragments = [];
          if (this.#fragmentOpcode === OP.text) this.on.onText(message.toString('utf8'));
        }
        break;
      }
      default:
        this.#close(1002);
    }
    return true;
  }

  #close(code: number): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code, 0);
    this.#write(OP.close, payload);
  }

  #write(opcode: number, payload: Buffer): void {
    if (this.#closed || !this.socket.writable) return;
    let header: Buffer;
    if (payload.length < 126) header = Buffer.from([0x80 | opcode, payload.length]);
    else if (payload.length < 65_536) {
      header = Buffer.alloc(4);
      header[0] = 0x80 | opcode;
      header[1] = 126;
      header.writeUInt16BE(payload.length, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | opcode;
      header[1] = 127;
      header.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    this.socket.write(Buffer.concat([header, payload]));
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.on.onClosed();
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
