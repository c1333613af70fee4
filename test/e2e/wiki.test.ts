// The wiki in Chromium, with the real git beside it: alice opens the empty wiki, creates its
// first page in the browser, edits it (the preview renders through the server), and the edit
// is what `git clone` of the wiki gets; a page pushed with git shows in the browser, with the
// sidebar, in the pages list and in search; the page's history links to a diff; a stale edit
// (someone saved in between) is reported, and nothing of theirs is lost.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, gitOk, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
/** Page loads can take a while when the browser suites share two cores. */
const SLOW = { timeout: 15_000 };
const ALICE: [string, string] = ['alice', 'alice-pass-123'];
const R = '/alice/handbook';

describe.skipIf(missing)('the wiki in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let alice: WatchedPage;

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, ...ALICE, { admin: true });
    await createRepo(s, ALICE, { name: 'handbook', auto_init: true });
    browser = await launchChromium();
    alice = await openPage(browser, s);
    await signInContext(alice, ...ALICE);
  }, 120_000);

  afterAll(async () => {
    if (alice) {
      expect(alice.dialogs).toEqual([]);
      expect(alice.pageErrors).toEqual([]);
    }
    await browser?.close();
    await s?.stop();
  });

  it('creates the first page and edits it in the browser; git clone gets the edit', async () => {
    await alice.go(R);
    await alice.page.getByTestId('wiki-tab').click();
    await alice.page.getByTestId('wiki-create-first').click(SLOW);
    // the first page of a wiki is its Home
    await expect.poll(() => alice.page.getByTestId('wiki-edit-title').inputValue(), SLOW).toBe('Home');
    await alice.page.getByTestId('wiki-edit-content').fill('# Handbook\n\nStart with [Setup](Setup).\n');
    await alice.page.getByTestId('wiki-save').click();
    await alice.page.getByTestId('wiki-content').getByRole('heading', { name: 'Handbook' }).waitFor(SLOW);

    await alice.page.getByTestId('wiki-edit').click();
    const content = alice.page.getByTestId('wiki-edit-content');
    await expect.poll(() => content.inputValue(), SLOW).toContain('# Handbook');
    await content.fill('# Handbook\n\nStart with [Setup](Setup).\n\nEdited in the **browser**.\n');
    await alice.page.getByTestId('wiki-preview-tab').click();
    await alice.page.getByTestId('wiki-preview').locator('strong', { hasText: 'browser' }).waitFor(SLOW);
    await alice.page.getByTestId('wiki-edit-message').fill('Say where it was edited');
    await alice.page.getByTestId('wiki-save').click();
    await alice.page.getByTestId('wiki-content').getByText('Edited in the').waitFor(SLOW);
    expect(alice.page.url()).toMatch(/\/alice\/handbook\/wiki\/Home$/);

    const clone = path.join(await tempDir(), 'wiki');
    await gitOk(['clone', '-q', s.gitUrl('alice/handbook.wiki.git', ALICE), clone]);
    expect(await readFile(path.join(clone, 'Home.md'), 'utf8')).toContain('Edited in the **browser**.');
    expect(await gitOk(['log', '-1', '--format=%an %s'], { cwd: clone })).toBe('alice Say where it was edited\n');
  });

  it('shows a page pushed with git, with the sidebar, in the list and in search', async () => {
    const clone = path.join(await tempDir(), 'wiki');
    await gitOk(['clone', '-q', s.gitUrl('alice/handbook.wiki.git', ALICE), clone]);
    await writeFile(path.join(clone, 'Setup.md'), '# Setup\n\nInstall the *frobnicator* first.\n');
    await writeFile(path.join(clone, '_Sidebar.md'), '* [Home](Home)\n* [Setup](Setup)\n');
    await gitOk(['add', '-A'], { cwd: clone });
    await gitOk(['commit', '-q', '-m', 'Setup from git'], { cwd: clone });
    await gitOk(['push', '-q', 'origin', 'HEAD'], { cwd: clone });

    await alice.go(`${R}/wiki`);
    // the link on Home is relative: it reaches the pushed page
    await alice.page.getByTestId('wiki-content').getByRole('link', { name: 'Setup' }).click(SLOW);
    await alice.page.getByTestId('wiki-content').locator('em', { hasText: 'frobnicator' }).waitFor(SLOW);
    expect(await alice.page.getByTestId('wiki-title').textContent()).toBe('Setup');
    await alice.page.getByTestId('wiki-sidebar').getByRole('link', { name: 'Home' }).waitFor(SLOW);
    expect(await alice.page.getByTestId('wiki-clone-url').inputValue()).toMatch(/\/alice\/handbook\.wiki\.git$/);

    await alice.page.getByRole('link', { name: 'Pages' }).click();
    const list = alice.page.getByTestId('wiki-pages');
    await list.waitFor(SLOW);
    expect(await list.getByRole('link').allTextContents()).toEqual(['Home', 'Setup']);

    await alice.page.getByTestId('wiki-search').fill('frobnicator');
    await alice.page.getByTestId('wiki-search').press('Enter');
    const results = alice.page.getByTestId('wiki-search-results');
    await results.getByRole('link', { name: 'Setup' }).waitFor(SLOW);
  });

  it('lists a page history that links to the diff of each revision', async () => {
    await alice.go(`${R}/wiki/Home`);
    await alice.page.getByTestId('wiki-history').click(SLOW);
    const revisions = alice.page.getByTestId('wiki-revision');
    await expect.poll(() => revisions.count(), SLOW).toBe(2);
    await revisions.first().click();
    const diff = alice.page.getByTestId('wiki-diff');
    await diff.getByText('+Edited in the **browser**.').waitFor(SLOW);
  });

  it('reports an edit based on a page someone changed meanwhile, and saves nothing', async () => {
    await alice.go(`${R}/wiki/Setup?action=_edit`);
    const content = alice.page.getByTestId('wiki-edit-content');
    await expect.poll(() => content.inputValue(), SLOW).toContain('frobnicator');
    // someone else saves the page while the editor is open
    const current = (await (await s.api('GET', '/api/v1/repos/alice/handbook/wiki/page/Setup', { auth: ALICE })).json()) as { sha: string };
    const theirs = await s.api('PATCH', '/api/v1/repos/alice/handbook/wiki/page/Setup', {
      auth: ALICE,
      json: { content_base64: Buffer.from('# Setup\n\ntheir version\n').toString('base64'), sha: current.sha },
    });
    expect(theirs.status).toBe(200);
    await content.fill('# Setup\n\nmy version\n');
    await alice.page.getByTestId('wiki-save').click();
    await alice.page.getByTestId('wiki-conflict').waitFor(SLOW);
    expect(await content.inputValue()).toContain('my version');
    const now = (await (await s.api('GET', '/api/v1/repos/alice/handbook/wiki/page/Setup', { auth: ALICE })).json()) as { content_base64: string };
    expect(Buffer.from(now.content_base64, 'base64').toString('utf8')).toContain('their version');
  });
});
