// Passkeys in Chromium, with the DevTools protocol's virtual authenticator (CTAP2, built in, user
// verification on): bob adds a passkey under Settings → Security, signs out, signs in with his
// password and then the passkey for the second step, and lands signed in. WebAuthn needs a
// secure context and a domain as the relying party, so the pages use http://localhost:<port>
// (the server listens on 127.0.0.1; Chromium treats localhost as secure).
import type { Browser, CDPSession } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, type WatchedPage } from '../fixtures/chromium.js';
import { createUser, startServer, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
if (missing) console.warn(`browser tests skipped: ${missing}`);

describe.skipIf(missing)('passkeys in the browser', () => {
  let s: TestServer;
  let local: TestServer;
  let browser: Browser;
  let bob: WatchedPage;
  let cdp: CDPSession;
  let authenticatorId = '';
  const pages: WatchedPage[] = [];
  const pathname = (w: WatchedPage) => new URL(w.page.url()).pathname;

  const enterPassword = async (w: WatchedPage, username: string, password: string) => {
    await w.go('/user/login');
    await w.page.getByLabel('Username or email').fill(username);
    await w.page.getByLabel('Password').fill(password);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
  };

  beforeAll(async () => {
    s = await startServer();
    // the same server under the name localhost: a secure context, and a valid relying party ID
    local = { ...s, url: s.url.replace('://127.0.0.1:', '://localhost:') };
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

  it('bob adds a passkey under Settings → Security', async () => {
    bob = await openPage(browser, local);
    pages.push(bob);
    cdp = await bob.context.newCDPSession(bob.page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    }));

    await enterPassword(bob, 'bob', 'bob-pass-123');
    await bob.page.getByTestId('user-menu').waitFor();
    await bob.go('/user/settings/security');
    const panel = bob.page.getByTestId('passkeys-panel');
    await panel.getByRole('button', { name: 'Add a passkey' }).click();
    await bob.page.getByLabel('Name', { exact: true }).fill('virtual key');
    await bob.page.getByRole('button', { name: 'Add passkey', exact: true }).click();
    await expect.poll(() => panel.getByTestId('passkey-row').count()).toBe(1);
    expect(await panel.getByTestId('passkey-row').textContent()).toMatch(/virtual key.*never used/);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.rpId).toBe('localhost');
    await bob.shot('webauthn-passkeys');
  });

  it('signs out, and signs in with the password and then the passkey', async () => {
    await bob.page.getByTestId('user-menu').click();
    await bob.page.getByRole('menuitem', { name: 'Sign out' }).click();
    await bob.page.getByRole('link', { name: 'Sign in' }).first().waitFor();

    await enterPassword(bob, 'bob', 'bob-pass-123');
    await bob.page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    const button = bob.page.getByTestId('signin-passkey');
    await button.waitFor();
    await bob.shot('webauthn-second-step');
    await button.click();
    await bob.page.getByTestId('user-menu').waitFor();
    expect(pathname(bob)).toBe('/');
    const me = await bob.page.evaluate(async () => (await fetch('/api/v1/user')).json());
    expect(me).toMatchObject({ login: 'bob' });
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials[0]!.signCount).toBeGreaterThan(0);
  });

  it('after a reload the second step still offers the passkey; removing it turns the second step off', async () => {
    const other = await openPage(browser, local);
    pages.push(other);
    await enterPassword(other, 'bob', 'bob-pass-123');
    await other.page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    await other.page.reload({ waitUntil: 'networkidle' });
    await other.page.getByTestId('signin-passkey').waitFor();

    await bob.go('/user/settings/security');
    const panel = bob.page.getByTestId('passkeys-panel');
    await panel
      .getByTestId('passkey-row')
      .getByText(/last used/)
      .waitFor();
    await panel.getByRole('button', { name: 'Remove' }).click();
    await bob.page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => panel.getByTestId('passkey-row').count()).toBe(0);

    const third = await openPage(browser, local);
    pages.push(third);
    await enterPassword(third, 'bob', 'bob-pass-123');
    await third.page.getByTestId('user-menu').waitFor();
  });
});
