// Browsing code in Chromium, as a person does it: push a repository with the real git, read its
// README on the repo home, copy the clone URL, switch branches, walk into a nested file and see
// it highlighted, select lines by their numbers, open raw, download the ZIP and compare it with
// `git archive`, star and unstar; an empty repository shows push instructions, a private one is
// "Not found" to a visitor, and hostile README markup and branch names run nothing.
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, gitOk, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
const ALICE: [string, string] = ['alice', 'alice-pass-123'];
// git refuses spaces in ref names, so the classic payload is spelled without them (an <img> whose
// empty src fails and fires onerror all the same)
const HOSTILE_BRANCH = '<img/src/onerror=alert(1)>';
// a 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

const UTIL_TS = `export function add(a: number, b: number): number {
  const sum = a + b;
  return sum;
}

export const answer = add(40, 2);
`;

/** File names in a ZIP, from its central directory (no unzip needed). */
function zipNames(buf: Buffer): string[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file: no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry at ${p}`);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    names.push(buf.subarray(p + 46, p + 46 + nameLen).toString('utf8'));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names.sort();
}

async function commitAll(dir: string, message: string): Promise<void> {
  await gitOk(['add', '-A'], { cwd: dir });
  await gitOk(['commit', '-q', '-m', message], { cwd: dir });
}

/** Signs the page's browser context in through the API (the sign-in page is tested elsewhere). */
async function signIn(w: WatchedPage, user: [string, string]): Promise<void> {
  const session = (await (await w.context.request.get('/api/v1/auth/session')).json()) as { csrf_token: string | null };
  const res = await w.context.request.post('/api/v1/auth/signin', { data: { username: user[0], password: user[1] }, headers: session.csrf_token ? { 'X-CSRF-Token': session.csrf_token } : {} });
  expect(res.status(), await res.text()).toBe(200);
}

const selectedLines = (page: Page) => page.locator('[data-testid="code"] [data-selected="true"]').evaluateAll((els) => els.map((e) => e.id));

describe.skipIf(missing)('code browsing', () => {
  let s: TestServer;
  let browser: Browser;
  let work: string;
  let mainSha: string;

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, ...ALICE, { admin: true });
    await createRepo(s, ALICE, { name: 'demo', description: 'A demo <b>repo</b>' });
    await createRepo(s, ALICE, { name: 'empty' });
    await createRepo(s, ALICE, { name: 'secret', private: true });
    await createRepo(s, ALICE, { name: 'hostile' });

    work = await tempDir('gitssy-code-');
    const dir = path.join(work, 'demo');
    await gitOk(['init', '-q', '-b', 'main', dir]);
    await mkdir(path.join(dir, 'src', 'lib'), { recursive: true });
    await mkdir(path.join(dir, 'docs'), { recursive: true });
    await mkdir(path.join(dir, 'bin'), { recursive: true });
    await writeFile(path.join(dir, 'README.md'), '# Demo project\n\nHello **LAN** readers.\n\n## Layout\n\nThe helpers live in [the util module](src/lib/util.ts).\n\n![logo](docs/logo.png)\n');
    await writeFile(path.join(dir, 'src', 'lib', 'util.ts'), UTIL_TS);
    await writeFile(path.join(dir, 'docs', 'logo.png'), PNG);
    await writeFile(path.join(dir, 'docs', 'guide.md'), '# Guide\n\nSee the [README](../README.md) and *enjoy*.\n');
    await writeFile(path.join(dir, 'bin', 'data.bin'), Buffer.from([0, 1, 2, 3, 0, 255, 254, 0, 7]));
    await writeFile(path.join(dir, 'big.txt'), Array.from({ length: 3000 }, (_, i) => `line ${i + 1} of the big file`).join('\n') + '\n');
    await symlink('src/lib/util.ts', path.join(dir, 'util-link.ts'));
    await commitAll(dir, 'Initial import');
    await writeFile(path.join(dir, 'src', 'lib', 'util.ts'), UTIL_TS + '// tuned\n');
    await commitAll(dir, 'Tune the util');
    await gitOk(['tag', 'v1.0'], { cwd: dir });
    await gitOk(['checkout', '-q', '-b', 'feature/x'], { cwd: dir });
    await writeFile(path.join(dir, 'feature.txt'), 'only on the feature branch\n');
    await commitAll(dir, 'Feature work');
    await gitOk(['checkout', '-q', 'main'], { cwd: dir });
    await gitOk(['push', '-q', s.gitUrl('alice/demo.git', ALICE), 'main', 'feature/x', 'v1.0'], { cwd: dir });
    mainSha = (await gitOk(['rev-parse', 'main'], { cwd: dir })).trim();

    const secret = path.join(work, 'secret');
    await gitOk(['init', '-q', '-b', 'main', secret]);
    await writeFile(path.join(secret, 'README.md'), '# Top secret\n');
    await commitAll(secret, 'secret');
    await gitOk(['push', '-q', s.gitUrl('alice/secret.git', ALICE), 'main'], { cwd: secret });

    const hostile = path.join(work, 'hostile');
    await gitOk(['init', '-q', '-b', 'main', hostile]);
    await writeFile(
      path.join(hostile, 'README.md'),
      '# Hostile\n\n<script>window.__pwned = true; alert("script")</script>\n\n<img src="x" onerror="window.__pwned = true; alert(\'img\')">\n\n[click me](javascript:alert(\'link\'))\n\n<a href="javascript:window.__pwned=true">raw link</a>\n',
    );
    await commitAll(hostile, 'hostile readme');
    await gitOk(['push', '-q', s.gitUrl('alice/hostile.git', ALICE), 'main'], { cwd: hostile });
    // the push policy refuses new refs Windows can't store ('<', '>'), so the markup branch is one
    // that came in some other way (an imported or restored repository): written on disk directly
    const head = (await gitOk(['rev-parse', 'HEAD'], { cwd: hostile })).trim();
    await gitOk(['--git-dir', path.join(s.data, 'repos', 'alice', 'hostile.git'), 'update-ref', `refs/heads/${HOSTILE_BRANCH}`, head]);

    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('repo home: README, clone URLs that copy, latest commit, and the switcher', async () => {
    const w = await openPage(browser, s);
    await w.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
    await signIn(w, ALICE);
    await w.go('/alice/demo');
    const readme = w.page.getByTestId('readme');
    await readme.getByRole('heading', { name: 'Demo project' }).waitFor();
    await expect(readme.innerText()).resolves.toContain('Hello LAN readers.');
    // the description is text, not markup
    await w.page.getByText('A demo <b>repo</b>').first().waitFor();
    // the README's image loads from the media API
    const logo = readme.locator('img[alt="logo"]');
    await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    // the tree: dirs first, the symlink shows where it points, last commits are filled in
    const tree = w.page.getByTestId('tree');
    await expect.poll(() => tree.locator('tr[data-entry-type]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-entry-type')))).toEqual(['dir', 'dir', 'dir', 'file', 'file', 'symlink']);
    await tree.getByText('→ src/lib/util.ts').waitFor();
    await tree.getByRole('link', { name: 'Tune the util' }).waitFor();
    await w.page.getByTestId('latest-commit').getByText('Tune the util').waitFor();
    await w.page.getByTestId('latest-commit').getByText('2 commits').waitFor();

    const http = w.page.getByTestId('clone-http');
    await expect(http.innerText()).resolves.toBe(`${s.url}/alice/demo.git`);
    await expect(w.page.getByTestId('clone-ssh').innerText()).resolves.toMatch(/^ssh:\/\/git@127\.0\.0\.1:\d+\/alice\/demo\.git$/);
    await w.page.getByRole('button', { name: 'Copy HTTP clone URL' }).click();
    await w.page.getByRole('button', { name: 'Copy HTTP clone URL' }).getByText('Copied').waitFor();
    await expect(w.page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(`${s.url}/alice/demo.git`);
    await w.shot('repo-home');

    // switch to the feature branch from the keyboard: open, filter, Enter
    await w.page.getByTestId('ref-switcher').click();
    await w.page.getByRole('combobox', { name: 'Filter branches' }).fill('feat');
    await w.page.getByRole('option', { name: 'feature/x' }).waitFor();
    await w.page.keyboard.press('Enter');
    await w.page.waitForURL(`${s.url}/alice/demo/src/branch/feature/x`);
    await w.page.getByTestId('tree').getByRole('link', { name: 'feature.txt' }).waitFor();
    await expect(w.page.getByTestId('ref-switcher').innerText()).resolves.toContain('feature/x');
    // and to the tag, through the Tags tab
    await w.page.getByTestId('ref-switcher').click();
    await w.page.getByRole('tab', { name: 'Tags' }).click();
    await w.page.getByRole('option', { name: 'v1.0' }).click();
    await w.page.waitForURL(`${s.url}/alice/demo/src/tag/v1.0`);
    await w.page.getByTestId('tree').getByRole('link', { name: 'src', exact: true }).waitFor();
    expect(w.dialogs).toEqual([]);
    expect(w.pageErrors).toEqual([]);
    await w.context.close();
  });

  it('tree and file views: breadcrumbs, highlighting, line anchors, permalinks, raw, README links without a reload', async () => {
    const w = await openPage(browser, s);
    await w.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
    await w.go('/alice/demo');
    // a relative link in the README goes through the router: the page is not reloaded
    await w.page.evaluate(() => ((window as unknown as { __same: boolean }).__same = true));
    await w.page.getByTestId('readme').getByRole('link', { name: 'the util module' }).click();
    await w.page.waitForURL(`${s.url}/alice/demo/src/branch/main/src/lib/util.ts`);
    await w.page.getByTestId('code').waitFor();
    expect(await w.page.evaluate(() => (window as unknown as { __same?: boolean }).__same)).toBe(true);

    // the tree one level up, through the breadcrumbs
    await w.page.getByRole('navigation', { name: 'Path' }).getByRole('link', { name: 'src' }).click();
    await w.page.waitForURL(`${s.url}/alice/demo/src/branch/main/src`);
    await w.page.getByTestId('tree').getByRole('link', { name: 'lib' }).waitFor();
    await w.shot('tree');
    await w.page.getByTestId('tree').getByRole('link', { name: 'lib' }).click();
    await w.page.getByTestId('tree').getByRole('link', { name: 'util.ts' }).click();
    await w.page.waitForURL(`${s.url}/alice/demo/src/branch/main/src/lib/util.ts`);

    // highlighted by the server: keyword tokens in the lines
    const code = w.page.getByTestId('code');
    await code.locator('.hljs-keyword').first().waitFor();
    await expect(code.locator('#L1').innerText()).resolves.toContain('export function add(a: number, b: number): number {');
    await w.page.getByText('7 lines').waitFor();

    // a line number selects its line and puts it in the URL
    await code.getByRole('link', { name: 'Line 3', exact: true }).click();
    await w.page.waitForURL(/#L3$/);
    expect(await selectedLines(w.page)).toEqual(['L3']);
    // shift-click extends the selection to a range
    await code.getByRole('link', { name: 'Line 5', exact: true }).click({ modifiers: ['Shift'] });
    await w.page.waitForURL(/#L3-L5$/);
    expect(await selectedLines(w.page)).toEqual(['L3', 'L4', 'L5']);
    await w.shot('file');
    // the permalink names the commit, and keeps the selection
    await w.page.getByRole('button', { name: /^Copy permalink/ }).click();
    const permalink = `${s.url}/alice/demo/src/commit/${mainSha}/src/lib/util.ts#L3-L5`;
    await expect(w.page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(permalink);
    await w.go(permalink);
    await code.locator('#L3[data-selected="true"]').waitFor();
    await expect(w.page.getByTestId('ref-switcher').innerText()).resolves.toContain(mainSha.slice(0, 10));

    // opened with a range: highlighted after a reload
    await w.go('/alice/demo/src/branch/main/src/lib/util.ts#L2-L4');
    await code.locator('#L2[data-selected="true"]').waitFor();
    expect(await selectedLines(w.page)).toEqual(['L2', 'L3', 'L4']);

    // raw: the file's bytes as text
    await w.page.getByTestId('raw-link').click();
    await w.page.waitForURL(`${s.url}/api/v1/repos/alice/demo/raw/src/lib/util.ts?ref=main`);
    expect(await w.page.evaluate(() => document.body.innerText)).toBe(UTIL_TS + '// tuned\n');
    await w.page.goBack();
    await code.locator('.hljs-keyword').first().waitFor();

    // a 3,000-line file opened at a line far down scrolls it into view
    await w.go('/alice/demo/src/branch/main/big.txt#L2500');
    await w.page.getByText('3,000 lines').waitFor();
    const far = code.locator('#L2500');
    await expect
      .poll(() =>
        far.evaluate((el) => {
          const r = el.getBoundingClientRect();
          return r.top >= 0 && r.bottom <= window.innerHeight;
        }),
      )
      .toBe(true);
    await expect(far.getAttribute('data-selected')).resolves.toBe('true');
    await expect(code.locator('#L3000').innerText()).resolves.toContain('line 3000 of the big file');

    // a binary file can't be shown but can be downloaded
    await w.go('/alice/demo/src/branch/main/bin/data.bin');
    await w.page.getByText("This is a binary file; it can't be shown.").waitFor();
    await expect(w.page.getByRole('link', { name: /^Download \(9 B\)$/ }).getAttribute('href')).resolves.toBe('/api/v1/repos/alice/demo/raw/bin/data.bin?ref=main');

    // an image is shown
    await w.go('/alice/demo/src/branch/main/docs/logo.png');
    await expect.poll(() => w.page.locator('img[alt="logo.png"]').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);

    // the symlink is shown as a link to its target
    await w.go('/alice/demo/src/branch/main/util-link.ts');
    await w.page.getByTestId('symlink').getByRole('link', { name: 'src/lib/util.ts' }).click();
    await w.page.waitForURL(`${s.url}/alice/demo/src/branch/main/src/lib/util.ts`);

    // a markdown file: rendered, with its source a click away
    await w.go('/alice/demo/src/branch/main/docs/guide.md');
    const rendered = w.page.getByTestId('rendered-file');
    await rendered.getByRole('heading', { name: 'Guide' }).waitFor();
    await w.shot('file-markdown');
    await w.page.getByRole('button', { name: 'Source' }).click();
    await code.locator('#L1').getByText('# Guide').waitFor();
    await w.page.getByRole('button', { name: 'Preview' }).click();
    await rendered.getByRole('link', { name: 'README' }).click();
    await w.page.waitForURL(`${s.url}/alice/demo/src/branch/main/README.md`);

    // a missing path says what is missing where, and leads back
    await w.go('/alice/demo/src/branch/main/no/such/file');
    await w.page.getByRole('heading', { name: 'Not found' }).waitFor();
    await w.page.getByText('"no/such/file" does not exist at main.').waitFor();
    await w.page.getByRole('link', { name: "Go to the repository's main branch" }).click();
    await w.page.waitForURL(`${s.url}/alice/demo`);
    expect(w.dialogs).toEqual([]);
    expect(w.pageErrors).toEqual([]);
    await w.context.close();
  });

  it('rows left pending by the time budget show placeholders and are filled by a follow-up request', async () => {
    const w = await openPage(browser, s);
    // on a repository this small the server's walk always beats its budget: make the first answer
    // look like one that ran out of time, and hold the follow-up until the placeholders are seen
    const followUps: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    await w.page.route(/\/api\/v1\/repos\/alice\/demo\/tree\//, async (route) => {
      const url = new URL(route.request().url());
      if (url.searchParams.get('kind') === 'commit') {
        followUps.push(url.pathname);
        await released;
        return route.continue();
      }
      const res = await route.fetch();
      const body = (await res.json()) as { entries: { path: string; last_commit: unknown }[] | null; pending: string[] };
      if (body.entries) {
        body.pending = body.entries.map((e) => e.path);
        body.entries = body.entries.map((e) => ({ ...e, last_commit: null }));
      }
      await route.fulfill({ response: res, json: body });
    });
    // (not w.go: the held request keeps the network busy)
    await w.page.goto('/alice/demo/src/branch/main/docs');
    const tree = w.page.getByTestId('tree');
    await tree.getByRole('link', { name: 'guide.md' }).waitFor();
    await expect.poll(() => tree.getByRole('status', { name: 'Finding the last commit' }).count()).toBe(2);
    expect(await tree.getByRole('link', { name: 'Initial import' }).count()).toBe(0);
    release();
    await expect.poll(() => tree.getByRole('link', { name: 'Initial import' }).count()).toBe(2);
    expect(await tree.getByRole('status').count()).toBe(0);
    expect(followUps[0]).toBe(`/api/v1/repos/alice/demo/tree/${mainSha}/docs`);
    await w.context.close();
  });

  it('Download ZIP holds what git archive holds', async () => {
    const w = await openPage(browser, s);
    await w.go('/alice/demo');
    const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.getByRole('link', { name: /Download ZIP/ }).click()]);
    const file = path.join(work, 'download.zip');
    await download.saveAs(file);
    const fromUi = zipNames(await readFile(file));
    const archive = path.join(work, 'expected.zip');
    await gitOk(['archive', '--format=zip', '--prefix=demo/', '-o', archive, mainSha], { cwd: path.join(work, 'demo') });
    const fromGit = zipNames(await readFile(archive));
    expect(fromUi).toEqual(fromGit);
    expect(fromUi).toContain('demo/src/lib/util.ts');
    expect(fromUi).toContain('demo/util-link.ts');
    await w.context.close();
  });

  it('star and unstar update the count; signed out, the buttons say why they are disabled', async () => {
    const w = await openPage(browser, s);
    await signIn(w, ALICE);
    await w.go('/alice/demo');
    const star = w.page.getByTestId('star-button');
    const count = w.page.getByTestId('stars-count');
    await expect(count.innerText()).resolves.toBe('0');
    await star.click();
    await w.page.getByRole('button', { name: /Unstar/ }).waitFor();
    await expect.poll(() => count.innerText()).toBe('1');
    await w.go('/alice/demo');
    await w.page.getByRole('button', { name: /Unstar/ }).waitFor();
    await expect(count.innerText()).resolves.toBe('1');
    await w.page.getByRole('button', { name: /Unstar/ }).click();
    await w.page.getByRole('button', { name: /^☆?\s*Star$/ }).waitFor();
    await expect.poll(() => count.innerText()).toBe('0');
    const api = await s.api('GET', '/api/v1/repos/alice/demo');
    expect(((await api.json()) as { stars_count: number }).stars_count).toBe(0);
    await w.context.close();

    const anon = await openPage(browser, s);
    await anon.go('/alice/demo');
    await expect(anon.page.getByTestId('star-button').isDisabled()).resolves.toBe(true);
    await anon.page.getByText('(Sign in to do this)').first().waitFor({ state: 'attached' });
    await anon.context.close();
  });

  it('watch and fork: forking opens the fork, and the source counts it', async () => {
    await createUser(s, 'bob', 'bob-pass-1234', { via: ALICE });
    const w = await openPage(browser, s);
    await signIn(w, ['bob', 'bob-pass-1234']);
    await w.go('/alice/demo');
    const watchers = w.page.getByTestId('watchers-count');
    const before = Number(await watchers.innerText());
    await w.page.getByRole('button', { name: /^\W*Watch$/ }).click();
    await w.page.getByRole('button', { name: /Unwatch/ }).waitFor();
    await expect.poll(async () => Number(await watchers.innerText())).toBe(before + 1);
    await w.page.getByRole('button', { name: /Fork/ }).first().click();
    const dialog = w.page.getByRole('dialog', { name: 'Fork alice/demo' });
    await expect(dialog.getByLabel('Repository name').inputValue()).resolves.toBe('demo');
    await dialog.getByRole('button', { name: 'Fork repository' }).click();
    await w.page.waitForURL(`${s.url}/bob/demo`);
    await w.page.getByText('forked from').waitFor();
    await w.page.getByTestId('tree').getByRole('link', { name: 'util-link.ts' }).waitFor();
    await w.go('/alice/demo');
    await expect(w.page.getByTestId('forks-count').innerText()).resolves.toBe('1');
    // forking it again under the same name is refused with the server's reason, and nothing changes
    await w.page.getByRole('button', { name: /Fork/ }).first().click();
    await w.page.getByRole('dialog').getByRole('button', { name: 'Fork repository' }).click();
    await w.page.getByRole('dialog').getByRole('alert').getByText('already exists').waitFor();
    await w.context.close();
  });

  it('an empty repository shows how to push to it', async () => {
    const w = await openPage(browser, s);
    await w.go('/alice/empty');
    const empty = w.page.getByTestId('empty-repo');
    await empty.getByRole('heading', { name: 'This repository is empty' }).waitFor();
    const text = await empty.innerText();
    expect(text).toContain(`git remote add origin ${s.url}/alice/empty.git`);
    expect(text).toContain('git push -u origin main');
    await w.shot('empty-repo');
    await empty.getByRole('button', { name: 'SSH' }).click();
    await expect.poll(() => empty.innerText()).toMatch(/git remote add origin ssh:\/\/git@127\.0\.0\.1:\d+\/alice\/empty\.git/);
    await w.context.close();
  });

  it('a private repository is "Not found" to an anonymous visitor, on every code page', async () => {
    const w = await openPage(browser, s);
    for (const p of ['/alice/secret', '/alice/secret/src/branch/main', '/alice/secret/src/branch/main/README.md']) {
      await w.go(p);
      await w.page.getByRole('heading', { name: 'Not found' }).waitFor();
      expect(await w.page.evaluate(() => document.body.innerText)).not.toContain('Top secret');
    }
    await w.context.close();
  });

  it('hostile README markup and a branch named with markup run nothing', async () => {
    const w = await openPage(browser, s);
    await w.go('/alice/hostile');
    const readme = w.page.getByTestId('readme');
    await readme.getByRole('heading', { name: 'Hostile' }).waitFor();
    expect(await readme.locator('script, [onerror], a[href^="javascript:" i]').count()).toBe(0);
    // the link whose javascript: URL was removed does nothing when clicked
    const link = readme.getByText('click me');
    if (await link.count()) await link.click();
    await w.page.getByTestId('ref-switcher').click();
    const option = w.page.getByRole('option', { name: HOSTILE_BRANCH });
    await option.waitFor();
    await expect(option.innerText()).resolves.toContain(HOSTILE_BRANCH);
    await option.click();
    await w.page.waitForURL(`${s.url}/alice/hostile/src/branch/${encodeURIComponent(HOSTILE_BRANCH).replaceAll('%2F', '/')}`);
    await expect.poll(() => w.page.getByTestId('ref-switcher').innerText()).toContain(HOSTILE_BRANCH);
    await w.page.getByTestId('tree').getByRole('link', { name: 'README.md' }).waitFor();
    await readme.getByRole('heading', { name: 'Hostile' }).waitFor();
    expect(w.dialogs).toEqual([]);
    expect(await w.page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    expect(w.pageErrors).toEqual([]);
    await w.context.close();
  });
});

if (missing) console.warn(`browser tests skipped: ${missing}`);
