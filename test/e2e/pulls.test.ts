// Pull requests in Chromium, one person's path through them: alice pushes a branch with the real
// git, opens a pull request from the compare page (the title comes from the single commit),
// comments on a line of the Files tab; bob, a collaborator with write access, approves through
// the Review dropdown; alice's conversation shows the approval live (no reload: same page, same
// marker); she merges with "delete branch", sees the merged state, and the branch is gone from
// the Branches page and the API.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, gitOk, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
/** Page loads and live updates can take a while when the browser suites share two cores. */
const SLOW = { timeout: 15_000 };
const ALICE: [string, string] = ['alice', 'alice-pass-123'];
const BOB: [string, string] = ['bob', 'bob-pass-123'];
const R = '/alice/shop';
const BRANCH = 'login-form';
const SUBJECT = 'Validate the login form';

const FORM_V1 = `export function validate(user: string, password: string): string[] {
  const errors: string[] = [];
  if (!user) errors.push('user is required');
  return errors;
}
`;
const FORM_V2 = `export function validate(user: string, password: string): string[] {
  const errors: string[] = [];
  if (!user) errors.push('user is required');
  if (password.length < 8) errors.push('password is too short');
  return errors;
}
`;

describe.skipIf(missing)('pull requests in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let alice: WatchedPage;
  let bob: WatchedPage;

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, ...ALICE, { admin: true });
    await createUser(s, ...BOB, { via: ALICE });
    await createRepo(s, ALICE, { name: 'shop' });
    expect((await s.api('PUT', '/api/v1/repos/alice/shop/collaborators/bob', { auth: ALICE, json: { permission: 'write' } })).status).toBe(204);
    const work = path.join(await tempDir('gitssy-pulls-'), 'shop');
    await gitOk(['init', '-q', '-b', 'main', work]);
    await mkdir(path.join(work, 'src'));
    await writeFile(path.join(work, 'README.md'), '# Shop\n');
    await writeFile(path.join(work, 'src', 'form.ts'), FORM_V1);
    await gitOk(['add', '-A'], { cwd: work });
    await gitOk(['commit', '-q', '-m', 'first'], { cwd: work });
    await gitOk(['checkout', '-q', '-b', BRANCH], { cwd: work });
    await writeFile(path.join(work, 'src', 'form.ts'), FORM_V2);
    await gitOk(['commit', '-q', '-am', `${SUBJECT}\n\nPasswords need 8 characters.`], { cwd: work });
    await gitOk(['push', '-q', s.gitUrl('alice/shop.git', ALICE), 'main', BRANCH], { cwd: work });
    browser = await launchChromium();
    [alice, bob] = await Promise.all([openPage(browser, s), openPage(browser, s)]);
    await Promise.all([signInContext(alice, ...ALICE), signInContext(bob, ...BOB)]);
  }, 120_000);

  afterAll(async () => {
    for (const w of [alice, bob].filter(Boolean)) {
      expect(w.dialogs).toEqual([]);
      expect(w.pageErrors).toEqual([]);
    }
    await browser?.close();
    await s?.stop();
  });

  it('opens a pull request, comments on a line, gets an approval live, merges and deletes the branch', async () => {
    // compare and open: the single commit names the pull request
    await alice.go(`${R}/compare/main...${BRANCH}`);
    const title = alice.page.getByTestId('pull-title-input');
    await expect.poll(() => title.inputValue(), SLOW).toBe(SUBJECT);
    expect(await alice.page.getByTestId('head-branch').inputValue()).toBe(BRANCH);
    expect(await alice.page.getByTestId('compare-commits').getByRole('link', { name: SUBJECT }).count()).toBe(1);
    await alice.page.getByTestId('diff-file').first().waitFor();
    await alice.page.getByTestId('pull-body-input').fill('Short passwords are **refused** now.');
    await alice.page.getByLabel('Reviewers').fill('bob');
    await alice.shot('pull-compare');
    await alice.page.getByTestId('open-pull-submit').click();
    await alice.page.waitForURL((u) => u.pathname === `${R}/pulls/1`);
    await expect.poll(() => alice.page.getByTestId('pull-summary').textContent(), SLOW).toBe(`alice wants to merge 1 commit into main from ${BRANCH}`);
    expect(await alice.page.getByTestId('pull-state').getAttribute('data-state')).toBe('open');
    expect(await alice.page.getByTestId('pull-description').locator('strong', { hasText: 'refused' }).count()).toBe(1);
    expect(await alice.page.getByTestId('open-pulls-count').textContent()).toBe('1');

    // the Files tab: a "+" on new line 4 opens the form; a single comment posts at once
    await alice.page.getByTestId('files-tab').click();
    await alice.page.waitForURL((u) => u.pathname === `${R}/pulls/1/files`);
    const added = alice.page.locator('tr[data-new="4"]');
    await added.hover();
    await added.locator('[data-testid="add-line-comment"][data-side="RIGHT"]').click();
    await alice.page.getByTestId('line-comment-input').fill('Should 8 be a setting?');
    await alice.page.getByTestId('add-single-comment').click();
    const thread = alice.page.getByTestId('thread');
    await expect.poll(() => thread.count(), SLOW).toBe(1);
    expect(await thread.getByTestId('line-comment').textContent()).toContain('Should 8 be a setting?');
    expect(await thread.textContent()).toContain('line 4 (new)');
    await alice.shot('pull-files-comment');
    const viaApi = (await (await s.api('GET', '/api/v1/repos/alice/shop/pulls/1/comments', { auth: ALICE })).json()) as Array<{ side: string; line: number; path: string }>;
    expect(viaApi.map((c) => [c.path, c.side, c.line])).toEqual([['src/form.ts', 'RIGHT', 4]]);

    // alice waits on the conversation, joined to the repository's room
    await alice.page.getByRole('link', { name: /^Conversation/ }).click();
    await alice.page.waitForURL((u) => u.pathname === `${R}/pulls/1`);
    await expect.poll(() => alice.page.getByTestId('pull-header').getAttribute('data-live'), SLOW).toBe('true');
    await alice.page.evaluate(() => {
      (window as unknown as { pullMarker: string }).pullMarker = 'same page';
    });
    expect(await alice.page.getByTestId('timeline-review').count()).toBe(0);

    // bob sees alice's thread inline and approves through the Review dropdown
    await bob.go(`${R}/pulls/1/files`);
    await bob.page.getByTestId('thread').waitFor();
    await bob.page.getByTestId('review-button').click();
    await bob.page.getByTestId('review-body').fill('Looks good to me.');
    await bob.page.getByRole('radio', { name: /^Approve/ }).check();
    await bob.shot('pull-review-dropdown');
    await bob.page.getByTestId('review-submit').click();
    await bob.page.getByTestId('review-form').waitFor({ state: 'detached' });

    // alice's page shows the approval without a reload
    const review = alice.page.getByTestId('timeline-review');
    await expect.poll(() => review.getAttribute('data-state'), SLOW).toBe('APPROVED');
    expect(await review.textContent()).toContain('approved these changes');
    await expect.poll(() => alice.page.getByTestId('review-summary').textContent(), SLOW).toContain('Approved by bob');
    expect(await alice.page.evaluate(() => (window as unknown as { pullMarker?: string }).pullMarker)).toBe('same page');

    // merge with "delete branch": merged state, and the branch is gone
    await expect.poll(() => alice.page.getByTestId('merge-box').getAttribute('data-mergeable'), SLOW).toBe('mergeable');
    await alice.page.getByTestId('delete-branch').check();
    await alice.shot('pull-conversation');
    await alice.page.getByTestId('merge-button').click();
    await expect.poll(() => alice.page.getByTestId('pull-state').getAttribute('data-state'), SLOW).toBe('merged');
    await alice.page.getByTestId('merged-note').waitFor();
    await alice.page.getByTestId('branch-deleted').waitFor();
    await alice.page.getByTestId('timeline-merge').waitFor();
    await alice.page.getByTestId('merged-note').scrollIntoViewIfNeeded();
    await alice.shot('pull-merged-note');
    await alice.page.evaluate(() => window.scrollTo(0, 0));
    await alice.shot('pull-merged');
    expect((await s.api('GET', `/api/v1/repos/alice/shop/branches/${BRANCH}`, { auth: ALICE })).status).toBe(404);
    const merged = (await (await s.api('GET', '/api/v1/repos/alice/shop/pulls/1', { auth: ALICE })).json()) as { merged: boolean; state: string };
    expect(merged).toMatchObject({ merged: true, state: 'closed' });

    await alice.page.getByRole('navigation', { name: 'Repository' }).getByRole('link', { name: 'Branches' }).click();
    await alice.page.waitForURL((u) => u.pathname === `${R}/branches`);
    await alice.page.locator('[data-testid="branch-row"][data-branch="main"]').waitFor();
    expect(await alice.page.locator(`[data-testid="branch-row"][data-branch="${BRANCH}"]`).count()).toBe(0);
  });
});

if (missing) console.warn(`browser tests skipped: ${missing}`);
