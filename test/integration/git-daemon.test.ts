// The git:// daemon: anonymous, read-only, public repositories only. Real git clients for
// clone (v0 and v2), refusals and pushes; a raw TCP client for garbage, over-long and idle
// requests.
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, gitOk, gitProcessesUnder, makeRepo, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { closedWithin, pkt, rawTcp, readPorts } from '../fixtures/ssh.js';

const ROOT: [string, string] = ['root', 'root-pass-123'];
const ALICE: [string, string] = ['alice', 'alice-pass-123'];

let s: TestServer;
let port: number;
let pubHead: string;
let src: string;

const gitUrl = (p: string) => `git://127.0.0.1:${port}/${p}`;
const diskRefs = (repo: string) => gitOk(['--git-dir', path.join(s.data, 'repos', `${repo}.git`), 'for-each-ref', '--format=%(objectname) %(refname)']);
/** The request line a git client sends first. */
const request = (service: string, p: string, extra = '') => pkt(`${service} ${p}\0host=127.0.0.1:${port}\0${extra}`);
/** The payloads of the pkt-lines in `data` (stops at anything malformed). */
function pktLines(data: Buffer): string[] {
  const out: string[] = [];
  let off = 0;
  while (off + 4 <= data.length) {
    const len = parseInt(data.subarray(off, off + 4).toString('ascii'), 16);
    if (Number.isNaN(len)) break;
    if (len < 4) {
      out.push(len === 0 ? '<flush>' : `<${len}>`);
      off += 4;
      continue;
    }
    out.push(data.subarray(off + 4, off + len).toString('latin1'));
    off += len;
  }
  return out;
}

beforeAll(async () => {
  s = await startServer({ args: ['--git-port', '0'] });
  const ports = await readPorts(s);
  port = ports.git!;
  await createUser(s, ...ROOT, { admin: true });
  await createUser(s, ...ALICE, { via: ROOT });
  src = await tempDir();
  pubHead = await makeRepo(src, 3);
  for (const [name, extra] of [
    ['pub', {}],
    ['secret', { private: true }],
    ['inside', { internal: true }],
  ] as const) {
    await createRepo(s, ALICE, { name, ...extra });
    await gitOk(['push', '-q', s.gitUrl(`alice/${name}.git`, ALICE), 'main'], { cwd: src });
  }
});
afterAll(async () => s?.stop());

describe('git:// reads', () => {
  it('writes its port to ports.json', async () => {
    const ports = await readPorts(s);
    expect(ports.git).toBeGreaterThan(0);
    expect(ports.git).not.toBe(ports.http);
    expect(ports.git).not.toBe(ports.ssh);
    await waitFor(async () => s.log().includes(`git://  port ${ports.git} (read-only, public repositories)`));
  });

  it('clones a public repository anonymously over protocol v0', async () => {
    const dst = path.join(await tempDir(), 'c');
    const r = await git(['-c', 'protocol.version=0', 'clone', '-q', gitUrl('alice/pub.git'), dst], { env: { GIT_TRACE_PACKET: '1' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/version 2/);
    expect((await gitOk(['rev-parse', 'HEAD'], { cwd: dst })).trim()).toBe(pubHead);
    expect(await gitOk(['fsck', '--no-dangling'], { cwd: dst })).toBe('');
  });

  it('clones over protocol v2 when asked', async () => {
    const dst = path.join(await tempDir(), 'c');
    const r = await git(['-c', 'protocol.version=2', 'clone', '-q', gitUrl('alice/pub'), dst], { env: { GIT_TRACE_PACKET: '1' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/clone< version 2$/m);
    expect(r.stderr).toMatch(/clone> command=fetch$/m);
    expect((await gitOk(['rev-parse', 'HEAD'], { cwd: dst })).trim()).toBe(pubHead);
  });

  it('accepts the u/ alias and a path without .git', async () => {
    for (const p of ['u/alice/pub.git', 'alice/pub']) {
      const r = await git(['ls-remote', gitUrl(p)]);
      expect(r.code, `${p}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`${pubHead}\trefs/heads/main`);
    }
  });

  it('refuses private and internal repositories with the same answer as a missing one', async () => {
    const missing = await git(['ls-remote', gitUrl('alice/absent.git')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^fatal: remote error: repository not found: \/alice\/absent\.git$/m);
    for (const name of ['secret', 'inside']) {
      for (const version of ['0', '2']) {
        const label = `${name} over v${version}`;
        const r = await git(['-c', `protocol.version=${version}`, 'ls-remote', gitUrl(`alice/${name}.git`)]);
        const m = await git(['-c', `protocol.version=${version}`, 'ls-remote', gitUrl('alice/absent.git')]);
        expect(r.code, label).toBe(m.code);
        expect(r.stdout, label).toBe('');
        expect(r.stderr, label).toContain(`fatal: remote error: repository not found: /alice/${name}.git`);
        expect(r.stderr.replace(`/alice/${name}.git`, '<path>'), label).toBe(m.stderr.replace('/alice/absent.git', '<path>'));
      }
    }
  });

  it('refuses paths outside owner/repo', async () => {
    for (const p of ['../../etc/passwd', '/etc/passwd', 'alice/../alice/pub.git', '~alice/pub.git', 'alice']) {
      const r = await rawTcp(port, Buffer.concat([request('git-upload-pack', p.startsWith('/') ? p : `/${p}`), Buffer.from('0000')]));
      expect(r.closedByServer, p).toBe(true);
      expect(pktLines(r.data)[0], p).toMatch(/^ERR repository not found: /);
    }
  });

  it('answers a raw request with the ref advertisement, and ends when the client says it wants nothing', async () => {
    const sock = net.connect(port, '127.0.0.1');
    sock.on('error', () => {});
    const chunks: Buffer[] = [];
    let flushed = false;
    sock.on('connect', () => sock.write(request('git-upload-pack', '/alice/pub.git')));
    sock.on('data', (c: Buffer) => {
      chunks.push(c);
      // like a real client: read the whole advertisement (up to its flush), then say "done"
      if (!flushed && Buffer.concat(chunks).subarray(-4).toString() === '0000') {
        flushed = true;
        sock.write('0000');
      }
    });
    try {
      await closedWithin(sock, 10_000);
    } finally {
      sock.destroy();
    }
    const lines = pktLines(Buffer.concat(chunks));
    expect(lines[0]).toMatch(new RegExp(`^${pubHead} HEAD\0`));
    expect(lines).toContain(`${pubHead} refs/heads/main\n`);
    expect(lines.at(-1)).toBe('<flush>');
  });

  it('passes on to git the bytes a client sends right behind the request line (pipelined)', async () => {
    // git's own daemon reads exactly the request packet and leaves the rest for upload-pack
    const r = await rawTcp(port, Buffer.concat([request('git-upload-pack', '/alice/pub.git'), Buffer.from('0000')]), { timeoutMs: 5_000 });
    const lines = pktLines(r.data);
    expect(lines[0]).toMatch(new RegExp(`^${pubHead} HEAD\0`));
    expect(r.closedByServer, 'upload-pack never saw the flush that followed the request, so it waited for the client').toBe(true);
  });
});

describe('git:// refuses writes', () => {
  it('refuses a push, leaving the refs alone', async () => {
    const before = await diskRefs('alice/pub');
    const work = await tempDir();
    await makeRepo(work, 1);
    const r = await git(['push', '--force', gitUrl('alice/pub.git'), 'main', 'main:other'], { cwd: work });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/fatal: remote error: service not enabled: git-receive-pack; git:\/\/ is read-only, push over SSH or HTTP/);
    expect(await diskRefs('alice/pub')).toBe(before);
  });

  it('refuses other services such as upload-archive', async () => {
    const r = await rawTcp(port, request('git-upload-archive', '/alice/pub.git'));
    expect(r.closedByServer).toBe(true);
    expect(pktLines(r.data)).toEqual(['ERR service not enabled: git-upload-archive; git:// is read-only, push over SSH or HTTP\n']);
  });
});

describe('git:// hostile clients', () => {
  it('answers garbage with an ERR packet and hangs up', async () => {
    for (const garbage of ['hello world\n', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', '0001', '0000', '0004', 'zzzz']) {
      const r = await rawTcp(port, garbage, { timeoutMs: 5_000 });
      expect(r.closedByServer, JSON.stringify(garbage)).toBe(true);
      const lines = pktLines(r.data);
      // an ERR packet, or nothing at all: never a ref advertisement
      expect(lines.length <= 1, JSON.stringify(garbage)).toBe(true);
      if (lines.length) expect(lines[0], JSON.stringify(garbage)).toMatch(/^ERR malformed request\n$/);
    }
  });

  it('refuses a request line that is too long, whether it arrives whole or keeps coming', async () => {
    // announced as 65535 bytes, and more than 4 KiB of it sent: refused before it completes
    const partial = await rawTcp(port, Buffer.concat([Buffer.from('ffff'), Buffer.alloc(5000, 'a')]), { timeoutMs: 5_000 });
    expect(partial.closedByServer).toBe(true);
    expect(pktLines(partial.data)).toEqual(['ERR request line too long\n']);
    // a whole 8 KiB request line
    const whole = await rawTcp(port, Buffer.concat([request('git-upload-pack', `/alice/${'a'.repeat(8000)}.git`), Buffer.from('0000')]), { timeoutMs: 5_000 });
    expect(whole.closedByServer).toBe(true);
    const lines = pktLines(whole.data);
    expect(lines.length).toBeLessThanOrEqual(1);
    if (lines.length) expect(lines[0]).toMatch(/^ERR /);
  });

  it('disconnects a client that connects and sends nothing, or stops half-way through the request', { timeout: 20_000 }, async () => {
    const silent = net.connect(port, '127.0.0.1');
    const halfway = net.connect(port, '127.0.0.1');
    for (const sock of [silent, halfway]) sock.on('error', () => {});
    halfway.on('connect', () => halfway.write('003fgit-upload-pack /alice/pub'));
    const received: Buffer[] = [];
    silent.on('data', (c: Buffer) => received.push(c));
    try {
      const [a, b] = await Promise.all([closedWithin(silent, 16_000), closedWithin(halfway, 16_000)]);
      expect(a).toBeGreaterThan(3_000); // not refused at once: it was given time to speak
      expect(b).toBeGreaterThan(3_000);
      expect(Buffer.concat(received).length).toBe(0);
    } finally {
      silent.destroy();
      halfway.destroy();
    }
  });

  it('leaves no git process behind', async () => {
    // (strayGitProcesses would list the server itself: its --git-port argument looks like git-)
    expect(await gitProcessesUnder(s.data)).toEqual([]);
  });
});

describe('without --git-port', () => {
  it('does not listen for git:// and writes "git": null to ports.json', async () => {
    const plain = await startServer();
    try {
      const ports = await readPorts(plain);
      expect(ports.git).toBeNull();
      expect(ports.ssh).toBeGreaterThan(0);
      await waitFor(async () => plain.log().includes(`SSH:    port ${ports.ssh}`));
      expect(plain.log()).not.toContain('git://');
    } finally {
      await plain.stop();
    }
  });
});
