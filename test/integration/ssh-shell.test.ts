// The SSH command shell (`ssh git@host <command>`): every command with good and bad
// arguments, checked against what the API and the disk say, and the rule that another user's
// private repository is "not found" through every command.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, gitOk, makeRepo, run, startServer, tempDir, type TestServer } from '../fixtures/rig.js';
import { generateKey, gitSshEnv, registerKey, sshArgv, sshRun, sshTarget, sshUrl, type ApiKey, type KeyPair, type SshTarget } from '../fixtures/ssh.js';
import type { RunResult } from '../fixtures/rig.js';

const ROOT: [string, string] = ['root', 'root-pass-123']; // site admin
const ALICE: [string, string] = ['alice', 'alice-pass-123']; // runs most commands
const BOB: [string, string] = ['bob', 'bob-pass-12345']; // owns repositories alice may or may not see

const COMMANDS = ['help', 'whoami', 'list', 'create', 'fork', 'rename', 'delete', 'show', 'ls', 'cat', 'config', 'keys', 'token'];
/** A repository name that makes a backtracking regular expression like (a+)+$ take seconds. */
const SLOW_NAME = `${'a'.repeat(24)}-`;

let s: TestServer;
let t: SshTarget;
const keys: Record<string, KeyPair> = {};
let pubHead: string;

/** Runs a shell command as a user; an array is sent word by word, quoted. */
const sh = (user: 'alice' | 'bob' | 'root', command: string | string[]): Promise<RunResult> => sshRun(t, keys[user]!, command);
const apiRepo = async (full: string, auth: [string, string] = ROOT) => {
  const res = await s.api('GET', `/api/v1/repos/${full}`, { auth });
  return { status: res.status, body: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : null };
};
const repoDir = (full: string) => path.join(s.data, 'repos', `${full}.git`);

/** Expects a usage failure: exit 2, nothing on stdout, the reason and the usage line on stderr. */
function expectUsage(r: RunResult, reason: RegExp, usage: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^Gitssy: /);
  expect(r.stderr).toMatch(reason);
  expect(r.stderr).toContain(`\nusage: ${usage}\n`);
}

beforeAll(async () => {
  s = await startServer();
  await createUser(s, ...ROOT, { admin: true });
  for (const u of [ALICE, BOB]) await createUser(s, ...u, { via: ROOT });
  t = await sshTarget(s);
  await Promise.all(['alice', 'bob', 'root'].map(async (u) => (keys[u] = await generateKey('ed25519', `${u}@laptop`))));
  await registerKey(s, ALICE, keys.alice!, 'alice laptop');
  await registerKey(s, BOB, keys.bob!, 'bob laptop');
  await registerKey(s, ROOT, keys.root!, 'root laptop');

  // alice/pub: README.md and src/index.ts over 3 commits, tag v1 at the first
  await createRepo(s, ALICE, { name: 'pub', description: 'the public one' });
  const src = await tempDir();
  pubHead = await makeRepo(src, 3);
  await gitOk(['tag', 'v1', 'HEAD~2'], { cwd: src });
  await gitOk(['push', '-q', s.gitUrl('alice/pub.git', ALICE), 'main', 'v1'], { cwd: src });
  await createRepo(s, ALICE, { name: 'priv', private: true });
  await gitOk(['push', '-q', s.gitUrl('alice/priv.git', ALICE), 'main'], { cwd: src });
  await createRepo(s, ALICE, { name: SLOW_NAME });
  expect((await s.api('POST', '/api/v1/orgs', { auth: ALICE, json: { username: 'team' } })).status).toBe(201);
  await createRepo(s, ALICE, { name: 'tools' }, 'team');

  await createRepo(s, BOB, { name: 'bobpub' });
  for (const name of ['shared', 'readable', 'bobsecret']) await createRepo(s, BOB, { name, private: true });
  expect((await s.api('PUT', '/api/v1/repos/bob/shared/collaborators/alice', { auth: BOB, json: { permission: 'write' } })).status).toBe(204);
  expect((await s.api('PUT', '/api/v1/repos/bob/readable/collaborators/alice', { auth: BOB, json: { permission: 'read' } })).status).toBe(204);
  expect((await s.api('POST', '/api/v1/orgs', { auth: BOB, json: { username: 'hidden', visibility: 'private' } })).status).toBe(201);
});
afterAll(async () => s?.stop());

describe('help', () => {
  it('lists every command a user may run, each with its usage and summary', async () => {
    const r = await sh('alice', 'help');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const [title, ...lines] = r.stdout.trimEnd().split('\n');
    expect(title).toBe('Gitssy commands (add --json for machine-readable output):');
    expect(lines.map((l) => l.trim().split(' ')[0])).toEqual(COMMANDS);
    expect(r.stdout).toMatch(/^ {2}create <owner\/name> \[--private \| --internal\] \[--description TEXT\] +create a repository$/m);
    expect(r.stdout).toMatch(/^ {2}delete <repo> --yes <repo> +delete a repository \(type its name twice\)$/m);
    // with no command at all, the same help
    expect((await sh('alice', '--json')).stdout).toBe((await sh('alice', 'help --json')).stdout);
  });

  it('lists the same commands as JSON, and every one of them runs for a plain user', async () => {
    const r = await sh('bob', 'help --json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { command: string; usage: string; summary: string }[];
    expect(list.map((c) => c.command)).toEqual(COMMANDS);
    for (const c of list) {
      const one = await sh('bob', ['help', c.command]);
      expect(one.code, c.command).toBe(0);
      expect(one.stdout, c.command).toBe(`usage: ${c.usage}\n  ${c.summary}\n`);
    }
  });

  it('explains one command', async () => {
    const r = await sh('alice', 'help create');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('usage: create <owner/name> [--private | --internal] [--description TEXT]\n  create a repository\n');
  });

  it('refuses an unknown command, extra arguments and unknown options with usage on stderr', async () => {
    expectUsage(await sh('alice', 'help nosuch'), /unknown command "nosuch"/, 'help [command]');
    expectUsage(await sh('alice', 'help create delete'), /wrong number of arguments/, 'help [command]');
    expectUsage(await sh('alice', 'help --verbose'), /Unknown option '--verbose'/, 'help [command]');
    const r = await sh('alice', 'frobnicate the repo');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('Gitssy: unknown command "frobnicate"; run "help" to see the commands\n');
  });
});

describe('whoami', () => {
  it('prints the signed-in user, marks site administrators, and has a JSON form', async () => {
    expect(await sh('alice', 'whoami')).toEqual({ code: 0, stdout: 'alice\n', stderr: '' });
    expect((await sh('bob', 'whoami')).stdout).toBe('bob\n');
    expect((await sh('root', 'whoami')).stdout).toBe('root, site administrator\n');
    const j = await sh('alice', 'whoami --json');
    expect(JSON.parse(j.stdout)).toEqual({ username: 'alice', full_name: '', email: 'alice@example.test', is_admin: false });
  });

  it('refuses arguments', async () => {
    expectUsage(await sh('alice', 'whoami bob'), /wrong number of arguments/, 'whoami');
  });
});

describe('list', () => {
  it('lists the repositories the user can read with visibility, access and description', async () => {
    const r = await sh('alice', 'list');
    expect(r.code, r.stderr).toBe(0);
    expect(names(r).sort()).toEqual([`alice/${SLOW_NAME}`, 'alice/priv', 'alice/pub', 'bob/bobpub', 'bob/readable', 'bob/shared', 'team/tools'].sort());
    expect(r.stdout).toMatch(/^alice\/pub +public +admin +the public one$/m);
    expect(r.stdout).toMatch(/^alice\/priv +private +admin$/m);
    expect(r.stdout).toMatch(/^bob\/shared +private +write$/m);
    expect(r.stdout).toMatch(/^bob\/readable +private +read$/m);
    expect(r.stdout).toMatch(/^bob\/bobpub +public +read$/m);
    expect(r.stdout).not.toContain('bobsecret');
  });

  it('--mine keeps only the user’s own, --writable only those they can push to', async () => {
    expect(names(await sh('alice', 'list --mine')).sort()).toEqual([`alice/${SLOW_NAME}`, 'alice/priv', 'alice/pub']);
    expect(names(await sh('alice', 'list --writable')).sort()).toEqual([`alice/${SLOW_NAME}`, 'alice/priv', 'alice/pub', 'bob/shared', 'team/tools']);
    expect(names(await sh('bob', 'list --mine')).sort()).toEqual(['bob/bobpub', 'bob/bobsecret', 'bob/readable', 'bob/shared']);
  });

  it('filters by a case-insensitive regular expression, and has a JSON form', async () => {
    expect(names(await sh('alice', ['list', 'PUB$'])).sort()).toEqual(['alice/pub', 'bob/bobpub']);
    expect(names(await sh('alice', ['list', '--writable', '^bob/']))).toEqual(['bob/shared']);
    expect((await sh('alice', ['list', 'nothing-matches-this'])).stdout).toBe('');
    const j = JSON.parse((await sh('alice', ['list', '--json', '^alice/pub$'])).stdout);
    expect(j).toEqual([{ name: 'alice/pub', visibility: 'public', level: 'admin', description: 'the public one' }]);
  });

  it('refuses bad arguments: both filters, a broken pattern, an over-long pattern', async () => {
    const usage = 'list [--mine | --writable] [--] [pattern]';
    expectUsage(await sh('alice', 'list --mine --writable'), /use either --mine or --writable/, usage);
    expectUsage(await sh('alice', ['list', '(']), /invalid pattern/, usage);
    expectUsage(await sh('alice', ['list', 'x'.repeat(101)]), /pattern is longer than 100 characters/, usage);
    expectUsage(await sh('alice', 'list a b'), /wrong number of arguments/, usage);
  });

  it('refuses catastrophically backtracking patterns quickly', async () => {
    for (const pattern of ['(a+)+$', '(a|aa)*$', '(\\w+\\s?)*$']) {
      const started = Date.now();
      const r = await sh('alice', ['list', pattern]);
      expect(Date.now() - started, pattern).toBeLessThan(5_000);
      expectUsage(r, /pattern is too slow to evaluate/, 'list [--mine | --writable] [--] [pattern]');
    }
  });

  it('refuses catastrophic patterns that hide the nesting in an extra group or stack quantifiers', async () => {
    // alice can read alice/aaaaaaaaaaaaaaaaaaaaaaaa-: against that name these backtrack for
    // a second or more (minutes with a few more a's), and the server answers nobody meanwhile
    const patterns = ['((a+))+$', '(?:(a+))+$', '(?:a|a)+$', 'a*a*a*a*a*a*a*a*$'];
    const results = [];
    for (const pattern of patterns) {
      const started = Date.now();
      const r = await sh('alice', ['list', pattern]);
      const ms = Date.now() - started;
      results.push({ pattern, code: r.code, refused: /pattern is too slow to evaluate/.test(r.stderr), quick: ms < 5_000, ms });
    }
    expect(
      results.map(({ ms: _ms, ...rest }) => rest),
      JSON.stringify(results),
    ).toEqual(patterns.map((pattern) => ({ pattern, code: 2, refused: true, quick: true })));
  });
});

describe('create', () => {
  it('creates a public repository with a description and prints its SSH clone URL, which works', async () => {
    const r = await sh('alice', ['create', 'made-here', '--description', 'made over ssh']);
    expect(r.code, r.stderr).toBe(0);
    const url = `ssh://git@127.0.0.1:${t.port}/alice/made-here.git`;
    expect(r.stdout).toBe(`created alice/made-here (public)\n  git clone ${url}\n`);
    const { body } = await apiRepo('alice/made-here');
    expect(body).toMatchObject({ full_name: 'alice/made-here', description: 'made over ssh', private: false, internal: false, empty: true });
    expect(existsSync(repoDir('alice/made-here'))).toBe(true);
    // and the printed URL takes a push
    const src = await tempDir();
    const head = await makeRepo(src, 1);
    const push = await git(['push', url, 'main'], { cwd: src, env: gitSshEnv(t, keys.alice!) });
    expect(push.code, push.stderr).toBe(0);
    expect((await gitOk(['--git-dir', repoDir('alice/made-here'), 'rev-parse', 'main'])).trim()).toBe(head);
  });

  it('takes a description of several words quoted as the README shows it, through the local shell and ssh', async () => {
    // ssh joins its arguments with spaces and the server splits them again with shell rules:
    // the inner quotes survive the local shell and keep the words together on the server
    const typed = await run('bash', ['-c', `ssh "$@" create alice/tools --private --description "'build scripts'"`, 'bash', ...sshArgv(t, keys.alice!)], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: t.dir, LC_ALL: 'C' },
    });
    expect(typed.code, typed.stderr).toBe(0);
    expect(typed.stdout).toMatch(/^created alice\/tools \(private\)\n/);
    expect((await apiRepo('alice/tools')).body).toMatchObject({ description: 'build scripts', private: true });
    // typed with one pair of quotes, the words arrive apart: the refusal says what happened
    const once = await run('bash', ['-c', `ssh "$@" create alice/tools2 --description "build scripts"`, 'bash', ...sshArgv(t, keys.alice!)], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: t.dir, LC_ALL: 'C' },
    });
    expect(once.code).toBe(2);
    expect((await apiRepo('alice/tools2')).status).toBe(404);
  });

  it('creates private and internal repositories, and JSON output describes them', async () => {
    expect((await sh('alice', 'create alice/made-private --private')).stdout).toMatch(/^created alice\/made-private \(private\)\n/);
    expect((await apiRepo('alice/made-private')).body).toMatchObject({ private: true, internal: false });
    const j = await sh('alice', 'create made-internal --internal --json');
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({
      full_name: 'alice/made-internal',
      visibility: 'internal',
      empty: true,
      permission: 'admin',
      clone_url: { ssh: `ssh://git@127.0.0.1:${t.port}/alice/made-internal.git` },
    });
    expect((await apiRepo('alice/made-internal')).body).toMatchObject({ private: false, internal: true });
  });

  it('creates into an organization the user is a member of', async () => {
    const r = await sh('alice', 'create team/from-ssh');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^created team\/from-ssh \(public\)\n/);
    expect((await apiRepo('team/from-ssh')).status).toBe(200);
  });

  it("refuses to create in someone else's namespace, and creates nothing", async () => {
    const r = await sh('alice', 'create bob/intruder');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('Gitssy: you may not create repositories for bob\n');
    expect((await apiRepo('bob/intruder')).status).toBe(404);
    expect(existsSync(repoDir('bob/intruder'))).toBe(false);
    const org = await sh('bob', 'create team/intruder');
    expect(org.stderr).toBe('Gitssy: you may not create repositories for team\n');
    expect((await apiRepo('team/intruder')).status).toBe(404);
  });

  it("answers create and fork into a private organization the user can't see like a missing owner", async () => {
    const hidden = await sh('alice', 'create hidden/x');
    const missing = await sh('alice', 'create nosuchorg/x');
    expect(missing.stderr).toBe('Gitssy: no user or organization named "nosuchorg"\n');
    expect(hidden.code).toBe(missing.code);
    expect(hidden.stderr.replace('hidden', 'nosuchorg')).toBe(missing.stderr);
    const hiddenFork = await sh('alice', 'fork alice/pub hidden/x');
    const missingFork = await sh('alice', 'fork alice/pub nosuchorg/x');
    expect(missingFork.stderr).toBe('Gitssy: no user or organization named "nosuchorg"\n');
    expect(hiddenFork.stderr.replace('hidden', 'nosuchorg')).toBe(missingFork.stderr);
    expect((await apiRepo('hidden/x')).status).toBe(404);
    // the API, for comparison, answers 404 for the hidden organization
    expect((await s.api('POST', '/api/v1/orgs/hidden/repos', { auth: ALICE, json: { name: 'x' } })).status).toBe(404);
  });

  it('refuses bad arguments and names', async () => {
    const usage = 'create <owner/name> [--private | --internal] [--description TEXT]';
    expectUsage(await sh('alice', 'create'), /wrong number of arguments/, usage);
    expectUsage(await sh('alice', 'create x --private --internal'), /use either --private or --internal/, usage);
    expectUsage(await sh('alice', 'create a/b/c'), /name the repository as <owner>\/<name>/, usage);
    expectUsage(await sh('alice', 'create x --public'), /Unknown option '--public'/, usage);
    expectUsage(await sh('alice', 'create x --description'), /argument missing|--description/, usage);
    const bad = await sh('alice', 'create .hidden');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Gitssy: repository name must be/);
    const taken = await sh('alice', 'create pub');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe('Gitssy: repository alice/pub already exists\n');
  });
});

describe('fork', () => {
  it('forks a readable repository with its history', async () => {
    const r = await sh('bob', 'fork alice/pub bob/pub-fork');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('forked alice/pub to bob/pub-fork\n');
    expect((await apiRepo('bob/pub-fork')).body).toMatchObject({ fork: true, full_name: 'bob/pub-fork' });
    expect((await gitOk(['--git-dir', repoDir('bob/pub-fork'), 'rev-parse', 'main'])).trim()).toBe(pubHead);
  });

  it('refuses forking into a namespace the user may not create in, and bad arguments', async () => {
    const r = await sh('bob', 'fork alice/pub alice/pub2');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Gitssy: you may not create repositories for alice\n');
    expect((await apiRepo('alice/pub2')).status).toBe(404);
    expectUsage(await sh('bob', 'fork alice/pub'), /wrong number of arguments/, 'fork <existing> <new>');
    expectUsage(await sh('bob', 'fork alice/pub a/b/c'), /name the new repository as <owner>\/<name>/, 'fork <existing> <new>');
  });
});

describe('rename', () => {
  it('renames a repository, prints the new name and warns on stderr that remotes must change', async () => {
    await createRepo(s, ALICE, { name: 'old-name' });
    const r = await sh('alice', 'rename alice/old-name new-name');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('renamed alice/old-name to alice/new-name\n');
    expect(r.stderr).toBe(`warning: clones must point at the new address: git remote set-url origin ssh://git@127.0.0.1:${t.port}/alice/new-name.git\n`);
    expect((await apiRepo('alice/old-name')).status).toBe(404);
    expect((await apiRepo('alice/new-name')).status).toBe(200);
    expect(existsSync(repoDir('alice/new-name'))).toBe(true);
    expect(existsSync(repoDir('alice/old-name'))).toBe(false);
  });

  it('refuses moving to another owner, a taken name, a non-admin, and bad arguments', async () => {
    await createRepo(s, ALICE, { name: 'stay' });
    expectUsage(await sh('alice', 'rename alice/stay bob/stay'), /rename keeps the owner/, 'rename <existing> <new-name>');
    const taken = await sh('alice', 'rename alice/stay pub');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe('Gitssy: repository alice/pub already exists\n');
    const notAdmin = await sh('alice', 'rename bob/shared renamed');
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.stderr).toBe('Gitssy: you need admin access to bob/shared\n');
    expectUsage(await sh('alice', 'rename alice/stay'), /wrong number of arguments/, 'rename <existing> <new-name>');
    expect((await apiRepo('alice/stay')).status).toBe(200);
    expect((await apiRepo('bob/shared')).status).toBe(200);
  });
});

describe('delete', () => {
  it('deletes only when the name is typed twice, and refuses a wrong confirmation', async () => {
    await createRepo(s, ALICE, { name: 'doomed' });
    const usage = 'delete <repo> --yes <repo>';
    expectUsage(await sh('alice', 'delete alice/doomed'), /to delete, confirm with: delete alice\/doomed --yes alice\/doomed/, usage);
    expectUsage(await sh('alice', 'delete alice/doomed --yes alice/pub'), /to delete, confirm with/, usage);
    expectUsage(await sh('alice', 'delete alice/doomed --yes doomed'), /to delete, confirm with/, usage);
    expectUsage(await sh('alice', 'delete alice/doomed --yes'), /argument missing|--yes/, usage);
    expect((await apiRepo('alice/doomed')).status).toBe(200);
    expect(existsSync(repoDir('alice/doomed'))).toBe(true);

    const r = await sh('alice', 'delete alice/doomed --yes alice/doomed.git');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('deleted alice/doomed\n');
    expect((await apiRepo('alice/doomed')).status).toBe(404);
    expect(existsSync(repoDir('alice/doomed'))).toBe(false);
  });

  it('refuses a user without admin access', async () => {
    const r = await sh('alice', 'delete bob/shared --yes bob/shared');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Gitssy: you need admin access to bob/shared\n');
    expect((await apiRepo('bob/shared')).status).toBe(200);
  });
});

describe('show', () => {
  it('shows description, visibility, default branch, access and clone URLs', async () => {
    const r = await sh('alice', 'show alice/pub');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('alice/pub');
    expect(lines[1]).toBe('  the public one');
    expect(lines[2]).toBe('  visibility:     public');
    expect(lines[3]).toBe('  default branch: main');
    expect(lines[4]).toMatch(/^ {2}size: +\d+ KiB$/);
    expect(lines[5]).toBe('  your access:    admin');
    expect(lines[6]).toBe(`  clone (ssh):    ssh://git@127.0.0.1:${t.port}/alice/pub.git`);
    expect(lines[7]).toBe(`  clone (http):   ${s.url}/alice/pub.git`);
    expect((await sh('bob', 'show alice/pub')).stdout).toContain('  your access:    read\n');
    expect((await sh('alice', 'show alice/priv')).stdout).toContain('  visibility:     private\n');
    expect((await sh('alice', 'show bob/pub-fork')).stdout).toMatch(/^bob\/pub-fork \(fork\)\n/);
  });

  it('has a JSON form whose clone URLs work', async () => {
    const j = JSON.parse((await sh('alice', 'show --json /alice/pub.git')).stdout) as {
      full_name: string;
      clone_url: { ssh: string; http: string };
      visibility: string;
      default_branch: string;
      empty: boolean;
    };
    expect(j).toMatchObject({ full_name: 'alice/pub', visibility: 'public', default_branch: 'main', empty: false });
    const viaSsh = await git(['ls-remote', j.clone_url.ssh, 'refs/heads/main'], { env: gitSshEnv(t, keys.alice!) });
    expect(viaSsh.stdout).toBe(`${pubHead}\trefs/heads/main\n`);
    expect(await gitOk(['ls-remote', j.clone_url.http, 'refs/heads/main'])).toBe(`${pubHead}\trefs/heads/main\n`);
  });

  it('refuses bad arguments', async () => {
    expectUsage(await sh('alice', 'show'), /wrong number of arguments/, 'show <repo>');
    const r = await sh('alice', 'show not-a-path');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("Gitssy: repository 'not-a-path' not found\n");
  });
});

describe('ls and cat', () => {
  it('lists the root of the default branch', async () => {
    const r = await sh('alice', 'ls alice/pub');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`file  ${String('# Demo\n\nHello **LAN**.\n'.length).padStart(9)}  README.md\ndir   ${''.padStart(9)}  src/\n`);
  });

  it('lists a subfolder at a ref (a tag sees the old file size)', async () => {
    const v3 = 'export const v1 = 1;\nexport const v2 = 2;\nexport const v3 = 3;\n';
    const v1 = 'export const v1 = 1;\n';
    expect((await sh('alice', 'ls alice/pub main src')).stdout).toBe(`file  ${String(v3.length).padStart(9)}  index.ts\n`);
    expect((await sh('alice', 'ls alice/pub v1 /src/')).stdout).toBe(`file  ${String(v1.length).padStart(9)}  index.ts\n`);
    const j = JSON.parse((await sh('alice', 'ls --json alice/pub main src')).stdout) as { name: string; type: string; sha: string; size: number }[];
    const blob = (await gitOk(['--git-dir', repoDir('alice/pub'), 'rev-parse', 'main:src/index.ts'])).trim();
    expect(j).toEqual([{ name: 'index.ts', type: 'blob', mode: '100644', sha: blob, size: v3.length }]);
  });

  it('says which folder or ref is missing', async () => {
    const folder = await sh('alice', 'ls alice/pub main nope');
    expect(folder.code).toBe(1);
    expect(folder.stderr).toBe('Gitssy: no folder "nope" at "main"\n');
    const file = await sh('alice', 'ls alice/pub main README.md');
    expect(file.code).toBe(1);
    expect(file.stderr).toBe('Gitssy: no folder "README.md" at "main"\n');
    const ref = await sh('alice', 'ls alice/pub no-such-ref');
    expect(ref.code).toBe(1);
    expect(ref.stderr).toBe('Gitssy: no folder "/" at "no-such-ref"\n');
    expectUsage(await sh('alice', 'ls'), /wrong number of arguments/, 'ls <repo> [ref] [path]');
    expectUsage(await sh('alice', 'ls alice/pub main src extra'), /wrong number of arguments/, 'ls <repo> [ref] [path]');
  });

  it('prints a file at a ref', async () => {
    expect(await sh('alice', 'cat alice/pub main README.md')).toEqual({ code: 0, stdout: '# Demo\n\nHello **LAN**.\n', stderr: '' });
    expect((await sh('alice', 'cat alice/pub v1 src/index.ts')).stdout).toBe('export const v1 = 1;\n');
    expect((await sh('alice', `cat alice/pub ${pubHead} /src/index.ts`)).stdout).toBe('export const v1 = 1;\nexport const v2 = 2;\nexport const v3 = 3;\n');
    const j = JSON.parse((await sh('alice', 'cat --json alice/pub main README.md')).stdout) as { path: string; size: number; content_base64: string };
    expect(j).toEqual({ path: 'README.md', size: '# Demo\n\nHello **LAN**.\n'.length, content_base64: Buffer.from('# Demo\n\nHello **LAN**.\n').toString('base64') });
  });

  it('refuses a missing file, a folder, and bad arguments', async () => {
    const missing = await sh('alice', 'cat alice/pub main nope.txt');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe('Gitssy: no file "nope.txt" at "main"\n');
    const folder = await sh('alice', 'cat alice/pub main src');
    expect(folder.code).toBe(1);
    expect(folder.stdout).toBe('');
    expect(folder.stderr).toBe('Gitssy: no file "src" at "main"\n');
    const badRef = await sh('alice', 'cat alice/pub nosuchref README.md');
    expect(badRef.code).toBe(1);
    expect(badRef.stderr).toBe('Gitssy: no file "README.md" at "nosuchref"\n');
    expectUsage(await sh('alice', 'cat alice/pub main'), /wrong number of arguments/, 'cat <repo> <ref> <path>');
    expectUsage(await sh('alice', 'cat alice/pub --output=/tmp/x README.md'), /Unknown option '--output'/, 'cat <repo> <ref> <path>');
  });
});

describe('config', () => {
  it('changes the description, visibility and default branch', async () => {
    await createRepo(s, ALICE, { name: 'cfg' });
    const src = await tempDir();
    await makeRepo(src, 1);
    await gitOk(['push', '-q', s.gitUrl('alice/cfg.git', ALICE), 'main', 'main:dev'], { cwd: src });

    const d = await sh('alice', ['config', 'alice/cfg', 'description', 'new words here']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toBe('alice/cfg: description = new words here\n');
    expect((await apiRepo('alice/cfg')).body).toMatchObject({ description: 'new words here' });

    expect((await sh('alice', 'config alice/cfg visibility private')).stdout).toBe('alice/cfg: visibility = private\n');
    expect((await apiRepo('alice/cfg')).body).toMatchObject({ private: true });
    expect((await sh('bob', 'show alice/cfg')).stderr).toBe('Gitssy: repository not found\n');

    expect((await sh('alice', 'config alice/cfg default-branch dev')).stdout).toBe('alice/cfg: default-branch = dev\n');
    expect((await apiRepo('alice/cfg')).body).toMatchObject({ default_branch: 'dev' });
    expect((await gitOk(['--git-dir', repoDir('alice/cfg'), 'symbolic-ref', 'HEAD'])).trim()).toBe('refs/heads/dev');
  });

  it('refuses bad values and keys, a missing branch, and users without admin access', async () => {
    const usage = 'config <repo> description|visibility|default-branch <value>';
    expectUsage(await sh('alice', 'config alice/cfg visibility secret'), /visibility is public, internal or private/, usage);
    expectUsage(await sh('alice', 'config alice/cfg owner bob'), /config keys: description, visibility, default-branch/, usage);
    expectUsage(await sh('alice', 'config alice/cfg description'), /wrong number of arguments/, usage);
    const branch = await sh('alice', 'config alice/cfg default-branch nosuch');
    expect(branch.code).toBe(1);
    expect(branch.stderr).toBe('Gitssy: branch "nosuch" does not exist\n');
    const notAdmin = await sh('alice', 'config bob/shared description hijacked');
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.stderr).toBe('Gitssy: you need admin access to bob/shared\n');
    expect((await apiRepo('bob/shared')).body).toMatchObject({ description: '' });
    expect((await apiRepo('alice/cfg')).body).toMatchObject({ default_branch: 'dev', private: true });
  });
});

describe('keys', () => {
  it('lists the user’s keys with id, fingerprint, type and title', async () => {
    const [stored] = (await (await s.api('GET', '/api/v1/user/keys', { auth: ALICE })).json()) as ApiKey[];
    const r = await sh('alice', 'keys list');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${String(stored!.id).padStart(4)}  ${keys.alice!.fingerprint}  ssh-ed25519  alice laptop\n`);
    expect(JSON.parse((await sh('alice', 'keys list --json')).stdout)).toEqual([{ id: stored!.id, title: 'alice laptop', fingerprint: keys.alice!.fingerprint, type: 'ssh-ed25519' }]);
  });

  it('adds a key that then signs in, and removes it so it no longer does', async () => {
    const k = await generateKey('ecdsa', 'second@laptop');
    const added = await sh('alice', ['keys', 'add', k.publicLine, '--title', 'added over ssh']);
    expect(added.code, added.stderr).toBe(0);
    const m = /^added key (\d+) (SHA256:\S+)\n$/.exec(added.stdout);
    expect(m, added.stdout).not.toBeNull();
    expect(m![2]).toBe(k.fingerprint);
    expect((await sh('alice', 'keys list')).stdout).toContain(`${k.fingerprint}  ecdsa-sha2-nistp256  added over ssh`);
    expect((await sshRun(t, k, 'whoami')).stdout).toBe('alice\n');

    const removed = await sh('alice', ['keys', 'remove', m![1]!]);
    expect(removed).toEqual({ code: 0, stdout: `removed key ${m![1]}\n`, stderr: '' });
    const after = await sshRun(t, k, 'whoami');
    expect(after.code).toBe(255);
    expect(after.stderr).toMatch(/Permission denied \(publickey\)/);
  });

  it('adds a key typed as the README shows it: from stdin, and as "$(cat key.pub)" which ssh splits into words', async () => {
    // the local shell runs these lines exactly as a user types them; "$@" stands for -i, -p and git@host
    const typed = (line: string, env: Record<string, string> = {}) =>
      run('bash', ['-c', line, 'bash', ...sshArgv(t, keys.alice!)], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: t.dir, LC_ALL: 'C', ...env } });
    const fromStdin = await generateKey('ed25519', 'alice@desktop');
    const viaStdin = await typed('ssh "$@" keys add --title desktop < "$KEY"', { KEY: `${fromStdin.file}.pub` });
    expect(viaStdin.code, viaStdin.stderr).toBe(0);
    expect(viaStdin.stdout).toMatch(new RegExp(`^added key \\d+ ${fromStdin.fingerprint.replace(/[+/]/g, '\\$&')}\n$`));
    const onLine = await generateKey('ecdsa', 'alice@tablet');
    const viaLine = await typed('ssh "$@" keys add "$(cat "$KEY")"', { KEY: `${onLine.file}.pub` });
    expect(viaLine.code, viaLine.stderr).toBe(0);
    // the key comes back whole, comment included, and signs in
    const stored = (await (await s.api('GET', '/api/v1/user/keys', { auth: ALICE })).json()) as ApiKey[];
    expect(stored.find((x) => x.fingerprint === onLine.fingerprint)?.key).toBe(onLine.publicLine.split(' ').slice(0, 2).join(' '));
    expect(stored.find((x) => x.fingerprint === fromStdin.fingerprint)?.title).toBe('desktop');
    for (const k of [fromStdin, onLine]) expect((await sshRun(t, k, 'whoami')).stdout).toBe('alice\n');
    for (const k of stored.filter((x) => x.fingerprint !== keys.alice!.fingerprint)) expect((await sh('alice', ['keys', 'remove', String(k.id)])).code).toBe(0);
  });

  it("refuses invalid keys, someone else's key id, and bad arguments", async () => {
    const k = await generateKey('ed25519');
    const opts = await sh('alice', ['keys', 'add', `command="touch /tmp/x" ${k.publicLine}`]);
    expect(opts.code).toBe(1);
    expect(opts.stderr).toMatch(/^Gitssy: key must start with its type .* options are not allowed\n$/);
    const taken = await sh('alice', ['keys', 'add', keys.bob!.publicLine]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/already in use by another account/);

    const [bobKey] = (await (await s.api('GET', '/api/v1/user/keys', { auth: BOB })).json()) as ApiKey[];
    const other = await sh('alice', ['keys', 'remove', String(bobKey!.id)]);
    expect(other.code).toBe(1);
    expect(other.stderr).toBe('Gitssy: key does not exist\n');
    expect((await sh('bob', 'whoami')).stdout).toBe('bob\n');

    const usage = 'keys list | keys add [--title T] [key] | keys remove <id>';
    expectUsage(await sh('alice', 'keys'), /keys list \| keys add/, usage);
    expectUsage(await sh('alice', 'keys frob'), /keys list \| keys add/, usage);
    expectUsage(await sh('alice', 'keys remove abc'), /give the key id shown by "keys list"/, usage);
    // no key on the line and nothing on stdin
    expectUsage(await sh('alice', 'keys add'), /no key given: put it on the line, or send it on stdin/, usage);
    const two = await sshRun(t, keys.alice!, 'keys add', { input: `${k.publicLine}\n${(await generateKey('ed25519')).publicLine}\n` });
    expectUsage(two, /stdin holds more than one key; add them one at a time/, usage);
    expectUsage(await sshRun(t, keys.alice!, 'keys add', { input: 'x'.repeat(20_000) }), /stdin is longer than 16 KiB/, usage);
    expectUsage(await sh('alice', 'keys list extra'), /wrong number of arguments/, usage);
    expect(((await (await s.api('GET', '/api/v1/user/keys', { auth: ALICE })).json()) as ApiKey[]).map((x) => x.fingerprint)).toEqual([keys.alice!.fingerprint]);
  });
});

describe('token', () => {
  it('creates a personal access token that works against the API', async () => {
    const r = await sh('alice', 'token create --name from-ssh');
    expect(r.code, r.stderr).toBe(0);
    const m = /^created token "from-ssh" with scopes all\n([0-9a-f]{40})\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const res = await s.api('GET', '/api/v1/user', { token: m![1] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { login: string }).login).toBe('alice');
    // a wrong token does not
    expect((await s.api('GET', '/api/v1/user', { token: m![1]!.replace(/.$/, (c) => (c === '0' ? '1' : '0')) })).status).toBe(401);
  });

  it('creates a token with limited scopes and a default name', async () => {
    const j = JSON.parse((await sh('alice', 'token create --scopes read:repository --json')).stdout) as { name: string; scopes: string[]; token: string };
    expect(j.name).toMatch(/^ssh-\d{14}$/);
    expect(j.scopes).toEqual(['read:repository']);
    expect((await s.api('GET', '/api/v1/repos/alice/priv', { token: j.token })).status).toBe(200);
    expect((await s.api('PATCH', '/api/v1/repos/alice/priv', { token: j.token, json: { description: 'nope' } })).status).toBe(403);
  });

  it('refuses bad arguments', async () => {
    const usage = 'token create [--name N] [--scopes read:repository,...]';
    expectUsage(await sh('alice', 'token'), /token create/, usage);
    expectUsage(await sh('alice', 'token list'), /token create/, usage);
    expectUsage(await sh('alice', 'token create extra'), /wrong number of arguments/, usage);
    const dup = await sh('alice', 'token create --name from-ssh');
    expect(dup.code).toBe(1);
    expect(dup.stdout).toBe('');
    const scopes = await sh('alice', 'token create --scopes root:everything');
    expect(scopes.code).toBe(1);
    expect(scopes.stdout).toBe('');
  });
});

describe("another user's private repository", () => {
  it('is "not found" through every command, exactly like a repository that does not exist', async () => {
    const commands = (repo: string): string[] => [
      `show ${repo}`,
      `ls ${repo}`,
      `ls ${repo} main src`,
      `cat ${repo} main README.md`,
      `delete ${repo} --yes ${repo}`,
      `rename ${repo} taken-over`,
      `config ${repo} description owned`,
      `config ${repo} visibility public`,
      `fork ${repo} bob/copy`,
    ];
    const hidden = commands('alice/priv');
    const missing = commands('alice/nope');
    for (let i = 0; i < hidden.length; i++) {
      const h = await sh('bob', hidden[i]!);
      const m = await sh('bob', missing[i]!);
      expect(h.code, hidden[i]).toBe(1);
      expect(h.stdout, hidden[i]).toBe('');
      expect(h.stderr, hidden[i]).toBe('Gitssy: repository not found\n');
      expect({ ...h }, hidden[i]).toEqual({ ...m });
    }
    expect(names(await sh('bob', 'list priv'))).toEqual([]);
    // nothing changed
    expect((await apiRepo('alice/priv')).body).toMatchObject({ private: true, description: '', full_name: 'alice/priv' });
    expect((await apiRepo('bob/copy')).status).toBe(404);
    expect((await gitOk(['--git-dir', repoDir('alice/priv'), 'rev-parse', 'main'])).trim()).toBe(pubHead);
  });
});

function names(r: RunResult): string[] {
  return r.stdout
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(/\s+/)[0]!);
}
