// The operator console's server side: the dashboard, the log view, settings (trusted IP
// ranges on HTTP, API, SSH and git://; transports; SMTP with a test mail), users admin.
// A LAN client is played by connections from 127.0.0.2: only 127.0.0.1 and ::1 (and this
// machine's interface addresses) count as the operator's own machine.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createRepo, createUser, git, gitOk, makeRepo, run, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { fingerprintOfFile, generateKey, readPorts, registerKey, sshArgv, sshRun, sshTarget, type KeyPair, type SshTarget } from '../fixtures/ssh.js';
import { requestFrom, smtpReceiver } from '../fixtures/lan-client.js';

const admin: [string, string] = ['root', 'root-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-1234'];
let s: TestServer;
let src: string;
let key: KeyPair;
let target: SshTarget;
let gitPort: number;

const patch = (json: Record<string, unknown>, auth: [string, string] = admin) => s.api('PATCH', '/api/v1/admin/settings', { auth, json });
async function patchOk(json: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await patch(json);
  if (res.status !== 200) throw new Error(`PATCH settings ${JSON.stringify(json)}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  s = await startServer({ args: ['--git-port', '0'] });
  await createUser(s, 'root', admin[1], { admin: true });
  await createUser(s, 'bob', bob[1], { via: admin });
  src = await tempDir();
  await makeRepo(src, 2);
  await createRepo(s, admin, { name: 'pub' });
  await gitOk(['push', '-q', s.gitUrl('root/pub.git', admin), 'main'], { cwd: src });
  key = await generateKey();
  await registerKey(s, admin, key);
  target = await sshTarget(s);
  gitPort = (await readPorts(s)).git!;
});
afterAll(async () => s?.stop());

describe('console endpoints are for site admins only', () => {
  for (const [method, p] of [
    ['GET', '/api/v1/admin/status'],
    ['GET', '/api/v1/admin/logs'],
    ['POST', '/api/v1/admin/mail/test'],
    ['GET', '/api/v1/admin/settings'],
    ['PATCH', '/api/v1/admin/settings'],
  ] as const) {
    it(`${method} ${p}: anonymous 401, non-admin 403`, async () => {
      const json = method === 'GET' ? undefined : {};
      expect((await s.api(method, p, { json })).status).toBe(401);
      const res = await s.api(method, p, { auth: bob, json });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { message: string }).message).toMatch(/site administrators/);
    });
  }
});

describe('dashboard', () => {
  it('reports state, version, URLs with QR codes, the SSH host key, disk, counts and sessions', async () => {
    const res = await s.api('GET', '/api/v1/admin/status', { auth: admin });
    expect(res.status).toBe(200);
    const st = (await res.json()) as Record<string, any>;
    const version = ((await (await s.api('GET', '/api/v1/version')).json()) as { version: string }).version;
    const ports = await readPorts(s);
    expect(st).toMatchObject({ status: 'running', version, instance_name: 'Gitssy', ports: { http: s.port, ssh: ports.ssh, git: ports.git }, transports: { http: true, ssh: true, git: true } });
    expect(st.uptime_seconds).toBeGreaterThanOrEqual(0);
    expect(Date.parse(st.started_at)).toBeLessThanOrEqual(Date.now());
    const local = st.urls.find((u: { http: string }) => u.http === `http://127.0.0.1:${s.port}/`);
    expect(local).toMatchObject({ kind: 'local', ssh: `ssh://git@127.0.0.1:${ports.ssh}/` });
    expect(local.http_qr_svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(local.ssh_qr_svg).toMatch(/^<svg/);
    expect(local.http_qr_svg).not.toBe(local.ssh_qr_svg);
    // the fingerprint is what ssh-keygen -l says about the host key
    const pub = path.join(await tempDir(), 'host.pub');
    await writeFile(pub, `${st.ssh.host_key}\n`);
    expect(st.ssh.host_key_fingerprint).toBe(await fingerprintOfFile(pub));
    expect(st.ssh.config_snippet).toBe(`Host gitssy\n  HostName 127.0.0.1\n  Port ${ports.ssh}\n  User git\n  IdentityFile ~/.ssh/id_ed25519\n`);
    expect(st.disk.data_dir).toBe(s.data);
    expect(st.disk.data.bytes).toBeGreaterThan(10_000); // the db and a repository at least
    expect(st.disk.free_bytes).toBeGreaterThan(0);
    expect(st.disk.total_bytes).toBeGreaterThanOrEqual(st.disk.free_bytes);
    expect(st.counts).toEqual({ repositories: 1, users: 2, organizations: 0 });
    expect(st.git_sessions).toMatchObject({ active: 0, pushes_in_flight: 0 });
    expect(st.mdns).toEqual({ enabled: true, advertising: false }); // bound to loopback: nothing to advertise
  });

  it('counts git sessions while they run', async () => {
    // upload-pack over SSH sends its advertisement and then waits for the client: a live session
    const child = spawn('ssh', sshArgv(target, key, ["git-upload-pack 'root/pub.git'"]), { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: target.dir } });
    const active = async () => ((await (await s.api('GET', '/api/v1/admin/status', { auth: admin })).json()) as { git_sessions: { active: number } }).git_sessions.active;
    try {
      await waitFor(async () => (await active()) === 1);
    } finally {
      child.kill('SIGTERM');
    }
    await waitFor(async () => (await active()) === 0);
  });

  it('shows maintenance mode and the configured public address', async () => {
    expect((await s.api('PUT', '/api/v1/admin/maintenance', { auth: admin, json: { enabled: true, message: 'disk swap' } })).status).toBe(200);
    await patchOk({ 'instance.publicUrl': 'http://forge.example.test:8080/' });
    try {
      const st = (await (await s.api('GET', '/api/v1/admin/status', { auth: admin })).json()) as Record<string, any>;
      expect(st.status).toBe('maintenance');
      expect(st.maintenance).toEqual({ enabled: true, message: 'disk swap' });
      expect(st.main_url).toBe('http://forge.example.test:8080/');
      expect(st.urls[0]).toMatchObject({ kind: 'public', http: 'http://forge.example.test:8080/', host: 'forge.example.test' });
      // clone links in the API follow the public address
      const repo = (await (await s.api('GET', '/api/v1/repos/root/pub', { auth: admin })).json()) as { clone_url: string };
      expect(repo.clone_url).toBe('http://forge.example.test:8080/root/pub.git');
    } finally {
      await s.api('PUT', '/api/v1/admin/maintenance', { auth: admin, json: { enabled: false } });
      await patchOk({ 'instance.publicUrl': '' });
    }
  });
});

describe('log view', () => {
  it('returns the newest matching lines from the log file, filtered by level and text', async () => {
    const marker = `marker-${Date.now()}`;
    expect((await s.api('GET', `/api/v1/${marker}`)).status).toBe(404);
    const found = await waitFor(async () => {
      const res = await s.api('GET', `/api/v1/admin/logs?q=${marker}`, { auth: admin });
      const body = (await res.json()) as { lines: { time: string; level: string; msg: string; component: string | null }[] };
      return body.lines.length ? body : null;
    });
    expect(found.lines).toHaveLength(1);
    expect(found.lines[0]).toMatchObject({ level: 'info', component: 'http', msg: expect.stringMatching(new RegExp(`^GET /\\S*${marker} 404`)) });
    expect(Date.parse(found.lines[0]!.time)).toBeGreaterThan(Date.now() - 60_000);
    // the same line is below the warn level
    const warn = (await (await s.api('GET', `/api/v1/admin/logs?level=warn&q=${marker}`, { auth: admin })).json()) as { lines: unknown[] };
    expect(warn.lines).toEqual([]);
    // newest first, and the limit holds
    const two = (await (await s.api('GET', '/api/v1/admin/logs?limit=2', { auth: admin })).json()) as { lines: { time: string }[] };
    expect(two.lines).toHaveLength(2);
    expect(two.lines[0]!.time >= two.lines[1]!.time).toBe(true);
  });

  it('refuses bad filters with a clear message', async () => {
    const res = await s.api('GET', '/api/v1/admin/logs?level=loud', { auth: admin });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toMatch(/level/);
    expect((await s.api('GET', '/api/v1/admin/logs?limit=5000', { auth: admin })).status).toBe(422);
  });
});

describe('settings', () => {
  it('stores the console keys with defaults and rejects bad values without changing anything', async () => {
    const before = (await (await s.api('GET', '/api/v1/admin/settings', { auth: admin })).json()) as Record<string, unknown>;
    expect(before).toMatchObject({
      'access.allowCidrs': [],
      'smtp.host': '',
      'smtp.port': 587,
      'transports.http': true,
      'transports.ssh': true,
      'transports.git': true,
      'git.maxCloneBytes': 0,
      'shells.defaultCpus': expect.any(Number),
      'shells.defaultMemoryMb': expect.any(Number),
      'shells.defaultDiskMb': expect.any(Number),
      'shells.defaultRuntimeMinutes': expect.any(Number),
      'shells.defaultNetwork': 'open',
      'lan.mdns': true,
      'instance.publicUrl': '',
    });
    const bad = await patch({ 'shells.defaultCpus': 4, 'access.allowCidrs': ['10.0.0.0/8', 'office'] });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { message: string }).message).toMatch(/"office" is not an IP range/);
    expect((await patch({ 'instance.publicUrl': 'ftp://x' })).status).toBe(422);
    const after = (await (await s.api('GET', '/api/v1/admin/settings', { auth: admin })).json()) as Record<string, unknown>;
    expect(after).toEqual(before);
    const shells = await patchOk({ 'shells.defaultCpus': 1.5, 'shells.defaultMemoryMb': 512, 'shells.defaultDiskMb': 2048, 'shells.defaultRuntimeMinutes': 30, 'shells.defaultNetwork': false });
    expect(shells).toMatchObject({ 'shells.defaultCpus': 1.5, 'shells.defaultMemoryMb': 512, 'shells.defaultNetwork': 'none' });
  });

  it('never sends the SMTP password back', async () => {
    const set = await patchOk({ 'smtp.password': 'hunter2-secret' });
    expect(set).not.toHaveProperty('smtp.password');
    expect(set['smtp.passwordSet']).toBe(true);
    const got = await (await s.api('GET', '/api/v1/admin/settings', { auth: admin })).text();
    expect(got).not.toContain('hunter2-secret');
    await patchOk({ 'smtp.password': '' });
  });
});

describe('test mail', () => {
  it('sends a test mail through the configured SMTP server', async () => {
    const smtp = await smtpReceiver();
    try {
      await patchOk({ 'smtp.host': '127.0.0.1', 'smtp.port': smtp.port, 'smtp.secure': false, 'smtp.user': 'mailer', 'smtp.password': 'mail-secret', 'smtp.from': 'Gitssy <forge@example.test>' });
      const res = await s.api('POST', '/api/v1/admin/mail/test', { auth: admin, json: { to: 'ops@example.test' } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ to: 'ops@example.test', accepted: ['ops@example.test'], rejected: [], response: expect.stringMatching(/^250/) });
      expect(smtp.messages).toHaveLength(1);
      const m = smtp.messages[0]!;
      expect(m).toMatchObject({ from: 'forge@example.test', to: ['ops@example.test'], auth: ['mailer', 'mail-secret'] });
      expect(m.data).toMatch(/^Subject: Test mail from Gitssy$/m);
      expect(m.data).toMatch(/sent by root from the operator console/);
      // without a recipient it goes to the signed-in administrator
      expect((await s.api('POST', '/api/v1/admin/mail/test', { auth: admin, json: {} })).status).toBe(200);
      expect(smtp.messages[1]!.to).toEqual(['root@example.test']);
    } finally {
      await smtp.close();
    }
  });

  it('says what went wrong when the mail server cannot be reached', async () => {
    const smtp = await smtpReceiver();
    const port = smtp.port;
    await smtp.close(); // nothing listens there now
    await patchOk({ 'smtp.host': '127.0.0.1', 'smtp.port': port });
    const res = await s.api('POST', '/api/v1/admin/mail/test', { auth: admin, json: { to: 'ops@example.test' } });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { message: string }).message).toMatch(new RegExp(`mail server 127\\.0\\.0\\.1:${port} did not take the message.*check the SMTP settings`));
    await patchOk({ 'smtp.host': '' });
    const off = await s.api('POST', '/api/v1/admin/mail/test', { auth: admin, json: { to: 'ops@example.test' } });
    expect(off.status).toBe(422);
    expect(((await off.json()) as { message: string }).message).toMatch(/mail is not set up/);
  });
});

describe('trusted IP ranges', () => {
  const outside = '127.0.0.2';
  const sshFrom = (addr: string) => sshRun(target, key, 'help', { extra: ['-b', addr] });

  it('with no ranges set, a LAN client gets in', async () => {
    expect((await requestFrom(outside, `${s.url}/api/v1/version`)).status).toBe(200);
  });

  it('keeps out web, API, git over HTTP, SSH and git:// from outside the ranges; the operator machine still gets in', async () => {
    await patchOk({ 'access.allowCidrs': ['10.0.0.0/8'] });
    try {
      const api = await requestFrom(outside, `${s.url}/api/v1/version`);
      expect(api.status).toBe(403);
      expect(JSON.parse(api.text).message).toMatch(/your address 127\.0\.0\.2 is not in this server's trusted IP ranges; ask the administrator/);
      expect((await requestFrom(outside, `${s.url}/`)).status).toBe(403);
      const refs = await requestFrom(outside, `${s.url}/root/pub.git/info/refs?service=git-upload-pack`);
      expect(refs.status).toBe(403);
      expect(refs.headers['content-type']).toMatch(/^text\/plain/);
      expect(refs.text).toMatch(/not in this server's trusted IP ranges/);
      // SSH from outside: the connection is closed before the handshake
      const sshOut = await sshFrom(outside);
      expect(sshOut.code).toBe(255);
      expect(sshOut.stderr).toMatch(/Received disconnect|Connection closed|Connection reset|kex_exchange_identification/);
      expect(sshOut.stdout).toBe('');
      // the operator's own machine is always let in
      expect((await s.api('GET', '/api/v1/version')).status).toBe(200);
      await gitOk(['ls-remote', s.gitUrl('root/pub.git')]);
      expect((await sshFrom('127.0.0.1')).code).toBe(0);
      await gitOk(['ls-remote', `git://127.0.0.1:${gitPort}/root/pub.git`]);
      // the admin can always fix the list from the operator machine
      const st = await s.api('GET', '/api/v1/admin/status', { auth: admin });
      expect(st.status).toBe(200);
    } finally {
      await patchOk({ 'access.allowCidrs': [] });
    }
  });

  it("refuses a list that would shut out the administrator's own LAN address, and changes nothing", async () => {
    const basic = `Basic ${Buffer.from(admin.join(':')).toString('base64')}`;
    const change = (list: string[]) =>
      requestFrom(outside, `${s.url}/api/v1/admin/settings`, {
        method: 'PATCH',
        headers: { Authorization: basic, 'Content-Type': 'application/json' },
        body: JSON.stringify({ 'access.allowCidrs': list }),
      });
    const locked = await change(['10.0.0.0/8']);
    expect(locked.status).toBe(409);
    expect(JSON.parse(locked.text).message).toMatch(/would shut out your own address 127\.0\.0\.2; add it \(for example 127\.0\.0\.2\/32\)/);
    expect(((await (await s.api('GET', '/api/v1/admin/settings', { auth: admin })).json()) as Record<string, unknown>)['access.allowCidrs']).toEqual([]);
    try {
      expect((await change(['10.0.0.0/8', '127.0.0.2/32'])).status).toBe(200);
      expect((await requestFrom(outside, `${s.url}/api/v1/version`)).status).toBe(200);
    } finally {
      await patchOk({ 'access.allowCidrs': [] });
    }
  });

  it('lets in a client inside the ranges', async () => {
    await patchOk({ 'access.allowCidrs': ['10.0.0.0/8', '127.0.0.2/32'] });
    try {
      expect((await requestFrom(outside, `${s.url}/api/v1/version`)).status).toBe(200);
      const refs = await requestFrom(outside, `${s.url}/root/pub.git/info/refs?service=git-upload-pack`);
      expect(refs.status).toBe(200);
      expect(refs.text).toContain('refs/heads/main');
      expect((await sshFrom(outside)).code).toBe(0);
    } finally {
      await patchOk({ 'access.allowCidrs': [] });
    }
  });
});

describe('transports', () => {
  it('git over HTTP switched off answers 403 with what to use instead; the web and API stay on', async () => {
    await patchOk({ 'transports.http': false });
    try {
      const clone = await git(['clone', s.gitUrl('root/pub.git', admin), path.join(await tempDir(), 'c')]);
      expect(clone.code).not.toBe(0);
      const refs = await s.api('GET', '/root/pub.git/info/refs?service=git-upload-pack', { auth: admin });
      expect(refs.status).toBe(403);
      expect(await refs.text()).toMatch(/git over HTTP is switched off on this server; clone over SSH instead: ssh:\/\/git@127\.0\.0\.1:\d+\/root\/pub\.git/);
      expect((await s.api('GET', '/api/v1/repos/root/pub', { auth: admin })).status).toBe(200);
      // with a public address configured, the hint names it, not the address the request came to
      await patchOk({ 'instance.publicUrl': 'http://forge.example.test:3000' });
      const named = await s.api('GET', '/root/pub.git/info/refs?service=git-upload-pack', { auth: admin });
      expect(await named.text()).toMatch(/clone over SSH instead: ssh:\/\/git@forge\.example\.test:\d+\/root\/pub\.git\n$/);
    } finally {
      await patchOk({ 'transports.http': true, 'instance.publicUrl': '' });
    }
    await gitOk(['ls-remote', s.gitUrl('root/pub.git')]);
  });

  it('names GITSSY_BASE_URL in the "git over HTTP is off" hint, not the address the request came to', async () => {
    const other = await startServer({ env: { GITSSY_BASE_URL: 'http://git.example.test:8080' } });
    try {
      await createUser(other, 'root', admin[1], { admin: true });
      await createRepo(other, admin, { name: 'pub' });
      expect((await other.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'transports.http': false } })).status).toBe(200);
      const refs = await other.api('GET', '/root/pub.git/info/refs?service=git-upload-pack', { auth: admin });
      expect(refs.status).toBe(403);
      expect(await refs.text()).toMatch(/^git over HTTP is switched off on this server; clone over SSH instead: ssh:\/\/git@git\.example\.test:\d+\/root\/pub\.git\n$/);
    } finally {
      await other.stop();
    }
  });

  it('SSH and git:// switched off refuse sessions at once with a message', async () => {
    await patchOk({ 'transports.ssh': false, 'transports.git': false });
    try {
      const ssh = await sshRun(target, key, 'help');
      expect(ssh.code).not.toBe(0);
      expect(ssh.stderr).toMatch(/SSH access is switched off on this server/);
      const daemon = await git(['ls-remote', `git://127.0.0.1:${gitPort}/root/pub.git`]);
      expect(daemon.code).not.toBe(0);
      expect(daemon.stderr).toMatch(/git:\/\/ is switched off on this server/);
    } finally {
      await patchOk({ 'transports.ssh': true, 'transports.git': true });
    }
    expect((await sshRun(target, key, 'help')).code).toBe(0);
  });
});

describe('clone size limit', () => {
  it('stops clones larger than the limit on HTTP, SSH and git:// with a message; smaller ones pass', async () => {
    const big = await tempDir();
    await makeRepo(big, 1);
    await writeFile(path.join(big, 'noise.bin'), randomBytes(64 * 1024));
    await gitOk(['add', '-A'], { cwd: big });
    await gitOk(['commit', '-q', '-m', 'noise'], { cwd: big });
    await createRepo(s, admin, { name: 'big' });
    await gitOk(['push', '-q', s.gitUrl('root/big.git', admin), 'main'], { cwd: big });
    await patchOk({ 'git.maxCloneBytes': 32 * 1024 });
    try {
      const env = { GIT_SSH_COMMAND: `ssh -F /dev/null -i ${key.file} -o IdentitiesOnly=yes -o UserKnownHostsFile=${target.knownHosts} -o StrictHostKeyChecking=yes -o BatchMode=yes` };
      for (const url of [s.gitUrl('root/big.git'), `ssh://git@127.0.0.1:${target.port}/root/big.git`, `git://127.0.0.1:${gitPort}/root/big.git`]) {
        const r = await git(['clone', url, path.join(await tempDir(), 'c')], { env });
        expect(r.code, url).not.toBe(0);
        expect(r.stderr, url).toMatch(/remote(?: error)?: this clone or fetch is larger than this server's limit of 32768 bytes/);
      }
      // the small repository still clones
      await gitOk(['clone', '-q', s.gitUrl('root/pub.git'), path.join(await tempDir(), 'small')]);
    } finally {
      await patchOk({ 'git.maxCloneBytes': 0 });
    }
    await gitOk(['clone', '-q', s.gitUrl('root/big.git'), path.join(await tempDir(), 'after')]);
  });
});

describe('users admin', () => {
  it('lists users with search and paging', async () => {
    for (const name of ['carol', 'carla', 'dave']) await createUser(s, name, `${name}-pass-123`, { via: admin });
    const all = await s.api('GET', '/api/v1/admin/users?limit=2&page=1', { auth: admin });
    expect(all.status).toBe(200);
    expect(all.headers.get('x-total-count')).toBe('5');
    expect(((await all.json()) as unknown[]).length).toBe(2);
    const found = await s.api('GET', '/api/v1/admin/users?q=CAR', { auth: admin });
    expect(((await found.json()) as { login: string }[]).map((u) => u.login)).toEqual(['carol', 'carla']);
    expect(found.headers.get('x-total-count')).toBe('2');
    // by email, and LIKE wildcards are plain characters
    expect(((await (await s.api('GET', '/api/v1/admin/users?q=dave@example', { auth: admin })).json()) as { login: string }[]).map((u) => u.login)).toEqual(['dave']);
    expect(await (await s.api('GET', '/api/v1/admin/users?q=%25', { auth: admin })).json()).toEqual([]);
  });

  it('disables an account: no sign-in, no git over HTTP or SSH; enabling it again restores access', async () => {
    await createUser(s, 'erin', 'erin-pass-123', { via: admin });
    const erin: [string, string] = ['erin', 'erin-pass-123'];
    const erinKey = await generateKey();
    await registerKey(s, erin, erinKey);
    // a private repository: git has to authenticate to see it at all
    await createRepo(s, erin, { name: 'mine', private: true });
    expect((await s.api('PATCH', '/api/v1/admin/users/erin', { auth: admin, json: { prohibit_login: true } })).status).toBe(200);
    const signinAs = async () => {
      const b = new Browser(s.url);
      await b.session();
      return b.request('POST', '/api/v1/auth/signin', { json: { username: 'erin', password: erin[1] } });
    };
    const signin = await signinAs();
    expect(signin.status).toBe(403);
    expect(((await signin.json()) as { message: string }).message).toMatch(/disabled by an administrator/);
    const ls = await git(['ls-remote', s.gitUrl('erin/mine.git', erin)]);
    expect(ls.code).not.toBe(0);
    expect(ls.stderr).toMatch(/403|disabled/);
    expect((await sshRun(target, erinKey, 'help')).code).toBe(255);
    expect((await s.api('PATCH', '/api/v1/admin/users/erin', { auth: admin, json: { prohibit_login: false } })).status).toBe(200);
    expect((await signinAs()).status).toBe(200);
    await gitOk(['ls-remote', s.gitUrl('erin/mine.git', erin)]);
  });

  it('promotes and demotes administrators, but never the last one', async () => {
    expect((await s.api('GET', '/api/v1/admin/status', { auth: bob })).status).toBe(403);
    const up = await s.api('PATCH', '/api/v1/admin/users/bob', { auth: admin, json: { admin: true } });
    expect(((await up.json()) as { is_admin: boolean }).is_admin).toBe(true);
    expect((await s.api('GET', '/api/v1/admin/status', { auth: bob })).status).toBe(200);
    expect((await s.api('PATCH', '/api/v1/admin/users/bob', { auth: admin, json: { admin: false } })).status).toBe(200);
    expect((await s.api('GET', '/api/v1/admin/status', { auth: bob })).status).toBe(403);
    // root is now the only administrator
    for (const change of [{ admin: false }, { prohibit_login: true }, { active: false }]) {
      const res = await s.api('PATCH', '/api/v1/admin/users/root', { auth: admin, json: change });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { message: string }).message).toMatch(/only administrator who can sign in; make someone else an administrator first/);
    }
    expect((await s.api('GET', '/api/v1/admin/status', { auth: admin })).status).toBe(200);
  });

  it('resets a password: the new one works, the old one no longer does', async () => {
    const res = await s.api('PATCH', '/api/v1/admin/users/dave', { auth: admin, json: { password: 'brand-new-pass-9' } });
    expect(res.status).toBe(200);
    expect((await s.api('GET', '/api/v1/user', { auth: ['dave', 'dave-pass-123'] })).status).toBe(401);
    expect((await s.api('GET', '/api/v1/user', { auth: ['dave', 'brand-new-pass-9'] })).status).toBe(200);
    const short = await s.api('PATCH', '/api/v1/admin/users/dave', { auth: admin, json: { password: 'short' } });
    expect(short.status).toBe(422);
    expect((await s.api('GET', '/api/v1/user', { auth: ['dave', 'brand-new-pass-9'] })).status).toBe(200);
  });
});

describe('transports switched off at start', () => {
  it('does not start the SSH listener when SSH is off, says so in ports.json and the dashboard, and starts it when switched on', async () => {
    const data = await tempDir('gitssy-data-');
    const first = await startServer({ data });
    try {
      await createUser(first, 'root', admin[1], { admin: true });
      expect((await first.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'transports.ssh': false } })).status).toBe(200);
    } finally {
      await first.stop();
    }
    const second = await startServer({ data });
    try {
      expect((await readPorts(second)).ssh).toBeNull();
      const st = (await (await second.api('GET', '/api/v1/admin/status', { auth: admin })).json()) as Record<string, any>;
      expect(st.transports.ssh).toBe(false);
      expect(st.ssh).toBeNull();
      expect(second.log()).not.toMatch(/SSH: {4}port/);
      // switched on in the console: it listens at once
      expect((await second.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'transports.ssh': true } })).status).toBe(200);
      const sshPort = await waitFor(async () => (await readPorts(second)).ssh);
      const again = (await (await second.api('GET', '/api/v1/admin/status', { auth: admin })).json()) as Record<string, any>;
      expect(again.ports.ssh).toBe(sshPort);
      const k = await generateKey();
      await registerKey(second, admin, k);
      expect((await sshRun(await sshTarget(second), k, 'help')).code).toBe(0);
    } finally {
      await second.stop();
      await run('rm', ['-rf', data]);
    }
  });
});
