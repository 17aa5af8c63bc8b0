/**
 * A fake of OpenAI's Chat Completions HTTP API (node:http on 127.0.0.1) for the real `openai`
 * SDK: point `baseURL` at `fake.baseUrl`. Answers `POST /v1/chat/completions` with a scripted
 * answer and records every request so tests can assert the prompt and schema sent.
 *
 * Script: `reply` / `fail` / `refuse` / `hang` without `times` set the standing answer; with
 * `times` they queue a one-off answer used (that many times) before the standing one. Failures
 * carry `retry-after-ms: 0`, so the SDK's retries run at once and tests stay fast.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOpenAiRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body. */
  body: Record<string, unknown>;
}

type Answer =
  | { type: 'reply'; content: string; finishReason: string }
  | { type: 'refuse'; message: string }
  | { type: 'fail'; status: number; message: string }
  | { type: 'hang' };

export interface ScriptOptions {
  /** Queue this answer for the next `times` requests instead of making it the standing one. */
  times?: number;
}

export interface FakeOpenAi {
  /** `http://127.0.0.1:<port>/v1`: the SDK's `baseURL`. */
  baseUrl: string;
  requests: FakeOpenAiRequest[];
  /** Answers with this assistant content: a string as is, anything else as JSON. */
  reply(content: unknown, opts?: ScriptOptions & { finishReason?: string }): void;
  /** Answers with an HTTP error in OpenAI's error shape. */
  fail(status: number, opts?: ScriptOptions & { message?: string }): void;
  /** Answers with a refusal (content null, `refusal` set), as structured outputs do. */
  refuse(opts?: ScriptOptions & { message?: string }): void;
  /** Never answers (until close): for timeouts. */
  hang(opts?: ScriptOptions): void;
  close(): Promise<void>;
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const requests: FakeOpenAiRequest[] = [];
  const queue: { answer: Answer; left: number }[] = [];
  let standing: Answer = { type: 'fail', status: 500, message: 'fake-openai: no answer scripted' };
  let seq = 0;

  const script = (answer: Answer, opts: ScriptOptions = {}) => {
    if (opts.times === undefined) standing = answer;
    else queue.push({ answer, left: opts.times });
  };
  const next = (): Answer => {
    const head = queue[0];
    if (!head) return standing;
    head.left -= 1;
    if (head.left <= 0) queue.shift();
    return head.answer;
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return send(res, 400, error('invalid JSON body', 'invalid_request_error'));
    }
    const path = (req.url ?? '').split('?')[0] ?? '';
    requests.push({ method: req.method ?? '', path, headers: req.headers, body });
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return send(res, 404, error(`fake-openai: no route ${req.method} ${path}`, 'invalid_request_error'));
    }
    const answer = next();
    const model = typeof body.model === 'string' ? body.model : 'gpt-fake';
    seq += 1;
    switch (answer.type) {
      case 'hang':
        return; // the SDK's timeout ends it; close() drops the socket
      case 'fail':
        return send(
          res,
          answer.status,
          error(answer.message, answer.status >= 500 ? 'server_error' : 'api_error'),
        );
      case 'refuse':
        return send(res, 200, completion(seq, model, { content: null, refusal: answer.message }, 'stop'));
      case 'reply':
        return send(
          res,
          200,
          completion(seq, model, { content: answer.content, refusal: null }, answer.finishReason),
        );
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    reply(content, opts = {}) {
      const text = typeof content === 'string' ? content : JSON.stringify(content);
      script({ type: 'reply', content: text, finishReason: opts.finishReason ?? 'stop' }, opts);
    },
    fail(status, opts = {}) {
      script({ type: 'fail', status, message: opts.message ?? `fake-openai: HTTP ${status}` }, opts);
    },
    refuse(opts = {}) {
      script({ type: 'refuse', message: opts.message ?? "I'm sorry, I can't help with that." }, opts);
    },
    hang(opts = {}) {
      script({ type: 'hang' }, opts);
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function completion(
  seq: number,
  model: string,
  message: { content: string | null; refusal: string | null },
  finishReason: string,
) {
  return {
    id: `chatcmpl-fake-${seq}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      { index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason, logprobs: null },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

function error(message: string, type: string) {
  return { error: { message, type, param: null, code: null } };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-request-id': `req_fake_${Date.now()}`,
    ...(status >= 400 ? { 'retry-after-ms': '0' } : {}),
  });
  res.end(text);
}
