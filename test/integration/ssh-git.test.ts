// Git over SSH with the real git and OpenSSH clients: every accepted repository path form,
// protocol v2, who may push, the exit status coming back, racing pushes, and push events
// recorded exactly once whatever the transport.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, gitOk, makeRepo, noise, run, startServer, strayGitProcesses, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { query } from './outbox-probe.js';
import { generateKey, gitSshEnv, registerKey, sshConfigAlias, sshRun, sshTarget, sshUrl, type KeyPair, type SshTarget } from '../fixtures/ssh.js';

const ROOT: [string, string] = ['root', 'root-pass-123']; // site admin, only sets things up
const ALICE: [string, string] = ['alice', 'alice-pass-123']; // owns the repositories
const BOB: [string, string] = ['bob', 'bob-pass-12345']; // a stranger to alice's repositories
const CAROL: [string, string] = ['carol', 'carol-pass-123']; // write collaborator on alice/collab
const DAVE: [string, string] = ['dave', 'dave-pass-1234']; // read collaborator on alice/collab

type Activity = { id: number; op_type: string; ref_name: string; transport: string; act_user: { login: string } | null };

let s: TestServer;
let t: SshTarget;
const keys: Record<string, KeyPair> = {};
let pubHead: string;
let teamHead: string;

/** Creates <owner>/<name> and pushes a small history to it over HTTP; returns the working copy and HEAD. */
async function seedRepo(owner: string, name: string, opts: { private?: boolean; commits?: number } = {}): Promise<{ src: string; head: string }> {
  await createRepo(s, ALICE, { name, private: opts.private ?? false }, owner === 'alice' ? undefined : owner);
  const src = await tempDir();
  const head = await makeRepo(src, opts.commits ?? 2);
  await gitOk(['push', '-q', s.gitUrl(`${owner}/${name}.git`, ALICE), 'main'], { cwd: src });
  return { src, head };
}

/** The refs of a repository read straight from disk. */
async function diskRefs(repo: string): Promise<string> {
  return gitOk(['--git-dir', path.join(s.data, 'repos', `${repo}.git`), 'for-each-ref', '--format=%(objectname) %(refname)']);
}

async function commitIn(dir: string, label: string): Promise<string> {
  await writeFile(path.join(dir, `${label}.txt`), `${label}\n`);
  await gitOk(['add', '-A'], { cwd: dir });
  await gitOk(['commit', '-q', '-m', label], { cwd: dir });
  return (await gitOk(['rev-parse', 'HEAD'], { cwd: dir })).trim();
}

const as = (user: string) => gitSshEnv(t, keys[user]!);
const activities = async (repo: string) => (await (await s.api('GET', `/api/v1/repos/${repo}/activities/feeds?limit=50`, { auth: ALICE })).json()) as Activity[];

beforeAll(async () => {
  s = await startServer();
  await createUser(s, ...ROOT, { admin: true });
  for (const u of [ALICE, BOB, CAROL, DAVE]) await createUser(s, ...u, { via: ROOT });
  t = await sshTarget(s);
  const kinds = { alice: 'ed25519', bob: 'ecdsa', carol: 'rsa3072', dave: 'ed25519' } as const;
  await Promise.all(Object.entries(kinds).map(async ([u, kind]) => (keys[u] = await generateKey(kind, `${u}@test`))));
  for (const u of [ALICE, BOB, CAROL, DAVE]) await registerKey(s, u, keys[u[0]]!, `${u[0]}'s laptop`);

  expect((await s.api('POST', '/api/v1/orgs', { auth: ALICE, json: { username: 'team' } })).status).toBe(201);
  ({ head: pubHead } = await seedRepo('alice', 'pub'));
  ({ head: teamHead } = await seedRepo('team', 'tools', { commits: 3 }));
  await seedRepo('alice', 'secret', { private: true });
  await seedRepo('alice', 'collab', { private: true });
  for (const [who, permission] of [
    ['carol', 'write'],
    ['dave', 'read'],
  ]) {
    expect((await s.api('PUT', `/api/v1/repos/alice/collab/collaborators/${who}`, { auth: ALICE, json: { permission } })).status).toBe(204);
  }
});
afterAll(async () => s?.stop());

describe('clone and push over SSH', () => {
  it('clones over ssh:// with /owner/repo paths, with and without .git, and the u/ and g/ aliases', async () => {
    const cases: [string, string][] = [
      ['alice/pub.git', pubHead],
      ['alice/pub', pubHead],
      ['u/alice/pub.git', pubHead],
      ['g/team/tools.git', teamHead],
      ['g/team/tools', teamHead],
    ];
    for (const [p, head] of cases) {
      const dst = path.join(await tempDir(), 'c');
      const r = await git(['clone', '-q', sshUrl(t, p), dst], { env: as('alice') });
      expect(r.code, `${p}: ${r.stderr}`).toBe(0);
      expect((await gitOk(['rev-parse', 'HEAD'], { cwd: dst })).trim(), p).toBe(head);
    }
  });

  it('clones with the scp-like form through a Host alias, where the path has no leading slash', async () => {
    const { alias, env } = await sshConfigAlias(t, keys.alice!);
    for (const p of ['alice/pub.git', 'alice/pub', 'u/alice/pub.git', 'g/team/tools.git']) {
      const dst = path.join(await tempDir(), 'c');
      const r = await git(['clone', '-q', `${alias}:${p}`, dst], { env });
      expect(r.code, `${p}: ${r.stderr}`).toBe(0);
      expect((await gitOk(['rev-parse', 'HEAD'], { cwd: dst })).trim(), p).toBe(p.includes('team') ? teamHead : pubHead);
    }
  });

  it('refuses paths that are not owner/repo with the not-found answer', async () => {
    for (const p of ['alice', 'alice/pub/extra.git', 'x/alice/pub.git', 'alice/pub.git.git', 'alice/../alice/pub.git']) {
      const r = await git(['ls-remote', sshUrl(t, p)], { env: as('alice') });
      expect(r.code, p).not.toBe(0);
      expect(r.stderr, p).toMatch(/Gitssy: repository '.*' not found/);
      expect(r.stdout, p).toBe('');
    }
  });

  it('pushes a new branch and commits over SSH; they land in the repository on disk', async () => {
    await createRepo(s, ALICE, { name: 'pushed' });
    const src = await tempDir();
    const head = await makeRepo(src, 2);
    const r = await git(['push', sshUrl(t, 'alice/pushed.git'), 'main', 'main:feature'], { cwd: src, env: as('alice') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\* \[new branch\]\s+main -> main/);
    expect(await diskRefs('alice/pushed')).toBe(`${head} refs/heads/feature\n${head} refs/heads/main\n`);
    // and the push is visible over HTTP as well
    expect(await gitOk(['ls-remote', s.gitUrl('alice/pushed.git')])).toContain(`${head}\trefs/heads/main`);
  });

  it('speaks protocol v2 over SSH when the client asks for it (GIT_PROTOCOL is passed through)', async () => {
    const v2 = await git(['-c', 'protocol.version=2', 'ls-remote', sshUrl(t, 'alice/pub.git')], { env: { ...as('alice'), GIT_TRACE_PACKET: '1' } });
    expect(v2.code, v2.stderr).toBe(0);
    expect(v2.stderr).toMatch(/packet:\s+ls-remote< version 2$/m);
    expect(v2.stderr).toMatch(/ls-remote> command=ls-refs$/m);
    expect(v2.stdout).toContain(`${pubHead}\trefs/heads/main`);

    const v0 = await git(['-c', 'protocol.version=0', 'ls-remote', sshUrl(t, 'alice/pub.git')], { env: { ...as('alice'), GIT_TRACE_PACKET: '1' } });
    expect(v0.code, v0.stderr).toBe(0);
    expect(v0.stderr).not.toMatch(/version 2/);
    expect(v0.stdout).toContain(`${pubHead}\trefs/heads/main`);
  });

  it('clones a shallow copy over protocol v2', async () => {
    const dst = path.join(await tempDir(), 'c');
    const r = await git(['-c', 'protocol.version=2', 'clone', '-q', '--depth', '1', sshUrl(t, 'team/tools.git'), dst], { env: as('alice') });
    expect(r.code, r.stderr).toBe(0);
    expect((await gitOk(['rev-list', '--count', 'HEAD'], { cwd: dst })).trim()).toBe('1');
    expect((await gitOk(['rev-parse', 'HEAD'], { cwd: dst })).trim()).toBe(teamHead);
  });

  it('serves git archive --remote (upload-archive) over SSH', async () => {
    const out = path.join(await tempDir(), 'a.tar');
    const r = await git(['archive', '--remote', sshUrl(t, 'alice/pub.git'), '-o', out, 'main', 'README.md', 'src'], { env: as('alice') });
    expect(r.code, r.stderr).toBe(0);
    const list = await run('tar', ['-tf', out]);
    expect(list.stdout.split('\n').filter(Boolean).sort()).toEqual(['README.md', 'src/', 'src/index.ts']);
  });
});

describe('who may push over SSH', () => {
  it('lets a write collaborator push', async () => {
    const dst = path.join(await tempDir(), 'c');
    await gitOk(['clone', '-q', sshUrl(t, 'alice/collab.git'), dst], { env: as('carol') });
    const head = await commitIn(dst, 'from-carol');
    const r = await git(['push', 'origin', 'main'], { cwd: dst, env: as('carol') });
    expect(r.code, r.stderr).toBe(0);
    expect(await diskRefs('alice/collab')).toBe(`${head} refs/heads/main\n`);
  });

  it('lets a read collaborator clone but refuses their push with a message, leaving the refs alone', async () => {
    const dst = path.join(await tempDir(), 'c');
    const cloned = await git(['clone', '-q', sshUrl(t, 'alice/collab.git'), dst], { env: as('dave') });
    expect(cloned.code, cloned.stderr).toBe(0);
    const before = await diskRefs('alice/collab');
    await commitIn(dst, 'from-dave');
    const r = await git(['push', 'origin', 'main', 'main:dave-branch'], { cwd: dst, env: as('dave') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Gitssy: you may read alice/collab but not push to it');
    expect(r.stderr).toMatch(/fatal: Could not read from remote repository/);
    expect(await diskRefs('alice/collab')).toBe(before);
  });

  it('refuses a push to a public repository by a user without write access', async () => {
    const before = await diskRefs('alice/pub');
    const src = await tempDir();
    await makeRepo(src, 1);
    const r = await git(['push', '--force', sshUrl(t, 'alice/pub.git'), 'main'], { cwd: src, env: as('bob') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Gitssy: you may read alice/pub but not push to it');
    expect(await diskRefs('alice/pub')).toBe(before);
  });

  it('answers a stranger on a private repository exactly as for a missing one, for fetch and push', async () => {
    const src = await tempDir();
    await makeRepo(src, 1);
    const before = await diskRefs('alice/secret');
    const norm = (text: string, name: string) => text.replaceAll(name, '<repo>');
    for (const op of ['ls-remote', 'push'] as const) {
      const attempt = (name: string) => git(op === 'ls-remote' ? ['ls-remote', sshUrl(t, `alice/${name}.git`)] : ['push', sshUrl(t, `alice/${name}.git`), 'main'], { cwd: src, env: as('bob') });
      const hidden = await attempt('secret');
      const missing = await attempt('absent');
      expect(hidden.code, op).not.toBe(0);
      expect(hidden.code, op).toBe(missing.code);
      expect(hidden.stderr, op).toContain("Gitssy: repository 'alice/secret' not found");
      expect(norm(hidden.stderr, 'secret'), op).toBe(norm(missing.stderr, 'absent'));
      expect(hidden.stdout, op).toBe('');
    }
    expect(await diskRefs('alice/secret')).toBe(before);
    // the owner, for contrast, sees it
    expect((await git(['ls-remote', sshUrl(t, 'alice/secret.git')], { env: as('alice') })).stdout).toContain('refs/heads/main');
  });
  it('lets any signed-in user clone an internal repository over SSH, but only its owner push', async () => {
    await createRepo(s, ALICE, { name: 'inside', internal: true });
    const src = await tempDir();
    const head = await makeRepo(src, 1);
    await gitOk(['push', '-q', s.gitUrl('alice/inside.git', ALICE), 'main'], { cwd: src });
    expect((await s.api('GET', '/api/v1/repos/alice/inside')).status).not.toBe(200); // not for anonymous
    const dst = path.join(await tempDir(), 'c');
    const r = await git(['clone', '-q', sshUrl(t, 'alice/inside.git'), dst], { env: as('bob') });
    expect(r.code, r.stderr).toBe(0);
    expect((await gitOk(['rev-parse', 'HEAD'], { cwd: dst })).trim()).toBe(head);
    await commitIn(dst, 'from-bob');
    const push = await git(['push', 'origin', 'main'], { cwd: dst, env: as('bob') });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('Gitssy: you may read alice/inside but not push to it');
    expect(await diskRefs('alice/inside')).toBe(`${head} refs/heads/main\n`);
  });
});

describe('exit status over SSH', () => {
  it("passes back 128 for a repository that can't be served, and git's own status otherwise", async () => {
    const missing = await sshRun(t, keys.alice!, "git-upload-pack 'alice/absent.git'");
    expect(missing.code).toBe(128);
    expect(missing.stderr).toContain("Gitssy: repository 'alice/absent' not found");

    // a client that just says "done" (flush) after the advertisement: git exits 0
    const ok = await sshRun(t, keys.alice!, "git-upload-pack 'alice/pub.git'", { input: '0000' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`${pubHead} HEAD\0`);

    // protocol garbage: git upload-pack dies with 128 and its own message, which we pass on
    const bad = await sshRun(t, keys.alice!, "git-upload-pack 'alice/pub.git'", { input: 'garbage that is not pkt-line\n' });
    expect(bad.code).toBe(128);
    expect(bad.stderr).toMatch(/fatal: protocol error: bad line length/);
  });

  it('makes a failed push exit non-zero and a good one zero', async () => {
    const src = await tempDir();
    await makeRepo(src, 1);
    const refused = await git(['push', sshUrl(t, 'alice/pub.git'), 'main:refs/heads/x'], { cwd: src, env: as('dave') });
    expect(refused.code).not.toBe(0);
    // a push the pre-receive policy refuses: receive-pack runs, the hook says no, git reports it
    const bad = await git(['push', sshUrl(t, 'alice/pushed.git'), 'main:refs/heads/-bad'], { cwd: src, env: as('alice') });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/remote: Gitssy: refs\/heads\/-bad: ref names may not have components starting with '-'/);
    expect(bad.stderr).toMatch(/\[remote rejected\]/);
    expect(await diskRefs('alice/pushed')).not.toContain('-bad');
  });
});

describe('the push size cap over SSH', () => {
  it('refuses a push over git.maxPushBytes with a Gitssy line naming the limit, and nothing lands', async () => {
    const { src } = await seedRepo('alice', 'capped');
    const before = await diskRefs('alice/capped');
    await writeFile(path.join(src, 'big.bin'), noise(600 * 1024, 'ssh-cap'));
    await gitOk(['add', '-A'], { cwd: src });
    await gitOk(['commit', '-q', '-m', 'big'], { cwd: src });
    const cap = async (bytes: number) => expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: ROOT, json: { 'git.maxPushBytes': bytes } })).status).toBe(200);
    await cap(256 * 1024);
    try {
      const r = await git(['push', sshUrl(t, 'alice/capped.git'), 'main'], { cwd: src, env: as('alice') });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/^remote: Gitssy: this push is larger than the limit of 256 KiB \(git\.maxPushBytes\); push fewer commits at a time, or ask an administrator to raise the limit/m);
      expect(r.stderr).not.toMatch(/pack exceeds maximum allowed size/);
      expect(await diskRefs('alice/capped')).toBe(before);
    } finally {
      await cap(2 * 1024 * 1024 * 1024);
    }
    // the cap was the reason: the same push lands once it is back at the default
    const again = await git(['push', sshUrl(t, 'alice/capped.git'), 'main'], { cwd: src, env: as('alice') });
    expect(again.code, again.stderr).toBe(0);
  });
});

describe('racing pushes over SSH', () => {
  it('lets exactly one of two simultaneous pushes to a branch win; the other gets git’s rejection', async () => {
    const { head: base } = await seedRepo('alice', 'race', { commits: 1 });
    const a = path.join(await tempDir(), 'a');
    const b = path.join(await tempDir(), 'b');
    await gitOk(['clone', '-q', sshUrl(t, 'alice/race.git'), a], { env: as('alice') });
    await gitOk(['clone', '-q', sshUrl(t, 'alice/race.git'), b], { env: as('alice') });
    let expected = base;
    let wins = 0;
    for (let round = 1; round <= 3; round++) {
      for (const dir of [a, b]) {
        await gitOk(['fetch', '-q', 'origin'], { cwd: dir, env: as('alice') });
        await gitOk(['reset', '-q', '--hard', 'origin/main'], { cwd: dir });
        expect((await gitOk(['rev-parse', 'HEAD'], { cwd: dir })).trim()).toBe(expected);
      }
      const heads = [await commitIn(a, `a-${round}`), await commitIn(b, `b-${round}`)];
      const results = await Promise.all([a, b].map((dir) => git(['push', 'origin', 'main'], { cwd: dir, env: as('alice') })));
      const winners = results.map((r, i) => (r.code === 0 ? i : -1)).filter((i) => i >= 0);
      expect(winners, results.map((r) => r.stderr).join('\n---\n')).toHaveLength(1);
      const loser = results[1 - winners[0]!]!;
      expect(loser.code).not.toBe(0);
      expect(loser.stderr).toMatch(/fetch first|rejected|failed to push/);
      expected = heads[winners[0]!]!;
      wins++;
      expect(await diskRefs('alice/race')).toBe(`${expected} refs/heads/main\n`);
    }
    const fsck = await git(['--git-dir', path.join(s.data, 'repos', 'alice', 'race.git'), 'fsck', '--no-dangling']);
    expect(fsck.code, fsck.stderr).toBe(0);
    expect(fsck.stderr + fsck.stdout).not.toMatch(/error|missing|broken|corrupt/i);
    // one event for the seed push over HTTP and one per winning push, none for the losers
    const acts = await activities('alice/race');
    expect(acts.map((x) => x.transport).sort()).toEqual(['http', ...Array(wins).fill('ssh')]);
    expect(new Set(acts.map((x) => x.id)).size).toBe(wins + 1);
  });
});

describe('push events', () => {
  it('records one event per push whatever the transport: one over HTTP, one over SSH', async () => {
    await createRepo(s, ALICE, { name: 'evented' });
    const src = await tempDir();
    const first = await makeRepo(src, 1);
    await gitOk(['push', '-q', s.gitUrl('alice/evented.git', ALICE), 'main'], { cwd: src });
    const second = await commitIn(src, 'over-ssh');
    const r = await git(['push', '-q', sshUrl(t, 'alice/evented.git'), 'main'], { cwd: src, env: as('alice') });
    expect(r.code, r.stderr).toBe(0);
    // give anything that might record twice a moment to do so
    await new Promise((res) => setTimeout(res, 300));
    const acts = await activities('alice/evented');
    expect(acts).toHaveLength(2);
    expect(new Set(acts.map((x) => x.id)).size).toBe(2);
    expect(acts.map((x) => x.transport).sort()).toEqual(['http', 'ssh']);
    expect(acts.every((x) => x.ref_name === 'refs/heads/main' && x.act_user?.login === 'alice')).toBe(true);
    expect(await diskRefs('alice/evented')).toBe(`${second} refs/heads/main\n`);
    expect(second).not.toBe(first);
  });
});

describe('a push is recorded before its client reads "ok"', () => {
  const ZERO = '0'.repeat(40);
  const pkt = (text: string) => Buffer.concat([Buffer.from((Buffer.byteLength(text) + 4).toString(16).padStart(4, '0')), Buffer.from(text)]);
  /** A pack with no objects: the push only creates a ref at a commit the repository has. */
  function emptyPack(): Buffer {
    const head = Buffer.from([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2, 0, 0, 0, 0]);
    return Buffer.concat([head, createHash('sha1').update(head).digest()]);
  }
  /** Reads (without ending the stream) until `done` holds for what arrived, or the stream ends. */
  function readUntil(stream: NodeJS.ReadableStream, done: (text: string) => boolean): Promise<string> {
    return new Promise((resolve, reject) => {
      let text = '';
      const stop = () => {
        stream.off('data', onData);
        stream.off('end', stop);
        stream.off('error', reject);
        stream.pause();
        resolve(text);
      };
      const onData = (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (done(text)) stop();
      };
      stream.on('data', onData);
      stream.once('end', stop);
      stream.once('error', reject);
      stream.resume();
    });
  }
  const command = (sha: string, ref: string) => Buffer.concat([pkt(`${ZERO} ${sha} ${ref}\0report-status side-band-64k quiet\n`), Buffer.from('0000'), emptyPack()]);
  /**
   * Stops the server (SIGSTOP) the moment the pusher's report says `ok <ref>`, and reads from
   * the database, while it is stopped, how many push events name the ref; then lets it go on.
   */
  async function eventsWhenOk(stream: NodeJS.ReadableStream, ref: string): Promise<number> {
    const seen = await readUntil(stream, (text) => text.includes(`ok ${ref}\n`));
    expect(seen).toContain(`ok ${ref}\n`);
    process.kill(s.pid, 'SIGSTOP');
    try {
      const rows = await query<{ updates: string }>(s.data, 'SELECT updates FROM push_events');
      return rows.filter((r) => r.updates.includes(ref)).length;
    } finally {
      process.kill(s.pid, 'SIGCONT');
    }
  }

  it('over HTTP and over SSH: the event is in the database when the report arrives', async () => {
    await createRepo(s, ALICE, { name: 'durable' });
    const src = await tempDir();
    const head = await makeRepo(src, 1);
    await gitOk(['push', '-q', s.gitUrl('alice/durable.git', ALICE), 'main'], { cwd: src });

    // HTTP: git's own request, read as it streams back
    const res = await fetch(`${s.url}/alice/durable.git/git-receive-pack`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-git-receive-pack-request', Authorization: `Basic ${Buffer.from(ALICE.join(':')).toString('base64')}` },
      body: command(head, 'refs/heads/over-http'),
    });
    expect(res.status).toBe(200);
    expect(await eventsWhenOk(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), 'refs/heads/over-http')).toBe(1);

    // SSH: the advertisement first, then the same commands
    const client = new ssh2.Client();
    const privateKey = await readFile(keys.alice!.file);
    try {
      const stream = await new Promise<ssh2.ClientChannel>((resolve, reject) => {
        client.on('error', reject);
        client.on('ready', () => client.exec("git-receive-pack 'alice/durable.git'", (err, ch) => (err ? reject(err) : resolve(ch))));
        client.connect({ host: '127.0.0.1', port: t.port, username: 'git', privateKey, hostVerifier: () => true, readyTimeout: 20_000 });
      });
      expect(await readUntil(stream, (text) => text.endsWith('0000'))).toContain('refs/heads/main');
      stream.write(command(head, 'refs/heads/over-ssh'));
      expect(await eventsWhenOk(stream, 'refs/heads/over-ssh')).toBe(1);
    } finally {
      client.end();
    }
    expect(await diskRefs('alice/durable')).toContain(`${head} refs/heads/over-ssh`);
  });
});

describe('how far a clone runs ahead of the client', () => {
  /**
   * Asks for `want` with git's v0 protocol through ssh2's client (which grants a 2 MiB window
   * and acknowledges only once 1 MiB of it is used), calling itself `ident`; stops reading once
   * the request is sent, waits for `until` and 700 ms more, and reports how much arrived by then.
   * With `finish` it then reads the rest to the exit status; without, it hangs up there.
   */
  async function unreadClone(
    repo: string,
    want: string,
    opts: { ident?: string; finish: boolean; until: (advertised: number, buffered: number) => boolean },
  ): Promise<{ advertised: number; ahead: number; rest: Buffer; code: number | null }> {
    const privateKey = await readFile(keys.alice!.file);
    const client = new ssh2.Client();
    try {
      return await new Promise((resolve, reject) => {
        client.on('error', reject);
        client.on('ready', () => {
          client.exec(`git-upload-pack '${repo}'`, (err, stream) => {
            if (err) return reject(err);
            let code: number | null = null;
            stream.on('exit', (c: number | null) => (code = c));
            let adv = Buffer.alloc(0);
            const onAdv = (c: Buffer) => {
              adv = Buffer.concat([adv, c]);
              if (!adv.subarray(-4).equals(Buffer.from('0000'))) return;
              stream.off('data', onAdv);
              stream.pause();
              stream.write(`0032want ${want}\n00000009done\n`);
              // wait until `until` says enough has arrived (a loaded machine may be slow to send it),
              // then a while longer, to see whether anything more comes
              const tick = setInterval(() => {
                if (!opts.until(adv.length, stream.readableLength)) return;
                clearInterval(tick);
                setTimeout(() => {
                  const ahead = stream.readableLength;
                  if (!opts.finish) return resolve({ advertised: adv.length, ahead, rest: Buffer.alloc(0), code: null });
                  const chunks: Buffer[] = [];
                  stream.on('data', (c: Buffer) => chunks.push(c));
                  stream.on('close', () => resolve({ advertised: adv.length, ahead, rest: Buffer.concat(chunks), code }));
                  stream.resume();
                }, 700);
              }, 50);
            };
            stream.on('data', onAdv);
          });
        });
        client.connect({ host: '127.0.0.1', port: t.port, username: 'git', privateKey, hostVerifier: () => true, readyTimeout: 20_000, ...(opts.ident ? { ident: opts.ident } : {}) });
      });
    } finally {
      client.end();
    }
  }

  it('keeps an OpenSSH client at most ssh.sendAheadKiB ahead; other clients get their whole window', { timeout: 60_000 }, async () => {
    await createRepo(s, ALICE, { name: 'bulk' });
    const src = await tempDir();
    await makeRepo(src, 1);
    await writeFile(path.join(src, 'noise.bin'), randomBytes(3 * 1024 * 1024)); // incompressible: a 3 MiB pack
    await gitOk(['add', '-A'], { cwd: src });
    await gitOk(['commit', '-q', '-m', 'noise'], { cwd: src });
    const head = (await gitOk(['rev-parse', 'HEAD'], { cwd: src })).trim();
    await gitOk(['push', '-q', s.gitUrl('alice/bulk.git', ALICE), 'main'], { cwd: src });
    const OPENSSH = 'OpenSSH_9.2p1';

    // an OpenSSH client, by default: the advertisement and then the pack up to exactly 512 KiB
    const held = await unreadClone('alice/bulk.git', head, { ident: OPENSSH, finish: false, until: (a, b) => a + b >= 512 * 1024 });
    expect(held.advertised + held.ahead).toBe(512 * 1024);
    // hanging up there leaves no git behind
    await waitFor(async () => (await strayGitProcesses(s.data)).length === 0);

    // ssh2's own client acknowledges only at half its window: held back, it would never get the
    // rest, so it is sent its whole window and the clone completes
    const whole = await unreadClone('alice/bulk.git', head, { finish: true, until: (_a, b) => b > 1024 * 1024 });
    expect(whole.ahead).toBeGreaterThan(1024 * 1024);
    expect(whole.code).toBe(0);
    expect(whole.rest.length + whole.ahead).toBeGreaterThan(3 * 1024 * 1024);

    // the setting, read by each new session
    const patched = await s.api('PATCH', '/api/v1/admin/settings', { auth: ROOT, json: { 'ssh.sendAheadKiB': 768 } });
    expect(patched.status, await patched.text()).toBe(200);
    const wider = await unreadClone('alice/bulk.git', head, { ident: OPENSSH, finish: false, until: (a, b) => a + b >= 768 * 1024 });
    expect(wider.advertised + wider.ahead).toBe(768 * 1024);

    // out of range is refused, and changes nothing
    const bad = await s.api('PATCH', '/api/v1/admin/settings', { auth: ROOT, json: { 'ssh.sendAheadKiB': 64 } });
    expect(bad.status).toBe(422);
    const now = (await (await s.api('GET', '/api/v1/admin/settings', { auth: ROOT })).json()) as Record<string, unknown>;
    expect(now['ssh.sendAheadKiB']).toBe(768);
    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: ROOT, json: { 'ssh.sendAheadKiB': 512 } })).status).toBe(200);

    // and OpenSSH's real client, acknowledging as it goes, gets all of it
    const dest = path.join(await tempDir(), 'bulk');
    const r = await git(['clone', '-q', sshUrl(t, 'alice/bulk.git'), dest], { env: as('alice') });
    expect(r.code, r.stderr).toBe(0);
    expect((await readFile(path.join(dest, 'noise.bin'))).length).toBe(3 * 1024 * 1024);
  });
});
