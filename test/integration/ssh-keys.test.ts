// The SSH server's identity and its users' keys: the host key (published, printed, stable
// across restarts, really checked by clients), the keys API (what it accepts and refuses),
// public-key-only authentication with the identity set by the key that signed, and the
// interactive shell that isn't one.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import {
  fingerprintOfFile,
  generateKey,
  parsedPrivateKey,
  postKey,
  readPorts,
  registerKey,
  ScriptedAgent,
  ssh2Exec,
  sshRun,
  sshTarget,
  type ApiKey,
  type KeyPair,
  type SshSettings,
  type SshTarget,
} from '../fixtures/ssh.js';

const ROOT: [string, string] = ['root', 'root-pass-123'];
const ALICE: [string, string] = ['alice', 'alice-pass-123'];
const BOB: [string, string] = ['bob', 'bob-pass-12345'];
const ERIN: [string, string] = ['erin', 'erin-pass-1234']; // gets disabled

let s: TestServer;
let t: SshTarget;
let aliceKey: KeyPair; // ed25519, registered for alice
let bobKey: KeyPair; // ed25519, registered for bob
let strangerKey: KeyPair; // registered for nobody

const listKeys = async (auth: [string, string]) => (await (await s.api('GET', '/api/v1/user/keys', { auth })).json()) as ApiKey[];
/** `ssh-ed25519 AAAA…` without the comment, as the server stores it. */
const typeAndBlob = (k: KeyPair) => k.publicLine.split(' ').slice(0, 2).join(' ');

beforeAll(async () => {
  s = await startServer();
  await createUser(s, ...ROOT, { admin: true });
  for (const u of [ALICE, BOB, ERIN]) await createUser(s, ...u, { via: ROOT });
  t = await sshTarget(s);
  [aliceKey, bobKey, strangerKey] = await Promise.all([generateKey('ed25519', 'alice@laptop'), generateKey('ed25519', 'bob@laptop'), generateKey('ed25519', 'nobody')]);
  await registerKey(s, ALICE, aliceKey, 'alice laptop');
  await registerKey(s, BOB, bobKey, 'bob laptop');
});
afterAll(async () => s?.stop());

describe('host key', () => {
  it('publishes the SSH port, host key and its SHA256 fingerprint at /api/v1/settings/ssh', async () => {
    const ports = await readPorts(s);
    const res = await s.api('GET', '/api/v1/settings/ssh');
    expect(res.status).toBe(200);
    const body = (await res.json()) as SshSettings;
    expect(body.enabled).toBe(true);
    expect(body.port).toBe(ports.ssh);
    expect(body.host_key_fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(body.host_key).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/]+=*$/);
    expect(body.clone_example).toBe(`ssh://git@127.0.0.1:${ports.ssh}/OWNER/REPO.git`);
    expect(body.ssh_config).toBe(`Host 127.0.0.1\n  User git\n  Port ${ports.ssh}\n  IdentityFile ~/.ssh/id_ed25519\n`);
  });

  it('reports the fingerprint ssh-keygen computes for the host key on disk, and prints it at startup', async () => {
    const onDisk = await fingerprintOfFile(path.join(s.data, 'ssh', 'ssh_host_ed25519_key.pub'));
    expect(t.settings.host_key_fingerprint).toBe(onDisk);
    // the published key line is the same key
    const published = path.join(t.dir, 'published.pub');
    await writeFile(published, `${t.settings.host_key}\n`);
    expect(await fingerprintOfFile(published)).toBe(onDisk);
    const { ssh } = await readPorts(s);
    await waitFor(async () => s.log().includes(`SSH:    port ${ssh}, host key ${onDisk}`));
  });

  it('is really checked by the client: a known_hosts with another key makes ssh refuse to connect', async () => {
    const ok = await sshRun(t, aliceKey, 'whoami');
    expect(ok.code, ok.stderr).toBe(0);
    const other = await generateKey('ed25519', 'not the host');
    const wrong: SshTarget = { ...t, knownHosts: path.join(t.dir, 'wrong_known_hosts') };
    await writeFile(wrong.knownHosts, `[127.0.0.1]:${t.port} ${other.publicLine}\n`);
    const r = await sshRun(wrong, aliceKey, 'whoami');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    expect(r.stdout).toBe('');
  });

  it('keeps the same host key when the server restarts on the same data folder', async () => {
    const data = await tempDir('gitssy-hostkey-');
    try {
      let srv = await startServer({ data });
      const first = (await (await srv.api('GET', '/api/v1/settings/ssh')).json()) as SshSettings;
      const keyFile = await readFile(path.join(data, 'ssh', 'ssh_host_ed25519_key'));
      await srv.stop();
      srv = await startServer({ data });
      try {
        const second = (await (await srv.api('GET', '/api/v1/settings/ssh')).json()) as SshSettings;
        expect(second.host_key).toBe(first.host_key);
        expect(second.host_key_fingerprint).toBe(first.host_key_fingerprint);
        expect((await readFile(path.join(data, 'ssh', 'ssh_host_ed25519_key'))).equals(keyFile)).toBe(true);
        // a client that trusted the first start's key connects to the second without complaint
        await createUser(srv, ...ROOT, { admin: true });
        const k = await generateKey('ed25519');
        await registerKey(srv, ROOT, k);
        const target = await sshTarget(srv);
        await writeFile(target.knownHosts, `[127.0.0.1]:${target.port} ${first.host_key}\n`);
        const r = await sshRun(target, k, 'whoami');
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/^root\b/);
      } finally {
        await srv.stop();
      }
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  });
});

describe('keys API', () => {
  it('adds, lists, gets and deletes a key, with the fingerprint ssh-keygen computes', async () => {
    const k = await generateKey('ed25519', 'alice@desk');
    const res = await postKey(s, ALICE, k.publicLine, 'desk');
    expect(res.status).toBe(201);
    const added = (await res.json()) as ApiKey;
    expect(added).toMatchObject({ title: 'desk', fingerprint: k.fingerprint, key: typeAndBlob(k), read_only: false, key_type: 'user', last_used_at: null });
    expect(added.url).toBe(`${s.url}/api/v1/user/keys/${added.id}`);

    expect((await listKeys(ALICE)).map((x) => x.fingerprint)).toEqual([aliceKey.fingerprint, k.fingerprint]);
    const got = await s.api('GET', `/api/v1/user/keys/${added.id}`, { auth: ALICE });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(added);
    // everyone can see a user's public keys
    expect(((await (await s.api('GET', '/api/v1/users/alice/keys')).json()) as ApiKey[]).map((x) => x.key)).toContain(typeAndBlob(k));

    expect((await s.api('DELETE', `/api/v1/user/keys/${added.id}`, { auth: ALICE })).status).toBe(204);
    expect((await s.api('GET', `/api/v1/user/keys/${added.id}`, { auth: ALICE })).status).toBe(404);
    expect((await s.api('DELETE', `/api/v1/user/keys/${added.id}`, { auth: ALICE })).status).toBe(404);
    expect((await listKeys(ALICE)).map((x) => x.fingerprint)).toEqual([aliceKey.fingerprint]);
  });

  it('takes the title from the key comment when none is given', async () => {
    const k = await generateKey('ed25519', 'carried-comment');
    const res = await postKey(s, BOB, k.publicLine);
    expect(res.status).toBe(201);
    const added = (await res.json()) as ApiKey;
    expect(added.title).toBe('carried-comment');
    expect((await s.api('DELETE', `/api/v1/user/keys/${added.id}`, { auth: BOB })).status).toBe(204);
  });

  it('accepts ECDSA and RSA 3072 keys', async () => {
    for (const kind of ['ecdsa', 'rsa3072'] as const) {
      const k = await generateKey(kind);
      const res = await postKey(s, BOB, k.publicLine, kind);
      expect(res.status, kind).toBe(201);
      const added = (await res.json()) as ApiKey;
      expect(added.fingerprint).toBe(k.fingerprint);
      expect(added.key).toBe(typeAndBlob(k));
      expect((await s.api('DELETE', `/api/v1/user/keys/${added.id}`, { auth: BOB })).status).toBe(204);
    }
  });

  it('refuses malformed, dangerous and weak keys with 422 and stores nothing', async () => {
    const k = await generateKey('ed25519', 'candidate');
    const k2 = await generateKey('ed25519', 'second');
    const rsa1024 = await generateKey('rsa1024');
    const [type, blob] = k.publicLine.split(' ') as [string, string];
    const rsaBlob = rsa1024.publicLine.split(' ')[1]!;
    const cases: [string, string, RegExp][] = [
      ['authorized_keys options', `command="touch /tmp/x" ${k.publicLine}`, /options are not allowed/],
      ['options without quotes', `no-pty,restrict ${k.publicLine}`, /options are not allowed/],
      ['two keys on one line', `${k.publicLine} ${k2.publicLine}`, /exactly one public key/],
      ['two keys on two lines', `${k.publicLine}\n${k2.publicLine}`, /exactly one public key/],
      ['an embedded newline in the data', `${type} ${blob.slice(0, 20)}\n${blob.slice(20)}`, /exactly one public key|base64/],
      ['an embedded carriage return', `${type} ${blob}\rcommand="x"`, /exactly one public key/],
      ['RSA 1024', rsa1024.publicLine, /at least 2048 bits/],
      ['garbage base64', `${type} !!!not*base64!!!`, /base64/],
      ['base64 that is not a key', `${type} ${Buffer.from('hello, I am not a key at all').toString('base64')}`, /could not be parsed|holds|garbage/],
      ['a type that does not match the data', `ssh-rsa ${blob}`, /says ssh-rsa but holds ssh-ed25519|could not be parsed/],
      ['trailing bytes after the key', `${type} ${Buffer.concat([Buffer.from(blob, 'base64'), Buffer.from('extra')]).toString('base64')}`, /garbage|could not be parsed/],
      ['an over-long key (> 16 KiB)', `${type} ${blob}${'A'.repeat(17 * 1024)}`, /16384|too big|at most|longer/i],
      ['an unsupported type', `ssh-dss ${rsaBlob}`, /not accepted/],
      ['an empty key', '', /.+/],
    ];
    const before = await listKeys(ALICE);
    for (const [label, key, message] of cases) {
      const res = await postKey(s, ALICE, key, label);
      expect(res.status, label).toBe(422);
      expect(await res.text(), label).toMatch(message);
    }
    expect(await listKeys(ALICE)).toEqual(before);
    // nothing of the candidate key was stored: it can still be added, once
    const ok = await postKey(s, ALICE, k.publicLine, 'candidate');
    expect(ok.status).toBe(201);
    expect((await s.api('DELETE', `/api/v1/user/keys/${((await ok.json()) as ApiKey).id}`, { auth: ALICE })).status).toBe(204);
  });

  it('refuses a key already added: 409 for the same user and for another user', async () => {
    const same = await postKey(s, ALICE, aliceKey.publicLine, 'again');
    expect(same.status).toBe(409);
    expect(await same.text()).toMatch(/already added/);
    // also with a different comment: the key is the same
    const other = await postKey(s, BOB, `${typeAndBlob(aliceKey)} some-other-comment`, 'stolen');
    expect(other.status).toBe(409);
    expect(await other.text()).toMatch(/already in use by another account/);
    expect((await listKeys(BOB)).map((x) => x.fingerprint)).not.toContain(aliceKey.fingerprint);
  });

  it("doesn't let a user read or delete someone else's key by id", async () => {
    const [aliceStored] = await listKeys(ALICE);
    expect((await s.api('GET', `/api/v1/user/keys/${aliceStored!.id}`, { auth: BOB })).status).toBe(404);
    expect((await s.api('DELETE', `/api/v1/user/keys/${aliceStored!.id}`, { auth: BOB })).status).toBe(404);
    expect((await s.api('POST', '/api/v1/user/keys', { json: { title: 'x', key: strangerKey.publicLine } })).status).toBe(401);
    expect((await listKeys(ALICE)).map((x) => x.id)).toContain(aliceStored!.id);
    const r = await sshRun(t, aliceKey, 'whoami');
    expect(r.stdout.trim()).toBe('alice');
  });

  it('stops SSH sign-in with a key once it is deleted', async () => {
    const k = await generateKey('ecdsa', 'temporary');
    const added = await registerKey(s, ALICE, k, 'temporary');
    const before = await sshRun(t, k, 'whoami');
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout.trim()).toBe('alice');
    expect((await s.api('GET', `/api/v1/user/keys/${added.id}`, { auth: ALICE }).then((r) => r.json())) as ApiKey).toMatchObject({ last_used_at: expect.stringMatching(/^\d{4}-/) });

    expect((await s.api('DELETE', `/api/v1/user/keys/${added.id}`, { auth: ALICE })).status).toBe(204);
    const after = await sshRun(t, k, 'whoami');
    expect(after.code).toBe(255);
    expect(after.stderr).toMatch(/Permission denied \(publickey\)/);
    expect(after.stdout).toBe('');
  });
});

describe('authentication', () => {
  it('refuses password sign-in: the server offers publickey only', async () => {
    const r = await sshRun(t, aliceKey, 'whoami', { extra: ['-o', 'PreferredAuthentications=password,keyboard-interactive', '-o', 'PasswordAuthentication=yes', '-o', 'PubkeyAuthentication=no'] });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/Permission denied \(publickey\)/);
    expect(r.stdout).toBe('');

    // and a client that sends the account's real password anyway gets nowhere, whether as
    // git@ or as alice@ (one user name per connection: changing it mid-way is a protocol error)
    for (const username of ['git', 'alice']) {
      const attempt = await ssh2Exec(
        t,
        [
          { type: 'password', username, password: ALICE[1] },
          { type: 'keyboard-interactive', username, prompt: (_n: string, _i: string, _l: string, _p: unknown, finish: (answers: string[]) => void) => finish([ALICE[1]]) },
          { type: 'none', username },
        ],
        'whoami',
      );
      expect(attempt.ready, username).toBe(false);
      expect(attempt.stdout, username).toBe('');
      expect(attempt.errors.join('\n'), username).toMatch(/All configured authentication methods failed/);
    }
  });

  it('refuses a key no account has', async () => {
    const r = await sshRun(t, strangerKey, 'whoami');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/Permission denied \(publickey\)/);
    expect(r.stdout).toBe('');
  });

  it('refuses the keys of a disabled account', async () => {
    const k = await generateKey('ed25519');
    await registerKey(s, ERIN, k);
    expect((await sshRun(t, k, 'whoami')).stdout.trim()).toBe('erin');
    expect((await s.api('PATCH', '/api/v1/admin/users/erin', { auth: ROOT, json: { prohibit_login: true } })).status).toBe(200);
    const r = await sshRun(t, k, 'whoami');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/Permission denied \(publickey\)/);
  });

  it('signs in as the user of the first key that signs when a client offers several (OpenSSH)', async () => {
    const bobFirst = await sshRun(t, [bobKey, aliceKey], 'whoami');
    expect(bobFirst.code, bobFirst.stderr).toBe(0);
    expect(bobFirst.stdout.trim()).toBe('bob');
    const aliceFirst = await sshRun(t, [aliceKey, bobKey], 'whoami');
    expect(aliceFirst.stdout.trim()).toBe('alice');
    // an unknown key offered first is skipped over
    const unknownFirst = await sshRun(t, [strangerKey, bobKey], 'whoami');
    expect(unknownFirst.stdout.trim()).toBe('bob');
  });

  it('takes the identity from the key that signed, never from a key that was only queried', async () => {
    const alicePriv = await parsedPrivateKey(aliceKey);
    const bobPriv = await parsedPrivateKey(bobKey);
    const alicePub = ssh2.utils.parseKey(aliceKey.publicLine) as ssh2.ParsedKey;
    const bobPub = ssh2.utils.parseKey(bobKey.publicLine) as ssh2.ParsedKey;
    const isAlice = (pub: ssh2.ParsedKey) => pub.getPublicSSH().equals(alicePub.getPublicSSH());

    // alice's key is queried (the server says it would do) but never signs; bob's signs
    const queried = new ScriptedAgent([alicePub, bobPub], (pub, data) => (isAlice(pub) ? null : bobPriv.sign(data)));
    const r1 = await ssh2Exec(t, [{ type: 'agent', username: 'git', agent: queried }], 'whoami');
    expect(queried.signRequests).toHaveLength(2); // the server accepted the query for alice's key
    expect(r1.ready, r1.errors.join('; ')).toBe(true);
    expect(r1.code).toBe(0);
    expect(r1.stdout.trim()).toBe('bob');

    // alice's key is offered with a signature made by bob's key: refused, then bob's signs
    const forged = new ScriptedAgent([alicePub, bobPub], (_pub, data) => bobPriv.sign(data));
    const r2 = await ssh2Exec(t, [{ type: 'agent', username: 'git', agent: forged }], 'whoami');
    expect(r2.ready, r2.errors.join('; ')).toBe(true);
    expect(r2.stdout.trim()).toBe('bob');

    // only a query for alice's key and nothing else: no session at all
    const onlyQuery = new ScriptedAgent([alicePub], () => null);
    const r3 = await ssh2Exec(t, [{ type: 'agent', username: 'git', agent: onlyQuery }], 'whoami');
    expect(onlyQuery.signRequests).toHaveLength(1);
    expect(r3.ready).toBe(false);
    expect(r3.stdout).toBe('');

    // and alice's own signature still makes alice
    const honest = new ScriptedAgent([alicePub], (_pub, data) => alicePriv.sign(data));
    const r4 = await ssh2Exec(t, [{ type: 'agent', username: 'git', agent: honest }], 'whoami');
    expect(r4.stdout.trim()).toBe('alice');
  });

  it('never takes the account from the SSH user name: alice\'s key sent as user "bob" is alice', async () => {
    const alicePriv = await parsedPrivateKey(aliceKey);
    const r = await ssh2Exec(t, [{ type: 'publickey', username: 'bob', key: alicePriv }], 'whoami');
    expect(r.stdout.trim()).not.toBe('bob');
    expect(['alice', '']).toContain(r.stdout.trim());
  });
});

describe('interactive shell', () => {
  it('greets a user who asks for a shell with a pty and exits 1', async () => {
    const r = await sshRun(t, aliceKey, '', { extra: ['-tt'] });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("Hi alice! You've authenticated, but Gitssy does not provide shell access.");
    expect(r.stdout + r.stderr).toContain(`Try: ssh -p ${t.port} git@<host> help`);
  });

  it('answers the same without a pty', async () => {
    const r = await sshRun(t, bobKey, '', { extra: ['-T'] });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Hi bob! You've authenticated, but Gitssy does not provide shell access.");
    expect(r.stdout).toBe('');
  });

  it('runs commands under a pty too', async () => {
    const r = await sshRun(t, aliceKey, 'whoami', { extra: ['-tt'] });
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\r/g, '').trim()).toBe('alice');
  });
});
