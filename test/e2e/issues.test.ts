// Issues in Chromium, two people side by side: alice makes a label over the API, then opens an
// issue in the browser choosing that label and assigning bob from the sidebar pickers, with a
// body that mentions @carol; carol, signed in elsewhere with a page open, gets the notification
// live (no reload). Carol comments and alice's open issue page shows it live (same page); alice
// closes it. Then the list: the Open/Closed counts, the label filter and the free-text search,
// and the list and the issue at a phone's width without sideways scrolling. One server.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, startServer, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
/** Page loads and live updates can take a while when the browser suites share two cores. */
const SLOW = { timeout: 15_000 };
const ALICE: [string, string] = ['alice', 'alice-pass-123'];
const BOB: [string, string] = ['bob', 'bob-pass-1234'];
const CAROL: [string, string] = ['carol', 'carol-pass-123'];
const R = '/alice/proj';
const TITLE = 'Parser crashes on empty input';

describe.skipIf(missing)('issues in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let alice: WatchedPage;
  let carol: WatchedPage;
  let labelId: number;
  let docs: number;

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, ...ALICE, { admin: true });
    await createUser(s, ...BOB, { via: ALICE });
    await createUser(s, ...CAROL, { via: ALICE });
    await createRepo(s, ALICE, { name: 'proj' });
    // bob writes (so the assignee picker offers him); carol is just someone who can read a public repository
    expect((await s.api('PUT', '/api/v1/repos/alice/proj/collaborators/bob', { auth: ALICE, json: { permission: 'write' } })).status).toBe(204);
    const label = await s.api('POST', '/api/v1/repos/alice/proj/labels', { auth: ALICE, json: { name: 'bug', color: '#b60205', description: 'Something is broken' } });
    expect(label.status).toBe(201);
    labelId = ((await label.json()) as { id: number }).id;
    // an open issue without the label, for the filters to leave out
    const other = await s.api('POST', '/api/v1/repos/alice/proj/issues', { auth: ALICE, json: { title: 'Docs are thin', body: 'The glossary is missing.' } });
    expect(other.status).toBe(201);
    docs = ((await other.json()) as { number: number }).number;
    browser = await launchChromium();
    [alice, carol] = await Promise.all([openPage(browser, s), openPage(browser, s)]);
    await Promise.all([signInContext(alice, ...ALICE), signInContext(carol, ...CAROL)]);
  }, 60_000);

  afterAll(async () => {
    for (const w of [alice, carol].filter(Boolean)) {
      expect(w.dialogs).toEqual([]);
      expect(w.pageErrors).toEqual([]);
    }
    await browser?.close();
    await s?.stop();
  });

  let n: number;

  it('opens an issue with a label and an assignee; the mentioned user is notified live; a comment shows live; it closes', async () => {
    // carol has a page open, its socket connected, before anything happens
    await carol.go(R);
    await carol.page.getByTestId('notifications-link').waitFor();
    expect(await carol.page.getByTestId('notification-count').count()).toBe(0);
    await carol.page.evaluate(() => {
      (window as unknown as { marker: string }).marker = 'same page';
    });

    await alice.go(`${R}/issues/new`);
    await alice.page.getByTestId('issue-title-input').fill(TITLE);
    await alice.page.getByTestId('issue-body-input').fill('Running `parse("")` throws. @carol can you reproduce?');
    // the label picker: check "bug", then Done sends it with the form
    await alice.page.getByTestId('labels-picker').click();
    await alice.page.getByTestId('labels-picker-popover').getByRole('checkbox', { name: /bug/ }).check();
    await alice.page.getByTestId('labels-picker-done').click();
    await alice.page.getByTestId('sidebar-labels').getByTestId('label-chip').waitFor();
    await alice.page.getByTestId('assignees-picker').click();
    await alice.page.getByTestId('assignees-picker-popover').getByRole('checkbox', { name: 'bob' }).check();
    await alice.page.getByTestId('assignees-picker-done').click();
    await alice.page.getByTestId('sidebar-assignees').getByRole('link', { name: 'bob' }).waitFor();
    await alice.shot('issue-new');
    await alice.page.getByTestId('submit-issue').click();
    await alice.page.waitForURL((u) => /\/alice\/proj\/issues\/\d+$/.test(u.pathname), SLOW);
    n = Number(new URL(alice.page.url()).pathname.split('/').pop());
    // the form stays on screen until the page (loaded lazily) replaces it
    await alice.page.getByTestId('issue-page').waitFor(SLOW);
    expect(n).toBe(docs + 1);

    // what the browser sent is what the server holds
    const made = (await (await s.api('GET', `/api/v1/repos/alice/proj/issues/${n}`, { auth: ALICE })).json()) as { labels: { id: number }[]; assignees: { login: string }[] };
    expect(made.labels.map((l) => l.id)).toEqual([labelId]);
    expect(made.assignees.map((u) => u.login)).toEqual(['bob']);
    const chip = alice.page.getByTestId('sidebar-labels').getByTestId('label-chip');
    expect(await chip.textContent()).toBe('bug');
    // white on the dark red: the text color follows the label's color
    expect(await chip.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(255, 255, 255)');
    expect(await alice.page.getByTestId('issue-state').getAttribute('data-state')).toBe('open');
    expect(await alice.page.getByTestId('issue-description').locator('code', { hasText: 'parse("")' }).count()).toBe(1);

    // carol's bell counts the mention without a reload
    await expect
      .poll(
        () =>
          carol.page
            .getByTestId('notification-count')
            .textContent()
            .catch(() => null),
        SLOW,
      )
      .toBe('1');
    expect(await carol.page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');

    // alice waits on her issue, joined to the repository's room
    await expect.poll(() => alice.page.getByTestId('issue-page').getAttribute('data-live'), SLOW).toBe('true');
    await alice.page.evaluate(() => {
      (window as unknown as { marker: string }).marker = 'same page';
    });
    expect(await alice.page.getByTestId('timeline-comment').count()).toBe(0);

    // carol follows the notification and comments
    await carol.go('/notifications');
    await carol.page.getByRole('link', { name: TITLE }).click();
    await carol.page.waitForURL((u) => u.pathname === `${R}/issues/${n}`, SLOW);
    await carol.page.getByTestId('comment-input').fill('Yes: it throws **TypeError** here too.');
    await carol.page.getByTestId('comment-submit').click();
    await expect.poll(() => carol.page.getByTestId('timeline-comment').count(), SLOW).toBe(1);
    // a reader sees the sidebar but can't edit it, and can't close someone else's issue
    expect(await carol.page.getByTestId('sidebar-labels').getByTestId('label-chip').textContent()).toBe('bug');
    expect(await carol.page.getByTestId('labels-picker').count()).toBe(0);
    expect(await carol.page.getByTestId('close-reopen').count()).toBe(0);

    // alice's page shows it without a reload
    const comment = alice.page.getByTestId('timeline-comment');
    await expect.poll(() => comment.count(), SLOW).toBe(1);
    expect(await comment.locator('strong', { hasText: 'TypeError' }).count()).toBe(1);
    expect(await alice.page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');

    // a reaction on the comment, toggled on
    await comment.getByTestId('add-reaction').click();
    await alice.page.getByRole('button', { name: 'heart' }).click();
    await expect.poll(() => comment.locator('[data-testid="reaction"][data-content="heart"]').getAttribute('aria-pressed'), SLOW).toBe('true');

    // close it
    await alice.page.getByTestId('close-reopen').click();
    await expect.poll(() => alice.page.getByTestId('issue-state').getAttribute('data-state'), SLOW).toBe('closed');
    await alice.page.getByTestId('timeline-close').waitFor();
    await alice.shot('issue-closed');
    // carol's page follows too
    await expect.poll(() => carol.page.getByTestId('issue-state').getAttribute('data-state'), SLOW).toBe('closed');
  });

  it('filters the list by label and by search text', async () => {
    await alice.go(`${R}/issues`);
    const rows = alice.page.getByTestId('issue-row');
    const numbers = async () => (await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-number'))))).sort((a, b) => a - b);
    await expect.poll(numbers, SLOW).toEqual([docs]);
    expect(await alice.page.getByTestId('open-issues').textContent()).toContain('1 Open');
    await expect.poll(() => alice.page.getByTestId('closed-issues').textContent(), SLOW).toContain('1 Closed');

    // the label filter, from its dropdown: the open list has no "bug"; the closed one has ours
    await alice.page.getByTestId('filter-label').click();
    await alice.page.getByTestId('filter-label-menu').locator('[data-value="bug"]').click();
    await alice.page.keyboard.press('Escape');
    await alice.page.waitForURL((u) => u.searchParams.get('labels') === 'bug');
    await alice.page.getByText('No results matched your search').waitFor(SLOW);
    await alice.page.getByTestId('closed-issues').click();
    await alice.page.waitForURL((u) => u.searchParams.get('state') === 'closed' && u.searchParams.get('labels') === 'bug');
    await expect.poll(numbers, SLOW).toEqual([n]);
    await alice.shot('issue-list-label');

    // free text, through the search box: a word of the other issue's body
    await alice.page.getByTestId('clear-filters').click();
    await alice.page.getByTestId('issue-search').fill('glossary');
    await alice.page.getByTestId('issue-search').press('Enter');
    await alice.page.waitForURL((u) => u.searchParams.get('q') === 'glossary');
    await alice.page.getByTestId('open-issues').click();
    await expect.poll(numbers, SLOW).toEqual([docs]);
    await alice.page.getByTestId('issue-search').fill('TypeError');
    await alice.page.getByTestId('issue-search').press('Enter');
    await alice.page.getByText('No results matched your search').waitFor(SLOW);
  });

  it('fits a phone: the list and the issue scroll only downwards at 375 px', async () => {
    const phone = await openPage(browser, s, { viewport: { width: 375, height: 800 } });
    try {
      await signInContext(phone, ...ALICE);
      for (const [name, pathname] of [
        ['list', `${R}/issues?state=all`],
        ['issue', `${R}/issues/${n}`],
        ['new', `${R}/issues/new`],
        ['labels', `${R}/labels`],
        ['milestones', `${R}/milestones`],
      ] as const) {
        await phone.go(pathname);
        await phone.page.waitForFunction(() => !document.querySelector('[data-loading]'));
        await phone.shot(`issue-phone-${name}`);
        expect(await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), name).toBeLessThanOrEqual(0);
      }
      expect(phone.pageErrors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });
});

if (missing) console.warn(`browser tests skipped: ${missing}`);
