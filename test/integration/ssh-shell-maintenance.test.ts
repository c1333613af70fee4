// Maintenance mode covers the SSH command shell: every command that changes something is
// refused with the notice API writes get with their 503 (exit 1, nothing changed), reads keep
// working, and `maintenance.adminsExempt` lets site administrators through as it does on the API.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, gitOk, makeRepo, startServer, tempDir, type RunResult, type TestServer } from '../fixtures/rig.js';
import { generateKey, registerKey, sshRun, sshTarget, type ApiKey, type KeyPair, type SshTarget } from '../fixtures/ssh.js';

const ROOT: [string, string] = ['root', 'root-pass-123']; // site admin
const ALICE: [string, string] = ['alice', 'alice-pass-123'];
const BOB: [string, string] = ['bob', 'bob-pass-12345'];

let s: TestServer;
let t: SshTarget;
const keys: Record<string, KeyPair> = {};
let spare: KeyPair; // a key alice tries to add during maintenance
let aliceSecondKey: ApiKey; // a key alice tries to remove during maintenance
let head: string;

const sh = (user: 'alice' | 'root', command: string | string[]): Promise<RunResult> => sshRun(t, keys[user]!, command);
const repo = async (full: string) => {
  const res = await s.api('GET', `/api/v1/repos/${full}`, { auth: ROOT });
  return { status: res.status, body: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : null };
};
const aliceKeys = async () => ((await (await s.api('GET', '/api/v1/user/keys', { auth: ALICE })).json()) as ApiKey[]).map((k) => k.fingerprint).sort();
const aliceTokens = async () => ((await (await s.api('GET', '/api/v1/users/alice/tokens', { auth: ALICE })).json()) as { name: string }[]).map((k) => k.name).sort();
const maintenance = async (json: Record<string, unknown>) => expect((await s.api('PUT', '/api/v1/admin/maintenance', { auth: ROOT, json })).status).toBe(200);
const exemptAdmins = async (on: boolean) => expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: ROOT, json: { 'maintenance.adminsExempt': on } })).status).toBe(200);

/** Everything the write commands below could change, as the API and the disk see it. */
async function snapshot() {
  return {
    victim: (await repo('alice/victim')).body,
    victimDir: existsSync(path.join(s.data, 'repos', 'alice', 'victim.git')),
    head: (await gitOk(['--git-dir', path.join(s.data, 'repos', 'alice', 'victim.git'), 'rev-parse', 'HEAD'])).trim(),
    created: (await repo('alice/newrepo')).status,
    forked: (await repo('alice/bobsrc-fork')).status,
    renamed: (await repo('alice/renamed')).status,
    keys: await aliceKeys(),
    tokens: await aliceTokens(),
  };
}

beforeAll(async () => {
  s = await startServer();
  await createUser(s, ...ROOT, { admin: true });
  for (const u of [ALICE, BOB]) await createUser(s, ...u, { via: ROOT });
  t = await sshTarget(s);
  keys.alice = await generateKey('ed25519', 'alice@laptop');
  keys.root = await generateKey('ed25519', 'root@laptop');
  spare = await generateKey('ed25519', 'spare@laptop');
  await registerKey(s, ALICE, keys.alice, 'alice laptop');
  await registerKey(s, ROOT, keys.root, 'root laptop');
  aliceSecondKey = await registerKey(s, ALICE, await generateKey('ecdsa', 'alice@desktop'), 'alice desktop');

  const src = await tempDir();
  head = await makeRepo(src, 2);
  await createRepo(s, ALICE, { name: 'victim', description: 'keep me' });
  await gitOk(['push', '-q', s.gitUrl('alice/victim.git', ALICE), 'main', 'main:dev'], { cwd: src });
  await createRepo(s, BOB, { name: 'bobsrc' });
  await gitOk(['push', '-q', s.gitUrl('bob/bobsrc.git', BOB), 'main'], { cwd: src });
});
afterAll(async () => s?.stop());

// every write the shell has, with arguments that succeed once maintenance is off
const WRITES: [string, string[]][] = [
  ['create', ['create', 'alice/newrepo', '--description', 'made during maintenance']],
  ['fork', ['fork', 'bob/bobsrc', 'alice/bobsrc-fork']],
  ['rename', ['rename', 'alice/victim', 'renamed']],
  ['delete', ['delete', 'alice/victim', '--yes', 'alice/victim']],
  ['config description', ['config', 'alice/victim', 'description', 'changed']],
  ['config visibility', ['config', 'alice/victim', 'visibility', 'private']],
  ['config default-branch', ['config', 'alice/victim', 'default-branch', 'dev']],
  ['keys add', ['keys', 'add', '--title', 'spare']], // the public key is appended below
  ['keys remove', ['keys', 'remove']], // the id is appended below
  ['token create', ['token', 'create', '--name', 'during-maintenance']],
  ['token create --json', ['token', 'create', '--json', '--name', 'during-maintenance-json']],
];
const argv = (words: string[]) => (words[1] === 'add' ? [...words, spare.publicLine] : words[1] === 'remove' ? [...words, String(aliceSecondKey.id)] : words);

describe('maintenance mode in the SSH shell', () => {
  let notice: string;
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    await maintenance({ enabled: true, message: 'disk swap, back at noon' });
    // the notice an API write gets with its 503 is the one the shell prints
    const api = await s.api('PATCH', '/api/v1/repos/alice/victim', { auth: ALICE, json: { description: 'via the API' } });
    expect(api.status).toBe(503);
    notice = ((await api.json()) as { message: string }).message;
    expect(notice).toBe('Gitssy is in maintenance mode; changes are paused: disk swap, back at noon');
    before = await snapshot();
    expect(before).toMatchObject({ victimDir: true, head, created: 404, forked: 404, renamed: 404, tokens: [] });
    expect(before.keys).toHaveLength(2);
  });
  afterAll(async () => {
    await exemptAdmins(false);
    await maintenance({ enabled: false });
  });

  it.each(WRITES)('refuses %s with the maintenance notice, exit 1, and changes nothing', async (_name, words) => {
    const r = await sh('alice', argv(words));
    expect(r).toEqual({ code: 1, stdout: '', stderr: `Gitssy: ${notice}\n` });
    expect(await snapshot()).toEqual(before);
  });

  it('keeps the reads working: help, whoami, list, show, ls, cat, keys list', async () => {
    const help = await sh('alice', 'help');
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^ {2}create /m);
    expect(await sh('alice', 'whoami')).toEqual({ code: 0, stdout: 'alice\n', stderr: '' });
    const list = await sh('alice', 'list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^alice\/victim +public +admin +keep me$/m);
    expect(list.stdout).toMatch(/^bob\/bobsrc /m);
    const show = await sh('alice', 'show alice/victim');
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^alice\/victim\n {2}keep me\n/);
    const ls = await sh('alice', 'ls alice/victim main');
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/ README\.md\n/);
    expect(await sh('alice', 'cat alice/victim main README.md')).toEqual({ code: 0, stdout: '# Demo\n\nHello **LAN**.\n', stderr: '' });
    const kl = await sh('alice', 'keys list');
    expect(kl.code, kl.stderr).toBe(0);
    expect(kl.stdout).toContain(keys.alice!.fingerprint);
    expect(kl.stdout).toContain(aliceSecondKey.fingerprint);
    // usage errors of subcommands that only list still say what is wrong
    const usage = await sh('alice', 'token list');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^Gitssy: token create/);
  });

  it('refuses site administrators too, unless maintenance.adminsExempt is on (as on the API)', async () => {
    const refused = await sh('root', ['create', 'root/admin-made']);
    expect(refused).toEqual({ code: 1, stdout: '', stderr: `Gitssy: ${notice}\n` });
    expect((await repo('root/admin-made')).status).toBe(404);

    await exemptAdmins(true);
    const made = await sh('root', ['create', 'root/admin-made']);
    expect(made.code, made.stderr).toBe(0);
    expect((await repo('root/admin-made')).status).toBe(200);
    // the exemption is for administrators only
    expect(await sh('alice', ['create', 'alice/newrepo'])).toEqual({ code: 1, stdout: '', stderr: `Gitssy: ${notice}\n` });
    expect((await repo('alice/newrepo')).status).toBe(404);
    await exemptAdmins(false);
  });

  it('sees the switch flipped by the CLI at once, with its message, and without one', async () => {
    const on = await s.cli(['admin', 'maintenance', 'on', '--message', 'cli said so']);
    expect(on.code, on.stderr).toBe(0);
    expect(await sh('alice', ['config', 'alice/victim', 'description', 'x'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Gitssy: Gitssy is in maintenance mode; changes are paused: cli said so\n',
    });
    await maintenance({ enabled: true, message: '' });
    expect((await sh('alice', ['config', 'alice/victim', 'description', 'x'])).stderr).toBe('Gitssy: Gitssy is in maintenance mode; changes are paused. Try again later.\n');
    await maintenance({ enabled: true, message: 'disk swap, back at noon' });
  });
});

describe('after maintenance', () => {
  it('runs every one of those commands again', async () => {
    await maintenance({ enabled: false });
    // the same invocations that were refused now succeed (so the refusals above were maintenance's)
    const order = ['create', 'fork', 'config description', 'config visibility', 'config default-branch', 'keys add', 'keys remove', 'token create', 'token create --json', 'rename'];
    for (const name of order) {
      const words = WRITES.find(([n]) => n === name)![1];
      const r = await sh('alice', argv(words));
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
    }
    expect((await repo('alice/newrepo')).status).toBe(200);
    expect((await repo('alice/bobsrc-fork')).status).toBe(200);
    expect((await repo('alice/renamed')).body).toMatchObject({ description: 'changed', private: true, default_branch: 'dev' });
    expect(await aliceTokens()).toEqual(['during-maintenance', 'during-maintenance-json']);
    expect(await aliceKeys()).toEqual([keys.alice!.fingerprint, spare.fingerprint].sort());
    const del = await sh('alice', ['delete', 'alice/renamed', '--yes', 'alice/renamed']);
    expect(del.code, del.stderr).toBe(0);
    expect((await repo('alice/renamed')).status).toBe(404);
  });
});
