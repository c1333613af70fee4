// Two-factor sign-in in Chromium: bob turns it on under Settings → Security (QR code, the secret
// for manual entry, a first code, ten recovery codes copied and downloaded once), then signs in
// with his password and a code (a reload keeps the second step, a wrong code says why), and with
// a recovery code instead. An administrator resets it from the console; requiring it for
// everyone sends accounts without it to the Security page (with a banner) until they turn it on.
import { readFile } from 'node:fs/promises';
import { Secret, TOTP } from 'otpauth';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext, type WatchedPage } from '../fixtures/chromium.js';
import { createUser, startServer, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
if (missing) console.warn(`browser tests skipped: ${missing}`);

/** The code for the 30-second step `offset` steps from now (the server takes one step either side, each once). */
function code(secret: string, offset = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: Date.now() + offset * 30_000 });
}

const step = (at = Date.now()) => Math.floor(at / 30_000);

/**
 * A code the server still takes after the step `spent` was used: each step's code works once, so
 * this waits (up to 30 s) until the server's window reaches past it.
 */
async function freshCode(secret: string, spent: number): Promise<string> {
  while (step() + 1 <= spent) await new Promise((r) => setTimeout(r, 500));
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: (spent + 1) * 30_000 + 1000 });
}

/** Six digits the server takes for no step near now. */
function wrongCode(secret: string): string {
  const near = new Set([-2, -1, 0, 1, 2].map((o) => code(secret, o)));
  let n = 314159;
  while (near.has(String(n))) n++;
  return String(n);
}

describe.skipIf(missing)('two-factor sign-in in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let bob: WatchedPage;
  let secret = '';
  let recovery: string[] = [];
  /** The last 30-second step whose code the server took. */
  let spentStep = 0;
  const pages: WatchedPage[] = [];
  const pathname = (w: WatchedPage) => new URL(w.page.url()).pathname;

  const open = async () => {
    const w = await openPage(browser, s);
    pages.push(w);
    return w;
  };
  const signOut = async (w: WatchedPage) => {
    await w.page.getByTestId('user-menu').click();
    await w.page.getByRole('menuitem', { name: 'Sign out' }).click();
    await w.page.getByRole('link', { name: 'Sign in' }).first().waitFor();
  };
  const enterPassword = async (w: WatchedPage, username: string, password: string) => {
    await w.go('/user/login');
    await w.page.getByLabel('Username or email').fill(username);
    await w.page.getByLabel('Password').fill(password);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
  };
  /** Turns two-factor sign-in on from the Security page (open already); answers the secret and the recovery codes. */
  const turnOn = async (w: WatchedPage, shot?: string) => {
    await w.page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    // the QR code is an image of the server's SVG, loaded under the strict CSP
    const qr = w.page.getByRole('img', { name: /QR code/ });
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const key = (await w.page.getByTestId('totp-secret').textContent())!.trim();
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    if (shot) await w.shot(shot);
    // a wrong first code says so and turns nothing on
    await w.page.getByLabel('Enter the code the app shows').fill(wrongCode(key));
    await w.page.getByRole('button', { name: 'Turn on', exact: true }).click();
    await expect.poll(() => w.page.getByRole('alert').textContent()).toBe('wrong two-factor code');
    await w.page.getByLabel('Enter the code the app shows').fill(code(key));
    await w.page.getByRole('button', { name: 'Turn on', exact: true }).click();
    const list = w.page.getByTestId('recovery-codes');
    await list.waitFor();
    const codes = (await list.locator('li').allTextContents()).map((c) => c.trim());
    expect(codes).toHaveLength(10);
    for (const c of codes) expect(c).toMatch(/^[0-9a-f]{5}-[0-9a-f]{5}$/);
    await w.page.getByText('Store these now').waitFor();
    return { key, codes };
  };

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'alice', 'alice-pass-123', { admin: true });
    await createUser(s, 'bob', 'bob-pass-123', { via: ['alice', 'alice-pass-123'] });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const w of pages) {
      expect(w.dialogs).toEqual([]);
      expect(w.pageErrors).toEqual([]);
      expect(w.consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    }
    await browser?.close();
    await s?.stop();
  });

  it('bob turns it on under Settings → Security and gets ten recovery codes, once', async () => {
    bob = await open();
    await bob.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
    await enterPassword(bob, 'bob', 'bob-pass-123');
    await bob.page.getByTestId('user-menu').click();
    await bob.page.getByRole('menuitem', { name: 'Settings' }).click();
    await bob.page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Security' }).click();
    await bob.page.waitForURL('**/user/settings/security');
    await expect.poll(() => bob.page.getByTestId('two-factor-state').textContent()).toBe('Off');

    ({ key: secret, codes: recovery } = await turnOn(bob, 'twofactor-enrol'));
    await bob.shot('twofactor-recovery-codes');

    await bob.page.getByRole('button', { name: 'Copy recovery codes' }).click();
    await expect.poll(() => bob.page.evaluate(() => navigator.clipboard.readText())).toBe(recovery.join('\n'));
    const [download] = await Promise.all([bob.page.waitForEvent('download'), bob.page.getByRole('button', { name: 'Download (.txt)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/recovery-codes-bob\.txt$/);
    const text = await readFile((await download.path())!, 'utf8');
    for (const c of recovery) expect(text).toContain(c);

    await bob.page.getByRole('button', { name: 'I have stored them' }).click();
    expect(await bob.page.getByTestId('recovery-codes').count()).toBe(0);
    await expect.poll(() => bob.page.getByTestId('two-factor-state').textContent()).toBe('On');
    await expect.poll(() => bob.page.getByTestId('recovery-codes-left').textContent()).toBe('10');
    // the codes are not shown again
    await bob.go('/user/settings/security');
    await bob.page.getByTestId('recovery-codes-left').waitFor();
    expect(await bob.page.getByTestId('recovery-codes').count()).toBe(0);
    const status = await (await bob.context.request.get('/api/v1/user/2fa')).json();
    expect(status).toMatchObject({ enabled: true, recovery_codes_left: 10 });
  });

  it('signs in with the password, then a code; a reload keeps the second step and a wrong code says why', async () => {
    await signOut(bob);
    await enterPassword(bob, 'bob', 'bob-pass-123');
    await bob.page.getByLabel('Two-factor code').waitFor();
    expect(await bob.page.getByTestId('user-menu').count()).toBe(0);
    await expect.poll(() => bob.page.getByLabel('Two-factor code').getAttribute('autocomplete')).toBe('one-time-code');
    expect(await bob.page.getByLabel('Two-factor code').getAttribute('inputmode')).toBe('numeric');

    // a reload in the middle opens the second step again
    await bob.go('/user/login');
    await bob.page.getByLabel('Two-factor code').waitFor();
    expect(await bob.page.getByLabel('Username or email').count()).toBe(0);
    await bob.shot('twofactor-sign-in');

    await bob.page.getByLabel('Two-factor code').fill(wrongCode(secret));
    await bob.page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => bob.page.getByRole('alert').textContent()).toBe('wrong two-factor code');
    expect(await bob.page.getByTestId('user-menu').count()).toBe(0);

    // the enrolment spent this step's code: the next step's is the one a phone would show soon
    const now = Date.now();
    spentStep = step(now) + 1;
    await bob.page.getByLabel('Two-factor code').fill(new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: now + 30_000 }));
    await bob.page.getByRole('button', { name: 'Verify' }).click();
    await bob.page.getByTestId('user-menu').waitFor();
    expect(pathname(bob)).toBe('/');
    const session = await (await bob.context.request.get('/api/v1/auth/session')).json();
    expect(session).toMatchObject({ user: { login: 'bob' }, two_factor_pending: false, two_factor_enrolment_required: false });
  });

  it('signs in with a recovery code instead, which then is spent', async () => {
    await signOut(bob);
    await enterPassword(bob, 'bob', 'bob-pass-123');
    await bob.page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await bob.page.getByLabel('Recovery code').fill(recovery[0]!);
    await bob.page.getByRole('button', { name: 'Verify' }).click();
    await bob.page.getByTestId('user-menu').waitFor();
    await bob.go('/user/settings/security');
    await expect.poll(() => bob.page.getByTestId('recovery-codes-left').textContent()).toBe('9');

    // the same code a second time: refused with the reason
    await signOut(bob);
    await enterPassword(bob, 'bob', 'bob-pass-123');
    await bob.page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await bob.page.getByLabel('Recovery code').fill(recovery[0]!);
    await bob.page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => bob.page.getByRole('alert').textContent()).toBe('wrong or used recovery code');
    await bob.page.getByLabel('Recovery code').fill(recovery[1]!);
    await bob.page.getByRole('button', { name: 'Verify' }).click();
    await bob.page.getByTestId('user-menu').waitFor();
  });

  it('makes new recovery codes for a current code; the old ones stop working', async () => {
    await bob.go('/user/settings/security');
    await bob.page.getByRole('button', { name: 'New recovery codes' }).click();
    const dialog = bob.page.getByRole('dialog');
    await dialog.getByLabel('Code from your authenticator app').fill(wrongCode(secret));
    await dialog.getByRole('button', { name: 'Make new codes' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toBe('wrong two-factor code');
    await dialog.getByLabel('Code from your authenticator app').fill(await freshCode(secret, spentStep));
    await dialog.getByRole('button', { name: 'Make new codes' }).click();
    const list = bob.page.getByTestId('recovery-codes');
    await list.waitFor();
    const renewed = (await list.locator('li').allTextContents()).map((c) => c.trim());
    expect(renewed).toHaveLength(10);
    expect(renewed.filter((c) => recovery.includes(c))).toEqual([]);
    await bob.page.getByRole('button', { name: 'I have stored them' }).click();
    await expect.poll(() => bob.page.getByTestId('recovery-codes-left').textContent()).toBe('10');
    recovery = renewed;
  });

  it('"keep me signed in" brings a closed browser back signed in; Security lists the browsers and signs one out', async () => {
    await createUser(s, 'carol', 'carol-pass-123', { via: ['alice', 'alice-pass-123'] });
    const first = await open();
    await first.go('/user/login');
    await first.page.getByLabel('Username or email').fill('carol');
    await first.page.getByLabel('Password').fill('carol-pass-123');
    await first.page.getByTestId('signin-remember').check();
    await first.page.getByRole('button', { name: 'Sign in' }).click();
    await first.page.getByTestId('user-menu').waitFor();
    const remember = (await first.context.cookies()).find((c) => c.name === 'gitssy_remember')!;
    expect(remember.httpOnly).toBe(true);
    expect(remember.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 24 * 3600);
    // the session cookie itself ends with the browser
    expect((await first.context.cookies()).find((c) => c.name === 'gitssy_session')!.expires).toBe(-1);

    // a "restarted" browser: only the remember cookie survived
    const again = await open();
    await again.context.addCookies([{ name: remember.name, value: remember.value, url: s.url, httpOnly: true }]);
    await again.go('/user/settings/security');
    await again.page.getByTestId('user-menu').waitFor();
    const rows = again.page.getByTestId('session-row');
    await expect.poll(() => rows.count()).toBe(2);
    const other = rows.filter({ hasNotText: 'this browser' });
    await expect.poll(() => other.textContent()).toMatch(/Chrome on Linux.*remembered/);
    await again.shot('security-sessions');
    await other.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    // the first browser is signed out, and its remember cookie opens nothing any more
    await first.page.reload();
    await first.page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    await first.context.close();
    await again.context.close();
  });

  it("an administrator resets bob's two-factor sign-in from the console", async () => {
    const admin = await open();
    await signInContext(admin, 'alice', 'alice-pass-123');
    await admin.go('/console/users');
    const row = admin.page.getByTestId('user-row-bob');
    await row.getByRole('button', { name: 'Actions for bob' }).click();
    await admin.page.getByRole('menuitem', { name: 'Reset two-factor…' }).click();
    await admin.page.getByRole('dialog').getByRole('button', { name: 'Reset two-factor' }).click();
    await admin.page.getByText('Two-factor sign-in of bob is off').waitFor();
    expect(await admin.page.getByRole('dialog').count()).toBe(0);

    // a second reset has nothing to reset, and says so
    await row.getByRole('button', { name: 'Actions for bob' }).click();
    await admin.page.getByRole('menuitem', { name: 'Reset two-factor…' }).click();
    await admin.page.getByRole('dialog').getByRole('button', { name: 'Reset two-factor' }).click();
    await expect.poll(() => admin.page.getByRole('dialog').getByRole('alert').textContent()).toBe('two-factor authentication is not on for this account');
    await admin.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    await bob.go('/user/settings/security');
    await expect.poll(() => bob.page.getByTestId('two-factor-state').textContent()).toBe('Off');
    await admin.context.close();
  });

  it('requiring it for everyone sends accounts without it to Settings → Security until they turn it on', async () => {
    const admin = await open();
    await signInContext(admin, 'alice', 'alice-pass-123');
    await admin.go('/console/settings');
    await admin.page.getByLabel('Require two-factor sign-in for everyone').check();
    await admin.page.getByRole('button', { name: /Save changes/ }).click();
    // the administrator has none either: off to the Security page with the rest
    await admin.page.waitForURL('**/user/settings/security');
    await admin.page.getByTestId('two-factor-required-banner').waitFor();
    const state = await (await admin.context.request.get('/api/v1/auth/session')).json();
    expect(state).toMatchObject({ user: { login: 'alice' }, two_factor_enrolment_required: true });
    expect((await admin.context.request.get('/api/v1/admin/settings')).status()).toBe(403);

    // bob, in a fresh browser: nothing the UI asks for is refused, and every page leads here
    const w = await open();
    const refused: string[] = [];
    w.page.on('response', (r) => {
      if (r.status() === 403) refused.push(`${r.request().method()} ${new URL(r.url()).pathname} @ ${w.page.url()}`);
    });
    await enterPassword(w, 'bob', 'bob-pass-123');
    await w.page.waitForURL('**/user/settings/security');
    await w.page.getByTestId('two-factor-required-banner').waitFor();
    expect(await w.page.getByRole('link', { name: 'Explore' }).count()).toBe(0);
    expect(await w.page.getByTestId('user-menu').count()).toBe(0);
    for (const p of ['/', '/explore/repos', '/user/settings/applications', '/console']) {
      await w.go(p);
      await w.page.waitForURL('**/user/settings/security');
      expect(pathname(w), p).toBe('/user/settings/security');
    }
    await w.shot('twofactor-required');

    const { codes } = await turnOn(w);
    // turned on: the banner goes, the codes stay on screen until put away
    await expect.poll(() => w.page.getByTestId('two-factor-required-banner').count()).toBe(0);
    expect(await w.page.getByTestId('recovery-codes').locator('li').count()).toBe(codes.length);
    await w.page.getByRole('button', { name: 'I have stored them' }).click();
    await w.page.getByRole('link', { name: 'Explore' }).click();
    await w.page.waitForURL('**/explore/repos');
    await w.page.getByTestId('user-menu').waitFor();

    // turned off again (with a recovery code), the forge closes again
    await w.go('/user/settings/security');
    await w.page.getByRole('button', { name: 'Turn off' }).click();
    const dialog = w.page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await dialog.getByLabel('Recovery code').fill(codes[3]!);
    await dialog.getByRole('button', { name: 'Turn off' }).click();
    await w.page.getByTestId('two-factor-required-banner').waitFor();
    await expect.poll(() => w.page.getByTestId('two-factor-state').textContent()).toBe('Off');
    expect(await w.page.getByTestId('user-menu').count()).toBe(0);
    await w.go('/explore/repos');
    await w.page.waitForURL('**/user/settings/security');
    expect(refused).toEqual([]);
  });
});
