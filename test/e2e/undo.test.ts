// Undo in Chromium against a real server and a real push (issue 12, point 3): reverting a commit
// from its page (a conflict refused, a clean revert as a new commit, a protected branch getting a
// pull request), restoring a file as an earlier commit left it, and resetting a branch with its
// name typed to confirm, then undoing the reset. Checked with `git ls-remote` and the API.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, gitOk, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
const alice: [string, string] = ['alice', 'alice-pass-123'];
const R = '/alice/undo';
const API = '/api/v1/repos/alice/undo';
const short = (sha: string) => sha.slice(0, 10);

describe.skipIf(missing)('undo in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let w: WatchedPage;
  const c: string[] = [];

  /** Branch → commit, as `git ls-remote` sees the server. */
  const heads = async (): Promise<Record<string, string>> => {
    const out = await gitOk(['ls-remote', '--heads', s.gitUrl('alice/undo.git', alice)]);
    return Object.fromEntries(
      out
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [sha, ref] = l.split('\t');
          return [ref!.replace('refs/heads/', ''), sha!];
        }),
    );
  };
  const getJson = async <T>(p: string): Promise<T> => {
    const res = await s.api('GET', `${API}${p}`, { auth: alice });
    expect(res.status, `GET ${p}`).toBe(200);
    return (await res.json()) as T;
  };
  // the elements each step waits for say when a page is ready; networkidle would add half a second a page
  const open = async (pathname: string) => {
    await w.page.goto(pathname);
  };
  const raw = async (file: string, ref: string) => s.api('GET', `${API}/raw/${file}?ref=${encodeURIComponent(ref)}`, { auth: alice });
  const tip = async (branch: string) => (await getJson<Array<{ sha: string; commit: { message: string }; parents: { sha: string }[] }>>(`/commits?sha=${encodeURIComponent(branch)}&limit=1`))[0]!;

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'alice', alice[1], { admin: true });
    await createRepo(s, alice, { name: 'undo' });
    // c[0] a.txt + docs/b.txt; c[1] a.txt gains "two"; c[2] adds c.txt; c[3] a.txt gains "four"
    // after "two" (so reverting c[1] conflicts); c[4] changes docs/b.txt
    const dir = await tempDir();
    await gitOk(['init', '-q', '-b', 'main', dir]);
    await mkdir(path.join(dir, 'docs'));
    const steps: Array<[string, Record<string, string>]> = [
      ['commit 1', { 'a.txt': 'one\n', 'docs/b.txt': 'b1\n' }],
      ['commit 2', { 'a.txt': 'one\ntwo\n' }],
      ['commit 3', { 'c.txt': 'three\n' }],
      ['commit 4', { 'a.txt': 'one\ntwo\nfour\n' }],
      ['commit 5', { 'docs/b.txt': 'b2\n' }],
    ];
    for (const [message, files] of steps) {
      for (const [f, text] of Object.entries(files)) await writeFile(path.join(dir, f), text);
      await gitOk(['add', '-A'], { cwd: dir });
      await gitOk(['commit', '-q', '-m', message], { cwd: dir });
      c.push((await gitOk(['rev-parse', 'HEAD'], { cwd: dir })).trim());
    }
    await gitOk(['push', '-q', s.gitUrl('alice/undo.git', alice), 'main', 'main:refs/heads/release'], { cwd: dir });
    const prot = await s.api('POST', `${API}/branch_protections`, { auth: alice, json: { rule_name: 'release' } });
    expect(prot.status).toBe(201);
    browser = await launchChromium();
    w = await openPage(browser, s);
    await signInContext(w, ...alice);
  }, 120_000);

  afterAll(async () => {
    await w?.context.close();
    await browser?.close();
    await s?.stop();
  });

  it('reverts a commit from its page: a conflict writes nothing, a clean revert is a new commit, a protected branch gets a pull request', async () => {
    const dialog = w.page.getByRole('dialog', { name: 'Revert this commit' });
    // commit 2's line is the context of commit 4's: the revert does not apply
    await open(`${R}/commit/${c[1]}`);
    await w.page.getByRole('button', { name: 'Revert', exact: true }).click();
    expect(await dialog.getByLabel('Branch').inputValue()).toBe('main');
    await dialog.getByRole('button', { name: 'Revert', exact: true }).click();
    await dialog.getByRole('alert').getByText('This commit does not apply cleanly to main.').waitFor();
    expect((await heads()).main).toBe(c[4]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await open(`${R}/commit/${c[2]}`);
    await w.page.getByRole('button', { name: 'Revert', exact: true }).click();
    await dialog.getByRole('button', { name: 'Revert', exact: true }).click();
    const done = w.page.getByRole('dialog', { name: 'Commit reverted' });
    await done.getByTestId('revert-result').waitFor();
    const reverted = (await heads()).main!;
    expect(reverted).not.toBe(c[4]);
    const head = await tip('main');
    expect(head.sha).toBe(reverted);
    expect(head.parents.map((p) => p.sha)).toEqual([c[4]]);
    expect(head.commit.message).toMatch(/^Revert "commit 3"/);
    expect((await raw('c.txt', 'main')).status).toBe(404);
    // the link leads to the new commit
    await done.getByRole('link', { name: short(reverted) }).click();
    await w.page.waitForURL(new RegExp(`/commit/${reverted}$`));
    await expect(w.page.getByTestId('commit-sha').textContent()).resolves.toBe(reverted);
    expect(await done.count()).toBe(0);

    // onto the protected branch: a new branch and a pull request, the branch itself unmoved
    await open(`${R}/commit/${c[2]}`);
    await w.page.getByRole('button', { name: 'Revert', exact: true }).click();
    await dialog.getByLabel('Branch').fill('release');
    await dialog.getByText('release is protected').waitFor();
    await dialog.getByRole('button', { name: 'Revert', exact: true }).click();
    const pullLink = done.getByRole('link', { name: /^#\d+$/ });
    await pullLink.waitFor();
    const number = Number((await pullLink.textContent())!.slice(1));
    const after = await heads();
    expect(after.release).toBe(c[4]);
    const pull = await getJson<{ base: { ref: string }; head: { ref: string; sha: string } }>(`/pulls/${number}`);
    expect(pull.base.ref).toBe('release');
    expect(after[pull.head.ref]).toBe(pull.head.sha);
    await pullLink.click();
    await w.page.waitForURL(new RegExp(`${R}/pulls/${number}$`));
    expect(w.pageErrors).toEqual([]);
  });

  it('restores a file as an earlier commit left it, from its history and from a commit that removed it', async () => {
    const before = (await heads()).main!;
    await open(`${R}/commits/branch/main/a.txt`);
    await w.page.getByTestId('commit-row').first().waitFor();
    await w.page.getByRole('button', { name: `Restore a.txt as of ${short(c[0]!)}` }).click();
    const dialog = w.page.getByRole('dialog', { name: 'Restore this version' });
    await expect(dialog.getByTestId('restore-summary').textContent()).resolves.toContain(`goes back to exactly how it was at commit ${short(c[0]!)}`);
    expect(await dialog.getByLabel('Branch', { exact: true }).inputValue()).toBe('main');
    await w.shot('undo-restore-confirm');
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await w.page.getByRole('dialog', { name: 'Version restored' }).getByTestId('restore-result').waitFor();
    const restored = (await heads()).main!;
    expect((await tip('main')).parents.map((p) => p.sha)).toEqual([before]);
    expect(await (await raw('a.txt', restored)).text()).toBe('one\n');
    // the rest of the tree is untouched
    expect(await (await raw('docs/b.txt', restored)).text()).toBe('b2\n');
    await w.page.getByRole('dialog', { name: 'Version restored' }).getByRole('button', { name: 'Close' }).click();
    // the log refreshed: the restore is the newest commit of a.txt
    await w.page
      .getByRole('link', { name: `Restore a.txt to ${c[0]!.slice(0, 7)}` })
      .first()
      .waitFor();

    // the revert of commit 3 removed c.txt: its page brings the file back as the parent had it
    const revert = (await getJson<Array<{ sha: string; commit: { message: string } }>>('/commits?sha=main&limit=10')).find((x) => x.commit.message.startsWith('Revert "commit 3"'))!;
    await open(`${R}/commit/${revert.sha}`);
    await w.page.getByRole('button', { name: `Restore c.txt as of ${short(c[4]!)}` }).click();
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await w.page.getByRole('dialog', { name: 'Version restored' }).getByTestId('restore-result').waitFor();
    expect(await (await raw('c.txt', 'main')).text()).toBe('three\n');
    expect(w.pageErrors).toEqual([]);
  });

  it('resets a branch after its name is typed, lists the backup, and undoes the reset in one click', async () => {
    const oldTip = (await heads()).main!;
    await open(`${R}/branches`);
    const mainRow = w.page.locator('[data-testid="branch-row"][data-branch="main"]');
    await mainRow.waitFor();
    // a protected branch offers no reset
    expect(
      await w.page
        .locator('[data-testid="branch-row"][data-branch="release"]')
        .getByRole('button', { name: /^Reset branch/ })
        .count(),
    ).toBe(0);
    expect(await w.page.getByTestId('reset-row').count()).toBe(0);

    await mainRow.getByRole('button', { name: 'Reset branch main' }).click();
    const dialog = w.page.getByRole('dialog', { name: 'Reset main' });
    const go = dialog.getByRole('button', { name: 'Reset branch' });
    await dialog.getByRole('radio', { name: `${short(c[1]!)} commit 2` }).check();
    expect(await dialog.getByLabel('Reset to commit').inputValue()).toBe(c[1]);
    expect(await go.isDisabled()).toBe(true);
    await dialog.getByLabel('Type main to confirm').fill('mai');
    expect(await go.isDisabled()).toBe(true);
    await dialog.getByLabel('Type main to confirm').fill('main');
    expect(await go.isDisabled()).toBe(false);
    await w.shot('undo-reset-confirm');
    await go.click();
    await w.page.getByText(`Reset main to ${short(c[1]!)}.`).waitFor();
    expect((await heads()).main).toBe(c[1]);
    // the branch row and the recent resets refreshed without a reload
    await mainRow.getByRole('link', { name: short(c[1]!) }).waitFor();
    const resetRow = w.page.locator('[data-testid="reset-row"][data-branch="main"]');
    await resetRow.getByRole('link', { name: short(oldTip) }).waitFor();
    const backups = await getJson<Array<{ ref: string; branch: string; commit: string }>>('/edits/resets?branch=main');
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatchObject({ branch: 'main', commit: oldTip });
    expect(backups[0]!.ref).toMatch(/^refs\/gitssy\/backup\/main\/\d+$/);
    await w.shot('undo-reset-done');

    await resetRow.getByRole('button', { name: 'Undo reset of main' }).click();
    await w.page.getByText(`Undid the reset: main is back at ${short(oldTip)}.`).waitFor();
    expect((await heads()).main).toBe(oldTip);
    await resetRow.waitFor({ state: 'detached' });
    await mainRow.getByRole('link', { name: short(oldTip) }).waitFor();
    expect(await getJson<unknown[]>('/edits/resets?branch=main')).toEqual([]);
    expect(w.pageErrors).toEqual([]);
  });
});

if (missing) console.warn(`browser tests skipped: ${missing}`);
