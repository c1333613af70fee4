// The repository read API against a real server and real pushes: branches and tags, contents,
// raw and media with their safety headers, archives compared with `git archive`, history,
// commits and diffs, contributors, the UI tree view with its last-commit column, branch
// creation and deletion recorded as events, and hostile refs and paths that must do nothing.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, gitOk, noise, rawHttp, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';

type Json = Record<string, any>;
const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-123'];
const LFS = 'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'ab'.repeat(32) + '\nsize 4242\n';
const BIG = noise(11 * 1024 * 1024, 'big');

let s: TestServer;
let src: string;
const c: Record<string, string> = {};
const A = '/api/v1/repos/alice/pub';

async function commitAll(message: string, env: Record<string, string> = {}): Promise<string> {
  await gitOk(['add', '-A'], { cwd: src });
  await gitOk(['commit', '-q', '-m', message], { cwd: src, env });
  return (await gitOk(['rev-parse', 'HEAD'], { cwd: src })).trim();
}

async function write(p: string, content: string | Buffer): Promise<void> {
  await mkdir(path.dirname(path.join(src, p)), { recursive: true });
  await writeFile(path.join(src, p), content);
}

beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  await createUser(s, 'bob', bob[1], { via: alice });
  src = await tempDir();
  await gitOk(['init', '-q', '-b', 'main', src]);
  await write('README.md', '# Demo\n\nHello **LAN**.\n');
  await write('src/index.ts', 'export const v = 1;\n');
  await write('old.txt', Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n') + '\n');
  c.first = await commitAll('first', { GIT_AUTHOR_NAME: 'Bob', GIT_AUTHOR_EMAIL: 'bob@example.test', GIT_AUTHOR_DATE: '@1700000000 +0100', GIT_COMMITTER_DATE: '@1700000000 +0100' });
  await write('docs/page.html', '<!doctype html><script>alert(document.cookie)</script>\n');
  await write('img/logo.svg', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>\n');
  await write('img/pixel.png', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  await write('big.bin', BIG);
  await write('model.bin', LFS);
  await write('-dash.txt', 'dash\n');
  await write('ünï code.txt', 'unicode\n');
  await symlink('../../../etc/passwd', path.join(src, 'escape'));
  c.second = await commitAll('second');
  await gitOk(['mv', 'old.txt', 'renamed.txt'], { cwd: src });
  await write('renamed.txt', Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n') + '\nmore\n');
  await write('src/index.ts', 'export const v = 2;\n');
  c.third = await commitAll('third: rename and edit');
  await gitOk(['tag', '-a', 'v1', '-m', 'release one', c.second!], { cwd: src });
  await gitOk(['tag', 'light', c.first!], { cwd: src });
  await gitOk(['branch', 'feature/x', c.second!], { cwd: src });
  for (const name of ['pub', 'empty']) await createRepo(s, alice, { name });
  await gitOk(['push', '-q', s.gitUrl('alice/pub.git', alice), 'main', 'feature/x', 'v1', 'light'], { cwd: src });
  await waitFor(async () => ((await (await s.api('GET', A)).json()) as Json).empty === false);
}, 120_000);
afterAll(async () => s?.stop());

const json = async (res: Response) => (await res.json()) as any;
const get = (p: string, auth?: [string, string]) => s.api('GET', p, { auth });

describe('branches and tags', () => {
  it('lists branches in Gitea shape, the default branch first, with paging headers', async () => {
    const res = await get(`${A}/branches`, alice);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-count')).toBe('2');
    const list = await json(res);
    expect(list.map((b: Json) => b.name)).toEqual(['main', 'feature/x']);
    expect(list[0]).toMatchObject({ protected: false, user_can_push: true, commit: { id: c.third, message: 'third: rename and edit\n', url: `${s.url}/alice/pub/commit/${c.third}` } });
    expect(list[0].commit.author).toMatchObject({ name: 'Test', email: 'test@example.test' });
    const anon = await json(await get(`${A}/branches?limit=1&page=2`));
    expect(anon.map((b: Json) => b.name)).toEqual(['feature/x']);
    expect(anon[0].user_can_push).toBe(false);
  });

  it('gets one branch by a name with slashes', async () => {
    expect(await json(await get(`${A}/branches/feature/x`))).toMatchObject({ name: 'feature/x', commit: { id: c.second } });
    expect((await get(`${A}/branches/nope`)).status).toBe(404);
  });

  it('lists tags newest first, annotated ones with their message', async () => {
    const tags = await json(await get(`${A}/tags`));
    expect(tags.map((t: Json) => t.name)).toEqual(['v1', 'light']);
    expect(tags[0]).toMatchObject({ message: 'release one\n', commit: { sha: c.second }, zipball_url: `${s.url}${A}/archive/v1.zip`, tarball_url: `${s.url}${A}/archive/v1.tar.gz` });
    expect(tags[0].id).not.toBe(c.second); // the tag object
    expect(tags[1]).toMatchObject({ id: c.first, message: 'first\n', commit: { sha: c.first } });
  });
});

describe('contents', () => {
  it('returns a file with base64 content and its last commit', async () => {
    const f = await json(await get(`${A}/contents/src/index.ts`));
    expect(f).toMatchObject({ name: 'index.ts', path: 'src/index.ts', type: 'file', size: 20, encoding: 'base64', last_commit_sha: c.third, target: null });
    expect(Buffer.from(f.content, 'base64').toString()).toBe('export const v = 2;\n');
    expect(f.download_url).toBe(`${s.url}${A}/raw/src/index.ts?ref=main`);
    expect(f._links.html).toBe(`${s.url}/alice/pub/src/branch/main/src/index.ts`);
  });

  it('reads at a tag, a commit id and a branch with slashes', async () => {
    const atTag = await json(await get(`${A}/contents/src/index.ts?ref=v1`));
    expect(Buffer.from(atTag.content, 'base64').toString()).toBe('export const v = 1;\n');
    expect(atTag.last_commit_sha).toBe(c.first);
    expect((await get(`${A}/contents/src/index.ts?ref=${c.first}`)).status).toBe(200);
    expect((await get(`${A}/contents/old.txt?ref=feature/x`)).status).toBe(200);
    expect((await get(`${A}/contents/old.txt`)).status).toBe(404);
  });

  it('lists a directory as an array and the root without a path', async () => {
    const root = await json(await get(`${A}/contents`));
    expect(root.map((e: Json) => e.name)).toEqual(['docs', 'img', 'src', '-dash.txt', 'README.md', 'big.bin', 'escape', 'model.bin', 'renamed.txt', 'ünï code.txt']);
    expect(root.find((e: Json) => e.name === 'README.md')).toMatchObject({ type: 'file', content: null, encoding: null });
    const img = await json(await get(`${A}/contents/img?ref=main`));
    expect(img.map((e: Json) => [e.name, e.last_commit_sha])).toEqual([
      ['logo.svg', c.second],
      ['pixel.png', c.second],
    ]);
  });

  it('shows a symlink as a link with its target, never its destination', async () => {
    const l = await json(await get(`${A}/contents/escape`));
    expect(l).toMatchObject({ type: 'symlink', target: '../../../etc/passwd', content: null });
    const raw = await get(`${A}/raw/escape`);
    expect(await raw.text()).toBe('../../../etc/passwd');
  });

  it('leaves out the content of a file over 10 MiB, and marks a Git LFS pointer', async () => {
    const big = await json(await get(`${A}/contents/big.bin`));
    expect(big).toMatchObject({ size: BIG.length, content: null, encoding: null });
    const lfs = await json(await get(`${A}/contents/model.bin`));
    expect(lfs).toMatchObject({ lfs_oid: 'ab'.repeat(32), lfs_size: 4242, encoding: 'base64' });
  });

  it('reads names with spaces, unicode and a leading dash', async () => {
    expect((await json(await get(`${A}/contents/${encodeURIComponent('ünï code.txt')}`))).size).toBe(8);
    expect((await json(await get(`${A}/contents/-dash.txt`))).size).toBe(5);
  });
});

describe('raw and media', () => {
  it('serves HTML as plain text, sandboxed, never as a page', async () => {
    const res = await get(`${A}/raw/docs/page.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await res.text()).toContain('<script>');
  });

  it('serves SVG as an image under a sandboxing CSP, and media types as themselves', async () => {
    const svg = await get(`${A}/raw/img/logo.svg`);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(svg.headers.get('x-content-type-options')).toBe('nosniff');
    const png = await get(`${A}/media/img/pixel.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(Buffer.from(await png.arrayBuffer()).toString('hex')).toBe('89504e470d0a1a0a0000000d49484452');
  });

  it('streams a large binary file whole, as a download', async () => {
    const res = await get(`${A}/raw/big.bin`);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="big.bin"/);
    expect(res.headers.get('content-length')).toBe(String(BIG.length));
    const body = Buffer.from(await res.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(createHash('sha256').update(BIG).digest('hex'));
  });

  it('revalidates with the blob id as ETag, and caches content at a commit id for good', async () => {
    const first = await get(`${A}/raw/README.md`);
    const etag = first.headers.get('etag')!;
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    const again = await s.api('GET', `${A}/raw/README.md`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    const pinned = await get(`${A}/raw/README.md?ref=${c.third}`);
    expect(pinned.headers.get('cache-control')).toMatch(/immutable/);
  });

  it('serves an LFS pointer from media as it is (no LFS store yet)', async () => {
    expect(await (await get(`${A}/media/model.bin`)).text()).toBe(LFS);
  });

  it('answers 404 for a directory or a missing file', async () => {
    expect((await get(`${A}/raw/src`)).status).toBe(404);
    expect((await get(`${A}/raw/nope.txt`)).status).toBe(404);
  });
});

/** File names in a zip, from its central directory. */
function zipNames(zip: Buffer): string[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  let off = zip.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(off)).toBe(0x02014b50);
    const n = zip.readUInt16LE(off + 28);
    names.push(zip.toString('utf8', off + 46, off + 46 + n));
    off += 46 + n + zip.readUInt16LE(off + 30) + zip.readUInt16LE(off + 32);
  }
  return names.sort();
}

describe('archives', () => {
  it('streams a zip whose file list equals git archive of the same commit', async () => {
    const res = await get(`${A}/archive/main.zip`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="pub-main.zip"/);
    const ours = zipNames(Buffer.from(await res.arrayBuffer()));
    const dir = await tempDir();
    await gitOk(['archive', '--format=zip', '--prefix=pub/', '-o', path.join(dir, 'ref.zip'), c.third!], { cwd: src });
    const { readFile } = await import('node:fs/promises');
    expect(ours).toEqual(zipNames(await readFile(path.join(dir, 'ref.zip'))));
    expect(ours).toContain('pub/src/index.ts');
  });

  it('streams a tar.gz of a branch with a slash in its name', async () => {
    const res = await get(`${A}/archive/feature/x.tar.gz`);
    expect(res.headers.get('content-disposition')).toMatch(/filename="pub-feature-x.tar.gz"/);
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.tgz'), Buffer.from(await res.arrayBuffer()));
    const listed = (await import('node:child_process'))
      .execFileSync('tar', ['tzf', path.join(dir, 'a.tgz')])
      .toString()
      .split('\n')
      .filter(Boolean)
      .sort();
    expect(listed).toContain('pub/old.txt');
    expect(listed).not.toContain('pub/renamed.txt');
  });

  it('refuses an option smuggled in as the ref, and writes nothing', async () => {
    const before = existsSync(path.join(s.data, 'x'));
    for (const p of ['--output=x.zip', '--remote=x.zip', '-o.zip']) {
      const res = await rawHttp(s, 'GET', `${A}/archive/${p}`);
      expect([404, 422]).toContain(res.status);
    }
    expect(before).toBe(false);
    expect(existsSync(path.join(s.data, 'x'))).toBe(false);
    expect(existsSync(path.join(s.data, 'repos', 'alice', 'pub.git', 'x'))).toBe(false);
    expect((await get(`${A}/archive/main.exe`)).status).toBe(404);
    expect((await get(`${A}/archive/nope.zip`)).status).toBe(404);
  });
});

describe('history', () => {
  it('pages commits in Gitea shape with total and link headers', async () => {
    const res = await get(`${A}/commits?limit=2`);
    expect(res.headers.get('x-total-count')).toBe('3');
    expect(res.headers.get('x-hasmore')).toBe('true');
    expect(res.headers.get('link')).toMatch(/page=2.*rel="next"/);
    const page1 = await json(res);
    expect(page1.map((x: Json) => x.sha)).toEqual([c.third, c.second]);
    expect(page1[0]).toMatchObject({
      html_url: `${s.url}/alice/pub/commit/${c.third}`,
      commit: { message: 'third: rename and edit\n', author: { name: 'Test' } },
      parents: [{ sha: c.second }],
      files: null,
    });
    expect((await json(await get(`${A}/commits?limit=2&page=2`))).map((x: Json) => x.sha)).toEqual([c.first]);
  });

  it('filters by path, starts at a tag, and adds files and stats when asked', async () => {
    expect((await json(await get(`${A}/commits?path=src/index.ts`))).map((x: Json) => x.sha)).toEqual([c.third, c.first]);
    expect((await json(await get(`${A}/commits?sha=v1`))).map((x: Json) => x.sha)).toEqual([c.second, c.first]);
    const [withFiles] = await json(await get(`${A}/commits?limit=1&stat=true&files=true`));
    expect(withFiles.files).toEqual(
      expect.arrayContaining([
        { filename: 'renamed.txt', status: 'renamed' },
        { filename: 'src/index.ts', status: 'modified' },
      ]),
    );
    expect(withFiles.stats).toEqual({ total: 3, additions: 2, deletions: 1 });
  });

  it('links a commit author to the account with that email', async () => {
    const [first] = await json(await get(`${A}/commits?sha=light`));
    expect(first.author).toMatchObject({ login: 'bob' });
    expect(first.committer).toBeNull();
  });

  it('answers 409 for an empty repository, like Gitea', async () => {
    expect((await get('/api/v1/repos/alice/empty/commits')).status).toBe(409);
    expect(await json(await get('/api/v1/repos/alice/empty/branches'))).toEqual([]);
  });

  it('shows one commit with its files and stats', async () => {
    const one = await json(await get(`${A}/git/commits/${c.third}`));
    expect(one).toMatchObject({ sha: c.third, stats: { additions: 2, deletions: 1, total: 3 } });
    expect(one.files).toHaveLength(2);
    expect((await json(await get(`${A}/git/commits/main`))).sha).toBe(c.third);
    expect((await get(`${A}/git/commits/${'0'.repeat(40)}`)).status).toBe(404);
  });

  it('serves .diff and .patch as plain text', async () => {
    const diff = await get(`${A}/git/commits/${c.third}.diff`);
    expect(diff.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(diff.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await diff.text();
    expect(text).toMatch(/^diff --git a\/old.txt b\/renamed.txt\nsimilarity index/);
    expect(text).toContain('+export const v = 2;');
    const patch = await (await get(`${A}/git/commits/${c.third}.patch`)).text();
    expect(patch).toMatch(new RegExp(`^From ${c.third} `));
    expect(patch).toContain('Subject: [PATCH] third: rename and edit');
  });

  it('gives the UI a per-file diff with renames and binary files', async () => {
    const d = await json(await get(`${A}/commits/${c.third}/diff`));
    expect(d).toMatchObject({ total_files: 2, truncated: false, stats: { additions: 2, deletions: 1, total: 3 }, commit: { sha: c.third } });
    expect(d.files[0]).toMatchObject({ filename: 'renamed.txt', previous_filename: 'old.txt', status: 'renamed', additions: 1, deletions: 0, patch_truncated: false });
    expect(d.files[0].patch).toMatch(/^diff --git a\/old.txt b\/renamed.txt/);
    const second = await json(await get(`${A}/commits/${c.second}/diff`));
    expect(second.files.find((f: Json) => f.filename === 'big.bin')).toMatchObject({ status: 'added', binary: true });
  });

  it('counts contributors', async () => {
    expect(await json(await get(`${A}/contributors`))).toEqual([
      // bob's commit email is his account's; no account has test@example.test
      { name: 'Test', email: 'test@example.test', commits: 2, login: null },
      { name: 'Bob', email: 'bob@example.test', commits: 1, login: 'bob' },
    ]);
    expect(await json(await get(`${A}/contributors?ref=light`))).toEqual([{ name: 'Bob', email: 'bob@example.test', commits: 1, login: 'bob' }]);
  });
});

describe('git objects', () => {
  it('lists a tree by commit id in tree order, and recursively with paging', async () => {
    const t = await json(await get(`${A}/git/trees/${c.third}`));
    const treeSha = (await gitOk(['rev-parse', `${c.third}^{tree}`], { cwd: src })).trim();
    expect(t).toMatchObject({ sha: treeSha, url: `${s.url}${A}/git/trees/${treeSha}`, truncated: false, page: 1 });
    expect(t.tree.map((e: Json) => e.path)).toEqual((await gitOk(['ls-tree', '-z', '--name-only', c.third!], { cwd: src })).split('\0').filter(Boolean));
    expect(t.tree.find((e: Json) => e.path === 'src')).toMatchObject({ type: 'tree', mode: '040000' });
    expect(t.tree.find((e: Json) => e.path === 'escape')).toMatchObject({ type: 'blob', mode: '120000', size: 19 });
    const all = await json(await get(`${A}/git/trees/${treeSha}?recursive=true&per_page=3&page=2`));
    expect(all.total_count).toBe((await gitOk(['ls-tree', '-z', '-r', '-t', '--name-only', treeSha], { cwd: src })).split('\0').filter(Boolean).length);
    expect(all.tree).toHaveLength(3);
    expect(all.truncated).toBe(true);
  });

  it('returns a blob as base64, and 413 above 10 MiB', async () => {
    const sha = (await gitOk(['rev-parse', `${c.third}:src/index.ts`], { cwd: src })).trim();
    const b = await json(await get(`${A}/git/blobs/${sha}`));
    expect(b).toMatchObject({ sha, size: 20, encoding: 'base64' });
    expect(Buffer.from(b.content, 'base64').toString()).toBe('export const v = 2;\n');
    const big = (await gitOk(['rev-parse', `${c.third}:big.bin`], { cwd: src })).trim();
    expect((await get(`${A}/git/blobs/${big}`)).status).toBe(413);
    expect((await get(`${A}/git/blobs/${'0'.repeat(40)}`)).status).toBe(404);
    expect((await get(`${A}/git/blobs/main`)).status).toBe(404);
    expect((await get(`${A}/git/trees/main:src`)).status).toBe(404);
  });
});

describe('tree view for the UI', () => {
  it('lists the root with last commits, the README and nothing pending', async () => {
    const v = await json(await get(`${A}/tree/main?budget_ms=5000`));
    expect(v).toMatchObject({ ref: { name: 'main', kind: 'branch', commit: c.third }, path: '', type: 'dir', pending: [], readme: { name: 'README.md', path: 'README.md' } });
    expect(v.last_commit).toMatchObject({ sha: c.third, summary: 'third: rename and edit' });
    const row = (n: string) => v.entries.find((e: Json) => e.name === n);
    expect(row('README.md').last_commit).toMatchObject({ sha: c.first, summary: 'first', author: { name: 'Bob' } });
    expect(row('src').last_commit.sha).toBe(c.third);
    expect(row('escape')).toMatchObject({ type: 'symlink', target: '../../../etc/passwd' });
  });

  it('leaves rows pending when the budget is spent, and the follow-up fills them in', async () => {
    const first = await json(await get(`${A}/tree/${c.second}/img?budget_ms=0`));
    expect(first.pending).toEqual(['img/logo.svg', 'img/pixel.png']);
    expect(first.entries.every((e: Json) => e.last_commit === null)).toBe(true);
    const filled = await waitFor(async () => {
      const v = await json(await get(`${A}/tree/${c.second}/img?budget_ms=1000`));
      return v.pending.length === 0 ? v : null;
    });
    expect(filled.entries.map((e: Json) => e.last_commit.sha)).toEqual([c.second, c.second]);
  });

  it('splits a branch with slashes from the path, and shows a file with its content', async () => {
    const v = await json(await get(`${A}/tree/feature/x/src/index.ts`));
    expect(v).toMatchObject({ ref: { name: 'feature/x', kind: 'branch' }, path: 'src/index.ts', type: 'file', entries: null });
    expect(v.file).toMatchObject({ binary: false, too_large: false, content: 'export const v = 1;\n', lfs: null });
    expect(v.last_commit.sha).toBe(c.first);
    const bin = await json(await get(`${A}/tree/main/big.bin`));
    expect(bin.file).toMatchObject({ binary: true, too_large: true, content: null });
    expect((await json(await get(`${A}/tree/v1/src?kind=tag`))).ref).toMatchObject({ kind: 'tag', commit: c.second });
    expect((await get(`${A}/tree/main/src?kind=tag`)).status).toBe(404);
    expect((await get(`${A}/tree/nope/src`)).status).toBe(404);
  });
});

describe('creating and deleting branches', () => {
  const feed = async () => (await json(await get(`${A}/activities/feeds?limit=50`))) as Json[];

  it('creates a branch from a tag, records it once, and git sees it', async () => {
    const res = await s.api('POST', `${A}/branches`, { auth: alice, json: { new_branch_name: 'release/1.x', old_ref_name: 'v1' } });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ name: 'release/1.x', commit: { id: c.second } });
    const remote = await gitOk(['ls-remote', s.gitUrl('alice/pub.git'), 'refs/heads/release/1.x']);
    expect(remote.split('\t')[0]).toBe(c.second);
    const events = (await feed()).filter((e) => e.ref_name === 'refs/heads/release/1.x');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ op_type: 'commit_repo', transport: 'web', act_user: { login: 'alice' } });
    expect(JSON.parse(events[0]!.content)).toEqual({ old: '0'.repeat(40), new: c.second });
  });

  it('creates from the default branch when no start is given', async () => {
    const res = await s.api('POST', `${A}/branches`, { auth: alice, json: { new_branch_name: 'from-default' } });
    expect((await json(res)).commit.id).toBe(c.third);
  });

  it('refuses a taken name, a tag name, a bad name and a missing start, changing nothing', async () => {
    const post = (body: Json) => s.api('POST', `${A}/branches`, { auth: alice, json: body });
    expect((await post({ new_branch_name: 'main' })).status).toBe(409);
    expect((await post({ new_branch_name: 'v1' })).status).toBe(409);
    expect((await post({ new_branch_name: 'release' })).status).toBe(409); // release/1.x is in the way
    for (const bad of ['-x', 'a..b', 'has space', 'x.lock', 'a/.b', 'a/-b', 'x:y', 'refs/heads/x', 'HEAD']) expect((await post({ new_branch_name: bad })).status, bad).toBe(422);
    expect((await post({ new_branch_name: 'ok', old_ref_name: 'nope' })).status).toBe(404);
    expect((await post({ new_branch_name: 'ok', old_ref_name: '--orphan' })).status).toBe(422);
    expect((await post({ new_branch_name: 'ok', extra: 1 })).status).toBe(422);
    const names = (await json(await get(`${A}/branches`))).map((b: Json) => b.name);
    expect(names).not.toContain('ok');
  });

  it('deletes a branch and records that once', async () => {
    const res = await s.api('DELETE', `${A}/branches/release/1.x`, { auth: alice });
    expect(res.status).toBe(204);
    expect((await gitOk(['ls-remote', s.gitUrl('alice/pub.git'), 'refs/heads/release/1.x'])).trim()).toBe('');
    const events = (await feed()).filter((e) => e.ref_name === 'refs/heads/release/1.x');
    expect(events.map((e) => e.op_type)).toEqual(['delete_branch', 'commit_repo']);
    expect((await s.api('DELETE', `${A}/branches/release/1.x`, { auth: alice })).status).toBe(404);
  });

  it('refuses to delete the default branch or a protected one', async () => {
    expect((await s.api('DELETE', `${A}/branches/main`, { auth: alice })).status).toBe(403);
    expect((await s.api('POST', `${A}/branch_protections`, { auth: alice, json: { rule_name: 'feature/*' } })).status).toBe(201);
    const res = await s.api('DELETE', `${A}/branches/feature/x`, { auth: alice });
    expect(res.status).toBe(403);
    expect((await json(res)).message).toMatch(/protected/);
    expect((await json(await get(`${A}/branches/feature/x`))).protected).toBe(true);
  });

  it('needs write access: 401 for anonymous, 403 for a reader', async () => {
    expect((await s.api('POST', `${A}/branches`, { json: { new_branch_name: 'anon' } })).status).toBe(401);
    expect((await s.api('PUT', `${A}/collaborators/bob`, { auth: alice, json: { permission: 'read' } })).status).toBe(204);
    expect((await s.api('POST', `${A}/branches`, { auth: bob, json: { new_branch_name: 'bobs' } })).status).toBe(403);
    expect((await s.api('DELETE', `${A}/branches/from-default`, { auth: bob })).status).toBe(403);
    expect((await json(await get(`${A}/branches/from-default`, bob))).user_can_push).toBe(false);
  });
});

describe('hostile refs and paths', () => {
  it('refuses traversal, NUL and encoded slashes in paths', async () => {
    for (const p of ['/contents/src/../README.md', '/contents/%2e%2e/README.md', '/raw/src/%00x', '/raw/src%2Findex.ts', '/contents/a//b', '/tree/main/../x', '/media/..']) {
      const res = await rawHttp(s, 'GET', `${A}${p}`);
      expect(res.status, p).toBe(422);
    }
    expect((await rawHttp(s, 'GET', `${A}/raw/%ZZ`)).status).toBe(400);
    expect((await get(`${A}/commits?path=../x`)).status).toBe(422);
    expect((await get(`${A}/contents/${'a/'.repeat(2100)}x`)).status).toBe(422);
  });

  it('refuses refs that are options, ranges, reflog or path syntax', async () => {
    for (const ref of ['--output=x', '-p', 'main:README.md', 'HEAD@{0}', 'main..feature/x', 'main^{tree}', 'main~1']) {
      const q = encodeURIComponent(ref);
      expect((await get(`${A}/contents/README.md?ref=${q}`)).status, ref).toBe(422);
      expect((await get(`${A}/commits?sha=${q}`)).status, ref).toBe(422);
    }
    expect((await get(`${A}/git/commits/--output=x.diff`)).status).toBe(422);
    expect((await get(`${A}/contents/README.md?ref=a&ref=b`)).status).toBe(422);
  });
});
