// Dev shells on the host sandbox (bubblewrap + prlimit + a node-pty terminal), end to end: a real
// server, real clones, a real socket.io client typing into the shell. Start and the prompt in
// the checkout, `git status`, a push from inside with the shell's own credentials (which reach
// that repository over git and nothing else), reconnect with the scrollback, the limits (processes,
// memory, run time, idle time, seats), other users kept out, stop and cleanup, and a kill -9 of
// the server cleaning up after itself on the next start.
import { readdirSync, readFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createToken, createUser, gitOk, killHard, makeRepo, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { BWRAP } from '../fixtures/skip.js';

const admin: [string, string] = ['root', 'root-pass-1234'];
const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-1234'];
const carol: [string, string] = ['carol', 'carol-pass-123'];
const dave: [string, string] = ['dave', 'dave-pass-1234'];

interface Shell {
  id: number;
  state: string;
  repo: string;
  branch: string;
  backend: string | null;
  reason: string | null;
  limits: { cpus: number; memory_mb: number; disk_mb: number; pids: number; runtime_minutes: number; idle_minutes: number; network: string };
  expires_at: string | null;
  idle_stops_at: string | null;
  user: { login: string };
  usage?: { cpu_percent: number | null; memory_bytes: number | null };
}

/** A socket.io client attached to one shell, collecting its output. */
class Term {
  out = '';
  end = 0;
  exit: { code: number | null; reason: string | null } | null = null;
  private constructor(
    readonly sock: Socket,
    readonly id: number,
  ) {
    sock.on('shell:output', (m: { id: number; data: string; end: number }) => {
      if (m.id !== id || m.end <= this.end) return;
      // a chunk that overlaps what we have: keep only its new tail
      this.out += m.data.slice(Math.max(0, m.data.length - (m.end - this.end)));
      this.end = m.end;
    });
    sock.on('shell:exit', (m: { id: number; code: number | null; reason: string | null }) => {
      if (m.id === id) this.exit = { code: m.code, reason: m.reason };
    });
  }

  static async open(s: TestServer, token: string, id: number, since?: number): Promise<{ term: Term; ack: Record<string, unknown> }> {
    const sock = io(s.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
    const term = new Term(sock, id);
    if (since !== undefined) term.end = since;
    const ack = (await sock.timeout(10_000).emitWithAck('shell:attach', since === undefined ? { id } : { id, since })) as Record<string, unknown>;
    return { term, ack };
  }

  /** Types a line and waits until the output (after what was there) matches. */
  async run(line: string, expect: RegExp, timeoutMs = 20_000): Promise<string> {
    const from = this.out.length;
    this.sock.emit('shell:input', { id: this.id, data: `${line}\r` });
    return waitFor(async () => (expect.test(this.out.slice(from)) ? this.out.slice(from) : null), timeoutMs).catch(() => {
      throw new Error(`no ${expect} after typing ${JSON.stringify(line)}; the terminal shows:\n${this.out.slice(from)}`);
    });
  }

  close(): void {
    this.sock.close();
  }
}

/** Host processes of one shell of the server with this pid: they carry GITSSY_SHELL and descend from the server. */
function shellProcesses(serverPid: number, id: number): number[] {
  const parent = (pid: number) => {
    try {
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return 0;
    }
  };
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(`GITSSY_SHELL=${id}`)) continue;
    } catch {
      continue;
    }
    for (let p = Number(name), hops = 0; p > 1 && hops < 12; p = parent(p), hops++) {
      if (p === serverPid) {
        out.push(Number(name));
        break;
      }
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!BWRAP)('dev shells on the host sandbox', () => {
  let s: TestServer;
  let data: string;
  let aliceToken: string;
  let bobToken: string;
  const api = async <T = Record<string, unknown>>(method: string, p: string, who: [string, string], json?: unknown) => {
    const res = await s.api(method, p, { auth: who, ...(json !== undefined ? { json } : {}) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const shell = async (id: number, who = alice) => (await api<Shell>('GET', `/api/v1/user/shells/${id}`, who)).body;
  const until = (id: number, states: string[], who = alice, timeoutMs = 30_000) =>
    waitFor(
      async () => {
        const sh = await shell(id, who);
        return states.includes(sh.state) ? sh : null;
      },
      timeoutMs,
      100,
    );
  const start = async (who: [string, string], repo: string, branch?: string) => {
    const r = await api<Shell>('POST', '/api/v1/user/shells', who, { repo, ...(branch ? { branch } : {}) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };
  // started at the beginning and looked at in the end: a one-minute run-time limit and a one-minute idle limit
  let timed: Shell;
  let idle: Shell;
  let idleTerm: Term;

  beforeAll(async () => {
    data = await tempDir('gitssy-shells-data-');
    s = await startServer({ data, env: { GITSSY_CI_BACKEND: 'sandbox' } });
    await createUser(s, admin[0], admin[1], { admin: true });
    for (const u of [alice, bob, carol, dave]) await createUser(s, u[0], u[1], { via: admin });
    await createRepo(s, alice, { name: 'app', private: true });
    const src = await tempDir('gitssy-shells-src-');
    await makeRepo(src, 2);
    await gitOk(['push', '-q', s.gitUrl('alice/app.git', alice), 'HEAD:refs/heads/main', 'HEAD:refs/heads/feature'], { cwd: src });
    await createRepo(s, alice, { name: 'other', private: true });
    await gitOk(['push', '-q', s.gitUrl('alice/other.git', alice), 'HEAD:refs/heads/main'], { cwd: src });
    for (const [u, repo] of [
      [carol, 'timed'],
      [dave, 'quiet'],
    ] as const) {
      await createRepo(s, u, { name: repo });
      await gitOk(['push', '-q', s.gitUrl(`${u[0]}/${repo}.git`, u), 'HEAD:refs/heads/main'], { cwd: src });
    }
    expect((await api('PUT', '/api/v1/admin/shells/overrides/carol', admin, { runtime_minutes: 1 })).status).toBe(200);
    expect((await api('PUT', '/api/v1/admin/shells/overrides/dave', admin, { idle_minutes: 1 })).status).toBe(200);
    timed = await start(carol, 'carol/timed');
    idle = await start(dave, 'dave/quiet');
    aliceToken = await createToken(s, 'alice');
    bobToken = await createToken(s, 'bob');
    // watching is not typing: dave's shell still goes idle
    await until(idle.id, ['running'], dave);
    idleTerm = (await Term.open(s, await createToken(s, 'dave'), idle.id)).term;
  }, 60_000);

  afterAll(async () => {
    idleTerm?.close();
    await s?.stop();
  });

  it('shows what a new shell would get before it starts, and refuses bad requests without starting anything', async () => {
    const pre = await api<{ limits: Shell['limits']; backend: string; max_per_user: number; running: number }>('GET', '/api/v1/user/shells/limits?repo=alice/app', alice);
    expect(pre.status).toBe(200);
    expect(pre.body).toMatchObject({ backend: 'sandbox', max_per_user: 2, running: 0, limits: { cpus: 2, memory_mb: 2048, pids: 512, runtime_minutes: 240, idle_minutes: 30, network: 'open' } });
    expect((await api('GET', '/api/v1/user/shells/limits?repo=alice/app', bob)).status).toBe(404);
    expect((await api('POST', '/api/v1/user/shells', alice, { repo: 'alice/nope' })).status).toBe(404);
    expect((await api('POST', '/api/v1/user/shells', bob, { repo: 'alice/app' })).status).toBe(404);
    const noBranch = await api<{ message: string }>('POST', '/api/v1/user/shells', alice, { repo: 'alice/app', branch: 'ghost' });
    expect(noBranch.status).toBe(422);
    expect(noBranch.body.message).toMatch(/branch "ghost" does not exist/);
    expect((await api('POST', '/api/v1/user/shells', alice, { repo: 'alice/app', branch: '--upload-pack=x' })).status).toBe(422);
    expect((await api('POST', '/api/v1/user/shells', alice, { repo: 'app' })).status).toBe(422);
    expect((await api<Shell[]>('GET', '/api/v1/user/shells', alice)).body).toEqual([]);
  });

  it('starts in the checkout of the branch, answers git status, and pushes from inside with its own credentials only', async () => {
    const sh = await start(alice, 'alice/app', 'feature');
    expect(sh).toMatchObject({ state: 'starting', repo: 'alice/app', branch: 'feature', backend: 'sandbox', user: { login: 'alice' } });
    const running = await until(sh.id, ['running', 'failed']);
    expect(running.state, running.reason ?? '').toBe('running');
    expect(running.expires_at).not.toBeNull();
    const { term, ack } = await Term.open(s, aliceToken, sh.id);
    expect(ack).toMatchObject({ ok: true, replay: 'full' });
    try {
      await waitFor(async () => /\/workspace \$ $/.test(term.out), 10_000);
      expect(await term.run('pwd', /\/workspace\r\n/)).toBeTruthy();
      expect(await term.run('git status', /On branch feature[\s\S]*nothing to commit/)).toBeTruthy();
      expect(await term.run('git config user.name; git config user.email', /alice\r\nalice@example\.test/)).toBeTruthy();
      const pushed = await term.run(
        'echo inside > made-in-shell.txt && git add made-in-shell.txt && git commit -qm "from the shell" && git push -q origin HEAD:refs/heads/from-shell; echo "push=$?"',
        /push=\d+/,
      );
      expect(pushed).toMatch(/push=0/);
      const branch = await api<{ commit: { message: string } }>('GET', '/api/v1/repos/alice/app/branches/from-shell', alice);
      expect(branch.status).toBe(200);
      expect(branch.body.commit.message.trim()).toBe('from the shell');
      // the credentials inside: git to this repository, nothing else
      const helper = await term.run('git config credential.helper', /password=%s.*\r\n/);
      const token = /printf '[^']*' ([0-9a-f]{40})/.exec(helper)![1]!;
      expect((await s.api('GET', '/api/v1/user', { token })).status).toBe(403);
      expect((await s.api('GET', '/api/v1/repos/alice/app', { token })).status).toBe(403);
      const other = await tempDir('gitssy-shells-other-');
      const denied = await import('../fixtures/rig.js').then((r) => r.git(['clone', '-q', s.gitUrl('alice/other.git', ['alice', token]), other]));
      expect(denied.code).not.toBe(0);
      expect((await import('../fixtures/rig.js').then((r) => r.git(['ls-remote', s.gitUrl('alice/app.git', ['alice', token])]))).code).toBe(0);
      const noSocket = io(s.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
      const refused = await new Promise<string>((resolve) => noSocket.on('connect_error', (e) => resolve(e.message)).on('connect', () => resolve('connected')));
      noSocket.close();
      expect(refused).not.toBe('connected');
      // the isolation the sandbox gives: no data dir, no forge environment
      expect(await term.run(`ls ${data} 2>&1 | head -3; echo "ls=$?"`, /ls=\d/)).not.toMatch(/gitssy\.db|repositories/);

      // several tabs on one shell see the same output; a tab coming back after a blip gets only what it missed
      const second = await Term.open(s, aliceToken, sh.id);
      expect(second.ack).toMatchObject({ ok: true, replay: 'full' });
      await waitFor(async () => second.term.out.includes('from the shell') || null, 5_000);
      const seen = second.term.end;
      second.term.close();
      await term.run('echo after-$((40+2))', /after-42/);
      const back = await Term.open(s, aliceToken, sh.id, seen);
      expect(back.ack).toMatchObject({ ok: true, replay: 'tail' });
      await waitFor(async () => back.term.out.includes('after-42') || null, 5_000);
      expect(back.term.out).not.toContain('from the shell');
      back.term.close();

      // resize reaches the pty
      term.sock.emit('shell:resize', { id: sh.id, cols: 101, rows: 27 });
      await waitFor(async () => /27 101/.test(await term.run('stty size', /\d+ \d+/)) || null, 5_000);

      // the console sees it, with what it uses now
      const live = await api<Shell[]>('GET', '/api/v1/admin/shells', admin);
      const row = live.body.find((x) => x.id === sh.id)!;
      expect(row.usage!.memory_bytes).toBeGreaterThan(0);
      expect((await api('GET', '/api/v1/admin/shells', alice)).status).toBe(403);

      // stop: the shell ends, its processes, clone and token go
      expect((await api('DELETE', `/api/v1/user/shells/${sh.id}`, alice)).status).toBe(204);
      const stopped = await until(sh.id, ['stopped']);
      expect(stopped.reason).toBe('you stopped it');
      await waitFor(async () => term.exit, 5_000);
      expect(term.exit!.reason).toBe('you stopped it');
      expect((await s.api('GET', '/api/v1/repos/alice/app', { auth: ['alice', token] })).status).toBe(401);
      await waitFor(async () => shellProcesses(s.pid, sh.id).length === 0 || null, 5_000);
      const tokens = await api<{ name: string }[]>('GET', '/api/v1/users/alice/tokens', alice);
      expect(tokens.body.map((t) => t.name)).not.toContain(`dev shell ${sh.id}`);
    } finally {
      term.close();
    }
  }, 90_000);

  it("keeps everyone else out: another user's shell is 404 on the API and refused on the socket", async () => {
    const sh = await start(alice, 'alice/app');
    await until(sh.id, ['running']);
    expect((await api('GET', `/api/v1/user/shells/${sh.id}`, bob)).status).toBe(404);
    expect((await api('DELETE', `/api/v1/user/shells/${sh.id}`, bob)).status).toBe(404);
    expect((await api('GET', `/api/v1/user/shells/${sh.id}`, admin)).status).toBe(404);
    const { term, ack } = await Term.open(s, bobToken, sh.id);
    expect(ack).toMatchObject({ ok: false, code: 'not_found' });
    term.sock.emit('shell:input', { id: sh.id, data: 'touch /workspace/bob-was-here\r' });
    term.close();
    const mine = await Term.open(s, aliceToken, sh.id);
    await mine.term.run('ls /workspace/bob-was-here 2>&1; echo "ls=$?"', /ls=\d/).then((o) => expect(o).toMatch(/ls=[12]/));
    // malformed messages are refused, not parsed further
    const bad = (await mine.term.sock.timeout(5_000).emitWithAck('shell:resize', { id: sh.id, cols: 'wide' })) as { ok: boolean; code: string };
    expect(bad).toMatchObject({ ok: false, code: 'invalid' });
    mine.term.close();
    // an administrator stops it from the console
    expect((await api('DELETE', `/api/v1/admin/shells/${sh.id}`, admin)).status).toBe(204);
    expect((await until(sh.id, ['stopped'])).reason).toBe('an administrator (root) stopped it');
  }, 60_000);

  it('enforces the limits: seats per user, processes and memory', async () => {
    expect((await api('PUT', '/api/v1/admin/shells/overrides/alice', admin, { max_shells: 1, pids: 64, memory_mb: 256 })).status).toBe(200);
    const overrides = await api<{ subject: { login: string }; limits: Record<string, unknown> }[]>('GET', '/api/v1/admin/shells/overrides', admin);
    expect(overrides.body.find((o) => o.subject.login === 'alice')!.limits).toMatchObject({ max_shells: 1, pids: 64, memory_mb: 256, cpus: null });
    expect((await api('PUT', '/api/v1/admin/shells/overrides/alice', admin, { pids: 3 })).status).toBe(422);
    expect((await api('PUT', '/api/v1/admin/shells/overrides/nobody', admin, { pids: 64 })).status).toBe(404);
    const sh = await start(alice, 'alice/app');
    expect(sh.limits).toMatchObject({ pids: 64, memory_mb: 256 });
    const second = await api<{ message: string }>('POST', '/api/v1/user/shells', alice, { repo: 'alice/app' });
    expect(second.status).toBe(403);
    expect(second.body.message).toMatch(/you already run 1 dev shell \(the limit is 1\)/);
    await until(sh.id, ['running']);
    const { term } = await Term.open(s, aliceToken, sh.id);
    try {
      // a fork bomb stops at the process limit (dash gives up at once where bash retries), and the shell survives it
      const bomb = await term.run("sh -c 'i=0; while [ $i -lt 200 ]; do sleep 5 & i=$((i+1)); echo $i > /tmp/n; done; echo all-$((1+1))-spawned' 2>&1 | tail -2", /Cannot fork|all-2-spawned/, 30_000);
      expect(bomb).toMatch(/Cannot fork/);
      const count = await term.run('sleep 6; echo "spawned=$(cat /tmp/n)"', /spawned=\d+/, 60_000);
      expect(Number(/spawned=(\d+)/.exec(count)![1])).toBeLessThan(64);
      // a memory hog gets no more than its limit
      const hog = await term.run('head -c 400m /dev/zero | tail > /dev/null; echo "hog=$?"', /hog=\d+/, 30_000);
      expect(hog).not.toMatch(/hog=0/);
      expect(await term.run('echo still-here', /still-here/)).toBeTruthy();
    } finally {
      term.close();
    }
    await api('DELETE', `/api/v1/user/shells/${sh.id}`, alice);
    await until(sh.id, ['stopped']);
    expect((await api('DELETE', '/api/v1/admin/shells/overrides/alice', admin)).status).toBe(204);
    expect((await api('DELETE', '/api/v1/admin/shells/overrides/alice', admin)).status).toBe(404);
  }, 90_000);

  it('stops a shell that fills more disk than its limit, and says so', async () => {
    await createRepo(s, bob, { name: 'disk' });
    const src = await tempDir('gitssy-shells-disk-');
    await makeRepo(src, 1);
    await gitOk(['push', '-q', s.gitUrl('bob/disk.git', bob), 'HEAD:refs/heads/main'], { cwd: src });
    expect((await api('PUT', '/api/v1/admin/shells/overrides/bob', admin, { disk_mb: 64 })).status).toBe(200);
    const sh = await start(bob, 'bob/disk');
    await until(sh.id, ['running'], bob);
    const { term } = await Term.open(s, bobToken, sh.id);
    try {
      term.sock.emit('shell:input', { id: sh.id, data: 'for i in 1 2 3 4; do head -c 30m /dev/zero > fill-$i; done; sleep 30\r' });
      const stopped = await until(sh.id, ['stopped'], bob, 30_000);
      expect(stopped.reason).toBe('it wrote more than its disk limit (64 MiB)');
      await waitFor(async () => term.exit, 5_000);
      expect(term.exit!.reason).toBe(stopped.reason);
    } finally {
      term.close();
    }
  }, 60_000);

  it('stops a shell at its run-time limit and an idle one after a warning, saying which', async () => {
    const t = await until(timed.id, ['stopped', 'failed'], carol, 120_000);
    expect(t.reason).toBe('it reached its run-time limit (1 minute)');
    const q = await until(idle.id, ['stopped', 'failed'], dave, 120_000);
    expect(q.reason).toBe('it was idle for 1 minute');
    // the warning came into the terminal before it stopped, then the end
    expect(idleTerm.out).toMatch(/gitssy: this shell has had no input for a while and stops in \d+ s; type anything to keep it/);
    await waitFor(async () => idleTerm.exit, 5_000);
    expect(idleTerm.exit!.reason).toBe('it was idle for 1 minute');
    // a late attach is told it ended
    const daveToken = await createToken(s, 'dave');
    const { term, ack } = await Term.open(s, daveToken, idle.id);
    expect(ack).toMatchObject({ ok: true, state: 'stopped' });
    await waitFor(async () => term.exit, 5_000);
    expect(term.exit!.reason).toBe('it was idle for 1 minute');
    term.close();
  }, 150_000);

  it('never outlives the server: after a kill -9 the next start marks shells stopped and revokes their tokens', async () => {
    const sh = await start(alice, 'alice/app');
    await until(sh.id, ['running']);
    const pids = await waitFor(async () => {
      const found = shellProcesses(s.pid, sh.id);
      return found.length ? found : null;
    }, 5_000);
    await killHard(s);
    // the sandbox dies with its parent
    await waitFor(async () => !pids.some(alive) || null, 10_000);
    s = await startServer({ data, env: { GITSSY_CI_BACKEND: 'sandbox' } });
    const after = await shell(sh.id);
    expect(after).toMatchObject({ state: 'stopped', reason: 'the server restarted' });
    const tokens = await api<{ name: string }[]>('GET', '/api/v1/users/alice/tokens', alice);
    expect(tokens.body.map((t) => t.name)).not.toContain(`dev shell ${sh.id}`);
    expect((await api<{ running: number }>('GET', '/api/v1/user/shells/limits?repo=alice/app', alice)).body.running).toBe(0);
  }, 60_000);
});
