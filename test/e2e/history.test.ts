// History in Chromium against a real server and a real push: the commit log (pages, a path,
// a branch with slashes), a commit's diff in unified and split view (renames, binary files),
// branches created and deleted through the dialogs (checked with `git ls-remote`), tags,
// contributors matching `git shortlog -sne`, hostile commit messages shown as text, and
// read-only visitors who get no enabled write buttons.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, gitOk, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
const alice: [string, string] = ['alice', 'alice-pass-123'];
const HOSTILE = '<img src=x onerror=alert(1)> and <script>window.__pwned=1</script>';
const ALICE_ENV = { GIT_AUTHOR_NAME: 'Alice A', GIT_AUTHOR_EMAIL: 'alice@example.test' };
const CAROL_ENV = { GIT_AUTHOR_NAME: 'Carol C', GIT_AUTHOR_EMAIL: 'carol@example.test' };
const R = '/alice/hist';

async function signIn(page: Page, user: string, password: string): Promise<void> {
  const status = await page.evaluate(
    async ([u, p]) => {
      const session = (await (await fetch('/api/v1/auth/session')).json()) as { csrf_token: string };
      const res = await fetch('/api/v1/auth/signin', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token }, body: JSON.stringify({ username: u, password: p }) });
      return res.status;
    },
    [user, password] as const,
  );
  expect(status).toBe(200);
}

describe.skipIf(missing)('history pages', () => {
  let s: TestServer;
  let browser: Browser;
  let src: string;
  const sha: Record<string, string> = {};

  const commit = async (message: string, env: Record<string, string>) => {
    await gitOk(['add', '-A'], { cwd: src });
    await gitOk(['commit', '-q', '-m', message], { cwd: src, env });
    return (await gitOk(['rev-parse', 'HEAD'], { cwd: src })).trim();
  };
  const lsRemote = async () => gitOk(['ls-remote', '--heads', s.gitUrl('alice/hist.git', alice)]);

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'alice', alice[1], { admin: true });
    await createUser(s, 'bob', 'bob-pass-123', { via: alice });
    await createRepo(s, alice, { name: 'hist' });
    src = await tempDir();
    await gitOk(['init', '-q', '-b', 'main', src]);
    await mkdir(path.join(src, 'src'));
    await mkdir(path.join(src, 'docs'));
    await writeFile(path.join(src, 'README.md'), '# History\n\nA repository with a past.\n');
    let code = '';
    let notes = '';
    for (let i = 1; i <= 55; i++) {
      code += `export const v${i} = ${i};\n`;
      await writeFile(path.join(src, 'src', 'index.ts'), code);
      if (i % 10 === 0) {
        notes += `note ${i}\n`;
        await writeFile(path.join(src, 'docs', 'notes.txt'), notes);
      }
      sha[i] = await commit(`commit ${i}`, i % 2 ? CAROL_ENV : ALICE_ENV);
    }
    await gitOk(['tag', '-a', 'v1.0', '-m', 'first release', sha[30]!], { cwd: src });
    await gitOk(['mv', 'README.md', 'GUIDE.md'], { cwd: src });
    sha.rename = await commit('rename the readme', ALICE_ENV);
    await writeFile(path.join(src, 'logo.bin'), Buffer.from([0, 1, 2, 3, 0, 255, 254]));
    sha.binaryAdd = await commit('add a binary', ALICE_ENV);
    await writeFile(path.join(src, 'logo.bin'), Buffer.from([0, 9, 8, 7, 0, 255]));
    sha.binary = await commit('change the binary', ALICE_ENV);
    await writeFile(path.join(src, 'src', 'index.ts'), `${code}// ${HOSTILE}\n`);
    sha.hostile = await commit(`${HOSTILE}\n\nbody with <b>markup</b> too`, CAROL_ENV);
    await gitOk(['checkout', '-q', '-b', 'feature/x', sha[50]!], { cwd: src });
    await writeFile(path.join(src, 'docs', 'notes.txt'), `${notes}feature note\n`);
    sha.feature = await commit('feature work', ALICE_ENV);
    await gitOk(['checkout', '-q', 'main'], { cwd: src });
    await gitOk(['push', '-q', s.gitUrl('alice/hist.git', alice), 'main', 'feature/x', 'v1.0'], { cwd: src });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  const rows = (w: WatchedPage) => w.page.getByTestId('commit-row');
  const summaries = async (w: WatchedPage) => w.page.getByTestId('commit-summary').allTextContents();

  it('pages through the log of a branch, newest first, 50 a page', async () => {
    const w = await openPage(browser, s);
    await w.go(`${R}/commits/branch/main`);
    await rows(w).first().waitFor();
    expect(await rows(w).count()).toBe(50);
    const first = await summaries(w);
    expect(first[0]).toBe(HOSTILE);
    expect(first.slice(1, 5)).toEqual(['change the binary', 'add a binary', 'rename the readme', 'commit 55']);
    expect(first[49]).toBe('commit 10');
    await expect(w.page.getByTestId('commit-total').textContent()).resolves.toBe('59 commits');
    // grouped by day, with the author linked to the account their email belongs to
    await w.page.getByRole('heading', { name: /^Commits on / }).first().waitFor();
    expect(await w.page.locator('[data-testid="commit-row"]').nth(1).getByRole('link', { name: 'alice', exact: true }).count()).toBe(1);
    await w.shot('commits');
    await w.page.getByRole('button', { name: 'Older →' }).click();
    await w.page.waitForURL(/[?&]page=2/);
    await w.page.getByRole('link', { name: 'commit 1', exact: true }).waitFor();
    expect(await summaries(w)).toEqual(Array.from({ length: 9 }, (_, i) => `commit ${9 - i}`));
    await expect(w.page.getByRole('button', { name: 'Older →' }).isDisabled()).resolves.toBe(true);
    // the commit id links to the commit; "browse files" goes to the tree at that commit
    const row = rows(w).last();
    expect(await row.getByRole('link', { name: `Commit ${sha[1]!.slice(0, 10)}` }).getAttribute('href')).toBe(`${R}/commit/${sha[1]}`);
    expect(await row.getByRole('link', { name: `Browse files at ${sha[1]!.slice(0, 10)}` }).getAttribute('href')).toBe(`${R}/src/commit/${sha[1]}`);
    expect(w.dialogs).toEqual([]);
    expect(w.pageErrors).toEqual([]);
    await w.context.close();
  });

  it('lists only the commits that touched a path, also on a branch with a slash in its name', async () => {
    const w = await openPage(browser, s);
    await w.go(`${R}/commits/branch/main/docs/notes.txt`);
    await rows(w).first().waitFor();
    expect(await summaries(w)).toEqual(['commit 50', 'commit 40', 'commit 30', 'commit 20', 'commit 10']);
    await expect(w.page.getByTestId('log-path').textContent()).resolves.toBe('docs/notes.txt');
    await w.go(`${R}/commits/branch/feature/x/docs/notes.txt`);
    await w.page.getByRole('link', { name: 'feature work' }).waitFor();
    expect(await summaries(w)).toEqual(['feature work', 'commit 50', 'commit 40', 'commit 30', 'commit 20', 'commit 10']);
    await w.go(`${R}/commits/tag/v1.0`);
    await rows(w).first().waitFor();
    expect((await summaries(w))[0]).toBe('commit 30');
    await w.go(`${R}/commits/branch/no-such-branch`);
    await w.page.getByRole('heading', { name: 'Not found' }).waitFor();
    await w.context.close();
  });

  it('opens a commit from the log: files, diff lines, and split view that is remembered', async () => {
    const w = await openPage(browser, s);
    await w.go(`${R}/commits/branch/main`);
    await w.page.getByRole('link', { name: 'commit 55', exact: true }).click();
    await w.page.waitForURL(new RegExp(`/commit/${sha[55]}$`));
    await w.page.getByTestId('file-list').getByText('src/index.ts').waitFor();
    const added = w.page.getByTestId('diff-unified').locator('tr').filter({ hasText: 'export const v55 = 55;' });
    await added.waitFor();
    expect(await added.getAttribute('class')).toMatch(/lineAdd/);
    await expect(w.page.getByTestId('commit-sha').textContent()).resolves.toBe(sha[55]);
    expect(await w.page.getByRole('link', { name: sha[54]!.slice(0, 10) }).getAttribute('href')).toBe(`${R}/commit/${sha[54]}`);
    await w.shot('commit-unified');

    await w.page.getByRole('button', { name: 'Split' }).click();
    await w.page.getByTestId('diff-split').waitFor();
    await w.page.waitForURL(/style=split/);
    expect(await w.page.getByTestId('diff-unified').count()).toBe(0);
    // two columns: old line number and text, new line number and text
    const splitRow = w.page.getByTestId('diff-split').locator('tr').filter({ hasText: 'export const v55 = 55;' });
    expect(await splitRow.locator('td').count()).toBe(4);
    expect(await splitRow.locator('td').nth(3).textContent()).toBe('export const v55 = 55;');
    await w.shot('commit-split');
    // the choice is remembered for a commit opened without ?style
    await w.go(`${R}/commit/${sha[54]}`);
    await w.page.getByTestId('diff-split').waitFor();
    await w.page.getByRole('button', { name: 'Unified' }).click();
    await w.page.getByTestId('diff-unified').waitFor();
    expect(await w.page.getByTestId('diff-split').count()).toBe(0);
    expect(w.pageErrors).toEqual([]);
    await w.context.close();
  });

  it('shows a rename as old → new and notes a binary change', async () => {
    const w = await openPage(browser, s);
    await w.go(`${R}/commit/${sha.rename}`);
    await expect(w.page.getByTestId('renamed-file').first().textContent()).resolves.toBe('README.md → GUIDE.md');
    await w.page.getByText('File renamed without changes.').waitFor();
    await w.go(`${R}/commit/${sha.binary}`);
    await w.page.getByText('Binary file not shown.').waitFor();
    await w.page.getByTestId('file-list').getByText('logo.bin').waitFor();
    await w.context.close();
  });

  it('shows a hostile commit message as text in the log and on the commit page', async () => {
    const w = await openPage(browser, s);
    await w.go(`${R}/commits/branch/main`);
    await w.page.getByRole('link', { name: HOSTILE }).waitFor();
    await w.go(`${R}/commit/${sha.hostile}`);
    await expect(w.page.getByTestId('commit-title').textContent()).resolves.toBe(HOSTILE);
    await expect(w.page.getByTestId('commit-body').textContent()).resolves.toBe('body with <b>markup</b> too');
    await w.page.getByTestId('diff-unified').locator('td', { hasText: `// ${HOSTILE}` }).waitFor();
    expect(await w.page.locator('img[src="x"], b').count()).toBe(0);
    expect(await w.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(w.dialogs).toEqual([]);
    await w.context.close();
  });

  it('creates a branch through the dialog and deletes it after confirming; the default branch stays', async () => {
    const w = await openPage(browser, s);
    await w.go('/');
    await signIn(w.page, ...alice);
    await w.go(`${R}/branches`);
    const mainRow = w.page.locator('[data-testid="branch-row"][data-branch="main"]');
    await mainRow.getByText('default').waitFor();
    expect(await w.page.getByTestId('branch-row').first().getAttribute('data-branch')).toBe('main');
    await expect(mainRow.getByRole('button', { name: 'Delete branch main' }).isDisabled()).resolves.toBe(true);
    expect(await mainRow.locator('span[title="The default branch cannot be deleted."]').count()).toBe(1);

    await w.page.getByRole('button', { name: 'New branch' }).click();
    const dialog = w.page.getByRole('dialog', { name: 'Create a branch' });
    await dialog.getByLabel('Branch name').fill('topic/from-ui');
    await dialog.getByLabel('Start from').fill('v1.0');
    await dialog.getByRole('button', { name: 'Create branch' }).click();
    await w.page.getByText('Created branch topic/from-ui.').waitFor();
    const row = w.page.locator('[data-testid="branch-row"][data-branch="topic/from-ui"]');
    await row.waitFor();
    expect(await lsRemote()).toContain(`${sha[30]}\trefs/heads/topic/from-ui`);
    await w.shot('branches');

    // a bad name is refused with the server's reason, and nothing is created
    await w.page.getByRole('button', { name: 'New branch' }).click();
    await dialog.getByLabel('Branch name').fill('bad..name');
    await dialog.getByRole('button', { name: 'Create branch' }).click();
    await dialog.getByRole('alert').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await lsRemote()).not.toContain('bad..name');

    await row.getByRole('button', { name: 'Delete branch topic/from-ui' }).click();
    const confirm = w.page.getByRole('dialog', { name: 'Delete this branch?' });
    // cancelling deletes nothing
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await lsRemote()).toContain('refs/heads/topic/from-ui');
    await row.getByRole('button', { name: 'Delete branch topic/from-ui' }).click();
    await confirm.getByRole('button', { name: 'Delete branch' }).click();
    await w.page.getByText('Deleted branch topic/from-ui.').waitFor();
    await row.waitFor({ state: 'detached' });
    expect(await lsRemote()).not.toContain('topic/from-ui');
    expect(await lsRemote()).toContain('refs/heads/main');
    expect(w.pageErrors).toEqual([]);
    await w.context.close();
  });

  it('gives read-only visitors no enabled create or delete buttons', async () => {
    for (const who of ['anonymous', 'bob'] as const) {
      const w = await openPage(browser, s);
      if (who === 'bob') {
        await w.go('/');
        await signIn(w.page, 'bob', 'bob-pass-123');
      }
      await w.go(`${R}/branches`);
      await w.page.getByTestId('branch-row').first().waitFor();
      await expect(w.page.getByRole('button', { name: 'New branch' }).isDisabled()).resolves.toBe(true);
      const deletes = w.page.getByRole('button', { name: /^Delete branch / });
      expect(await deletes.count()).toBe(2);
      for (const b of await deletes.all()) expect(await b.isDisabled()).toBe(true);
      if (who === 'bob') await w.page.getByText('You need write access to this repository to change branches.').waitFor();
      await w.context.close();
    }
  });

  it('lists tags with their commit and downloads', async () => {
    const w = await openPage(browser, s);
    await w.go(`${R}/tags`);
    const row = w.page.getByTestId('tag-row').filter({ hasText: 'v1.0' });
    await row.waitFor();
    await row.getByText('first release').waitFor();
    expect(await row.getByRole('link', { name: sha[30]!.slice(0, 10) }).getAttribute('href')).toBe(`${R}/commit/${sha[30]}`);
    const zip = await row.getByRole('link', { name: 'Download v1.0 as ZIP' }).getAttribute('href');
    expect(zip).toBe('/api/v1/repos/alice/hist/archive/v1.0.zip');
    const res = await s.api('GET', zip!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('zip');
    expect(await row.getByRole('link', { name: 'Download v1.0 as tar.gz' }).getAttribute('href')).toBe('/api/v1/repos/alice/hist/archive/v1.0.tar.gz');
    await w.context.close();
  });

  it('counts contributors as git shortlog -sne does, linking the ones with accounts', async () => {
    const shortlog = (await gitOk(['shortlog', '-sne', 'main'], { cwd: src }))
      .trim()
      .split('\n')
      .map((l) => {
        const m = /^\s*(\d+)\t(.*) <(.*)>$/.exec(l)!;
        return { commits: Number(m[1]), name: m[2]!, email: m[3]! };
      });
    expect(shortlog.length).toBe(2);
    const w = await openPage(browser, s);
    await w.go(`${R}/activity/contributors`);
    await w.page.getByTestId('contributor').first().waitFor();
    const shown = await w.page.getByTestId('contributor').evaluateAll((els) =>
      els.map((el) => ({
        commits: Number(/^(\d+)/.exec(el.querySelector('[data-testid="contributor-commits"]')!.textContent!)![1]),
        name: el.querySelector('strong')!.textContent!,
        email: el.querySelector('[class*="email"]')!.textContent!,
      })),
    );
    expect(shown).toEqual(shortlog);
    expect(await w.page.getByTestId('contributor').filter({ hasText: 'alice@example.test' }).getByRole('link', { name: 'Alice A' }).getAttribute('href')).toBe('/alice');
    expect(await w.page.getByTestId('contributor').filter({ hasText: 'carol@example.test' }).getByRole('link').count()).toBe(0);
    await w.shot('contributors');
    await w.context.close();
  });
});

if (missing) console.warn(`browser tests skipped: ${missing}`);
