// One-click backup and verified restore: a snapshot taken while the server serves (and while
// pushes run) restores into a fresh data dir that serves the same repos, users and keys;
// damaged, truncated and too-new archives are refused with nothing changed.
// These servers run on SQLite even under GITSSY_TEST_DB=postgres, so the PostgreSQL pass leaves
// this file out: it checks the data dir a restore leaves, gitssy.db among it (a PostgreSQL
// install's backups and in-place restore: backup-postgres.test.ts).
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, createRepo, createToken, createUser, git, gitOk, makeRepo, run, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';

/** `gitssy backup restore FILE --data DIR` (the rig's cli() would add the server's own --data). */
const restore = (file: string, target: string) => run(process.execPath, [CLI, 'backup', 'restore', file, '--data', target], { env: { PATH: process.env.PATH! } });

const alice: [string, string] = ['alice', 'alice-pass-123'];
let s: TestServer;
let src: string;
let archive: string;
let token: string;

beforeAll(async () => {
  s = await startServer({ sqlite: true });
  await createUser(s, 'alice', alice[1], { admin: true });
  await createUser(s, 'bob', 'bob-pass-123', { via: alice });
  token = await createToken(s, 'alice');
  src = await tempDir();
  await makeRepo(src, 5);
  await createRepo(s, alice, { name: 'pub' });
  await createRepo(s, alice, { name: 'sec', private: true });
  for (const r of ['pub', 'sec']) await gitOk(['push', '-q', s.gitUrl(`alice/${r}.git`, alice), 'main', 'main:dev'], { cwd: src });
  await s.api('PATCH', '/api/v1/admin/settings', { auth: alice, json: { 'registration.mode': 'closed' } });
});
afterAll(async () => s?.stop());

describe('backup create', () => {
  it('writes an archive through the running server, with progress and the barrier time', async () => {
    archive = path.join(await tempDir(), 'b.tar.gz');
    const r = await s.cli(['backup', 'create', '--out', archive]);
    expect(r.code).toBe(0);
    // progress on stderr, the summary on stdout
    expect(r.stderr).toMatch(/writes held for \d+ ms/);
    expect(r.stderr).toMatch(/\[2\/2\] alice\/sec: \d+ object files, 2 refs/);
    expect(r.stderr).toMatch(/writing the archive: \d+%/);
    expect(r.stdout).toMatch(/^backup: .*b\.tar\.gz, \d+\.\d MiB, 2 repositories, writes held for \d+ ms, \d+\.\d s$/m);
    const entries: string[] = [];
    await tar.list({ file: archive, onReadEntry: (e) => void entries.push(e.path) });
    expect(entries[0]).toBe('manifest.json');
    expect(entries).toContain('gitssy.db');
    expect(entries).toContain('ssh/ssh_host_ed25519_key');
    expect(entries.some((e) => e.startsWith('repos/alice/sec.git/objects/'))).toBe(true);
  });

  it('writes to <data>/backups by default', async () => {
    const r = await s.cli(['backup', 'create']);
    expect(r.code).toBe(0);
    const files = await readdir(path.join(s.data, 'backups'));
    expect(files.some((f) => /^gitssy-.*\.tar\.gz$/.test(f))).toBe(true);
  });
});

describe('backup restore', () => {
  it('restores into a fresh data dir that serves the same repos, users, keys, tokens and settings', async () => {
    const target = path.join(await tempDir(), 'restored');
    const r = await restore(archive, target);
    expect(r.stdout + r.stderr).toMatch(/restore: 2 repositories/);
    const b = await startServer({ sqlite: true, data: target });
    try {
      for (const repo of ['pub', 'sec']) {
        expect((await gitOk(['ls-remote', b.gitUrl(`alice/${repo}.git`, alice)])).split('\n').sort()).toEqual((await gitOk(['ls-remote', s.gitUrl(`alice/${repo}.git`, alice)])).split('\n').sort());
      }
      expect((await fetch(`${b.url}/alice/sec.git/info/refs?service=git-upload-pack`)).status).toBe(401);
      expect((await b.api('GET', '/api/v1/user', { token })).status).toBe(200);
      expect((await b.api('GET', '/api/v1/user', { auth: ['bob', 'bob-pass-123'] })).status).toBe(200);
      const settings = (await (await b.api('GET', '/api/v1/admin/settings', { auth: alice })).json()) as Record<string, unknown>;
      expect(settings['registration.mode']).toBe('closed');
      // same host key, so SSH clients see no warning
      expect(await readFile(path.join(target, 'ssh', 'ssh_host_ed25519_key.pub'), 'utf8')).toBe(await readFile(path.join(s.data, 'ssh', 'ssh_host_ed25519_key.pub'), 'utf8'));
      // pushes land through the new data dir's hooks
      await gitOk(['push', '-q', b.gitUrl('alice/pub.git', alice), 'main:after-restore'], { cwd: src });
      expect((await b.cli(['doctor'])).code).toBe(0);
    } finally {
      await b.stop();
    }
  });

  it('refuses a truncated archive and a corrupted one, creating nothing', async () => {
    const dir = await tempDir();
    const whole = await readFile(archive);
    await writeFile(path.join(dir, 'short.tar.gz'), whole.subarray(0, Math.floor(whole.length / 2)));
    const r1 = await restore(path.join(dir, 'short.tar.gz'), path.join(dir, 't1'));
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/restore refused: .*(damaged|truncated|missing)/);
    expect(existsSync(path.join(dir, 't1'))).toBe(false);

    // valid gzip and tar, but one object file altered: the checksum catches it
    const x = path.join(dir, 'x');
    await mkdir(x);
    await tar.extract({ file: archive, cwd: x });
    const objects = path.join(x, 'repos', 'alice', 'pub.git', 'objects');
    const fanout = (await readdir(objects)).find((d) => /^[0-9a-f]{2}$/.test(d))!;
    const victim = path.join(objects, fanout, (await readdir(path.join(objects, fanout)))[0]!);
    const bytes = await readFile(victim);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    await writeFile(victim, bytes);
    await tar.create({ gzip: true, cwd: x, file: path.join(dir, 'bad.tar.gz') }, await readdir(x));
    const r2 = await restore(path.join(dir, 'bad.tar.gz'), path.join(dir, 't2'));
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/does not match its checksum/);
    expect(existsSync(path.join(dir, 't2'))).toBe(false);
    expect((await readdir(dir)).filter((f) => f.includes('restoring'))).toEqual([]);
  });

  it('refuses an archive from a newer schema, and a target that is not empty', async () => {
    const dir = await tempDir();
    const x = path.join(dir, 'x');
    await mkdir(x);
    await tar.extract({ file: archive, cwd: x });
    const manifest = JSON.parse(await readFile(path.join(x, 'manifest.json'), 'utf8')) as { schema_version: string };
    manifest.schema_version = '9999_from_the_future';
    await writeFile(path.join(x, 'manifest.json'), JSON.stringify(manifest));
    await tar.create({ gzip: true, cwd: x, file: path.join(dir, 'new.tar.gz') }, await readdir(x));
    const r = await restore(path.join(dir, 'new.tar.gz'), path.join(dir, 't'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/comes from a newer Gitssy/);

    const busy = path.join(dir, 'busy');
    await mkdir(busy);
    await writeFile(path.join(busy, 'keep.txt'), 'mine');
    const r2 = await restore(archive, busy);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/is not empty/);
    expect(await readdir(busy)).toEqual(['keep.txt']);
  });

  it('holds every push acknowledged before the backup began, taken while pushes run', async () => {
    await createRepo(s, alice, { name: 'busy' });
    const clones: string[] = [];
    for (let i = 0; i < 4; i++) {
      const d = await tempDir();
      await makeRepo(d, 2 + i);
      clones.push(d);
    }
    // a stream of pushes to distinct branches; note which were acknowledged before the backup
    const acknowledged: string[] = [];
    let stop = false;
    const pushing = (async () => {
      for (let n = 0; !stop && n < 40; n++) {
        const branch = `b${n}`;
        const r = await git(['push', '-q', s.gitUrl('alice/busy.git', alice), `main:${branch}`], { cwd: clones[n % clones.length]! });
        if (r.code === 0) acknowledged.push(branch);
      }
    })();
    await waitFor(async () => acknowledged.length >= 2, 60_000);
    const before = [...acknowledged];
    const file = path.join(await tempDir(), 'live.tar.gz');
    const r = await s.cli(['backup', 'create', '--out', file]);
    const duringOrAfter = acknowledged.length;
    stop = true;
    await pushing;
    // pushes kept landing while the backup ran (the barrier holds them for milliseconds only)
    expect(r.code, r.stderr).toBe(0);
    expect(duringOrAfter).toBeGreaterThan(before.length);
    expect(before.length).toBeGreaterThan(0);
    const target = path.join(await tempDir(), 'live');
    const rr = await restore(file, target);
    expect(rr.stderr).not.toMatch(/refused|error/i);
    expect(rr.code).toBe(0);
    const refs = await gitOk(['--git-dir', path.join(target, 'repos', 'alice', 'busy.git'), 'for-each-ref', '--format=%(refname:short)']);
    for (const b of before) expect(refs.split('\n')).toContain(b);
    expect((await git(['--git-dir', path.join(target, 'repos', 'alice', 'busy.git'), 'fsck', '--no-dangling'])).code).toBe(0);
  });
});
