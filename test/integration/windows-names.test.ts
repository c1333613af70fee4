// Names Windows can't store (device names like CON, a trailing dot or space, `< > : " \ | ? *`)
// are refused wherever a name becomes a path — repositories, accounts, new branches and pushed
// refs — because the desktop app runs on Windows and a backup made here must restore there.
// Data that already holds such names (older versions, other forges) still imports and restores,
// with the names reported.
// Its server runs on SQLite even under GITSSY_TEST_DB=postgres, so the PostgreSQL pass leaves this
// file out: the console restore tested here replaces the data in place, which on PostgreSQL needs
// DATABASE_URL in the data dir's .gitssy.env alone, and that pass sets it in the environment as
// well (backup-postgres.test.ts covers PostgreSQL).
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, CLI, createRepo, createUser, git, gitOk, makeRepo, run, startServer, tempDir, type TestServer } from '../fixtures/rig.js';
import { generateKey, registerKey, sshRun, sshTarget } from '../fixtures/ssh.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
let s: TestServer;
let src: string;
let head: string;

const repoDir = (full: string) => path.join(s.data, 'repos', `${full}.git`);
const message = async (res: Response) => ((await res.json()) as { message: string }).message;
const heads = async (full: string) => (await gitOk(['ls-remote', '--heads', s.gitUrl(`${full}.git`, alice)])).trim();

beforeAll(async () => {
  s = await startServer({ sqlite: true });
  await createUser(s, 'alice', alice[1], { admin: true });
  src = await tempDir();
  head = await makeRepo(src, 3);
  await createRepo(s, alice, { name: 'pub' });
  await gitOk(['push', '-q', s.gitUrl('alice/pub.git', alice), 'main'], { cwd: src });
});
afterAll(async () => s?.stop());

describe('repository names', () => {
  it.each([
    ['CON.', 'repository name "CON." is reserved on Windows (device name CON)'],
    ['con.txt', 'repository name "con.txt" is reserved on Windows (device name CON)'],
    ['Aux.git', 'repository name "Aux.git" is reserved on Windows (device name AUX)'],
    ['lpt9', 'repository name "lpt9" is reserved on Windows (device name LPT9)'],
    ['project.', 'repository name "project." may not end with a dot or a space (Windows drops them from file names)'],
    ['a:b', `repository name "a:b" may not contain ':' (Windows forbids it in file names)`],
  ])('refuses creating %j with a 422 naming the rule, and creates nothing', async (name, expected) => {
    const res = await s.api('POST', '/api/v1/user/repos', { auth: alice, json: { name } });
    expect(res.status).toBe(422);
    expect(await message(res)).toBe(expected);
    expect((await s.api('GET', `/api/v1/repos/alice/${encodeURIComponent(name)}`, { auth: alice })).status).toBe(404);
    expect(await readdir(path.join(s.data, 'repos', 'alice'))).toEqual(['pub.git']);
  });

  it('still creates names that only look like device names', async () => {
    for (const name of ['console', 'com10', 'nul-handler']) await createRepo(s, alice, { name });
    expect((await s.api('GET', '/api/v1/repos/alice/com10', { auth: alice })).status).toBe(200);
  });

  it('refuses renaming to a device name, leaving the repository where it was', async () => {
    const res = await s.api('PATCH', '/api/v1/repos/alice/pub', { auth: alice, json: { name: 'NUL' } });
    expect(res.status).toBe(422);
    expect(await message(res)).toBe('repository name "NUL" is reserved on Windows (device name NUL)');
    expect((await s.api('GET', '/api/v1/repos/alice/pub', { auth: alice })).status).toBe(200);
    expect(existsSync(repoDir('alice/pub'))).toBe(true);
    expect(existsSync(repoDir('alice/NUL'))).toBe(false);
  });

  it('refuses a fork under a device name', async () => {
    const res = await s.api('POST', '/api/v1/repos/alice/pub/forks', { auth: alice, json: { name: 'prn.md' } });
    expect(res.status).toBe(422);
    expect(await message(res)).toBe('repository name "prn.md" is reserved on Windows (device name PRN)');
    expect(existsSync(repoDir('alice/prn.md'))).toBe(false);
  });

  it('refuses a default branch that could not exist on Windows', async () => {
    const res = await s.api('POST', '/api/v1/user/repos', { auth: alice, json: { name: 'trunked', default_branch: 'release/con' } });
    expect(res.status).toBe(422);
    expect(await message(res)).toBe('default branch "release/con": "con" is reserved on Windows (device name CON)');
    expect(existsSync(repoDir('alice/trunked'))).toBe(false);
  });

  it('refuses the same names from the SSH shell (create and rename)', async () => {
    const t = await sshTarget(s);
    const key = await generateKey('ed25519', 'alice@laptop');
    await registerKey(s, alice, key);
    const created = await sshRun(t, key, 'create alice/Aux.git');
    expect(created.code).toBe(1);
    // the shell takes `.git` off the address: the repository would be called Aux
    expect(created.stderr).toBe('Gitssy: repository name "Aux" is reserved on Windows (device name AUX)\n');
    const renamed = await sshRun(t, key, 'rename alice/console COM1.');
    expect(renamed.code).toBe(1);
    expect(renamed.stderr).toBe('Gitssy: repository name "COM1." is reserved on Windows (device name COM1)\n');
    expect(existsSync(repoDir('alice/Aux'))).toBe(false);
    expect(existsSync(repoDir('alice/console'))).toBe(true);
  });
});

describe('user and organization names', () => {
  it('refuses registering a device name with a 422, creating no account', async () => {
    const b = new Browser(s.url);
    await b.session();
    const res = await b.request('POST', '/api/v1/auth/register', { json: { username: 'con', email: 'con@example.test', password: 'con-pass-1234' } });
    expect(res.status).toBe(422);
    expect(await message(res)).toBe('username "con" is reserved on Windows (device name CON)');
    expect((await s.api('GET', '/api/v1/users/con', { auth: alice })).status).toBe(404);
  });

  it('refuses them from the admin API, the CLI and organization creation', async () => {
    const admin = await s.api('POST', '/api/v1/admin/users', { auth: alice, json: { username: 'aux.dev', password: 'aux-pass-1234', email: 'aux@example.test' } });
    expect(admin.status).toBe(422);
    expect(await message(admin)).toBe('username "aux.dev" is reserved on Windows (device name AUX)');
    const cli = await s.cli(['admin', 'user', 'create', '--username', 'LPT1', '--password', 'lpt-pass-1234', '--email', 'lpt@example.test']);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('username "LPT1" is reserved on Windows (device name LPT1)');
    const org = await s.api('POST', '/api/v1/orgs', { auth: alice, json: { username: 'Prn' } });
    expect(org.status).toBe(422);
    expect(await message(org)).toBe('organization name "Prn" is reserved on Windows (device name PRN)');
    for (const name of ['aux.dev', 'LPT1', 'Prn']) expect((await s.api('GET', `/api/v1/users/${name}`, { auth: alice })).status).toBe(404);
  });
});

describe('branch names', () => {
  it('refuses creating a branch with a part Windows cannot store, and creates none', async () => {
    const before = await heads('alice/pub');
    for (const [name, expected] of [
      ['feature/con', 'branch name "feature/con": "con" is reserved on Windows (device name CON)'],
      ['Aux.txt', 'branch name "Aux.txt" is reserved on Windows (device name AUX)'],
      ['wip./x', 'branch name "wip./x": "wip." may not end with a dot or a space (Windows drops them from file names)'],
      ['a|b', `branch name "a|b" may not contain '|' (Windows forbids it in file names)`],
    ]) {
      const res = await s.api('POST', '/api/v1/repos/alice/pub/branches', { auth: alice, json: { new_branch_name: name } });
      expect(res.status, name).toBe(422);
      expect(await message(res)).toBe(expected);
    }
    expect(await heads('alice/pub')).toBe(before);
    expect((await s.api('POST', '/api/v1/repos/alice/pub/branches', { auth: alice, json: { new_branch_name: 'feature/console' } })).status).toBe(201);
  });

  it('refuses pushing a new ref Windows cannot store with a remote: line, and lets existing ones move and go', async () => {
    const url = s.gitUrl('alice/pub.git', alice);
    const pushed = await git(['push', url, 'main:refs/heads/team/nul', 'main:refs/tags/v1|rc'], { cwd: src });
    expect(pushed.code).not.toBe(0);
    expect(pushed.stderr).toContain('remote: Gitssy: refs/heads/team/nul: "nul" is reserved on Windows (device name NUL)');
    expect(pushed.stderr).toContain(`remote: Gitssy: refs/tags/v1|rc: "v1|rc" may not contain '|' (Windows forbids it in file names)`);
    expect(await gitOk(['ls-remote', url])).not.toMatch(/nul|v1\|rc/);

    // a branch from before the rule (made on the disk, as an older version would have let it)
    await gitOk(['--git-dir', repoDir('alice/pub'), 'update-ref', 'refs/heads/old/aux', `${head}~1`]);
    expect((await git(['push', url, `${head}:refs/heads/old/aux`], { cwd: src })).code).toBe(0);
    expect(await heads('alice/pub')).toContain(`${head}\trefs/heads/old/aux`);
    expect((await git(['push', url, ':refs/heads/old/aux'], { cwd: src })).code).toBe(0);
    expect(await heads('alice/pub')).not.toMatch(/old\/aux/);
  });
});

describe('admin import', () => {
  it('skips folders whose names Windows cannot store, saying why, and warns about such refs', async () => {
    const from = await tempDir('gitssy-import-');
    const bare = async (dir: string, refs: string[] = ['main']) => {
      await gitOk(['init', '-q', '--bare', '-b', 'main', dir]);
      await gitOk(['push', '-q', dir, ...refs], { cwd: src });
    };
    await bare(path.join(from, 'CON..git'));
    await bare(path.join(from, 'aux.git'));
    await bare(path.join(from, 'fine.git'), ['main', 'main:refs/heads/topic/com1', 'main:refs/tags/v1']);

    const r = await s.cli(['admin', 'import', '--from', from, '--owner', 'alice']);
    expect(r.stdout).toMatch(/found 3 bare repositories/);
    expect(r.stdout).toContain('CON..git -> alice/CON.: skipped: repository name "CON." is reserved on Windows (device name CON); rename the folder and import it again');
    expect(r.stdout).toContain('aux.git -> alice/aux: skipped: repository name "aux" is reserved on Windows (device name AUX); rename the folder and import it again');
    expect(r.stdout).toContain('fine.git -> alice/fine: imported');
    expect(r.stdout).toContain(
      'fine.git -> alice/fine: warning: 1 ref could not exist on Windows (rename before moving this data there): "refs/heads/topic/com1": "com1" is reserved on Windows (device name COM1)',
    );
    expect(r.stdout).toMatch(/import: 1 imported, 2 skipped/);
    expect(r.code).toBe(1);
    expect(existsSync(repoDir('alice/CON.'))).toBe(false);
    expect(existsSync(repoDir('alice/aux'))).toBe(false);
    expect((await s.api('GET', '/api/v1/repos/alice/fine', { auth: alice })).status).toBe(200);
  });
});

describe('backup restore', () => {
  const cli = (args: string[]) => run(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH! } });

  it('restores an archive holding names Windows cannot store, and lists them in its output and verify record', async () => {
    // data from before the rule: a branch made on the disk, and (below) a repository folder renamed
    expect((await s.api('DELETE', '/api/v1/repos/alice/fine', { auth: alice })).status).toBe(204); // its ref was reported above
    await gitOk(['--git-dir', repoDir('alice/pub'), 'update-ref', 'refs/heads/Lpt1.log', head]);
    const dir = await tempDir();
    const archive = path.join(dir, 'b.tar.gz');
    expect((await s.cli(['backup', 'create', '--out', archive])).code).toBe(0);
    await gitOk(['--git-dir', repoDir('alice/pub'), 'update-ref', '-d', 'refs/heads/Lpt1.log']);

    // the same backup with alice/com10 renamed to alice/COM3. (as another machine could hold it)
    const x = path.join(dir, 'x');
    await mkdir(x);
    await tar.extract({ file: archive, cwd: x });
    const manifest = JSON.parse(await readFile(path.join(x, 'manifest.json'), 'utf8')) as {
      repositories: { path: string; owner: string; name: string }[];
      files: Record<string, unknown>;
    };
    const repo = manifest.repositories.find((r) => r.name === 'com10')!;
    repo.name = 'COM3.';
    repo.path = 'repos/alice/COM3..git';
    manifest.files = Object.fromEntries(Object.entries(manifest.files).map(([k, v]) => [k.replace(/^repos\/alice\/com10\.git\//, 'repos/alice/COM3..git/'), v]));
    await rename(path.join(x, 'repos', 'alice', 'com10.git'), path.join(x, 'repos', 'alice', 'COM3..git'));
    await writeFile(path.join(x, 'manifest.json'), JSON.stringify(manifest));
    const tampered = path.join(dir, 'windows.tar.gz');
    await tar.create({ gzip: true, cwd: x, file: tampered }, await readdir(x));

    const target = path.join(dir, 'restored');
    const r = await cli(['backup', 'restore', tampered, '--data', target]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: 2 names in this backup could not exist on Windows (it restores here, but not on a Windows machine):\n');
    expect(r.stderr).toContain('  repository alice/COM3.: "COM3." is reserved on Windows (device name COM3)\n');
    expect(r.stderr).toContain('  alice/pub: ref "refs/heads/Lpt1.log": "Lpt1.log" is reserved on Windows (device name LPT1)\n');
    expect(r.stdout).toMatch(/^restore: \d+ repositories and \d+ files/);
    expect(existsSync(path.join(target, 'repos', 'alice', 'COM3..git', 'HEAD'))).toBe(true);
    expect((await gitOk(['--git-dir', path.join(target, 'repos', 'alice', 'pub.git'), 'rev-parse', 'refs/heads/Lpt1.log'])).trim()).toBe(head);

    const verified = await cli(['backup', 'verify', tampered]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).toContain('warning: 2 names in this backup could not exist on Windows');
    const record = JSON.parse(await readFile(`${tampered}.verify.json`, 'utf8')) as { ok: boolean; windows_incompatible: string[] };
    expect(record.ok).toBe(true);
    expect(record.windows_incompatible.sort()).toEqual([
      'alice/pub: ref "refs/heads/Lpt1.log": "Lpt1.log" is reserved on Windows (device name LPT1)',
      'repository alice/COM3.: "COM3." is reserved on Windows (device name COM3)',
    ]);
  });

  it('says nothing about Windows for a backup without such names', async () => {
    const archive = path.join(await tempDir(), 'clean.tar.gz');
    expect((await s.cli(['backup', 'create', '--out', archive])).code).toBe(0);
    const verified = await cli(['backup', 'verify', archive]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).not.toContain('Windows');
    const record = JSON.parse(await readFile(`${archive}.verify.json`, 'utf8')) as { windows_incompatible: string[] };
    expect(record.windows_incompatible).toEqual([]);
  });
});
