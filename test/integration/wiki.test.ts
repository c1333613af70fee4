// The wiki end to end against a real server and the real git and OpenSSH clients: Gitea's wiki
// API (create, read, edit, rename, delete, revisions), edits that lost a race answered 409, bad
// names and content refused with nothing written, the wiki cloned and pushed over HTTP and SSH
// with the code repository's permissions, and wiki pushes that never pass for code pushes.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, gitOk, makeRepo, tempDir } from '../fixtures/rig.js';
import { generateKey, gitSshEnv, registerKey, sshTarget, sshUrl, type KeyPair, type SshTarget } from '../fixtures/ssh.js';
import { startInProcess, type InProcessServer } from './in-process.js';
import { outboxIdle, query } from './outbox-probe.js';

const ALICE: [string, string] = ['alice', 'alice-pass-123']; // owns the repositories
const BOB: [string, string] = ['bob', 'bob-pass-12345']; // a stranger to alice's private repository
const DAVE: [string, string] = ['dave', 'dave-pass-1234']; // read collaborator on alice/secret

interface WikiPageJson {
  title: string;
  html_url: string;
  sub_url: string;
  content_base64: string;
  commit_count: number;
  sidebar: string;
  footer: string;
  sha: string;
  last_commit: { sha: string; author: { name: string; email: string }; committer: { name: string }; message: string } | null;
  content_html?: string;
  sidebar_html?: string;
}

let s: InProcessServer;
let t: SshTarget;
let aliceKey: KeyPair;
let daveKey: KeyPair;

const b64 = (text: string) => Buffer.from(text).toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');
const wikiDir = (repo: string) => path.join(s.data, 'repos', `${repo}.wiki.git`);
/** The wiki's refs on disk ('' when the wiki does not exist). */
const wikiRefs = async (repo: string) => (await git(['--git-dir', wikiDir(repo), 'for-each-ref', '--format=%(objectname) %(refname)'])).stdout;
const api = (method: string, p: string, json?: unknown, auth: [string, string] = ALICE) => s.api(method, `/api/v1/repos/${p}`, { auth, json });

async function newPage(repo: string, title: string, content: string, message?: string): Promise<WikiPageJson> {
  const res = await api('POST', `${repo}/wiki/new`, { title, content_base64: b64(content), ...(message ? { message } : {}) });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as WikiPageJson;
}

async function getPage(repo: string, name: string, auth: [string, string] = ALICE): Promise<WikiPageJson> {
  const res = await api('GET', `${repo}/wiki/page/${encodeURIComponent(name)}`, undefined, auth);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as WikiPageJson;
}

beforeAll(async () => {
  s = await startInProcess();
  // through the service graph, not the CLI: the test runs the server from sources, the CLI from dist/
  await s.app.services.users.create({ username: ALICE[0], password: ALICE[1], email: 'alice@example.test', isAdmin: true });
  await createUser(s, ...BOB, { via: ALICE });
  await createUser(s, ...DAVE, { via: ALICE });
  await createRepo(s, ALICE, { name: 'docs' });
  await createRepo(s, ALICE, { name: 'secret', private: true });
  await createRepo(s, ALICE, { name: 'pushfirst' });
  await createRepo(s, ALICE, { name: 'untouched' });
  expect((await api('PUT', 'alice/secret/collaborators/dave', { permission: 'read' })).status).toBe(204);
  const src = await tempDir();
  await makeRepo(src, 1);
  await gitOk(['push', '-q', s.gitUrl('alice/docs.git', ALICE), 'main'], { cwd: src });
  t = await sshTarget(s);
  [aliceKey, daveKey] = await Promise.all([generateKey('ed25519', 'alice@test'), generateKey('ed25519', 'dave@test')]);
  await registerKey(s, ALICE, aliceKey);
  await registerKey(s, DAVE, daveKey);
}, 60_000);
afterAll(async () => s?.stop());

describe('the wiki API', () => {
  it("creates the wiki with its first page, and reads it back in Gitea's shape", async () => {
    expect((await (await api('GET', 'alice/docs/wiki/pages')).json()) as unknown[]).toEqual([]);
    const home = await newPage('alice/docs', 'Home', '# Welcome\n\nSee [Getting Started](Getting-Started).\n', 'first page');
    expect(home).toMatchObject({ title: 'Home', sub_url: 'Home', commit_count: 1, sidebar: '', footer: '' });
    expect(home.html_url).toMatch(/\/alice\/docs\/wiki\/Home$/);
    expect(unb64(home.content_base64)).toContain('# Welcome');
    expect(home.last_commit).toMatchObject({ message: 'first page', author: { name: 'alice', email: 'alice@example.test' } });
    // a real commit on the wiki's branch, authored by the user
    expect(await gitOk(['--git-dir', wikiDir('alice/docs'), 'log', '-1', '--format=%an <%ae> %s'])).toBe('alice <alice@example.test> first page\n');
  });

  it('maps spaces in titles to dashes in page files, and lists pages Home first', async () => {
    await newPage('alice/docs', 'Getting Started', 'Install it.\n');
    await newPage('alice/docs', 'Api', 'Endpoints.\n');
    await newPage('alice/docs', '_Sidebar', '* [Home](Home)\n');
    const files = await gitOk(['--git-dir', wikiDir('alice/docs'), 'ls-tree', '--name-only', 'HEAD']);
    expect(files.split('\n').filter(Boolean).sort()).toEqual(['Api.md', 'Getting-Started.md', 'Home.md', '_Sidebar.md']);
    const list = (await (await api('GET', 'alice/docs/wiki/pages')).json()) as WikiPageJson[];
    expect(list.map((p) => p.title)).toEqual(['Home', 'Api', 'Getting Started']);
    expect(list[2]!.sub_url).toBe('Getting-Started');
    expect(list[2]!.last_commit?.message).toBe("Add 'Getting Started'");
    // the title, the name and the file name all reach the page
    for (const name of ['Getting Started', 'Getting-Started', 'Getting-Started.md']) expect((await getPage('alice/docs', name)).title).toBe('Getting Started');
  });

  it('serves the sidebar with every page and renders through the markup pipeline', async () => {
    const res = await api('GET', 'alice/docs/wiki/page/Home?render=true');
    const page = (await res.json()) as WikiPageJson;
    expect(unb64(page.sidebar)).toContain('[Home](Home)');
    expect(page.content_html).toContain('<h1');
    // links stay relative, so on /alice/docs/wiki/Home they reach the wiki's own pages
    expect(page.content_html).toContain('href="Getting-Started"');
    expect(page.sidebar_html).toContain('href="Home"');
  });

  it('edits a page based on its sha, and refuses an edit based on a stale one (409, nothing written)', async () => {
    const before = await getPage('alice/docs', 'Getting Started');
    const edited = await api('PATCH', 'alice/docs/wiki/page/Getting-Started', { content_base64: b64('Install it, then run it.\n'), sha: before.sha });
    expect(edited.status).toBe(200);
    expect(unb64(((await edited.json()) as WikiPageJson).content_base64)).toBe('Install it, then run it.\n');
    const refs = await wikiRefs('alice/docs');
    const stale = await api('PATCH', 'alice/docs/wiki/page/Getting-Started', { content_base64: b64('an old draft\n'), sha: before.sha });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { message: string }).message).toMatch(/changed by someone else/);
    expect(await wikiRefs('alice/docs')).toBe(refs);
    expect(unb64((await getPage('alice/docs', 'Getting Started')).content_base64)).toBe('Install it, then run it.\n');
  });

  it('lets exactly one of two concurrent edits from the same version land', async () => {
    const base = await getPage('alice/docs', 'Api');
    const results = await Promise.all(['first', 'second'].map((who) => api('PATCH', 'alice/docs/wiki/page/Api', { content_base64: b64(`${who}\n`), sha: base.sha })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!;
    expect((await getPage('alice/docs', 'Api')).content_base64).toBe(((await winner.json()) as WikiPageJson).content_base64);
  });

  it('lists revisions and diffs between them', async () => {
    const res = await api('GET', 'alice/docs/wiki/revisions/Getting-Started');
    expect(res.status).toBe(200);
    const list = (await res.json()) as { commits: { sha: string; message: string }[]; count: number };
    expect(list.count).toBe(2);
    expect(list.commits.map((c) => c.message)).toEqual(["Update 'Getting Started'", "Add 'Getting Started'"]);
    const diff = (await (await api('GET', `alice/docs/wiki/diff/Getting-Started?from=${list.commits[1]!.sha}&to=${list.commits[0]!.sha}`)).json()) as { diff: string };
    expect(diff.diff).toContain('-Install it.');
    expect(diff.diff).toContain('+Install it, then run it.');
    const old = await api('GET', `alice/docs/wiki/page/Getting-Started?ref=${list.commits[1]!.sha}`);
    expect(unb64(((await old.json()) as WikiPageJson).content_base64)).toBe('Install it.\n');
  });

  it('searches titles and contents', async () => {
    const hits = (await (await api('GET', 'alice/docs/wiki/search?q=RUN%20IT')).json()) as { title: string; matches: { line: number; text: string }[] }[];
    expect(hits.map((h) => h.title)).toEqual(['Getting Started']);
    expect(hits[0]!.matches).toEqual([{ line: 1, text: 'Install it, then run it.' }]);
    // title matches first, then pages that only mention it (Home links to it)
    const byTitle = (await (await api('GET', 'alice/docs/wiki/search?q=getting')).json()) as { title: string }[];
    expect(byTitle.map((h) => h.title)).toEqual(['Getting Started', 'Home']);
  });

  it('renames with a new title, refuses a taken one, and deletes', async () => {
    await newPage('alice/docs', 'Old Name', 'x\n');
    const renamed = await api('PATCH', 'alice/docs/wiki/page/Old-Name', { title: 'New Name' });
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as WikiPageJson).title).toBe('New Name');
    expect((await api('GET', 'alice/docs/wiki/page/Old-Name')).status).toBe(404);
    expect((await api('PATCH', 'alice/docs/wiki/page/New-Name', { title: 'home' })).status).toBe(409);
    expect((await api('POST', 'alice/docs/wiki/new', { title: 'Home', content_base64: b64('again') })).status).toBe(409);
    expect((await api('DELETE', 'alice/docs/wiki/page/New-Name')).status).toBe(204);
    expect((await api('GET', 'alice/docs/wiki/page/New-Name')).status).toBe(404);
    expect((await api('DELETE', 'alice/docs/wiki/page/New-Name')).status).toBe(404);
  });
});

describe('bad input', () => {
  it.each([
    ['../../x', 'a path out of the wiki'],
    ['a/b', 'a slash'],
    ['CON', 'a Windows device name'],
    ['nul.txt', 'a Windows device name with an extension'],
    ['.hidden', 'a leading dot'],
    ['', 'empty'],
    ['x'.repeat(201), 'too long'],
    ['_pages', "the wiki's own route"],
  ])('refuses a page titled %j (%s) with 422 and writes nothing', async (title) => {
    const refs = await wikiRefs('alice/docs');
    const res = await api('POST', 'alice/docs/wiki/new', { title, content_base64: b64('x') });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toMatch(/page name|title/);
    expect(await wikiRefs('alice/docs')).toBe(refs);
  });

  it('refuses content that is not base64, and does not even create the wiki', async () => {
    for (const content_base64 of ['not base64!', 'abc', '####']) {
      const res = await api('POST', 'alice/untouched/wiki/new', { title: 'Home', content_base64 });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { message: string }).message).toMatch(/base64/);
    }
    expect((await api('POST', 'alice/untouched/wiki/new', { title: '../x', content_base64: b64('x') })).status).toBe(422);
    expect(await wikiRefs('alice/untouched')).toBe('');
    expect((await git(['--git-dir', wikiDir('alice/untouched'), 'rev-parse', '--git-dir'])).code).not.toBe(0);
  });

  it('refuses a bad name in a path, and a renaming to one', async () => {
    const refs = await wikiRefs('alice/docs');
    expect((await api('GET', 'alice/docs/wiki/page/..%2F..%2Fx')).status).toBe(422);
    expect((await api('PATCH', 'alice/docs/wiki/page/Home', { title: 'AUX' })).status).toBe(422);
    expect((await api('PATCH', 'alice/docs/wiki/page/Home', { content_base64: '%%%' })).status).toBe(422);
    expect(await wikiRefs('alice/docs')).toBe(refs);
  });
});

describe('the wiki over git', () => {
  let clone: string;

  it('clones over HTTP with the pages the API wrote', async () => {
    clone = path.join(await tempDir(), 'wiki');
    await gitOk(['clone', '-q', s.gitUrl('alice/docs.wiki.git', ALICE), clone]);
    expect(await readFile(path.join(clone, 'Home.md'), 'utf8')).toContain('# Welcome');
  });

  it('reads a page pushed with git through the API; other files are never pages or HTML', async () => {
    await writeFile(path.join(clone, 'Setup.md'), '# Setup\n\nrun it\n');
    await writeFile(path.join(clone, 'evil.html'), '<script>alert(1)</script>\n');
    await gitOk(['add', '-A'], { cwd: clone });
    await gitOk(['commit', '-q', '-m', 'setup'], { cwd: clone });
    await gitOk(['push', '-q', 'origin', 'HEAD'], { cwd: clone });
    expect(unb64((await getPage('alice/docs', 'Setup')).content_base64)).toContain('run it');
    const list = (await (await api('GET', 'alice/docs/wiki/pages')).json()) as WikiPageJson[];
    expect(list.map((p) => p.title)).not.toContain('evil.html');
    expect((await api('GET', 'alice/docs/wiki/page/evil.html')).status).toBe(404);
    const raw = await api('GET', 'alice/docs/wiki/raw/evil.html');
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(raw.headers.get('content-security-policy')).toContain('sandbox');
  });

  it('clones and pushes over SSH', async () => {
    const dir = path.join(await tempDir(), 'wiki');
    const env = gitSshEnv(t, aliceKey);
    await gitOk(['clone', '-q', sshUrl(t, 'alice/docs.wiki.git'), dir], { env });
    expect(await readFile(path.join(dir, 'Setup.md'), 'utf8')).toContain('run it');
    await writeFile(path.join(dir, 'Over-SSH.md'), 'pushed over ssh\n');
    await gitOk(['add', '-A'], { cwd: dir });
    await gitOk(['commit', '-q', '-m', 'ssh page'], { cwd: dir });
    await gitOk(['push', '-q', 'origin', 'HEAD'], { cwd: dir, env });
    expect(unb64((await getPage('alice/docs', 'Over SSH')).content_base64)).toBe('pushed over ssh\n');
  });

  it("answers a clone of a wiki with no pages with a clear 404, and makes it on a writer's first push", async () => {
    const none = await git(['clone', '-q', s.gitUrl('alice/pushfirst.wiki.git', ALICE), path.join(await tempDir(), 'w')]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/wiki has no pages yet|404/);
    const local = await tempDir();
    await gitOk(['init', '-q', '-b', 'master', local]);
    await writeFile(path.join(local, 'Home.md'), 'made by a push\n');
    await gitOk(['add', '-A'], { cwd: local });
    await gitOk(['commit', '-q', '-m', 'first'], { cwd: local });
    await gitOk(['push', '-q', s.gitUrl('alice/pushfirst.wiki.git', ALICE), 'master'], { cwd: local });
    expect(unb64((await getPage('alice/pushfirst', 'Home')).content_base64)).toBe('made by a push\n');
    // HEAD follows the pushed branch, so the wiki clones with a checkout
    const again = path.join(await tempDir(), 'w');
    await gitOk(['clone', '-q', s.gitUrl('alice/pushfirst.wiki.git', ALICE), again]);
    expect(await readFile(path.join(again, 'Home.md'), 'utf8')).toBe('made by a push\n');
  });

  it("hides a private repository's wiki from a non-member (404 for the API and for clones)", async () => {
    await newPage('alice/secret', 'Home', 'classified\n');
    expect((await api('GET', 'alice/secret/wiki/page/Home', undefined, BOB)).status).toBe(404);
    expect((await api('GET', 'alice/secret/wiki/pages', undefined, BOB)).status).toBe(404);
    expect((await s.api('GET', '/api/v1/repos/alice/secret/wiki/page/Home')).status).toBe(404);
    const res = await fetch(`${s.url}/alice/secret.wiki.git/info/refs?service=git-upload-pack`, { headers: { Authorization: `Basic ${Buffer.from(BOB.join(':')).toString('base64')}` } });
    expect(res.status).toBe(404);
    const r = await git(['clone', '-q', s.gitUrl('alice/secret.wiki.git', BOB), path.join(await tempDir(), 'w')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toContain('classified');
  });

  it('lets a reader clone but not push (403 over HTTP, refused over SSH)', async () => {
    const dir = path.join(await tempDir(), 'wiki');
    await gitOk(['clone', '-q', s.gitUrl('alice/secret.wiki.git', DAVE), dir]);
    expect((await getPage('alice/secret', 'Home', DAVE)).title).toBe('Home');
    const info = await fetch(`${s.url}/alice/secret.wiki.git/info/refs?service=git-receive-pack`, { headers: { Authorization: `Basic ${Buffer.from(DAVE.join(':')).toString('base64')}` } });
    expect(info.status).toBe(403);
    await writeFile(path.join(dir, 'Home.md'), 'defaced\n');
    await gitOk(['commit', '-q', '-am', 'deface'], { cwd: dir });
    const refs = await wikiRefs('alice/secret');
    expect((await git(['push', '-q', 'origin', 'HEAD'], { cwd: dir })).code).not.toBe(0);
    const overSsh = await git(['push', '-q', sshUrl(t, 'alice/secret.wiki.git'), 'HEAD'], { cwd: dir, env: gitSshEnv(t, daveKey) });
    expect(overSsh.code).not.toBe(0);
    expect(overSsh.stderr).toMatch(/not push/);
    expect((await api('POST', 'alice/secret/wiki/new', { title: 'Mine', content_base64: b64('x') }, DAVE)).status).toBe(403);
    expect(await wikiRefs('alice/secret')).toBe(refs);
  });

  it('pauses wiki edits and wiki pushes in maintenance mode, like code pushes', async () => {
    const dir = path.join(await tempDir(), 'wiki');
    await gitOk(['clone', '-q', s.gitUrl('alice/docs.wiki.git', ALICE), dir]);
    await writeFile(path.join(dir, 'Later.md'), 'later\n');
    await gitOk(['add', '-A'], { cwd: dir });
    await gitOk(['commit', '-q', '-m', 'later'], { cwd: dir });
    const refs = await wikiRefs('alice/docs');
    expect((await s.api('PUT', '/api/v1/admin/maintenance', { auth: ALICE, json: { enabled: true, message: 'disk swap' } })).status).toBe(200);
    try {
      const edit = await api('POST', 'alice/docs/wiki/new', { title: 'Later', content_base64: b64('x') });
      expect(edit.status).toBe(503);
      expect(((await edit.json()) as { message: string }).message).toMatch(/maintenance.*disk swap/);
      const push = await git(['push', 'origin', 'HEAD'], { cwd: dir });
      expect(push.code).not.toBe(0);
      expect(push.stderr).toMatch(/maintenance mode.*disk swap/);
      expect(await wikiRefs('alice/docs')).toBe(refs);
    } finally {
      expect((await s.api('PUT', '/api/v1/admin/maintenance', { auth: ALICE, json: { enabled: false } })).status).toBe(200);
    }
  });

  it('never announces a wiki change as a code push', async () => {
    await outboxIdle(s.data);
    // docs had one code push (its main branch); everything since was the wiki
    const pushes = await query<{ payload: string }>(s.data, "SELECT payload FROM events WHERE type = 'push'");
    const pushedRefs = pushes.flatMap((p) => (JSON.parse(p.payload) as { updates: { ref: string }[] }).updates.map((u) => u.ref));
    expect(pushedRefs).toEqual(['refs/heads/main']);
    expect((await query<{ n: number }>(s.data, 'SELECT count(*) AS n FROM push_events'))[0]!.n).toBe(1);
    const wiki = (await query<{ payload: string }>(s.data, "SELECT payload FROM events WHERE type = 'wiki.push'")).map((p) => JSON.parse(p.payload) as { transport: string });
    expect(new Set(wiki.map((w) => w.transport))).toEqual(new Set(['web', 'http', 'ssh']));
    // the code repository's branches are what they were
    const docs = (await (await api('GET', 'alice/docs/branches')).json()) as { name: string }[];
    expect(docs.map((b) => b.name)).toEqual(['main']);
  });

  it('removes the wiki with its repository, so a new repository of that name starts without one', async () => {
    await createRepo(s, ALICE, { name: 'gone' });
    await newPage('alice/gone', 'Home', 'old secrets\n');
    expect((await api('DELETE', 'alice/gone')).status).toBe(204);
    await outboxIdle(s.data);
    expect((await git(['--git-dir', wikiDir('alice/gone'), 'rev-parse', '--git-dir'])).code).not.toBe(0);
    await createRepo(s, ALICE, { name: 'gone' });
    expect(await (await api('GET', 'alice/gone/wiki/pages')).json()).toEqual([]);
  });
});
