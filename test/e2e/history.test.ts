// History in Chromium against a real server and a real push: the commit log (pages, a path,
// a branch with slashes), a commit's diff in unified and split view (renames, binary files),
// branches created and deleted through the dialogs (checked with `git ls-remote`), tags,
// contributors matching `git shortlog -sne`, hostile commit messages shown as text, and
// read-only visitors who get no enabled write buttons.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, gitOk, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
const alice: [string, string] = ['alice', 'alice-pass-123'];
const HOSTILE = '<img src=x onerror=alert(1)> and <script>window.__pwned=1</script>';
const ALICE = { name: 'Alice A', email: 'alice@example.test' };
const CAROL = { name: 'Carol C', email: 'carol@example.test' };
const R = '/alice/hist';

async function signIn(page: Page, user: string, password: string): Promise<void> {
  const status = await page.evaluate(
    async ([u, p]) => {
      const session = (await (await fetch('/api/v1/auth/session')).json()) as { csrf_token: string };
      const res = await fetch('/api/v1/auth/signin', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token },
        body: JSON.stringify({ username: u, password: p }),
      });
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

  const lsRemote = async () => gitOk(['ls-remote', '--heads', s.gitUrl('alice/hist.git', alice)]);

  /**
   * The history, written by one `git fast-import` (a few hundred `git commit`s would take
   * longer than the rest of the file): 55 numbered commits two hours apart by two authors,
   * notes.txt touched by every tenth, a tag, a rename, a binary file added and changed, a big
   * file, a hostile message, and a branch with a slash in its name.
   */
  function history(): { stream: string; marks: Record<string, number> } {
    const out: string[] = [];
    const marks: Record<string, number> = {};
    let mark = 0;
    let when = 1_780_000_000;
    const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
    const commit = (key: string, message: string, author: { name: string; email: string }, changes: string[], opts: { ref?: string; from?: string } = {}) => {
      marks[key] = ++mark;
      when += 7200;
      out.push(`commit refs/heads/${opts.ref ?? 'main'}\nmark :${mark}\nauthor ${author.name} <${author.email}> ${when} +0000\ncommitter Test <test@example.test> ${when} +0000\n${data(message)}`);
      if (opts.from) out.push(`from :${marks[opts.from]}\n`);
      out.push(changes.join(''));
      out.push('\n');
    };
    const file = (p: string, content: string) => `M 100644 inline ${p}\n${data(content)}`;
    let code = '';
    let notes = '';
    for (let i = 1; i <= 55; i++) {
      code += `export const v${i} = ${i};\n`;
      const changes = [file('src/index.ts', code)];
      if (i === 1) changes.push(file('README.md', '# History\n\nA repository with a past.\n'));
      if (i % 10 === 0) changes.push(file('docs/notes.txt', (notes += `note ${i}\n`)));
      commit(String(i), `commit ${i}`, i % 2 ? CAROL : ALICE, changes);
    }
    out.push(`tag v1.0\nfrom :${marks['30']}\ntagger Test <test@example.test> ${when} +0000\n${data('first release')}`);
    commit('rename', 'rename the readme', ALICE, ['R README.md GUIDE.md\n']);
    commit('binaryAdd', 'add a binary', ALICE, [file('logo.bin', '\u0000\u0001\u0002\u0003\u0000PNG')]);
    commit('binary', 'change the binary', ALICE, [file('logo.bin', '\u0000\u0009\u0008\u0007\u0000GIF')]);
    commit('big', 'add a big file', ALICE, [file('big.txt', Array.from({ length: 1000 }, (_, i) => `big line ${i + 1}\n`).join(''))]);
    commit('hostile', `${HOSTILE}\n\nbody with <b>markup</b> too`, CAROL, [file('src/index.ts', `${code}// ${HOSTILE}\n`)]);
    commit('feature', 'feature work', ALICE, [file('docs/notes.txt', `${notes}feature note\n`)], { ref: 'feature/x', from: '50' });
    return { stream: out.join(''), marks };
  }

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'alice', alice[1], { admin: true });
    await createUser(s, 'bob', 'bob-pass-123', { via: alice });
    await createRepo(s, alice, { name: 'hist' });
    src = await tempDir();
    await gitOk(['init', '-q', '--bare', '-b', 'main', src]);
    const { stream, marks } = history();
    await gitOk(['fast-import', '--quiet', `--export-marks=${path.join(src, 'marks')}`], { cwd: src, input: stream });
    const byMark = new Map(
      (await readFile(path.join(src, 'marks'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => [Number(l.split(' ')[0]!.slice(1)), l.split(' ')[1]!] as const),
    );
    for (const [key, m] of Object.entries(marks)) sha[key] = byMark.get(m)!;
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
    expect(first.slice(1, 6)).toEqual(['add a big file', 'change the binary', 'add a binary', 'rename the readme', 'commit 55']);
    expect(first[49]).toBe('commit 11');
    await expect(w.page.getByTestId('commit-total').textContent()).resolves.toBe('60 commits');
    // grouped by day (the commits are two hours apart), authors linked to the accounts their emails belong to
    expect(await w.page.getByRole('heading', { name: /^Commits on / }).count()).toBeGreaterThanOrEqual(4);
    expect(await w.page.locator('[data-testid="commit-row"]').nth(1).getByRole('link', { name: 'alice', exact: true }).count()).toBe(1);
    await w.shot('commits');
    await w.page.getByRole('button', { name: 'Older →' }).click();
    await w.page.waitForURL(/[?&]page=2/);
    await w.page.getByRole('link', { name: 'commit 1', exact: true }).waitFor();
    expect(await summaries(w)).toEqual(Array.from({ length: 10 }, (_, i) => `commit ${10 - i}`));
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
    // a big file starts collapsed and opens on request
    await w.go(`${R}/commit/${sha.big}`);
    await w.page.getByText(/A large diff \(1,?001 lines\) is hidden/).waitFor();
    expect(await w.page.getByText('big line 1000').count()).toBe(0);
    await w.page.getByRole('button', { name: 'Load diff' }).click();
    await w.page.getByText('big line 1000', { exact: true }).waitFor();
    await w.context.close();
  });

  it('shows a hostile commit message as text in the log and on the commit page', async () => {
    const w = await openPage(browser, s);
    await w.go(`${R}/commits/branch/main`);
    await w.page.getByRole('link', { name: HOSTILE }).waitFor();
    await w.go(`${R}/commit/${sha.hostile}`);
    await expect(w.page.getByTestId('commit-title').textContent()).resolves.toBe(HOSTILE);
    await expect(w.page.getByTestId('commit-body').textContent()).resolves.toBe('body with <b>markup</b> too');
    await w.page
      .getByTestId('diff-unified')
      .locator('td', { hasText: `// ${HOSTILE}` })
      .waitFor();
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
