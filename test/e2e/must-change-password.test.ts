// A forced password change in Chromium: an administrator resets bob's password from the
// console; bob signs in with it, is taken to the change-password page and kept there whatever he
// opens, chooses his own password and lands on the home page, where the forge works again.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext, type WatchedPage } from '../fixtures/chromium.js';
import { createUser, startServer, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
if (missing) console.warn(`browser tests skipped: ${missing}`);

describe.skipIf(missing)('forced password change in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let admin: WatchedPage;
  let bob: WatchedPage;
  const TEMP = 'bob-temp-pass-1';
  const OWN = 'bob-own-pass-99';

  /** Requests the server refused with 403 (there should be none: the UI asks only for what it may). */
  const refused: string[] = [];
  const pathname = (w: WatchedPage) => new URL(w.page.url()).pathname;

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'alice', 'alice-pass-123', { admin: true });
    await createUser(s, 'bob', 'bob-pass-123', { via: ['alice', 'alice-pass-123'] });
    browser = await launchChromium();
  });
  afterAll(async () => {
    // the UI asked the server for nothing it refuses while the change was pending
    expect(refused).toEqual([]);
    for (const w of [admin, bob]) {
      if (!w) continue;
      expect(w.pageErrors).toEqual([]);
      expect(w.consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    }
    await browser?.close();
    await s?.stop();
  });

  it("an administrator resets bob's password from the console", async () => {
    admin = await openPage(browser, s);
    await signInContext(admin, 'alice', 'alice-pass-123');
    await admin.go('/console/users');
    const row = admin.page.getByTestId('user-row-bob');
    await row.getByRole('button', { name: 'Actions for bob' }).click();
    await admin.page.getByRole('menuitem', { name: 'Reset password…' }).click();
    await admin.page.getByLabel('New password', { exact: true }).fill(TEMP);
    await admin.page.getByRole('button', { name: 'Set password' }).click();
    await row.getByText('must change password').waitFor();
    await admin.shot('must-change-password-console');
    const users = (await (await s.api('GET', '/api/v1/admin/users?q=bob', { auth: ['alice', 'alice-pass-123'] })).json()) as { login: string; must_change_password: boolean }[];
    expect(users.find((u) => u.login === 'bob')?.must_change_password).toBe(true);
  });

  it('bob signs in with it and is taken to the change-password page', async () => {
    bob = await openPage(browser, s);
    bob.page.on('response', (r) => {
      if (r.status() === 403) refused.push(`${r.request().method()} ${new URL(r.url()).pathname} @ ${bob.page.url()} ${r.request().headers()['purpose'] ?? ''}`);
    });
    await bob.go('/user/login');
    await bob.page.getByLabel('Username or email').fill('bob');
    await bob.page.getByLabel('Password').fill(TEMP);
    await bob.page.getByRole('button', { name: 'Sign in' }).click();
    await bob.page.waitForURL('**/user/change_password');
    await bob.page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    // the header offers only signing out: no navigation, no notifications, no user menu
    expect(await bob.page.getByRole('link', { name: 'Explore' }).count()).toBe(0);
    expect(await bob.page.getByTestId('user-menu').count()).toBe(0);
    await bob.page.getByRole('button', { name: 'Sign out' }).waitFor();
    await bob.shot('must-change-password-page');
  });

  it("can't navigate away: every page leads back to the change", async () => {
    for (const p of ['/', '/explore/repos', '/bob', '/user/settings/account', '/repo/create', '/user/login']) {
      await bob.go(p);
      await bob.page.waitForURL('**/user/change_password');
      expect(pathname(bob), p).toBe('/user/change_password');
      await bob.page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    }
    // the logo link too
    await bob.page.getByRole('link', { name: 'Gitssy' }).click();
    await bob.page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(pathname(bob)).toBe('/user/change_password');
  });

  it('refuses a wrong current password with the reason and stays', async () => {
    await bob.page.getByLabel('Current password').fill('not-the-password');
    await bob.page.getByLabel('New password', { exact: true }).fill(OWN);
    await bob.page.getByLabel('Confirm new password').fill(OWN);
    await bob.page.getByRole('button', { name: 'Change password' }).click();
    await bob.page.getByText('your current password is wrong').waitFor();
    expect(pathname(bob)).toBe('/user/change_password');
  });

  it('changes it and lands on the home page, where the forge works again', async () => {
    await bob.page.getByLabel('Current password').fill(TEMP);
    await bob.page.getByRole('button', { name: 'Change password' }).click();
    await bob.page.waitForURL((u) => u.pathname === '/');
    await bob.page.getByTestId('user-menu').waitFor();
    await bob.page.getByRole('link', { name: 'Explore' }).click();
    await bob.page.waitForURL('**/explore/repos');
    await bob.shot('must-change-password-done');
    expect((await s.api('GET', '/api/v1/user', { auth: ['bob', OWN] })).status).toBe(200);
    expect((await s.api('GET', '/api/v1/user', { auth: ['bob', TEMP] })).status).toBe(401);
  });
});
