// Dev shells on Docker, end to end: a real server driving a dockerd started for the test (its
// own data root and socket, no bridge, so shells here have no network), the test image with git
// and bash, and a socket.io client typing into the container's pty. Start, the prompt in the
// checkout, `git status`, the isolation a container gives (its own unprivileged user, no engine
// socket, no forge data dir), a memory hog held to its limit, stop removing the container, and a
// kill -9 of the server whose leftover container the next start removes.
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDockerd, type EngineFixture } from '../fixtures/dockerd.js';
import { createRepo, createToken, createUser, gitOk, killHard, makeRepo, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];

interface Shell {
  id: number;
  state: string;
  backend: string | null;
  reason: string | null;
}

describe('dev shells on Docker', () => {
  let fx: EngineFixture | null = null;
  let skip = '';
  let s: TestServer;
  let data: string;
  let token: string;
  let sock: Socket;
  const out = new Map<number, string>();

  const api = async <T = Record<string, unknown>>(method: string, p: string, json?: unknown) => {
    const res = await s.api(method, p, { auth: alice, ...(json !== undefined ? { json } : {}) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const until = (id: number, states: string[], timeoutMs = 60_000) =>
    waitFor(
      async () => {
        const sh = (await api<Shell>('GET', `/api/v1/user/shells/${id}`)).body;
        return states.includes(sh.state) ? sh : null;
      },
      timeoutMs,
      100,
    );
  const containers = async () => (await fx!.client.listContainers({ all: true, filters: { label: ['gitssy.shell=1'] } })).length;
  const connect = () => {
    sock = io(s.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
    sock.on('shell:output', (m: { id: number; data: string }) => out.set(m.id, (out.get(m.id) ?? '') + m.data));
  };
  const type = async (id: number, line: string, expect: RegExp, timeoutMs = 20_000) => {
    const from = (out.get(id) ?? '').length;
    sock.emit('shell:input', { id, data: `${line}\r` });
    return waitFor(async () => (expect.test((out.get(id) ?? '').slice(from)) ? (out.get(id) ?? '').slice(from) : null), timeoutMs).catch(() => {
      throw new Error(`no ${expect} after ${JSON.stringify(line)}; the terminal shows:\n${(out.get(id) ?? '').slice(from)}`);
    });
  };
  const start = async () => {
    const r = await api<Shell>('POST', '/api/v1/user/shells', { repo: 'alice/app' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const running = await until(r.body.id, ['running', 'failed']);
    expect(running.state, running.reason ?? '').toBe('running');
    expect(running.backend).toBe('docker');
    const ack = (await sock.timeout(10_000).emitWithAck('shell:attach', { id: r.body.id })) as { ok: boolean };
    expect(ack.ok).toBe(true);
    await waitFor(async () => /\$ $/.test(out.get(r.body.id) ?? '') || null, 15_000);
    return r.body.id;
  };

  beforeAll(async () => {
    const started = await startDockerd();
    if ('skip' in started) {
      skip = started.skip;
      return;
    }
    fx = started;
    const image = await fx.gitImage();
    data = await tempDir('gitssy-shells-docker-');
    s = await startServer({ data, env: { GITSSY_CI_BACKEND: 'docker', DOCKER_HOST: `unix://${fx.socketPath}` } });
    await createUser(s, 'alice', alice[1], { admin: true });
    // the engine has no bridge: shells here get no network
    expect((await api('PATCH', '/api/v1/admin/settings', { 'shells.image': image, 'shells.defaultNetwork': 'none', 'shells.defaultMemoryMb': 256 })).status).toBe(200);
    await createRepo(s, alice, { name: 'app', private: true });
    const src = await tempDir('gitssy-shells-docker-src-');
    await makeRepo(src, 2);
    await gitOk(['push', '-q', s.gitUrl('alice/app.git', alice), 'HEAD:refs/heads/main'], { cwd: src });
    token = await createToken(s, 'alice');
    connect();
  }, 120_000);

  afterAll(async () => {
    sock?.close();
    await s?.stop();
    await fx?.stop();
  });

  it('starts a container with the checkout, answers git status, isolates and limits it, and removes it on stop', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const id = await start();
    expect(await containers()).toBe(1);
    expect(await type(id, 'pwd; git status', /\/workspace\r\n[\s\S]*On branch main[\s\S]*nothing to commit/)).toBeTruthy();
    expect(await type(id, 'echo "uid=$(id -u)"', /uid=\d+\r\n/)).not.toMatch(/uid=0\r\n/);
    const looks = await type(id, `ls /var/run/docker.sock ${fx!.socketPath} ${data} 2>&1 | wc -l; ls ${data} 2>/dev/null | wc -l; echo done-$((1+1))`, /done-2/);
    expect(looks).toMatch(/\r\n0\r\ndone-2/);
    // the memory limit (the engine's, or the data-size ulimit where it has no memory controller)
    expect(await type(id, 'head -c 400m /dev/zero | tail > /dev/null; echo "hog=$?"', /hog=\d+/, 60_000)).not.toMatch(/hog=0/);
    expect(await type(id, 'echo still-$((2*3))', /still-6/)).toBeTruthy();
    expect((await api('DELETE', `/api/v1/user/shells/${id}`)).status).toBe(204);
    expect((await until(id, ['stopped'])).reason).toBe('you stopped it');
    await waitFor(async () => (await containers()) === 0 || null, 15_000);
  }, 120_000);

  it('never outlives the server: the next start after a kill -9 removes the container and marks the shell stopped', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const id = await start();
    expect(await containers()).toBe(1);
    sock.close();
    await killHard(s);
    s = await startServer({ data, env: { GITSSY_CI_BACKEND: 'docker', DOCKER_HOST: `unix://${fx!.socketPath}` } });
    expect((await api<Shell>('GET', `/api/v1/user/shells/${id}`)).body).toMatchObject({ state: 'stopped', reason: 'the server restarted' });
    await waitFor(async () => (await containers()) === 0 || null, 30_000);
    connect();
  }, 120_000);
});
