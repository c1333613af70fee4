// Hostile input to git over smart HTTP: paths that try to leave the repository root or reach
// files inside a repository, names git could read as options, services and methods we don't
// serve, hostile repository names through the API, broken gzip and pkt-line bodies, and
// clients that hang up. Every refusal must leave the disk, the database and the process table
// as they were.
import { rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, gitOk, gitProcessesUnder, listTree, makeRepo, rawHttp, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { outboxIdle } from './outbox-probe.js';

const ALICE: [string, string] = ['alice', 'alice-pass-123'];
const UPLOAD_REQ = 'application/x-git-upload-pack-request';
const RECEIVE_REQ = 'application/x-git-receive-pack-request';
const ZERO = '0'.repeat(40);

/** One pkt-line: four hex digits of length (counting themselves), then the data. */
const pkt = (data: string) => `${(Buffer.byteLength(data) + 4).toString(16).padStart(4, '0')}${data}`;

describe('hostile requests to git over smart HTTP', () => {
  let s: TestServer;
  const scratchDirs: string[] = [];

  /** A temp dir removed after the file's tests (clones here can be 100 MB). */
  async function scratch(): Promise<string> {
    const dir = await tempDir();
    scratchDirs.push(dir);
    return dir;
  }
  let head: string;

  /** What a refused request must not change: the files under <data>/repos and the repo count. */
  async function snapshot(): Promise<{ tree: string[]; repos: string | null }> {
    const res = await s.api('GET', '/api/v1/repos/search?limit=50', { auth: ALICE });
    expect(res.status).toBe(200);
    return { tree: await listTree(path.join(s.data, 'repos')), repos: res.headers.get('x-total-count') };
  }

  async function noGitLeft(): Promise<string> {
    return waitFor(async () => ((await gitProcessesUnder(s.data)).length === 0 ? 'none' : null), 10_000).catch(async () => (await gitProcessesUnder(s.data)).join('\n'));
  }

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, ...ALICE, { admin: true });
    await createRepo(s, ALICE, { name: 'pub' });
    const src = await scratch();
    head = await makeRepo(src, 2);
    await gitOk(['push', '-q', s.gitUrl('alice/pub.git', ALICE), 'main'], { cwd: src });
    await outboxIdle(s.data, 30_000); // post-push housekeeping (size, commit-graph, gc --auto) runs in a durable subscriber
    await waitFor(async () => (await gitProcessesUnder(s.data)).length === 0, 30_000);
  });
  afterAll(async () => {
    await s?.stop();
    await Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  describe('paths that are not a plain owner/repo', () => {
    const UP = 'info/refs?service=git-upload-pack';
    const cases: { label: string; method?: string; path: string; auth?: boolean; ctype?: string }[] = [
      { label: 'an encoded ../../etc as the repository', path: `/alice/..%2f..%2fetc/${UP}` },
      { label: 'an encoded .. as the repository', path: `/alice/%2e%2e/${UP}` },
      { label: 'an encoded ../.. with dots encoded too', path: `/alice/%2e%2e%2f%2e%2e%2fetc/${UP}` },
      { label: 'a literal .. as the repository', path: `/alice/../${UP}` },
      { label: 'a literal .. as the owner', path: `/../pub.git/${UP}` },
      { label: 'an encoded .. as the owner', path: `/%2e%2e/pub.git/${UP}` },
      { label: 'backslash traversal', path: `/alice/..%5c..%5cetc/${UP}` },
      { label: 'an absolute path as the repository', path: `/alice/%2fetc%2fpasswd/${UP}` },
      { label: "a repository's objects/info/alternates", path: '/alice/pub.git/objects/info/alternates' },
      { label: "a repository's HEAD file", path: '/alice/pub.git/HEAD' },
      { label: "a repository's config file", path: '/alice/pub.git/config' },
      { label: 'the dumb-HTTP pack list', path: '/alice/pub.git/objects/info/packs' },
      { label: 'an encoded slash inside info/refs', path: '/alice/pub.git/info%2frefs?service=git-upload-pack' },
      { label: 'a repository name starting with -', path: `/alice/-x.git/${UP}` },
      { label: 'a repository name that is a git option', path: `/alice/--upload-pack=touch%20pwned.git/${UP}` },
      { label: 'an owner name starting with -', path: `/-alice/pub.git/${UP}` },
      { label: 'a NUL byte in the repository name', path: `/alice/pub%00.git/${UP}` },
      { label: 'a NUL byte in the owner name', path: `/alice%00/pub.git/${UP}` },
      { label: 'a doubled .git suffix', path: `/alice/pub.git.git/${UP}` },
      { label: 'a repository called .git', path: `/alice/.git/${UP}` },
      { label: 'a 5000-character repository name', path: `/alice/${'a'.repeat(5000)}.git/${UP}` },
      { label: 'the upload-archive service', path: '/alice/pub.git/info/refs?service=git-upload-archive' },
      { label: 'a service that is a git option', path: '/alice/pub.git/info/refs?service=--upload-pack=touch%20pwned' },
      { label: 'no service parameter (dumb HTTP)', path: '/alice/pub.git/info/refs' },
      { label: 'two service parameters', path: '/alice/pub.git/info/refs?service=git-upload-pack&service=git-receive-pack' },
      { label: 'a service with a NUL byte', path: '/alice/pub.git/info/refs?service=git-upload-pack%00' },
      { label: 'a push to an encoded ../../evil as the site admin', method: 'POST', path: '/alice/..%2f..%2fevil/git-receive-pack', auth: true, ctype: RECEIVE_REQ },
      { label: 'a push to a literal .. as the site admin', method: 'POST', path: '/alice/../git-receive-pack', auth: true, ctype: RECEIVE_REQ },
      { label: 'a push to a name starting with - as the site admin', method: 'POST', path: '/alice/-evil.git/git-receive-pack', auth: true, ctype: RECEIVE_REQ },
      { label: 'a push advertisement for a missing repository as the site admin', path: '/alice/not-yet.git/info/refs?service=git-receive-pack', auth: true },
    ];

    for (const { label, method = 'GET', path: p, auth, ctype } of cases) {
      it(`answers ${label} with a 4xx and creates nothing`, async () => {
        const before = await snapshot();

        const res = await rawHttp(s, method, p, {
          auth: auth ? ALICE : undefined,
          headers: ctype ? { 'Content-Type': ctype } : {},
          body: method === 'POST' ? `${pkt(`${ZERO} ${head} refs/heads/evil\0report-status\n`)}0000` : undefined,
        });

        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        const body = res.body.toString('latin1');
        expect(res.headers['content-type'] ?? '').not.toMatch(/x-git-/);
        expect(body).not.toContain(head);
        expect(body).not.toMatch(/ref: refs\/heads|\[core\]|repositoryformatversion|root:x:0:0/);
        expect(await snapshot()).toEqual(before);
        expect(await noGitLeft()).toBe('none');
      });
    }

    it('refuses dumb HTTP and other services with 403', async () => {
      for (const q of ['', '?service=git-upload-archive', '?service=--upload-pack=touch', '?service=git-upload-pack&service=git-receive-pack']) {
        const res = await rawHttp(s, 'GET', `/alice/pub.git/info/refs${q}`);
        expect(res.status, q).toBe(403);
      }
    });

    it('does not create a repository when the site admin pushes to a name that does not exist', async () => {
      const before = await snapshot();
      const src = await scratch();
      await makeRepo(src, 1);

      const r = await git(['push', '-q', s.gitUrl('alice/not-yet.git', ALICE), 'main'], { cwd: src });

      expect(r.code).not.toBe(0);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('methods and content types', () => {
    const cases: { label: string; method: string; path: string; ctype?: string; encoding?: string; status: number }[] = [
      { label: 'PUT on info/refs', method: 'PUT', path: '/alice/pub.git/info/refs?service=git-upload-pack', status: 405 },
      { label: 'DELETE on info/refs', method: 'DELETE', path: '/alice/pub.git/info/refs?service=git-receive-pack', status: 405 },
      { label: 'PUT on git-upload-pack', method: 'PUT', path: '/alice/pub.git/git-upload-pack', ctype: UPLOAD_REQ, status: 405 },
      { label: 'GET on git-upload-pack', method: 'GET', path: '/alice/pub.git/git-upload-pack', status: 405 },
      { label: 'PUT on git-receive-pack', method: 'PUT', path: '/alice/pub.git/git-receive-pack', ctype: RECEIVE_REQ, status: 405 },
      { label: 'a text/plain POST to git-upload-pack', method: 'POST', path: '/alice/pub.git/git-upload-pack', ctype: 'text/plain', status: 415 },
      { label: 'a POST to git-upload-pack with no Content-Type', method: 'POST', path: '/alice/pub.git/git-upload-pack', status: 415 },
      { label: "receive-pack's Content-Type on git-upload-pack", method: 'POST', path: '/alice/pub.git/git-upload-pack', ctype: RECEIVE_REQ, status: 415 },
      { label: "upload-pack's Content-Type on git-receive-pack", method: 'POST', path: '/alice/pub.git/git-receive-pack', ctype: UPLOAD_REQ, status: 415 },
      { label: 'a Content-Encoding we do not speak', method: 'POST', path: '/alice/pub.git/git-upload-pack', ctype: UPLOAD_REQ, encoding: 'br', status: 415 },
    ];

    for (const { label, method, path: p, ctype, encoding, status } of cases) {
      it(`answers ${label} with ${status}`, async () => {
        const before = await snapshot();
        const headers: Record<string, string> = {};
        if (ctype) headers['Content-Type'] = ctype;
        if (encoding) headers['Content-Encoding'] = encoding;

        const res = await rawHttp(s, method, p, { headers, body: method === 'GET' ? undefined : '0000', auth: ALICE });

        expect(res.status).toBe(status);
        expect(await snapshot()).toEqual(before);
        expect(await noGitLeft()).toBe('none');
      });
    }
  });

  describe('hostile repository names through the API', () => {
    const cases: { label: string; body: unknown }[] = [
      { label: "the name '../x'", body: { name: '../x' } },
      { label: "the name '..'", body: { name: '..' } },
      { label: "the name '-x'", body: { name: '-x' } },
      { label: "the name '--upload-pack=x'", body: { name: '--upload-pack=x' } },
      { label: "the name 'x.git'", body: { name: 'x.git' } },
      { label: "the name 'a/b'", body: { name: 'a/b' } },
      { label: "the name 'a\\b'", body: { name: 'a\\b' } },
      { label: "the name '.hidden'", body: { name: '.hidden' } },
      { label: "the name '.git'", body: { name: '.git' } },
      { label: 'a 101-character name', body: { name: 'a'.repeat(101) } },
      { label: "the reserved name 'api'", body: { name: 'api' } },
      { label: "the reserved name 'objects'", body: { name: 'objects' } },
      { label: 'a name with a NUL byte', body: { name: 'a\u0000b' } },
      { label: 'a name ending in a newline', body: { name: 'x\n' } },
      { label: 'an empty name', body: { name: '' } },
      { label: 'an array as the name', body: { name: ['a'] } },
      { label: 'a number as the name', body: { name: 42 } },
      { label: 'a body with no name', body: {} },
      { label: 'a good name next to an unknown field', body: { name: 'ok', evil: 1 } },
    ];

    for (const { label, body } of cases) {
      it(`refuses to create a repository from ${label} with a 4xx JSON message, creating nothing`, async () => {
        const before = await snapshot();

        const res = await s.api('POST', '/api/v1/user/repos', { auth: ALICE, json: body });

        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const json = (await res.json()) as { message?: unknown };
        expect(typeof json.message).toBe('string');
        expect(json.message).not.toBe('');
        expect(await snapshot()).toEqual(before);
      });
    }

    it('creates nothing for a good name sent with an unknown field', async () => {
      await s.api('POST', '/api/v1/user/repos', { auth: ALICE, json: { name: 'ok', evil: 1 } });

      expect((await s.api('GET', '/api/v1/repos/alice/ok', { auth: ALICE })).status).toBe(404);
      expect((await rawHttp(s, 'GET', '/alice/ok.git/info/refs?service=git-upload-pack', { auth: ALICE })).status).toBe(404);
    });
  });

  describe('request bodies', () => {
    const post = (body: Buffer | string, headers: Record<string, string> = {}) => rawHttp(s, 'POST', '/alice/pub.git/git-upload-pack', { headers: { 'Content-Type': UPLOAD_REQ, ...headers }, body });
    const V2 = { 'Git-Protocol': 'version=2' };
    const lsRefs = `${pkt('command=ls-refs\n')}${pkt('object-format=sha1\n')}0001${pkt('peel\n')}${pkt('symrefs\n')}0000`;

    it('answers Content-Encoding: gzip with a body that is not gzip with 400 and leaves no git behind', async () => {
      const res = await post('this is not gzip at all, just text', { 'Content-Encoding': 'gzip' });

      expect(res.status).toBe(400);
      expect(await noGitLeft()).toBe('none');
    });

    it('answers a gzip body that stops half-way with 400 and leaves no git behind', async () => {
      const cut = gzipSync(Buffer.from(lsRefs)).subarray(0, 20);

      const res = await post(cut, { ...V2, 'Content-Encoding': 'gzip' });

      expect(res.status).toBe(400);
      expect(await noGitLeft()).toBe('none');
    });

    it('serves a gzip-compressed protocol v2 ls-refs request', async () => {
      const res = await post(gzipSync(Buffer.from(lsRefs)), { ...V2, 'Content-Encoding': 'gzip' });

      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/x-git-upload-pack-result');
      const body = res.body.toString('latin1');
      expect(body).toContain(`${head} refs/heads/main\n`);
      expect(body).toContain(`${head} HEAD symref-target:refs/heads/main\n`);
      expect(body.endsWith('0000')).toBe(true);
    });

    it('serves a gzip-compressed protocol v2 fetch with the pack', async () => {
      const fetchCmd = `${pkt('command=fetch\n')}${pkt('object-format=sha1\n')}0001${pkt('ofs-delta\n')}${pkt(`want ${head}\n`)}${pkt('done\n')}0000`;

      const res = await post(gzipSync(Buffer.from(fetchCmd)), { ...V2, 'Content-Encoding': 'gzip' });

      expect(res.status).toBe(200);
      const body = res.body.toString('latin1');
      expect(body.startsWith('000dpackfile\n')).toBe(true);
      expect(body).toContain('PACK');
      expect(await noGitLeft()).toBe('none');
    });

    it('serves a gzip-compressed protocol v0 negotiation as git sends it', async () => {
      const negotiation = `${pkt(`want ${head} ofs-delta side-band-64k\n`)}0000${pkt('done\n')}`;

      const res = await post(gzipSync(Buffer.from(negotiation)), { 'Content-Encoding': 'gzip' });

      expect(res.status).toBe(200);
      expect(res.body.subarray(0, 8).toString('latin1')).toBe('0008NAK\n');
      expect(res.body.includes(Buffer.from('PACK'))).toBe(true);
    });

    // Before a request too big for one buffer, git sends a lone flush and goes ahead only on a
    // 200; refusing truncated bodies must not refuse this probe.
    const probes: { label: string; service: 'upload-pack' | 'receive-pack'; headers: Record<string, string> }[] = [
      { label: 'upload-pack over protocol v0', service: 'upload-pack', headers: {} },
      { label: 'upload-pack over protocol v2', service: 'upload-pack', headers: V2 },
      { label: 'receive-pack', service: 'receive-pack', headers: {} },
    ];
    for (const { label, service, headers } of probes) {
      it(`answers the lone-flush probe git sends before a large request to ${label} with 200`, async () => {
        const res = await rawHttp(s, 'POST', `/alice/pub.git/git-${service}`, { auth: ALICE, headers: { 'Content-Type': `application/x-git-${service}-request`, ...headers }, body: '0000' });

        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe(`application/x-git-${service}-result`);
        expect(await noGitLeft()).toBe('none');
      });
    }

    const truncated: { label: string; headers: Record<string, string>; body: (head: string) => string }[] = [
      { label: 'a v0 want line cut inside its packet', headers: {}, body: (h) => `0032want ${h.slice(0, 10)}` },
      { label: 'a v0 want line with no flush after it', headers: {}, body: (h) => pkt(`want ${h}\n`) },
      { label: 'an empty v0 request', headers: {}, body: () => '' },
      { label: 'a v2 command cut inside its first packet', headers: V2, body: () => '0014command=ls-re' },
      { label: 'a v2 command cut inside a pkt-line length', headers: V2, body: () => '00' },
      { label: 'a v2 command with no flush after it', headers: V2, body: () => pkt('command=ls-refs\n') },
      { label: 'an empty v2 request', headers: V2, body: () => '' },
      { label: 'a v2 request with a bad pkt-line length', headers: V2, body: () => 'zzzzcommand=ls-refs\n0000' },
    ];

    for (const { label, headers, body } of truncated) {
      it(`answers ${label} with an error status, not an empty 200, and leaves no git behind`, async () => {
        const res = await post(body(head), headers);

        // a real client can't tell an empty 200 from "nothing to say": truncation must be an error
        expect(res.status, `got ${res.status} ${JSON.stringify(res.body.toString('latin1').slice(0, 200))}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(await noGitLeft()).toBe('none');
      });
    }
  });

  describe('request bodies git stops reading early', () => {
    it('does not leave a client stuck sending 24 MB that upload-pack never reads after "done"', async () => {
      // upload-pack stops reading at "done", sends the pack and exits; the server must then read
      // and discard the rest of the body or close the connection, never leave the sender blocked
      // on a socket nobody reads
      const negotiation = Buffer.from(`${pkt(`want ${head} ofs-delta\n`)}0000${pkt('done\n')}`);
      const body = Buffer.concat([negotiation, Buffer.alloc(24 * 1024 * 1024, 0x7a)]);
      const req = http.request({
        host: s.host,
        port: s.port,
        method: 'POST',
        path: '/alice/pub.git/git-upload-pack',
        headers: { 'Content-Type': UPLOAD_REQ, 'Transfer-Encoding': 'chunked' },
        agent: false,
      });
      req.on('error', () => {}); // a server that closes early is fine
      const status = new Promise<number>((resolve) => req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0))));
      const settled = new Promise<string>((resolve) => {
        req.on('finish', () => resolve('body sent'));
        req.on('close', () => resolve('connection closed'));
      });
      // written the way a streaming client sends it, a piece at a time
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();

      const outcome = await Promise.race([settled, new Promise<string>((r) => setTimeout(() => r('still stuck sending after 15 s'), 15_000))]);
      req.destroy();

      // (answering the junk with a 4xx is as good as serving the pack and ignoring it)
      expect([200, 400]).toContain(await status);
      expect(outcome).not.toBe('still stuck sending after 15 s');
      expect(await noGitLeft()).toBe('none');
    });
  });

  describe('hostile pushes from someone allowed to push', () => {
    it("refuses a push into the server's hidden refs/gitssy/ namespace", async () => {
      const src = path.join(await scratch(), 'c');
      await gitOk(['clone', '-q', s.gitUrl('alice/pub.git'), src]);

      const r = await git(['push', s.gitUrl('alice/pub.git', ALICE), 'main:refs/gitssy/evil'], { cwd: src });

      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/hidden ref/);
      // read it back the way the server sees it, not through its own (hiding) advertisement
      const ls = await git(['--git-dir', path.join(s.data, 'repos', 'alice', 'pub.git'), 'for-each-ref', 'refs/gitssy/']);
      expect(ls.stdout).toBe('');
    });

    it('refuses a push of a malformed commit object and leaves the refs unchanged', async () => {
      const src = path.join(await scratch(), 'c');
      await gitOk(['clone', '-q', s.gitUrl('alice/pub.git'), src]);
      const tree = (await gitOk(['rev-parse', 'HEAD^{tree}'], { cwd: src })).trim();
      // no author line and a broken committer: git fsck calls this a bad commit
      const bad = (await gitOk(['hash-object', '-w', '--literally', '-t', 'commit', '--stdin'], { cwd: src, input: `tree ${tree}\nparent ${head}\ncommitter <no-name\n\nbroken\n` })).trim();
      await gitOk(['update-ref', 'refs/heads/broken', bad], { cwd: src });

      const r = await git(['push', s.gitUrl('alice/pub.git', ALICE), 'broken'], { cwd: src });

      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/fsck error|missingAuthor/);
      const refs = await gitOk(['ls-remote', s.gitUrl('alice/pub.git')]);
      expect(refs).not.toContain('refs/heads/broken');
      expect(refs).toContain(`${head}\trefs/heads/main`);
    });
  });

  describe('clients that hang up', () => {
    it('stops git when a pusher disconnects in the middle of sending the pack, and updates no ref', async () => {
      // A push announcing 10 MB, of which only the command and the start of a pack arrive.
      const commands = `${pkt(`${ZERO} ${head} refs/heads/evil\0report-status\n`)}0000`;
      const packStart = Buffer.concat([Buffer.from('PACK'), Buffer.from([0, 0, 0, 2, 0, 0, 0, 5]), Buffer.alloc(64, 0x9c)]);
      const auth = Buffer.from(ALICE.join(':')).toString('base64');
      const sock = net.connect(s.port, s.host);
      sock.on('error', () => {});
      await new Promise((r) => sock.once('connect', r));
      sock.write(
        `POST /alice/pub.git/git-receive-pack HTTP/1.1\r\nHost: ${s.host}:${s.port}\r\nAuthorization: Basic ${auth}\r\nContent-Type: ${RECEIVE_REQ}\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n`,
      );
      sock.write(commands);
      sock.write(packStart);
      // git is now running and waiting for the rest of the pack
      const running = await waitFor(async () => {
        const ps = await gitProcessesUnder(s.data);
        return ps.some((l) => /receive-pack/.test(l)) ? ps : null;
      }, 10_000);
      expect(running.length).toBeGreaterThan(0);

      sock.destroy();

      expect(await noGitLeft()).toBe('none');
      const refs = await gitOk(['ls-remote', s.gitUrl('alice/pub.git', ALICE)]);
      expect(refs).not.toContain('refs/heads/evil');
      expect(refs).toContain(`${head}\trefs/heads/main`);
    });

    it('stops git when a fetcher disconnects before sending its whole request', async () => {
      const sock = net.connect(s.port, s.host);
      sock.on('error', () => {});
      await new Promise((r) => sock.once('connect', r));
      sock.write(`POST /alice/pub.git/git-upload-pack HTTP/1.1\r\nHost: ${s.host}:${s.port}\r\nContent-Type: ${UPLOAD_REQ}\r\nContent-Length: 100000\r\n\r\n`);
      sock.write(pkt(`want ${head} ofs-delta\n`));
      const running = await waitFor(async () => {
        const ps = await gitProcessesUnder(s.data);
        return ps.some((l) => /upload-pack/.test(l)) ? ps : null;
      }, 10_000);
      expect(running.length).toBeGreaterThan(0);

      sock.destroy();

      expect(await noGitLeft()).toBe('none');
    });
  });
});
