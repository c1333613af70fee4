// Web edits end to end against a real server and the real git client: every contents API
// operation lands as one commit whose tree is exactly what `git add` + `git commit` in a clone
// makes (cloned and fscked afterwards); stale blob ids and a branch that moved under the editor
// are 409s that write nothing; paths into .git (every alias git refuses), through symlinks (the
// Gogs CVEs) or over submodules are refused; restore, revert (a pull request on a protected
// branch) and the guarded reset with its undo; each write is a push event with its actor.
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, gitOk, makeRepo, rawHttp, tempDir } from '../fixtures/rig.js';
import { startInProcess, type InProcessServer } from './in-process.js';
import { query } from './outbox-probe.js';

const ALICE: [string, string] = ['alice', 'alice-pass-123']; // owns the repositories, site admin
const BOB: [string, string] = ['bob', 'bob-pass-12345']; // write collaborator on alice/proj
const CAROL: [string, string] = ['carol', 'carol-pass-123']; // read collaborator on alice/proj

let s: InProcessServer;
let work: string;

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
const api = (method: string, p: string, json?: unknown, auth: [string, string] = ALICE) => s.api(method, `/api/v1/repos/${p}`, { auth, json });
async function ok<T = Record<string, unknown>>(res: Response | Promise<Response>, status: number): Promise<T> {
  const r = await res;
  const text = await r.text();
  expect(r.status, text).toBe(status);
  return (text ? JSON.parse(text) : null) as T;
}
const repoDir = (full: string) => path.join(s.data, 'repos', `${full}.git`);
const tip = async (full: string, branch = 'main') => (await gitOk(['--git-dir', repoDir(full), 'rev-parse', `refs/heads/${branch}`])).trim();
const blobAt = async (full: string, rev: string, file: string) => (await gitOk(['--git-dir', repoDir(full), 'rev-parse', `${rev}:${file}`])).trim();
const tree = async (full: string, rev: string) => (await gitOk(['--git-dir', repoDir(full), 'rev-parse', `${rev}^{tree}`])).trim();

/** A fresh clone of the branch, for doing the same change the local way. */
async function clone(full: string, branch = 'main'): Promise<string> {
  const dir = path.join(work, `clone-${Math.random().toString(36).slice(2)}`);
  await gitOk(['clone', '-q', '-b', branch, s.gitUrl(`${full}.git`, ALICE), dir]);
  await gitOk(['config', 'user.name', 'Local'], { cwd: dir });
  await gitOk(['config', 'user.email', 'local@example.test'], { cwd: dir });
  return dir;
}
const localTree = async (dir: string) => (await gitOk(['rev-parse', 'HEAD^{tree}'], { cwd: dir })).trim();

beforeAll(async () => {
  s = await startInProcess();
  work = await tempDir('gitssy-edits-');
  await s.app.services.users.create({ username: ALICE[0], password: ALICE[1], email: 'alice@example.test', isAdmin: true, fullName: 'Alice Admin' });
  await createUser(s, ...BOB, { via: ALICE });
  await createUser(s, ...CAROL, { via: ALICE });
  for (const name of ['proj', 'guarded', 'links']) await createRepo(s, ALICE, { name });
  await createRepo(s, ALICE, { name: 'blank' });
  expect((await api('PUT', 'alice/proj/collaborators/bob', { permission: 'write' })).status).toBe(204);
  expect((await api('PUT', 'alice/proj/collaborators/carol', { permission: 'read' })).status).toBe(204);
  for (const name of ['proj', 'guarded']) {
    const src = await tempDir();
    await makeRepo(src, 3);
    await gitOk(['push', '-q', s.gitUrl(`alice/${name}.git`, ALICE), 'main'], { cwd: src });
  }
  // a repository with a symlink to the outside, one into .git, and a submodule
  const links = await tempDir();
  await makeRepo(links, 1);
  await symlink('/etc', path.join(links, 'linkdir'));
  await symlink('.git/config', path.join(links, 'gitlink'));
  await gitOk(['add', 'linkdir', 'gitlink'], { cwd: links });
  await gitOk(['update-index', '--add', '--cacheinfo', `160000,${(await gitOk(['rev-parse', 'HEAD'], { cwd: links })).trim()},vendor/lib`], { cwd: links });
  await gitOk(['commit', '-q', '-m', 'links and a submodule'], { cwd: links });
  await gitOk(['push', '-q', s.gitUrl('alice/links.git', ALICE), 'main'], { cwd: links });
}, 60_000);
afterAll(async () => {
  await s?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("Gitea's contents API", () => {
  it('creates, updates, moves and deletes files in commits identical to a local git commit', async () => {
    const local = await clone('alice/proj');
    // create
    const created = await ok<{
      content: { path: string; sha: string; content: string; type: string };
      commit: { sha: string; message: string; author: { name: string; email: string }; parents: { sha: string }[] };
    }>(api('POST', 'alice/proj/contents/docs/guide.md', { content: b64('# Guide\n'), message: 'add the guide' }), 201);
    expect(created.content).toMatchObject({ path: 'docs/guide.md', type: 'file', content: b64('# Guide\n') });
    expect(created.commit).toMatchObject({ message: 'add the guide\n', author: { name: 'Alice Admin', email: 'alice@example.test' } });
    expect(await tip('alice/proj')).toBe(created.commit.sha);
    await mkdir(path.join(local, 'docs'));
    await writeFile(path.join(local, 'docs/guide.md'), '# Guide\n');
    await gitOk(['add', '-A'], { cwd: local });
    await gitOk(['commit', '-qm', 'x'], { cwd: local });
    expect(await tree('alice/proj', 'main')).toBe(await localTree(local));
    expect(created.content.sha).toBe(await blobAt('alice/proj', 'main', 'docs/guide.md'));

    // update, with the blob id being replaced
    const updated = await ok<{ content: { sha: string }; commit: { sha: string; parents: { sha: string }[] } }>(
      api('PUT', 'alice/proj/contents/docs/guide.md', { content: b64('# Guide\n\nStep one.\n'), sha: created.content.sha }),
      200,
    );
    expect(updated.commit.parents.map((p) => p.sha)).toEqual([created.commit.sha]);
    await writeFile(path.join(local, 'docs/guide.md'), '# Guide\n\nStep one.\n');
    // move with new content (from_path)
    const moved = await ok<{ content: { path: string } }>(
      api('PUT', 'alice/proj/contents/guide/README.md', { content: b64('# Guide v2\n'), sha: updated.content.sha, from_path: 'docs/guide.md', message: 'move it' }),
      200,
    );
    expect(moved.content.path).toBe('guide/README.md');
    await mkdir(path.join(local, 'guide'));
    await rm(path.join(local, 'docs'), { recursive: true });
    await writeFile(path.join(local, 'guide/README.md'), '# Guide v2\n');
    await gitOk(['add', '-A'], { cwd: local });
    await gitOk(['commit', '-qm', 'x'], { cwd: local });
    expect(await tree('alice/proj', 'main')).toBe(await localTree(local));

    // delete
    const del = await ok<{ content: null; commit: { message: string } }>(api('DELETE', 'alice/proj/contents/guide/README.md', { sha: await blobAt('alice/proj', 'main', 'guide/README.md') }), 200);
    expect(del).toMatchObject({ content: null, commit: { message: 'Delete guide/README.md\n' } });
    await gitOk(['rm', '-q', 'guide/README.md'], { cwd: local });
    await gitOk(['commit', '-qm', 'x'], { cwd: local });
    expect(await tree('alice/proj', 'main')).toBe(await localTree(local));

    // and what a clone sees is whole
    const again = await clone('alice/proj');
    await gitOk(['fsck', '--strict'], { cwd: again });
    await gitOk(['--git-dir', repoDir('alice/proj'), 'fsck', '--strict', '--no-dangling']);
    expect(await gitOk(['log', '--format=%s', '-4'], { cwd: again })).toBe('Delete guide/README.md\nmove it\nUpdate docs/guide.md\nadd the guide\n');
  });

  it('changes many files — and moves and deletes whole folders — in one commit', async () => {
    const before = await tip('alice/proj');
    const local = await clone('alice/proj');
    const files = Array.from({ length: 40 }, (_, i) => ({ operation: 'create', path: `upload/set/f${i}.txt`, content: b64(`file ${i}\n`) }));
    const res = await ok<{ files: ({ path: string } | null)[]; commit: { sha: string; parents: { sha: string }[] } }>(
      api('POST', 'alice/proj/contents', {
        files: [...files, { operation: 'update', path: 'README.md', content: b64('# Demo v2\n'), sha: await blobAt('alice/proj', 'main', 'README.md') }],
        message: 'upload a set',
      }),
      201,
    );
    expect(res.files).toHaveLength(41);
    expect(res.files[0]).toMatchObject({ path: 'upload/set/f0.txt' });
    expect(res.commit.parents.map((p) => p.sha)).toEqual([before]);
    await mkdir(path.join(local, 'upload/set'), { recursive: true });
    for (let i = 0; i < 40; i++) await writeFile(path.join(local, `upload/set/f${i}.txt`), `file ${i}\n`);
    await writeFile(path.join(local, 'README.md'), '# Demo v2\n');
    await gitOk(['add', '-A'], { cwd: local });
    await gitOk(['commit', '-qm', 'x'], { cwd: local });
    expect(await tree('alice/proj', 'main')).toBe(await localTree(local));

    // a folder moves as it is (its tree id as sha), another is deleted, in one commit
    const setTree = await blobAt('alice/proj', 'main', 'upload/set');
    const srcTree = await blobAt('alice/proj', 'main', 'src');
    await ok(
      api('POST', 'alice/proj/contents', {
        files: [
          { operation: 'update', from_path: 'upload/set', path: 'data/files', sha: setTree },
          { operation: 'delete', path: 'src', sha: srcTree },
        ],
      }),
      201,
    );
    await gitOk(['mv', 'upload/set', 'data-files-tmp'], { cwd: local });
    await mkdir(path.join(local, 'data'));
    await gitOk(['mv', 'data-files-tmp', 'data/files'], { cwd: local });
    await gitOk(['rm', '-rq', 'src'], { cwd: local });
    await gitOk(['commit', '-qm', 'x'], { cwd: local });
    expect(await tree('alice/proj', 'main')).toBe(await localTree(local));
    expect(await blobAt('alice/proj', 'main', 'data/files')).toBe(setTree);
  });

  it('commits to a new branch, leaving the base branch alone', async () => {
    const main = await tip('alice/proj');
    const res = await ok<{ commit: { sha: string; parents: { sha: string }[] } }>(
      api('POST', 'alice/proj/contents/feature.txt', { content: b64('new\n'), branch: 'main', new_branch: 'feature/one' }),
      201,
    );
    expect(await tip('alice/proj')).toBe(main);
    expect(await tip('alice/proj', 'feature/one')).toBe(res.commit.sha);
    expect(res.commit.parents[0]!.sha).toBe(main);
    // the new branch must be new
    const again = await api('POST', 'alice/proj/contents/other.txt', { content: b64('x'), new_branch: 'feature/one' });
    expect(again.status).toBe(409);
    expect(await tip('alice/proj', 'feature/one')).toBe(res.commit.sha);
  });

  it('refuses a stale sha and a branch that moved under the editor with 409, writing nothing', async () => {
    const opened = await tip('alice/proj');
    const readme = await blobAt('alice/proj', 'main', 'README.md');
    await ok(api('PUT', 'alice/proj/contents/README.md', { content: b64('# Demo v3\n'), sha: readme }), 200);
    const moved = await tip('alice/proj');
    // the same sha again: the file changed since — a lost update refused
    const stale = await api('PUT', 'alice/proj/contents/README.md', { content: b64('# lost\n'), sha: readme });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { message: string }).message).toMatch(/changed since you started/);
    // an editor that opened before that commit, editing another file: the branch changed
    const editor = await api('POST', 'alice/proj/contents/notes.txt', { content: b64('n'), last_commit_id: opened });
    expect(editor.status).toBe(409);
    expect(((await editor.json()) as { message: string }).message).toBe('the branch changed since you started — review the new changes');
    // a create over an existing file
    expect((await api('POST', 'alice/proj/contents/README.md', { content: b64('x') })).status).toBe(409);
    expect(await tip('alice/proj')).toBe(moved);
    // with the current tip it goes through
    await ok(api('POST', 'alice/proj/contents/notes.txt', { content: b64('n'), last_commit_id: moved }), 201);
  });

  it('refuses bad input with a clear error and nothing written', async () => {
    const before = await tip('alice/proj');
    const bad = async (method: string, p: string, body: unknown, status: number, message: RegExp) => {
      const res = await api(method, `alice/proj/${p}`, body);
      const text = await res.text();
      expect(res.status, `${method} ${p}: ${text}`).toBe(status);
      expect((JSON.parse(text) as { message: string }).message).toMatch(message);
    };
    await bad('POST', 'contents/x.txt', { content: 'not base64!!' }, 422, /content is not valid base64/);
    await bad('POST', 'contents/x.txt', { content: b64('x'), branch: 'nope' }, 404, /branch "nope" not found/);
    await bad('POST', 'contents/x.txt', { content: b64('x'), new_branch: 'bad..name' }, 422, /new_branch/);
    await bad('PUT', 'contents/README.md', { content: b64('x') }, 422, /sha/);
    await bad('DELETE', 'contents/nothing-here.txt', { sha: 'a'.repeat(40) }, 404, /does not exist/);
    await bad('POST', 'contents/con.txt', { content: b64('x') }, 422, /reserved on Windows/);
    await bad(
      'POST',
      'contents',
      {
        files: [
          { operation: 'create', path: 'a.txt', content: b64('1') },
          { operation: 'create', path: 'a.txt', content: b64('2') },
        ],
      },
      422,
      /more than one change/,
    );
    await bad(
      'POST',
      'contents',
      {
        files: [
          { operation: 'create', path: 'a', content: b64('1') },
          { operation: 'create', path: 'a/b', content: b64('2') },
        ],
      },
      422,
      /inside "a"/,
    );
    await bad('POST', 'contents/README.md/child.txt', { content: b64('x') }, 422, /"README.md" is a file/);
    // a carol who may only read, and a stranger
    expect((await api('POST', 'alice/proj/contents/c.txt', { content: b64('c') }, CAROL)).status).toBe(403);
    expect(await tip('alice/proj')).toBe(before);
    // a writer may
    await ok(api('POST', 'alice/proj/contents/by-bob.txt', { content: b64('bob') }, BOB), 201);
  });

  it('holds files to the push cap and the quota, and answers 503 in maintenance', async () => {
    const before = await tip('alice/proj');
    await ok(s.api('PATCH', '/api/v1/admin/settings', { auth: ALICE, json: { 'git.maxPushBytes': 1000 } }), 200);
    try {
      const limits = await ok<{ max_push_bytes: number; max_file_bytes: number }>(api('GET', 'alice/proj/edits/limits'), 200);
      expect(limits).toMatchObject({ max_push_bytes: 1000, max_file_bytes: 1000 });
      const big = await api('POST', 'alice/proj/contents/big.bin', { content: b64(Buffer.alloc(1001)) });
      expect(big.status).toBe(422);
      expect(((await big.json()) as { message: string }).message).toMatch(/push size cap/);
      const many = await api('POST', 'alice/proj/contents', { files: [0, 1].map((i) => ({ operation: 'create', path: `half${i}.bin`, content: b64(Buffer.alloc(600)) })) });
      expect(many.status).toBe(422);
    } finally {
      await ok(s.api('PATCH', '/api/v1/admin/settings', { auth: ALICE, json: { 'git.maxPushBytes': 2 * 1024 * 1024 * 1024 } }), 200);
    }
    // the repository quota holds for web writes as for pushes
    await ok(s.api('PATCH', '/api/v1/admin/settings', { auth: ALICE, json: { 'git.maxRepoBytes': 1 } }), 200);
    try {
      const over = await api('POST', 'alice/proj/contents/quota.txt', { content: b64('over the quota') });
      expect(over.status).toBe(403);
      expect(((await over.json()) as { message: string }).message).toMatch(/quota/);
    } finally {
      await ok(s.api('PATCH', '/api/v1/admin/settings', { auth: ALICE, json: { 'git.maxRepoBytes': 0 } }), 200);
    }
    await ok(s.api('PUT', '/api/v1/admin/maintenance', { auth: ALICE, json: { enabled: true, message: 'Back soon' } }), 200);
    try {
      const res = await api('POST', 'alice/proj/contents/m.txt', { content: b64('m') }, BOB);
      expect(res.status).toBe(503);
    } finally {
      await ok(s.api('PUT', '/api/v1/admin/maintenance', { auth: ALICE, json: { enabled: false } }), 200);
    }
    expect(await tip('alice/proj')).toBe(before);
  });

  it('records every edit as one push event with the actor', async () => {
    const rows = await query<{ pusher_id: number; transport: string; updates: string }>(
      s.data,
      "SELECT pusher_id, transport, updates FROM push_events WHERE repo_id = (SELECT id FROM repositories WHERE lower_name = 'proj') AND transport = 'web' ORDER BY id",
    );
    const bob = (await query<{ id: number }>(s.data, "SELECT id FROM users WHERE lower_name = 'bob'"))[0]!.id;
    expect(rows.length).toBeGreaterThanOrEqual(8);
    const last = rows[rows.length - 1]!;
    expect(last.pusher_id).toBe(bob);
    expect((JSON.parse(last.updates) as { ref: string }[])[0]!.ref).toBe('refs/heads/main');
  });
});

describe('paths git itself would refuse, symlinks and submodules', () => {
  it('refuses every spelling of .git, traversal and absolute paths', async () => {
    const before = await tip('alice/links');
    const evil = [
      '.git/config',
      '.GIT/hooks/x',
      '.git./config',
      '.git /config',
      '.git::$INDEX_ALLOCATION/config',
      'git~1/config',
      'GIT~2/x',
      '.g\u200cit/config',
      '\ufeff.git/config',
      'a/.git/config',
      'a/../../x',
      '../escape',
      '/etc/passwd',
      'a//b',
      'a\\..\\b',
      'C:/x',
    ];
    for (const p of evil) {
      const res = await api('POST', 'alice/links/contents', { files: [{ operation: 'create', path: p, content: b64('evil') }] });
      expect(res.status, `${p}: ${await res.clone().text()}`).toBe(422);
    }
    // the same through the URL, as raw bytes (no client-side normalisation)
    for (const p of ['.git/config', 'a/../../x', 'git~1/config', '.Git/HEAD']) {
      const res = await rawHttp(s, 'POST', `/api/v1/repos/alice/links/contents/${p}`, { auth: ALICE, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ content: b64('x') }) });
      expect(res.status, p).toBeGreaterThanOrEqual(400);
      expect(res.status, p).toBeLessThan(500);
    }
    // CVE-2024-39931: deleting the repository's own files through the editor
    expect((await api('DELETE', 'alice/links/contents/.git/config', { sha: 'a'.repeat(40) })).status).toBe(422);
    expect(await tip('alice/links')).toBe(before);
    expect(await readFile(path.join(repoDir('alice/links'), 'config'), 'utf8')).toMatch(/\[core\]/);
  });

  it('never writes through a symlink (CVE-2025-8110) nor edits one, and never replaces a submodule', async () => {
    const before = await tip('alice/links');
    const gitConfig = await readFile(path.join(repoDir('alice/links'), 'config'), 'utf8');
    // a path through the symlink to /etc
    const through = await api('POST', 'alice/links/contents/linkdir/passwd', { content: b64('root::0:0::/:/bin/sh\n') });
    expect(through.status).toBe(422);
    expect(((await through.json()) as { message: string }).message).toMatch(/through the symlink "linkdir"/);
    // new content for the symlink itself (which points into .git): refused, not followed
    const link = await blobAt('alice/links', 'main', 'gitlink');
    const edit = await api('PUT', 'alice/links/contents/gitlink', { content: b64('[core]\n\thooksPath = /tmp/evil\n'), sha: link });
    expect(edit.status).toBe(422);
    expect(((await edit.json()) as { message: string }).message).toMatch(/symlink/);
    // the submodule path can't become a file
    const sub = await blobAt('alice/links', 'main', 'vendor/lib');
    expect((await api('PUT', 'alice/links/contents/vendor/lib', { content: b64('file'), sha: sub })).status).toBe(422);
    expect((await api('POST', 'alice/links/contents/vendor/lib/inside.txt', { content: b64('x') })).status).toBe(422);
    expect(await tip('alice/links')).toBe(before);
    expect(await readFile(path.join(repoDir('alice/links'), 'config'), 'utf8')).toBe(gitConfig);
    // moving the symlink keeps it a symlink, bytes untouched
    await ok(api('PUT', 'alice/links/contents/moved-link', { sha: link, from_path: 'gitlink' }), 200);
    const ls = await gitOk(['--git-dir', repoDir('alice/links'), 'ls-tree', 'main', 'moved-link']);
    expect(ls).toMatch(new RegExp(`^120000 blob ${link}\tmoved-link`));
  });

  it('creates the first commit of an empty repository', async () => {
    const res = await ok<{ commit: { parents: unknown[] } }>(api('POST', 'alice/blank/contents/README.md', { content: b64('# Blank\n') }), 201);
    expect(res.commit.parents).toEqual([]);
    const local = await clone('alice/blank');
    expect(await readFile(path.join(local, 'README.md'), 'utf8')).toBe('# Blank\n');
  });
});

describe('preview, restore, revert, reset', () => {
  it("previews a change's diff without writing it", async () => {
    const before = await tip('alice/proj');
    const p = await ok<{ base_commit: string; files: { filename: string; status: string; additions: number; patch: string }[] }>(
      api('POST', 'alice/proj/edits/preview', {
        files: [
          { operation: 'update', path: 'README.md', content: b64('# Previewed\n'), sha: await blobAt('alice/proj', 'main', 'README.md') },
          { operation: 'create', path: 'p/new.txt', content: b64('one\ntwo\n') },
        ],
      }),
      200,
    );
    expect(p.base_commit).toBe(before);
    expect(p.files.map((f) => [f.filename, f.status])).toEqual([
      ['README.md', 'modified'],
      ['p/new.txt', 'added'],
    ]);
    expect(p.files[0]!.patch).toContain('+# Previewed');
    expect(p.files[1]!.additions).toBe(2);
    expect(await tip('alice/proj')).toBe(before);
  });

  it('restores a file and a folder to an earlier commit', async () => {
    const first = (await gitOk(['--git-dir', repoDir('alice/guarded'), 'rev-list', '--max-parents=0', 'main'])).trim();
    await ok(api('PUT', 'alice/guarded/contents/src/index.ts', { content: b64('changed\n'), sha: await blobAt('alice/guarded', 'main', 'src/index.ts') }), 200);
    const r = await ok<{ commit: { sha: string; message: string } }>(api('POST', 'alice/guarded/edits/restore', { path: 'src', commit: first }), 201);
    expect(await blobAt('alice/guarded', r.commit.sha, 'src')).toBe(await blobAt('alice/guarded', first, 'src'));
    expect(r.commit.message).toMatch(/^Restore src to /);
  });

  it('reverts a commit, and opens a pull request instead on a protected branch', async () => {
    const readmeBefore = await blobAt('alice/guarded', 'main', 'README.md');
    const change = await ok<{ commit: { sha: string } }>(api('PUT', 'alice/guarded/contents/README.md', { content: b64('# Oops\n'), sha: readmeBefore, message: 'an oops' }), 200);
    const rev = await ok<{ commit: { sha: string; message: string }; branch: string; pull: null }>(api('POST', 'alice/guarded/edits/revert', { commit: change.commit.sha }), 201);
    expect(rev).toMatchObject({ branch: 'main', pull: null });
    expect(rev.commit.message).toBe(`Revert "an oops"\n\nThis reverts commit ${change.commit.sha}.\n`);
    expect(await blobAt('alice/guarded', 'main', 'README.md')).toBe(readmeBefore);
    // a revert that no longer applies
    const c2 = await ok<{ commit: { sha: string } }>(api('PUT', 'alice/guarded/contents/README.md', { content: b64('# Two\n'), sha: readmeBefore }), 200);
    await ok(api('PUT', 'alice/guarded/contents/README.md', { content: b64('# Three\n'), sha: await blobAt('alice/guarded', 'main', 'README.md') }), 200);
    const stuck = await api('POST', 'alice/guarded/edits/revert', { commit: c2.commit.sha });
    expect(stuck.status).toBe(409);
    expect(((await stuck.json()) as { message: string }).message).toMatch(/does not apply cleanly/);
    // protected: a branch and a pull request
    const added = await ok<{ commit: { sha: string } }>(api('POST', 'alice/guarded/contents/revert-me.txt', { content: b64('soon gone\n') }), 201);
    await ok(api('POST', 'alice/guarded/branch_protections', { rule_name: 'main' }), 201);
    const mainTip = await tip('alice/guarded');
    const viaPr = await ok<{ branch: string; pull: { number: number } }>(api('POST', 'alice/guarded/edits/revert', { commit: added.commit.sha }), 201);
    expect(viaPr.branch).toMatch(/^revert-[0-9a-f]{7}$/);
    expect(await tip('alice/guarded')).toBe(mainTip);
    const pr = await ok<{ head: { ref: string }; base: { ref: string }; title: string }>(api('GET', `alice/guarded/pulls/${viaPr.pull.number}`), 200);
    expect(pr).toMatchObject({ head: { ref: viaPr.branch }, base: { ref: 'main' } });
    expect(pr.title).toBe('Revert "Add revert-me.txt"');
    expect((await gitOk(['--git-dir', repoDir('alice/guarded'), 'ls-tree', '--name-only', viaPr.branch])).split('\n')).not.toContain('revert-me.txt');
  });

  it('resets a branch for admins only, never a protected one, keeps the old tip, and undoes it', async () => {
    const old = await tip('alice/proj');
    const target = (await gitOk(['--git-dir', repoDir('alice/proj'), 'rev-parse', 'main~3'])).trim();
    // bob writes but is no admin; the name must be typed; only earlier commits
    expect((await api('POST', 'alice/proj/edits/reset', { branch: 'main', sha: target, confirm: 'main' }, BOB)).status).toBe(403);
    expect((await api('POST', 'alice/proj/edits/reset', { branch: 'main', sha: target, confirm: 'mian' })).status).toBe(422);
    const unrelated = await tip('alice/proj', 'feature/one');
    expect((await api('POST', 'alice/proj/edits/reset', { branch: 'main', sha: unrelated, confirm: 'main' })).status).toBe(422);
    expect(
      (await api('POST', 'alice/guarded/edits/reset', { branch: 'main', sha: (await gitOk(['--git-dir', repoDir('alice/guarded'), 'rev-parse', 'main~1'])).trim(), confirm: 'main' })).status,
    ).toBe(403);
    expect(await tip('alice/proj')).toBe(old);

    const r = await ok<{ old_commit: string; new_commit: string; backup: { ref: string; commit: string } }>(
      api('POST', 'alice/proj/edits/reset', { branch: 'main', sha: target, confirm: 'main' }),
      200,
    );
    expect(r).toMatchObject({ old_commit: old, new_commit: target, backup: { commit: old } });
    expect(r.backup.ref).toMatch(/^refs\/gitssy\/backup\/main\/\d{13}$/);
    expect(await tip('alice/proj')).toBe(target);
    // the backup is kept, listed, and hidden from clients (they can't push it either)
    expect((await gitOk(['--git-dir', repoDir('alice/proj'), 'rev-parse', r.backup.ref])).trim()).toBe(old);
    const list = await ok<{ ref: string }[]>(api('GET', 'alice/proj/edits/resets?branch=main', undefined, CAROL), 200);
    expect(list.map((b) => b.ref)).toEqual([r.backup.ref]);
    expect(await gitOk(['ls-remote', s.gitUrl('alice/proj.git', ALICE)])).not.toContain('refs/gitssy');
    // recorded as a push by alice
    const ev = (await query<{ updates: string; pusher_id: number }>(s.data, 'SELECT updates, pusher_id FROM push_events ORDER BY id DESC LIMIT 1'))[0]!;
    expect(JSON.parse(ev.updates)).toEqual([{ ref: 'refs/heads/main', oldSha: old, newSha: target }]);

    // undo: back at the old tip, the backup gone
    const u = await ok<{ new_commit: string }>(api('POST', 'alice/proj/edits/resets/undo', { ref: r.backup.ref }), 200);
    expect(u.new_commit).toBe(old);
    expect(await tip('alice/proj')).toBe(old);
    expect(await ok<unknown[]>(api('GET', 'alice/proj/edits/resets?branch=main'), 200)).toEqual([]);
    expect((await api('POST', 'alice/proj/edits/resets/undo', { ref: r.backup.ref })).status).toBe(404);

    // an undo that would drop commits made after the reset is refused
    const r2 = await ok<{ backup: { ref: string } }>(api('POST', 'alice/proj/edits/reset', { branch: 'main', sha: target, confirm: 'main' }), 200);
    await ok(api('POST', 'alice/proj/contents/after-reset.txt', { content: b64('new work') }), 201);
    const afterReset = await tip('alice/proj');
    expect((await api('POST', 'alice/proj/edits/resets/undo', { ref: r2.backup.ref })).status).toBe(409);
    expect(await tip('alice/proj')).toBe(afterReset);
  });
});
