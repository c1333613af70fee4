// The one way the server reaches a model: the `ollama` client on a fetch that lets through only
// POSTs to the configured host's /api/chat and /api/generate — no other endpoint (pull, push,
// delete, tags), no other origin, no redirects — and that aborts with the caller's signal.
import type { ChatResponse } from 'ollama';
import type { ChatMessage } from './prompt.js';

/** A request the guard refused before it left the process. */
export class UpstreamRefused extends Error {
  override name = 'UpstreamRefused';
}

/** The host answered, but not the way Ollama does. */
export class UpstreamGarbled extends Error {
  override name = 'UpstreamGarbled';
}

const ENDPOINTS = ['/api/chat', '/api/generate'] as const;

/** The exact URLs the guard lets through for a configured host ("http://gpu-box:11434"). */
export function allowedUrls(host: string): string[] {
  const base = new URL(host);
  const prefix = base.pathname.replace(/\/+$/, '');
  return ENDPOINTS.map((e) => `${base.origin}${prefix}${e}`);
}

/** A fetch for the ollama client that refuses everything but the allowed URLs, follows no redirect and aborts with `signal`. */
export function guardedFetch(host: string, signal?: AbortSignal, inner: typeof fetch = fetch): typeof fetch {
  const allowed = new Set(allowedUrls(host));
  return async (input, init) => {
    const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(raw);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (url.username || url.password || url.search || url.hash || !allowed.has(`${url.origin}${url.pathname}`)) {
      throw new UpstreamRefused(`refused to call ${url.origin}${url.pathname}: only ${[...allowed].join(' and ')} may be called`);
    }
    if (method !== 'POST') throw new UpstreamRefused(`refused to ${method} ${url.origin}${url.pathname}: only POST is allowed`);
    const signals = [init?.signal, signal].filter((s): s is AbortSignal => !!s);
    const res = await inner(url, { ...init, method, redirect: 'error', signal: signals.length ? AbortSignal.any(signals) : null });
    // Ollama answers in JSON, errors too ({"error": ...}, which the client reads); anything else
    // is some other server at that address
    const type = res.headers.get('content-type') ?? '';
    if (!/json/i.test(type)) {
      await res.body?.cancel().catch(() => {});
      throw new UpstreamGarbled(`the host answered ${res.status} ${type || 'without a content type'}, not Ollama's JSON`);
    }
    if (!res.ok || !res.body || !/ndjson/i.test(type)) return res;
    return new Response(checkedLines(res.body, MAX_STREAM_BYTES), { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/** Most bytes one streamed answer may take (a few KB of text in Ollama's framing is far less). */
const MAX_STREAM_BYTES = 4 * 1024 * 1024;

/**
 * The stream as it came, failing at the first line that is not JSON or past `maxBytes` — the
 * client would skip such lines with a console warning and wait for more.
 */
function checkedLines(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  let pending = '';
  let total = 0;
  const check = (line: string) => {
    if (!line.trim()) return;
    let ok = false;
    try {
      const v: unknown = JSON.parse(line);
      ok = typeof v === 'object' && v !== null && !Array.isArray(v);
    } catch {
      ok = false;
    }
    if (!ok) throw new UpstreamGarbled(`the host streamed something that is not Ollama's JSON: ${JSON.stringify(line.slice(0, 60))}`);
  };
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        total += chunk.byteLength;
        if (total > maxBytes) throw new UpstreamGarbled(`the host streamed more than ${maxBytes} bytes`);
        pending += decoder.decode(chunk, { stream: true });
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) check(line);
        ctl.enqueue(chunk);
      },
      flush() {
        pending += decoder.decode();
        check(pending);
      },
    }),
  );
}

export interface ChatStreamOptions {
  host: string;
  model: string;
  messages: ChatMessage[];
  /** Aborts the request (client gone, timeout); the stream then throws. */
  signal: AbortSignal;
  /** Tokens the model may write (Ollama's num_predict). */
  maxTokens?: number;
}

/** A piece of the answer: text, or a sign of life while a thinking model thinks (not shown). */
export interface ChatPiece {
  text: string;
  thinking: boolean;
}

/** The model's answer as it is written, piece by piece (message content; thinking only as progress). */
export async function* chatStream(o: ChatStreamOptions): AsyncGenerator<ChatPiece> {
  // the client loads when a model is first asked, not at start-up
  const { Ollama } = await import('ollama');
  const client = new Ollama({ host: o.host, fetch: guardedFetch(o.host, o.signal) });
  const stream = await client.chat({
    model: o.model,
    messages: o.messages,
    stream: true,
    options: { temperature: 0.2, num_predict: o.maxTokens ?? 512 },
  });
  try {
    for await (const part of stream as AsyncIterable<ChatResponse>) {
      if (o.signal.aborted) break;
      const message = (part as Partial<ChatResponse>).message;
      if (!message || typeof message !== 'object') throw new UpstreamGarbled('the host streamed something that is not an Ollama chat response');
      if (typeof message.content === 'string' && message.content) yield { text: message.content, thinking: false };
      else if (typeof message.thinking === 'string' && message.thinking) yield { text: '', thinking: true };
      if (part.done) return;
    }
  } finally {
    stream.abort();
  }
}
