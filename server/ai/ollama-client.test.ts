import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../../test/fixtures/ollama.js';
import { allowedUrls, chatStream, guardedFetch, UpstreamGarbled, UpstreamRefused } from './ollama-client.js';

let fake: FakeOllama;
let redirector: http.Server;
let redirectUrl = '';
let webServer: http.Server;
let webUrl = '';

beforeAll(async () => {
  fake = await startFakeOllama();
  // a "model server" that sends every request on to the fake's /api/pull
  redirector = http.createServer((_req, res) => res.writeHead(307, { Location: `${fake.url}/api/pull` }).end());
  await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
  redirectUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
  // some other web server at the configured address
  webServer = http.createServer((_req, res) => res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not Found</h1>'));
  await new Promise<void>((r) => webServer.listen(0, '127.0.0.1', r));
  webUrl = `http://127.0.0.1:${(webServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await fake?.stop();
  for (const srv of [redirector, webServer]) {
    srv?.closeAllConnections();
    await new Promise((r) => srv?.close(r));
  }
});

async function collect(host: string, signal = new AbortController().signal): Promise<string> {
  let out = '';
  for await (const p of chatStream({ host, model: 'tiny', messages: [{ role: 'user', content: 'hi' }], signal })) out += p.text;
  return out;
}

describe('allowedUrls', () => {
  it("is the host's /api/chat and /api/generate, under its path prefix", () => {
    expect(allowedUrls('http://gpu:11434')).toEqual(['http://gpu:11434/api/chat', 'http://gpu:11434/api/generate']);
    expect(allowedUrls('https://proxy.lan/ollama/')).toEqual(['https://proxy.lan/ollama/api/chat', 'https://proxy.lan/ollama/api/generate']);
  });
});

describe('guardedFetch', () => {
  it.each([
    ['another origin', 'http://127.0.0.2:1/api/chat', 'POST'],
    ['another endpoint of the host', '/api/pull', 'POST'],
    ['the model list', '/api/tags', 'GET'],
    ['a query string', '/api/chat?x=1', 'POST'],
    ['a GET of an allowed path', '/api/chat', 'GET'],
  ])('refuses %s without sending anything', async (_what, target, method) => {
    const before = fake.requests.length;
    const url = target.startsWith('/') ? `${fake.url}${target}` : target;
    await expect(guardedFetch(fake.url)(url, { method, body: method === 'POST' ? '{}' : undefined })).rejects.toBeInstanceOf(UpstreamRefused);
    expect(fake.requests.length).toBe(before);
  });

  it('does not follow a redirect to another endpoint', async () => {
    const before = fake.requests.length;
    await expect(guardedFetch(redirectUrl)(`${redirectUrl}/api/chat`, { method: 'POST', body: '{}' })).rejects.toThrow();
    expect(fake.requests.length).toBe(before);
  });
});

describe('chatStream', () => {
  it("streams the model's answer through the ollama client", async () => {
    fake.reply = { kind: 'text', text: 'Add the parser\n\nIt parses.', chunks: 5 };
    expect(await collect(fake.url)).toBe('Add the parser\n\nIt parses.');
    const last = fake.requests[fake.requests.length - 1]!;
    expect(last).toMatchObject({ method: 'POST', path: '/api/chat', body: { model: 'tiny', stream: true, messages: [{ role: 'user', content: 'hi' }] } });
  });

  it('fails on lines that are not JSON, and on a page that is not the API', async () => {
    fake.reply = { kind: 'garbage' };
    await expect(collect(fake.url)).rejects.toBeInstanceOf(UpstreamGarbled);
    fake.reply = { kind: 'html' };
    await expect(collect(fake.url)).rejects.toBeInstanceOf(UpstreamGarbled);
    await expect(collect(webUrl)).rejects.toThrow(/answered 404 text\/html, not Ollama's JSON/);
  });

  it("passes Ollama's error on", async () => {
    fake.reply = { kind: 'error', status: 404, error: "model 'tiny' not found" };
    await expect(collect(fake.url)).rejects.toMatchObject({ name: 'ResponseError', status_code: 404, error: "model 'tiny' not found" });
  });

  it('stops the upstream request when the signal aborts', async () => {
    fake.reply = { kind: 'text', text: 'x'.repeat(200), chunks: 100, chunkDelayMs: 50 };
    const before = fake.closedEarly;
    const ac = new AbortController();
    const it = chatStream({ host: fake.url, model: 'tiny', messages: [], signal: ac.signal });
    await it.next();
    ac.abort();
    await expect(it.next()).rejects.toThrow();
    await expect.poll(() => fake.closedEarly, { timeout: 2000 }).toBe(before + 1);
  });
});
