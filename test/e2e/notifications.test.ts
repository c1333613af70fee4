// Notifications in Chromium, live: bob watches alice's repository, alice pushes with the real
// git, and bob's header count goes from nothing to 1 over the tab's socket without a reload.
// Bob reads the thread on /notifications (who pushed, the branch, the repository), marks it
// unread and read, marks all read and the badge goes; alice, who watches her own repository
// too, hears nothing about her own push. The mail switches save, with a note while SMTP isn't
// set up. One server for the file.
import type { Browser, WebSocket } from 'playwright-core';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, gitOk, makeRepo, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
/** Live updates and page loads can take a while when the browser suites share two cores. */
const SLOW = { timeout: 15_000 };

describe.skipIf(missing)('notifications in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let alice: WatchedPage;
  let bob: WatchedPage;
  const ALICE: [string, string] = ['alice', 'alice-pass-123'];
  const BOB: [string, string] = ['bob', 'bob-pass-123'];
  /** Text frames bob's tab received over its socket.io WebSocket. */
  const bobFrames: string[] = [];
  let bobSocket: WebSocket | null = null;

  const count = (w: WatchedPage) => w.page.getByTestId('notification-count');

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, ...ALICE, { admin: true });
    await createUser(s, ...BOB, { via: ALICE });
    await createRepo(s, ALICE, { name: 'gadgets', description: 'Small tools' });
    for (const who of [BOB, ALICE]) expect((await s.api('PUT', '/api/v1/repos/alice/gadgets/subscription', { auth: who })).status).toBe(200);
    browser = await launchChromium();
    [alice, bob] = await Promise.all([openPage(browser, s), openPage(browser, s)]);
    bob.page.on('websocket', (ws) => {
      if (!new URL(ws.url()).pathname.startsWith('/socket.io/')) return;
      bobSocket = ws;
      ws.on('framereceived', (f) => {
        if (typeof f.payload === 'string') bobFrames.push(f.payload);
      });
    });
    await Promise.all([signInContext(alice, ...ALICE), signInContext(bob, ...BOB)]);
  });
  afterAll(async () => {
    for (const w of [alice, bob].filter(Boolean)) {
      expect(w.dialogs).toEqual([]);
      expect(w.pageErrors).toEqual([]);
      // the socket is allowed by the strict CSP (connect-src 'self') and never refused (a 404
      // in the console is the API saying "not starred" and the like)
      expect(w.consoleErrors.filter((e) => /Content Security Policy|WebSocket|socket\.io/i.test(e))).toEqual([]);
    }
    await browser?.close();
    await s?.stop();
  });

  it("bob's bell counts alice's push live, without a reload", async () => {
    await Promise.all([alice.go('/alice/gadgets'), bob.go('/alice/gadgets')]);
    await bob.page.getByTestId('notifications-link').waitFor();
    expect(await count(bob).count()).toBe(0);
    // the socket.io handshake is done (its CONNECT packet arrived) before anything is pushed
    await expect.poll(() => bobFrames.some((f) => f.startsWith('40')), SLOW).toBe(true);
    await bob.page.evaluate(() => {
      (window as unknown as { notificationMarker: string }).notificationMarker = 'same page';
    });
    const navigations: string[] = [];
    bob.page.on('framenavigated', (f) => {
      if (f === bob.page.mainFrame()) navigations.push(f.url());
    });

    const work = await tempDir('gitssy-notify-');
    await makeRepo(path.join(work, 'src'), 2);
    await gitOk(['push', '-q', s.gitUrl('alice/gadgets.git', ALICE), 'main'], { cwd: path.join(work, 'src') });

    await expect.poll(() => count(bob).textContent(), SLOW).toBe('1');
    // it came over the socket as an event, into the same page
    expect(bobFrames.some((f) => f.startsWith('42["notification",'))).toBe(true);
    expect(await bob.page.evaluate(() => (window as unknown as { notificationMarker?: string }).notificationMarker)).toBe('same page');
    expect(navigations).toEqual([]);
    expect(bobSocket).not.toBeNull();
    expect(await bob.page.getByTestId('notifications-link').getAttribute('aria-label')).toBe('Notifications (1 unread)');
    await bob.page.getByTestId('notifications-link').scrollIntoViewIfNeeded();
    await bob.shot('notification-bell');
  });

  it("alice's own push does not notify alice", async () => {
    // bob's thread exists, so the push's subscriber has run for every watcher, alice included
    const res = await s.api('GET', '/api/v1/notifications/new', { auth: ALICE });
    expect(await res.json()).toEqual({ new: 0 });
    await alice.page.getByTestId('notifications-link').waitFor();
    expect(await count(alice).count()).toBe(0);
    await alice.page.getByTestId('notifications-link').click();
    await alice.page.waitForURL((u) => u.pathname === '/notifications');
    await alice.page.getByRole('heading', { name: "You're all caught up" }).waitFor();
  });

  it('bob reads the thread on /notifications, marks it unread and read, then marks all read', async () => {
    await bob.page.getByTestId('notifications-link').click();
    await bob.page.waitForURL((u) => u.pathname === '/notifications');
    const thread = bob.page.getByTestId('notification');
    await expect.poll(() => thread.count(), SLOW).toBe(1);
    expect(await thread.getAttribute('data-unread')).toBe('true');
    const title = thread.getByRole('link', { name: 'alice pushed to main in alice/gadgets' });
    await title.waitFor();
    expect(await title.getAttribute('href')).toMatch(/^\/alice\/gadgets\/commit\/[0-9a-f]{40}$/);
    expect(await thread.getByTestId('notification-repo').textContent()).toBe('alice/gadgets');
    await bob.page.getByRole('link', { name: /^Unread/ }).waitFor();
    await bob.shot('notifications-page');

    // the All tab keeps a read thread; marking it unread brings the badge back
    await thread.getByRole('button', { name: /as read$/ }).click();
    await expect.poll(() => count(bob).count(), SLOW).toBe(0);
    await bob.page.getByRole('link', { name: 'All', exact: true }).click();
    await bob.page.waitForURL((u) => u.searchParams.get('all') === 'true');
    await expect.poll(() => thread.getAttribute('data-unread'), SLOW).toBe('false');
    await thread.getByRole('button', { name: /as unread$/ }).click();
    await expect.poll(() => count(bob).textContent(), SLOW).toBe('1');

    await bob.page.getByRole('button', { name: 'Mark all read' }).click();
    await expect.poll(() => count(bob).count(), SLOW).toBe(0);
    await expect.poll(() => thread.getAttribute('data-unread'), SLOW).toBe('false');
    expect(await (await s.api('GET', '/api/v1/notifications/new', { auth: BOB })).json()).toEqual({ new: 0 });
    await bob.page.getByRole('link', { name: /^Unread/ }).click();
    await bob.page.getByRole('heading', { name: "You're all caught up" }).waitFor();

    // the title opens what the thread is about, in the app
    await bob.page.getByRole('link', { name: 'All', exact: true }).click();
    await thread.getByRole('link', { name: 'alice pushed to main in alice/gadgets' }).click();
    await bob.page.waitForURL((u) => /^\/alice\/gadgets\/commit\/[0-9a-f]{40}$/.test(u.pathname));
    expect(await bob.page.evaluate(() => (window as unknown as { notificationMarker?: string }).notificationMarker)).toBe('same page');
  });

  it('the mail switches save, with a note while SMTP is not set up', async () => {
    await bob.go('/user/settings');
    await bob.page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Notifications' }).click();
    await bob.page.waitForURL((u) => u.pathname === '/user/settings/notifications');
    await bob.page.getByTestId('smtp-not-configured').waitFor();
    const pushes = bob.page.getByRole('switch', { name: 'Pushes' });
    await expect.poll(() => pushes.getAttribute('aria-checked'), SLOW).toBe('false');
    await pushes.click();
    await expect.poll(() => pushes.getAttribute('aria-checked'), SLOW).toBe('true');
    await expect.poll(async () => ((await (await s.api('GET', '/api/v1/notifications/settings', { auth: BOB })).json()) as { mail: { push: boolean } }).mail.push, SLOW).toBe(true);
    await bob.shot('notification-settings');
  });
});

if (missing) console.warn(`browser tests skipped: ${missing}`);
