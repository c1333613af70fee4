// Editing in Chromium, as a person does it: change a file in the editor, look at the diff of
// the whole change and commit it to a new branch (then the pull request offer); upload a folder
// (sizes checked against the push cap first) as one commit; select rows of a tree and delete
// them together; and a branch that moved while the editor was open fails the commit with the
// server's message while the text stays in the editor. One server, one browser; the results are
// checked with the real git.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, gitOk, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
const ALICE: [string, string] = ['alice', 'alice-pass-123'];
const CAP = 256 * 1024;

const APP_TS = `export function greet(name: string): string {
  return \`Hello, \${name}!\`;
}
`;

describe.skipIf(missing)('web editing', () => {
  let s: TestServer;
  let browser: Browser;
  let w: WatchedPage;
  let work: string;
  let clone: string;

  const git = (args: string[]) => gitOk(args, { cwd: clone });
  /** The local clone at the server's main (and every other branch as origin/<b>). */
  const pull = async () => {
    await git(['fetch', '-q', 'origin']);
    await git(['reset', '-q', '--hard', 'origin/main']);
  };

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, ...ALICE, { admin: true });
    await createRepo(s, ALICE, { name: 'demo' });
    // a small push cap, so the upload page has something to refuse
    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: ALICE, json: { 'git.maxPushBytes': CAP } })).status).toBe(200);

    work = await tempDir('gitssy-edit-');
    clone = path.join(work, 'demo');
    await gitOk(['init', '-q', '-b', 'main', clone]);
    await gitOk(['config', 'user.name', 'Alice'], { cwd: clone });
    await gitOk(['config', 'user.email', 'alice@example.test'], { cwd: clone });
    await mkdir(path.join(clone, 'src'), { recursive: true });
    await mkdir(path.join(clone, 'docs'), { recursive: true });
    await mkdir(path.join(clone, 'old', 'inner'), { recursive: true });
    await writeFile(path.join(clone, 'README.md'), '# Demo\n\nThe first words.\n');
    await writeFile(path.join(clone, 'src', 'app.ts'), APP_TS);
    await writeFile(path.join(clone, 'docs', 'a.md'), '# A\n');
    await writeFile(path.join(clone, 'old', 'x.txt'), 'x\n');
    await writeFile(path.join(clone, 'old', 'inner', 'y.txt'), 'y\n');
    await writeFile(path.join(clone, 'delete-me.txt'), 'bye\n');
    await writeFile(path.join(clone, 'keep.txt'), 'stay\n');
    await git(['add', '-A']);
    await git(['commit', '-q', '-m', 'Initial import']);
    await git(['remote', 'add', 'origin', s.gitUrl('alice/demo.git', ALICE)]);
    await git(['push', '-q', 'origin', 'main']);

    browser = await launchChromium();
    w = await openPage(browser, s);
    await signInContext(w, ...ALICE);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('edits a file in CodeMirror, previews the diff and commits it to a new branch, then offers a pull request', async () => {
    const { page } = w;
    await w.go('/alice/demo/src/branch/main/src/app.ts');
    await page.getByTestId('edit-file').click();
    await page.waitForURL('**/alice/demo/_edit/main/src/app.ts');
    const content = page.locator('.cm-content');
    await content.waitFor();
    // the language comes from the file name, loaded on demand
    await expect.poll(() => page.getByTestId('editor-language').innerText()).toBe('TypeScript');
    await expect(page.locator('.cm-lineNumbers .cm-gutterElement').filter({ hasText: /^3$/ }).count()).resolves.toBeGreaterThan(0);
    await content.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('export const answer = 42;');
    // soft wrap is a toggle
    const wrap = page.getByTestId('soft-wrap');
    const wrapped = await wrap.isChecked();
    await wrap.click();
    await expect.poll(() => page.locator('.cm-content').evaluate((el) => el.classList.contains('cm-lineWrapping'))).toBe(!wrapped);

    await page.getByTestId('commit-open').click();
    const dialog = page.getByTestId('commit-dialog');
    await dialog.getByTestId('commit-subject').fill('Add the answer');
    await dialog.getByTestId('commit-new-branch').check();
    await dialog.getByTestId('new-branch-name').fill('feature-answer');
    await dialog.getByTestId('preview-changes').click();
    const preview = dialog.getByTestId('commit-preview');
    await preview.getByTestId('diff-file').waitFor();
    await expect(preview.getByTestId('diff-file').textContent()).resolves.toContain('src/app.ts');
    await expect(preview.locator('tr', { hasText: 'export const answer = 42;' }).count()).resolves.toBe(1);
    await expect(preview.textContent()).resolves.toMatch(/1 file changed, \+1 −0/);
    await w.shot('edit-preview');

    await dialog.getByTestId('commit-submit').click();
    const pr = page.getByTestId('open-pull-request');
    await pr.waitFor();
    await expect(pr.getAttribute('href')).resolves.toBe('/alice/demo/compare/main...feature-answer');

    // the new branch has the commit, main does not
    await pull();
    expect(await git(['show', 'origin/feature-answer:src/app.ts'])).toBe(`${APP_TS}export const answer = 42;`);
    expect(await git(['log', '-1', '--format=%s', 'origin/feature-answer'])).toBe('Add the answer\n');
    expect(await git(['rev-parse', 'origin/feature-answer^'])).toBe(await git(['rev-parse', 'origin/main']));
    expect(await git(['show', 'origin/main:src/app.ts'])).toBe(APP_TS);

    await pr.click();
    await page.waitForURL('**/alice/demo/compare/main...feature-answer');
    expect(w.pageErrors).toEqual([]);
  });

  it('uploads a folder as one commit, after naming the file too large for the push cap', async () => {
    const { page } = w;
    const folder = path.join(work, 'upload', 'docs');
    await mkdir(path.join(folder, 'nested'), { recursive: true });
    await writeFile(path.join(folder, 'a.md'), '# A, replaced\n');
    await writeFile(path.join(folder, 'b.md'), '# B\n');
    await writeFile(path.join(folder, 'nested', 'c.txt'), 'deep\n');

    await w.go('/alice/demo');
    await page.getByTestId('upload-link').click();
    await page.waitForURL('**/alice/demo/_upload/main');
    // too large for the cap: named, and the commit waits until it is gone
    await page.getByTestId('upload-files').setInputFiles([{ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(CAP + 1, 7) }]);
    await expect(page.getByTestId('upload-problem').innerText()).resolves.toContain('too large');
    await expect(page.getByTestId('commit-open').isDisabled()).resolves.toBe(true);
    await page.getByRole('button', { name: "Remove the files that can't be uploaded" }).click();

    // a file dropped on the page (a synthetic drop has no file system entries: the plain file list is used)
    const dropped = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped\n'], 'dropped.txt', { type: 'text/plain' }));
      return dt;
    });
    await page.getByTestId('upload-drop').dispatchEvent('drop', { dataTransfer: dropped });
    await page.getByTestId('upload-folder').setInputFiles(folder);
    await expect
      .poll(() => page.getByTestId('upload-item').allInnerTexts())
      .toEqual([expect.stringContaining('docs/a.md'), expect.stringContaining('docs/b.md'), expect.stringContaining('docs/nested/c.txt'), expect.stringContaining('dropped.txt')]);
    await w.shot('edit-upload');
    await page.getByTestId('commit-open').click();
    const dialog = page.getByTestId('commit-dialog');
    await dialog.getByTestId('commit-subject').fill('Upload the docs');
    await dialog.getByTestId('commit-submit').click();
    await page.waitForURL(/\/alice\/demo\/src\/branch\/main$/);
    await page.getByTestId('tree').getByRole('link', { name: 'docs', exact: true }).waitFor();

    await pull();
    expect(await git(['log', '-1', '--format=%s', 'main'])).toBe('Upload the docs\n');
    // one commit: a.md replaced, the rest added
    expect(await git(['show', '--name-status', '--format=', 'main'])).toBe('M\tdocs/a.md\nA\tdocs/b.md\nA\tdocs/nested/c.txt\nA\tdropped.txt\n');
    expect(await git(['show', 'main:docs/nested/c.txt'])).toBe('deep\n');
  });

  it('deletes the rows selected in a tree in one commit', async () => {
    const { page } = w;
    await w.go('/alice/demo/src/branch/main');
    const tree = page.getByTestId('tree');
    const row = (name: string) => tree.locator('tr').filter({ has: page.getByRole('link', { name, exact: true }) });
    await row('old').getByTestId('select-entry').check();
    await row('delete-me.txt').getByTestId('select-entry').check();
    await expect(page.getByTestId('selected-count').innerText()).resolves.toBe('2 selected');
    await w.shot('edit-tree-selected');
    await page.getByTestId('delete-selected').click();
    const dialog = page.getByTestId('commit-dialog');
    await expect(dialog.getByTestId('delete-entries').innerText()).resolves.toBe('old/\ndelete-me.txt');
    await dialog.getByTestId('preview-changes').click();
    await expect.poll(() => dialog.getByTestId('diff-file').count()).toBe(3);
    await dialog.getByTestId('commit-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => row('delete-me.txt').count()).toBe(0);

    await pull();
    expect(await git(['show', '--name-status', '--format=%s', 'main'])).toBe('Delete 2 files and folders\n\nD\tdelete-me.txt\nD\told/inner/y.txt\nD\told/x.txt\n');
    expect(await git(['ls-tree', '--name-only', 'main'])).toBe('README.md\ndocs\ndropped.txt\nkeep.txt\nsrc\n');
  });

  it('moves a folder in one commit', async () => {
    const { page } = w;
    await w.go('/alice/demo/src/branch/main/docs');
    await page.getByTestId('move-folder').click();
    const dialog = page.getByTestId('commit-dialog');
    await dialog.getByTestId('move-to').fill('guide');
    await dialog.getByTestId('commit-submit').click();
    await page.waitForURL('**/alice/demo/src/branch/main/guide');
    await pull();
    expect(await git(['show', '--name-status', '--format=%s', 'main'])).toBe(
      'Move docs to guide\n\nR100\tdocs/a.md\tguide/a.md\nR100\tdocs/b.md\tguide/b.md\nR100\tdocs/nested/c.txt\tguide/nested/c.txt\n',
    );
  });

  it('starts an empty repository with a file written in the browser', async () => {
    const { page } = w;
    await createRepo(s, ALICE, { name: 'fresh' });
    await w.go('/alice/fresh');
    await page.getByTestId('empty-new-file').click();
    await page.getByTestId('file-name').fill('notes/hello.md');
    const content = page.locator('.cm-content');
    await content.click();
    await page.keyboard.type('# Hello\n');
    await expect.poll(() => page.getByTestId('editor-language').innerText()).toBe('Markdown');
    await page.getByTestId('commit-open').click();
    // nothing to branch from yet: the only choice is the default branch
    await expect(page.getByTestId('commit-new-branch').count()).resolves.toBe(0);
    await page.getByTestId('commit-submit').click();
    await page.waitForURL('**/alice/fresh/src/branch/main/notes/hello.md');
    const raw = await w.context.request.get('/api/v1/repos/alice/fresh/raw/notes/hello.md?ref=main');
    expect(await raw.text()).toBe('# Hello\n');
  });

  it('refuses a commit when the branch moved since the editor opened, keeping the text', async () => {
    const { page } = w;
    await w.go('/alice/demo/_edit/main/README.md');
    const content = page.locator('.cm-content');
    await content.waitFor();
    await content.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('Words typed in the browser.');

    // someone pushes meanwhile
    await pull();
    await writeFile(path.join(clone, 'keep.txt'), 'changed elsewhere\n');
    await git(['commit', '-q', '-am', 'A push from elsewhere']);
    await git(['push', '-q', 'origin', 'main']);

    await page.getByTestId('commit-open').click();
    const dialog = page.getByTestId('commit-dialog');
    await dialog.getByTestId('commit-subject').fill('My README words');
    await dialog.getByTestId('commit-submit').click();
    await expect(dialog.getByTestId('branch-moved').innerText()).resolves.toBe('the branch changed since you started — review the new changes');
    await expect(dialog.getByTestId('view-new-changes').getAttribute('href')).resolves.toBe('/alice/demo/commits/branch/main');
    // everything typed is still there
    await expect(dialog.getByTestId('commit-subject').inputValue()).resolves.toBe('My README words');
    await w.shot('edit-branch-moved');
    await page.keyboard.press('Escape');
    await expect(content.innerText()).resolves.toContain('Words typed in the browser.');
    await pull();
    expect(await git(['log', '-1', '--format=%s', 'main'])).toBe('A push from elsewhere\n');
    expect(await git(['show', 'main:README.md'])).not.toContain('Words typed');

    // after reviewing, the same change goes on top of the new commits (README itself didn't change)
    await page.getByTestId('commit-open').click();
    await dialog.getByTestId('commit-submit').click();
    await dialog.getByTestId('use-new-tip').click();
    await dialog.getByTestId('rebased').waitFor();
    await dialog.getByTestId('commit-submit').click();
    await page.waitForURL('**/alice/demo/src/branch/main/README.md');
    await pull();
    expect(await git(['log', '-2', '--format=%s', 'main'])).toBe('My README words\nA push from elsewhere\n');
    expect(await git(['show', 'main:README.md'])).toBe('# Demo\n\nThe first words.\nWords typed in the browser.');
    expect(w.pageErrors).toEqual([]);
  });
});
