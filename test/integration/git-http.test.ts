// Git over smart HTTP with the real git CLI: who may clone and push what, protocol v0 and v2
// on the wire, shallow, partial and incremental fetches, and many clients at once.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createToken, createUser, git, gitOk, gitProcessesUnder, makeRepo, run, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';

const ALICE: [string, string] = ['alice', 'alice-pass-123']; // site admin, owns every repository here
const BOB: [string, string] = ['bob', 'bob-pass-12345']; // a stranger to alice's repositories
const CAROL: [string, string] = ['carol', 'carol-pass-123']; // write collaborator
const DAVE: [string, string] = ['dave', 'dave-pass-1234']; // read collaborator

describe('git over smart HTTP', () => {
  let s: TestServer;
  let pubHead: string; // alice/pub, public
  let secretHead: string; // alice/secret, private
  const scratchDirs: string[] = [];

  /** A temp dir removed after the file's tests (clones here can be 100 MB). */
  async function scratch(): Promise<string> {
    const dir = await tempDir();
    scratchDirs.push(dir);
    return dir;
  }

  /** Creates alice/<name> and pushes a small history to it; returns the working copy and HEAD. */
  async function seedRepo(name: string, opts: { private?: boolean; commits?: number } = {}): Promise<{ src: string; head: string }> {
    await createRepo(s, ALICE, { name, private: opts.private ?? false });
    const src = await scratch();
    const head = await makeRepo(src, opts.commits ?? 3);
    await gitOk(['push', '-q', s.gitUrl(`alice/${name}.git`, ALICE), 'main'], { cwd: src });
    return { src, head };
  }

  /** A new commit on top of the working copy; returns its sha. */
  async function commitIn(dir: string, label: string): Promise<string> {
    await writeFile(path.join(dir, `${label}.txt`), `${label}\n`);
    await gitOk(['add', '-A'], { cwd: dir });
    await gitOk(['commit', '-q', '-m', label], { cwd: dir });
    return (await gitOk(['rev-parse', 'HEAD'], { cwd: dir })).trim();
  }

  /** The refs on the server as the owner sees them: `{ 'refs/heads/main': sha, ... }`. */
  async function serverRefs(repo: string): Promise<Record<string, string>> {
    const out = await gitOk(['ls-remote', s.gitUrl(`alice/${repo}.git`, ALICE)]);
    return Object.fromEntries(
      out
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t').reverse() as [string, string]),
    );
  }

  function infoRefs(repo: string, service: 'git-upload-pack' | 'git-receive-pack', opts: { auth?: [string, string]; headers?: Record<string, string> } = {}): Promise<Response> {
    return s.api('GET', `/${repo}/info/refs?service=${service}`, opts);
  }

  async function headOf(dir: string): Promise<string> {
    return (await gitOk(['rev-parse', 'HEAD'], { cwd: dir })).trim();
  }

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, ...ALICE, { admin: true });
    for (const u of [BOB, CAROL, DAVE]) await createUser(s, ...u, { via: ALICE });
    ({ head: pubHead } = await seedRepo('pub'));
    ({ head: secretHead } = await seedRepo('secret', { private: true }));
  });
  afterAll(async () => {
    await s?.stop();
    await Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  describe('anonymous reads of a public repository', () => {
    it('clones a public repository anonymously', async () => {
      const dst = path.join(await scratch(), 'c');

      const r = await git(['clone', '-q', s.gitUrl('alice/pub.git'), dst]);

      expect(r.code, r.stderr).toBe(0);
      expect(await headOf(dst)).toBe(pubHead);
      expect(await readFile(path.join(dst, 'README.md'), 'utf8')).toContain('Hello **LAN**.');
    });

    it('lists the refs of a public repository anonymously with ls-remote', async () => {
      const r = await git(['ls-remote', s.gitUrl('alice/pub.git')]);

      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`${pubHead}\tHEAD`);
      expect(r.stdout).toContain(`${pubHead}\trefs/heads/main`);
    });
  });

  describe('private repositories', () => {
    it('asks an anonymous caller for credentials with 401 and WWW-Authenticate: Basic', async () => {
      const res = await infoRefs('alice/secret.git', 'git-upload-pack');

      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(await res.text()).not.toContain(secretHead);
    });

    it('answers an anonymous caller asking for a missing repository with the same 401', async () => {
      const secret = await infoRefs('alice/secret.git', 'git-upload-pack');
      const missing = await infoRefs('alice/no-such-repo.git', 'git-upload-pack');

      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe(secret.headers.get('www-authenticate'));
      expect(await missing.text()).toBe(await secret.text());
    });

    it('refuses a wrong password with 401, even where anonymous reads are allowed', async () => {
      const wrong: [string, string] = ['bob', 'not-the-password'];

      const priv = await infoRefs('alice/secret.git', 'git-upload-pack', { auth: wrong });
      const pub = await infoRefs('alice/pub.git', 'git-upload-pack', { auth: wrong });

      expect(priv.status).toBe(401);
      expect(priv.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(await priv.text()).not.toContain(secretHead);
      // bad credentials are an error, never a silent fall-back to anonymous
      expect(pub.status).toBe(401);
    });

    it("answers another user's credentials with 404, exactly like a repository that doesn't exist", async () => {
      const secret = await infoRefs('alice/secret.git', 'git-upload-pack', { auth: BOB });
      const missing = await infoRefs('alice/no-such-repo.git', 'git-upload-pack', { auth: BOB });

      expect(secret.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(secret.headers.get('content-type')).toBe(missing.headers.get('content-type'));
      expect(secret.headers.get('www-authenticate')).toBeNull();
      expect(await secret.text()).toBe(await missing.text());
    });

    it('refuses an anonymous git clone of a private repository', async () => {
      const dst = path.join(await scratch(), 'c');

      const r = await git(['clone', '-q', s.gitUrl('alice/secret.git'), dst]);

      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/could not read Username|Authentication failed|401/);
    });

    it('lets the owner clone a private repository', async () => {
      const dst = path.join(await scratch(), 'c');

      await gitOk(['clone', '-q', s.gitUrl('alice/secret.git', ALICE), dst]);

      expect(await headOf(dst)).toBe(secretHead);
    });
  });

  describe('internal repositories', () => {
    it('asks anonymous callers to sign in but lets any signed-in user clone', async () => {
      await createRepo(s, ALICE, { name: 'staff', internal: true, auto_init: true });
      const dst = path.join(await scratch(), 'c');

      const anon = await infoRefs('alice/staff.git', 'git-upload-pack');
      const r = await git(['clone', '-q', s.gitUrl('alice/staff.git', BOB), dst]);

      expect(anon.status).toBe(401);
      expect(r.code, r.stderr).toBe(0);
      expect(await readFile(path.join(dst, 'README.md'), 'utf8')).toContain('# staff');
    });
  });

  describe('pushing', () => {
    it('accepts a push from the owner with a password', async () => {
      const { src } = await seedRepo('push-owner');
      const next = await commitIn(src, 'owner');

      const r = await git(['push', '-q', s.gitUrl('alice/push-owner.git', ALICE), 'main'], { cwd: src });

      expect(r.code, r.stderr).toBe(0);
      expect((await serverRefs('push-owner'))['refs/heads/main']).toBe(next);
    });

    it("answers git's probe before a large push (a lone flush packet) as receive-pack would, after the same checks", async () => {
      await seedRepo('push-probe');
      const probe = (auth?: [string, string]) => s.api('POST', '/alice/push-probe.git/git-receive-pack', { auth, body: '0000', headers: { 'Content-Type': 'application/x-git-receive-pack-request' } });
      const ok = await probe(ALICE);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toBe('application/x-git-receive-pack-result');
      expect(Buffer.from(await ok.arrayBuffer()).length).toBe(0);
      // what receive-pack itself says to a lone flush: nothing, and success
      const dir = path.join(s.data, 'repos', 'alice', 'push-probe.git');
      const direct = await run('git', ['receive-pack', '--stateless-rpc', dir], { input: '0000' });
      expect([direct.code, direct.stdout]).toEqual([0, '']);
      // the probe is how git learns whether its credentials will do: they are checked first
      expect((await probe()).status).toBe(401);
      expect((await probe(DAVE)).status).toBe(403);
    });

    it('accepts a push with a personal access token as the Basic password', async () => {
      const { src } = await seedRepo('push-token');
      const token = await createToken(s, 'alice');
      const next = await commitIn(src, 'token');

      const r = await git(['push', '-q', s.gitUrl('alice/push-token.git', ['alice', token]), 'main'], { cwd: src });

      expect(r.code, r.stderr).toBe(0);
      expect((await serverRefs('push-token'))['refs/heads/main']).toBe(next);
    });

    it('accepts a push from a write collaborator', async () => {
      const { src } = await seedRepo('push-collab', { private: true });
      const grant = await s.api('PUT', '/api/v1/repos/alice/push-collab/collaborators/carol', { auth: ALICE, json: { permission: 'write' } });
      expect(grant.status).toBe(204);
      const next = await commitIn(src, 'carol');

      const r = await git(['push', '-q', s.gitUrl('alice/push-collab.git', CAROL), 'main'], { cwd: src });

      expect(r.code, r.stderr).toBe(0);
      expect((await serverRefs('push-collab'))['refs/heads/main']).toBe(next);
    });

    it('refuses a push from a read-only collaborator with 403 and leaves the refs unchanged', async () => {
      const { src } = await seedRepo('push-reader', { private: true });
      const grant = await s.api('PUT', '/api/v1/repos/alice/push-reader/collaborators/dave', { auth: ALICE, json: { permission: 'read' } });
      expect(grant.status).toBe(204);
      const before = await serverRefs('push-reader');
      // dave really can read it, so the refusal below is about writing
      expect((await infoRefs('alice/push-reader.git', 'git-upload-pack', { auth: DAVE })).status).toBe(200);
      await commitIn(src, 'dave');

      const advert = await infoRefs('alice/push-reader.git', 'git-receive-pack', { auth: DAVE });
      const r = await git(['push', '-q', s.gitUrl('alice/push-reader.git', DAVE), 'main'], { cwd: src });

      expect(advert.status).toBe(403);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('403');
      expect(await serverRefs('push-reader')).toEqual(before);
    });

    it('refuses a push from a stranger to a public repository with 403 and leaves the refs unchanged', async () => {
      const { src } = await seedRepo('push-stranger-pub');
      const before = await serverRefs('push-stranger-pub');
      await commitIn(src, 'bob');

      const advert = await infoRefs('alice/push-stranger-pub.git', 'git-receive-pack', { auth: BOB });
      const r = await git(['push', '-q', s.gitUrl('alice/push-stranger-pub.git', BOB), 'main'], { cwd: src });

      expect(advert.status).toBe(403);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('403');
      expect(await serverRefs('push-stranger-pub')).toEqual(before);
    });

    it('refuses a push from a stranger to a private repository with 404 and leaves the refs unchanged', async () => {
      const { src } = await seedRepo('push-stranger-priv', { private: true });
      const before = await serverRefs('push-stranger-priv');
      await commitIn(src, 'bob');

      const advert = await infoRefs('alice/push-stranger-priv.git', 'git-receive-pack', { auth: BOB });
      const r = await git(['push', '-q', s.gitUrl('alice/push-stranger-priv.git', BOB), 'main'], { cwd: src });

      expect(advert.status).toBe(404);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/not found|404/);
      expect(await serverRefs('push-stranger-priv')).toEqual(before);
    });

    it('asks an anonymous pusher for credentials with 401 on a public repository and leaves the refs unchanged', async () => {
      const { src } = await seedRepo('push-anon');
      const before = await serverRefs('push-anon');
      await commitIn(src, 'anon');

      const advert = await infoRefs('alice/push-anon.git', 'git-receive-pack');
      const r = await git(['push', '-q', s.gitUrl('alice/push-anon.git'), 'main'], { cwd: src });

      expect(advert.status).toBe(401);
      expect(advert.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(r.code).not.toBe(0);
      expect(await serverRefs('push-anon')).toEqual(before);
    });

    it('lets a read:repository token clone but refuses its push with 403', async () => {
      const { src, head } = await seedRepo('push-readtoken', { private: true });
      const token = await createToken(s, 'alice', 'read:repository');
      const auth: [string, string] = ['alice', token];
      const dst = path.join(await scratch(), 'c');
      await gitOk(['clone', '-q', s.gitUrl('alice/push-readtoken.git', auth), dst]);
      expect(await headOf(dst)).toBe(head);
      const before = await serverRefs('push-readtoken');
      await commitIn(src, 'readtoken');

      const advert = await infoRefs('alice/push-readtoken.git', 'git-receive-pack', { auth });
      const r = await git(['push', '-q', s.gitUrl('alice/push-readtoken.git', auth), 'main'], { cwd: src });

      expect(advert.status).toBe(403);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('403');
      expect(await serverRefs('push-readtoken')).toEqual(before);
    });
  });

  describe('protocol versions', () => {
    let head: string;
    beforeAll(async () => {
      ({ head } = await seedRepo('proto'));
    });

    it('speaks protocol v2 to ls-remote when the client asks for it', async () => {
      const r = await git(['-c', 'protocol.version=2', 'ls-remote', s.gitUrl('alice/proto.git')], { env: { GIT_TRACE_PACKET: '1' } });

      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/git< version 2\n/);
      expect(r.stderr).toMatch(/> command=ls-refs\n/);
      expect(r.stdout).toContain(`${head}\trefs/heads/main`);
    });

    it('clones with protocol v2', async () => {
      const dst = path.join(await scratch(), 'c');

      const r = await git(['-c', 'protocol.version=2', 'clone', '-q', s.gitUrl('alice/proto.git'), dst], { env: { GIT_TRACE_PACKET: '1' } });

      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/> command=fetch\n/);
      expect(await headOf(dst)).toBe(head);
    });

    it('clones with protocol v0', async () => {
      const dst = path.join(await scratch(), 'c');

      const r = await git(['-c', 'protocol.version=0', 'clone', '-q', s.gitUrl('alice/proto.git'), dst], { env: { GIT_TRACE_PACKET: '1' } });

      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('git< # service=git-upload-pack');
      expect(r.stderr).not.toContain('version 2');
      expect(await headOf(dst)).toBe(head);
    });

    it('starts a v0 ref advertisement with the service announcement and a flush', async () => {
      const res = await infoRefs('alice/proto.git', 'git-upload-pack');
      const body = Buffer.from(await res.arrayBuffer()).toString('latin1');

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement');
      expect(res.headers.get('cache-control')).toContain('no-cache');
      expect(body.startsWith('001e# service=git-upload-pack\n0000')).toBe(true);
      expect(body).toContain(`${head} refs/heads/main\n`);
      expect(body.endsWith('0000')).toBe(true);
    });

    it('answers Git-Protocol: version=2 with the v2 capability list and no service line', async () => {
      const res = await infoRefs('alice/proto.git', 'git-upload-pack', { headers: { 'Git-Protocol': 'version=2' } });
      const body = Buffer.from(await res.arrayBuffer()).toString('latin1');

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement');
      expect(res.headers.get('cache-control')).toContain('no-cache');
      expect(body).not.toContain('# service=');
      expect(body.startsWith('000eversion 2\n')).toBe(true);
      expect(body).toMatch(/\d{4}ls-refs/);
      expect(body).toMatch(/\d{4}fetch=[^\n]*filter/);
    });

    it("answers v2's opening again from git once the repository's config changed, and never keeps a per-process session id", async () => {
      const v2 = async () => Buffer.from(await (await infoRefs('alice/proto.git', 'git-upload-pack', { headers: { 'Git-Protocol': 'version=2' } })).arrayBuffer()).toString('latin1');
      const dir = path.join(s.data, 'repos', 'alice', 'proto.git');
      const first = await v2();
      expect(await v2()).toBe(first);
      expect(first).not.toContain('ref-in-want');

      await gitOk(['--git-dir', dir, 'config', 'uploadpack.allowRefInWant', 'true']);
      const changed = await v2();
      expect(changed).toMatch(/\d{4}fetch=[^\n]*ref-in-want/);
      expect(await v2()).toBe(changed);

      // a session id differs per git process: every answer is git's own
      await gitOk(['--git-dir', dir, 'config', 'transfer.advertiseSID', 'true']);
      const ids = [await v2(), await v2()].map((b) => /session-id=([^\n]+)/.exec(b)?.[1]);
      expect(ids[0]).toBeTruthy();
      expect(ids[1]).toBeTruthy();
      expect(ids[0]).not.toBe(ids[1]);

      await gitOk(['--git-dir', dir, 'config', '--unset', 'transfer.advertiseSID']);
      await gitOk(['--git-dir', dir, 'config', '--unset', 'uploadpack.allowRefInWant']);
      expect(await v2()).toBe(first);
      // and a v2 clone still works on the kept answer
      const dst = path.join(await scratch(), 'c');
      const r = await git(['-c', 'protocol.version=2', 'clone', '-q', s.gitUrl('alice/proto.git'), dst]);
      expect(r.code, r.stderr).toBe(0);
      expect(await headOf(dst)).toBe(head);
    });

    it('lists the refs over v2 as they are after every push, branch deletion and HEAD change, and fetches what changed', async () => {
      const { src } = await seedRepo('v2-moving');
      const url = s.gitUrl('alice/v2-moving.git');
      const remote = async () => (await gitOk(['-c', 'protocol.version=2', 'ls-remote', '--symref', url])).trim();
      const first = await remote();
      expect(await remote()).toBe(first);

      const next = await commitIn(src, 'moved');
      await gitOk(['push', '-q', s.gitUrl('alice/v2-moving.git', ALICE), 'main', 'main:side'], { cwd: src });
      const moved = await remote();
      expect(moved).toContain(`${next}\trefs/heads/main`);
      expect(moved).toContain(`${next}\trefs/heads/side`);

      const dst = path.join(await scratch(), 'c');
      await gitOk(['-c', 'protocol.version=2', 'clone', '-q', '--bare', url, dst]);
      const after = await commitIn(src, 'after');
      await gitOk(['push', '-q', s.gitUrl('alice/v2-moving.git', ALICE), 'main', ':side'], { cwd: src });
      await gitOk(['-c', 'protocol.version=2', 'fetch', '-q', url, '+refs/heads/*:refs/heads/*', '--prune'], { cwd: dst });
      expect((await gitOk(['rev-parse', 'refs/heads/main'], { cwd: dst })).trim()).toBe(after);
      expect(await remote()).not.toContain('refs/heads/side');

      const patch = await s.api('PATCH', '/api/v1/repos/alice/v2-moving', { auth: ALICE, json: { default_branch: 'moved-head' } });
      expect(patch.status).toBe(422); // no such branch: nothing changes
      await gitOk(['push', '-q', s.gitUrl('alice/v2-moving.git', ALICE), 'main:moved-head'], { cwd: src });
      expect((await s.api('PATCH', '/api/v1/repos/alice/v2-moving', { auth: ALICE, json: { default_branch: 'moved-head' } })).status).toBe(200);
      expect(await remote()).toContain('ref: refs/heads/moved-head\tHEAD');
    });

    it('advertises receive-pack with its own content type and service line', async () => {
      const res = await infoRefs('alice/proto.git', 'git-receive-pack', { auth: ALICE });
      const body = Buffer.from(await res.arrayBuffer()).toString('latin1');

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-git-receive-pack-advertisement');
      expect(res.headers.get('cache-control')).toContain('no-cache');
      expect(body.startsWith('001f# service=git-receive-pack\n0000')).toBe(true);
      expect(body).toContain(`${head} refs/heads/main`);
    });
  });

  describe('shallow, partial and incremental fetches', () => {
    let head: string;
    let src: string;
    beforeAll(async () => {
      ({ head, src } = await seedRepo('history', { commits: 5 }));
    });

    it('makes a shallow clone with --depth 1 that holds one commit', async () => {
      const dst = path.join(await scratch(), 'c');

      const r = await git(['clone', '-q', '--depth', '1', s.gitUrl('alice/history.git'), dst]);

      expect(r.code, r.stderr).toBe(0);
      expect(await headOf(dst)).toBe(head);
      expect((await gitOk(['rev-list', '--count', 'HEAD'], { cwd: dst })).trim()).toBe('1');
      expect((await gitOk(['rev-parse', '--is-shallow-repository'], { cwd: dst })).trim()).toBe('true');
    });

    it('makes a blobless partial clone and fetches the blobs lazily on checkout', async () => {
      const dst = path.join(await scratch(), 'c');

      const r = await git(['clone', '-q', '--no-checkout', '--filter=blob:none', s.gitUrl('alice/history.git'), dst]);
      expect(r.code, r.stderr).toBe(0);
      const missing = (await gitOk(['rev-list', '--objects', '--missing=print', 'HEAD'], { cwd: dst })).split('\n').filter((l) => l.startsWith('?'));
      expect(missing.length).toBeGreaterThan(0); // the blobs really were left out
      expect((await gitOk(['config', 'remote.origin.promisor'], { cwd: dst })).trim()).toBe('true');

      const co = await git(['checkout', '-q', '-f', 'main'], { cwd: dst });

      expect(co.code, co.stderr).toBe(0);
      expect(await readFile(path.join(dst, 'src', 'index.ts'), 'utf8')).toContain('export const v5 = 5;');
      const stillMissing = (await gitOk(['rev-list', '--objects', '--missing=print', 'HEAD'], { cwd: dst })).split('\n').filter((l) => l.startsWith('?'));
      expect(stillMissing.length).toBeLessThan(missing.length);
    });

    it('fetches only the new commits into an existing clone', async () => {
      const dst = path.join(await scratch(), 'c');
      await gitOk(['clone', '-q', s.gitUrl('alice/history.git'), dst]);
      const next = await commitIn(src, 'incremental');
      await gitOk(['push', '-q', s.gitUrl('alice/history.git', ALICE), 'main'], { cwd: src });

      const r = await git(['fetch', 'origin'], { cwd: dst, env: { GIT_TRACE_PACKET: '1' } });

      expect(r.code, r.stderr).toBe(0);
      expect((await gitOk(['rev-parse', 'origin/main'], { cwd: dst })).trim()).toBe(next);
      expect(r.stderr).toMatch(new RegExp(`> have ${head}\\n`)); // negotiated from what the clone already had
      expect(r.stderr).toMatch(new RegExp(`> want ${next}\\n`));
    });
  });

  describe('many clients at once', () => {
    it('serves 20 concurrent clones of the same repository, all with the same HEAD', async () => {
      const { head } = await seedRepo('busy', { commits: 10 });
      const base = await scratch();

      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => git(['clone', '-q', s.gitUrl('alice/busy.git'), path.join(base, `c${i}`)])));

      expect(results.map((r) => r.code)).toEqual(Array(20).fill(0));
      const heads = await Promise.all(results.map((_, i) => headOf(path.join(base, `c${i}`))));
      expect(new Set(heads)).toEqual(new Set([head]));
      expect(await waitFor(async () => (await gitProcessesUnder(s.data)).length === 0, 10_000)).toBe(true);
    });
  });
});
