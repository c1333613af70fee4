// People and administration in Chromium: register, sign out and in (with redirect_to, a wrong
// password, a fresh browser), the registration setting, creating a repository from the form,
// explore search and sort, user pages and private repos, repository settings (description as
// text, rename, collaborators, delete), tokens used by the real git, SSH keys checked against
// ssh-keygen, and a password change.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, git, startServer, type TestServer } from '../fixtures/rig.js';
import { generateKey } from '../fixtures/ssh.js';

const missing = chromiumMissing();

describe.skipIf(missing)('accounts and repository administration in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let dana: WatchedPage;
  const admin: [string, string] = ['alice', 'alice-pass-123'];
  const danaAuth: [string, string] = ['dana', 'dana-pass-123'];
  const pages: WatchedPage[] = [];

  const open = async () => {
    const w = await openPage(browser, s);
    pages.push(w);
    return w;
  };
  const setRegistration = async (mode: string) => {
    const res = await s.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'registration.mode': mode } });
    expect(res.status).toBe(200);
  };
  const signInAs = async (w: WatchedPage, username: string, password: string) => {
    await w.go('/user/login');
    await w.page.getByLabel('Username or email').fill(username);
    await w.page.getByLabel('Password').fill(password);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await w.page.getByTestId('user-menu').waitFor();
  };
  const listedRepos = async (w: WatchedPage) => {
    await w.page.getByTestId('repo-list').waitFor();
    return w.page.getByTestId('repo-list').locator('li strong').allTextContents();
  };

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'alice', 'alice-pass-123', { admin: true });
    await createUser(s, 'bob', 'bob-pass-123', { via: admin });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const w of pages) {
      // hostile text (descriptions with markup) ran nothing, and the strict CSP held everywhere
      expect(w.dialogs).toEqual([]);
      expect(w.pageErrors).toEqual([]);
      expect(w.consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    }
    await browser?.close();
    await s?.stop();
  });

  it('registers with open registration and lands signed in, then signs out', async () => {
    dana = await open();
    await dana.go('/user/sign_up');
    await dana.page.getByLabel('Username').fill('dana');
    await dana.page.getByLabel('Email').fill('dana@example.test');
    await dana.page.getByLabel('Password', { exact: true }).fill('dana-pass-123');
    await dana.page.getByLabel('Confirm password').fill('dana-pass-12');
    await dana.page.getByText("The passwords don't match.").waitFor();
    await dana.page.getByLabel('Confirm password').fill('dana-pass-123');
    await dana.shot('register');
    await dana.page.getByRole('button', { name: 'Create account' }).click();
    await dana.page.getByTestId('user-menu').waitFor();
    await dana.page.getByText("You don't have any repositories yet.").waitFor();
    expect(new URL(dana.page.url()).pathname).toBe('/');
    await dana.shot('home');

    await dana.page.getByTestId('user-menu').click();
    await dana.page.getByRole('menuitem', { name: 'Sign out' }).click();
    await dana.page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    expect(await dana.page.getByTestId('user-menu').count()).toBe(0);
    expect((await s.api('GET', '/api/v1/users/dana')).status).toBe(200);
  });

  it('signs in from a fresh browser, shows the server error for a wrong password, and follows redirect_to', async () => {
    const w = await open();
    await w.go('/user/login?redirect_to=%2Fexplore%2Frepos%3Fsort%3Dnewest');
    await w.page.getByLabel('Username or email').fill('dana');
    await w.page.getByLabel('Password').fill('not-the-password');
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => w.page.getByRole('alert').textContent()).toBe('wrong username or password');
    await w.shot('sign-in');
    expect(new URL(w.page.url()).pathname).toBe('/user/login');

    await w.page.getByLabel('Password').fill('dana-pass-123');
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await w.page.waitForURL((u) => u.pathname === '/explore/repos');
    expect(new URL(w.page.url()).searchParams.get('sort')).toBe('newest');
    await w.page.getByTestId('user-menu').waitFor();
    await w.context.close();

    // the original tab signs in again for the rest of the walk
    await signInAs(dana, 'dana', 'dana-pass-123');
  });

  it('obeys the registration setting: closed shows a message, approval says an admin must approve', async () => {
    const w = await open();
    await setRegistration('closed');
    await w.go('/user/sign_up');
    await w.page.getByRole('heading', { name: 'Registration is closed' }).waitFor();
    expect(await w.page.getByRole('link', { name: 'Register' }).count()).toBe(0);
    expect(await w.page.getByLabel('Username').count()).toBe(0);

    await setRegistration('approval');
    await w.go('/user/sign_up');
    await w.page.getByText('an admin must approve new accounts').waitFor();
    await w.page.getByLabel('Username').fill('erin');
    await w.page.getByLabel('Email').fill('erin@example.test');
    await w.page.getByLabel('Password', { exact: true }).fill('erin-pass-123');
    await w.page.getByLabel('Confirm password').fill('erin-pass-123');
    await w.page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => w.page.getByTestId('registration-pending').textContent()).toContain('An administrator must approve it');
    expect(await w.page.getByTestId('user-menu').count()).toBe(0);
    await setRegistration('open');
    await w.context.close();
  });

  it('creates a repository from the form, showing the server error for a bad name', async () => {
    await dana.go('/repo/create');
    await dana.page.getByLabel('Repository name').fill('bad name');
    await dana.page.getByRole('button', { name: 'Create repository' }).click();
    await expect.poll(() => dana.page.getByRole('alert').textContent()).toContain('repository name must be');
    await dana.page.getByLabel('Repository name').fill('alpha-tools');
    await dana.page.getByLabel(/Description/).fill('Tools for the alpha');
    await dana.page.getByLabel(/Initialize with a README/).check();
    await dana.shot('new-repo');
    await dana.page.getByRole('button', { name: 'Create repository' }).click();
    await dana.page.waitForURL((u) => u.pathname === '/dana/alpha-tools');
    await dana.page.getByText('Tools for the alpha').first().waitFor();
    const repo = (await (await s.api('GET', '/api/v1/repos/dana/alpha-tools')).json()) as { empty: boolean; private: boolean };
    expect(repo).toMatchObject({ empty: false, private: false });
  });

  it('explore finds repositories by name and sorts them; the user page lists them', async () => {
    await createRepo(s, danaAuth, { name: 'beta-kit', description: 'kit' });
    await createRepo(s, danaAuth, { name: 'secret-plans', private: true, auto_init: true });
    expect((await s.api('PUT', '/api/v1/user/starred/dana/beta-kit', { auth: admin })).status).toBe(204);

    const anon = await open();
    await anon.go('/explore/repos');
    await anon.page.getByRole('searchbox', { name: 'Search repositories' }).fill('alpha');
    await anon.page.getByRole('searchbox', { name: 'Search repositories' }).press('Enter');
    await anon.page.waitForURL((u) => u.searchParams.get('q') === 'alpha');
    await expect.poll(() => anon.page.getByTestId('explore-total').textContent()).toContain('1 result');
    expect(await listedRepos(anon)).toEqual(['alpha-tools']);

    await anon.go('/explore/repos');
    await anon.page.getByLabel('Sort').selectOption('alphabetically');
    await anon.page.waitForURL((u) => u.searchParams.get('sort') === 'alphabetically');
    await expect.poll(() => anon.page.getByTestId('repo-list').locator('li strong').first().textContent()).toBe('alpha-tools');
    expect(await listedRepos(anon)).toEqual(['alpha-tools', 'beta-kit']);
    await anon.page.getByLabel('Sort').selectOption('reversealphabetically');
    await expect.poll(() => anon.page.getByTestId('repo-list').locator('li strong').first().textContent()).toBe('beta-kit');
    expect(await listedRepos(anon)).toEqual(['beta-kit', 'alpha-tools']);
    await anon.page.getByLabel('Sort').selectOption('moststars');
    await anon.page.waitForURL((u) => u.searchParams.get('sort') === 'moststars');
    await expect.poll(() => anon.page.getByTestId('repo-list').locator('li strong').first().textContent()).toBe('beta-kit');
    await anon.shot('explore');

    await dana.go('/dana');
    await dana.page.getByRole('heading', { name: 'dana' }).waitFor();
    expect((await listedRepos(dana)).sort()).toEqual(['alpha-tools', 'beta-kit', 'secret-plans']);
    await dana.shot('user-page');
    await anon.context.close();
  });

  it("doesn't show a private repository to another user, and a missing user is not found", async () => {
    const bob = await open();
    await signInAs(bob, 'bob', 'bob-pass-123');
    await bob.go('/dana');
    expect((await listedRepos(bob)).sort()).toEqual(['alpha-tools', 'beta-kit']);
    await bob.go('/explore/repos');
    expect(await listedRepos(bob)).not.toContain('secret-plans');
    await bob.go('/dana/secret-plans');
    await bob.page.getByRole('heading', { name: 'Not found' }).waitFor();
    await bob.go('/no-such-person');
    await bob.page.getByRole('heading', { name: 'Not found' }).waitFor();
    // a reader who isn't an admin gets a clear message on the settings page
    await bob.go('/dana/alpha-tools/settings');
    await bob.page.getByRole('heading', { name: 'Settings are for administrators' }).waitFor();
    await bob.context.close();
  });

  it('shows an organization (members to members only) and offers it as an owner for a new repository', async () => {
    const created = await s.api('POST', '/api/v1/orgs', { auth: danaAuth, json: { username: 'acme', full_name: 'Acme <i>Corp</i>', website: 'javascript:alert(1)' } });
    expect(created.status).toBe(201);
    await dana.go('/repo/create?owner=acme');
    expect(await dana.page.getByLabel('Owner').inputValue()).toBe('acme');
    await dana.page.getByLabel('Repository name').fill('acme-site');
    await dana.page.getByRole('button', { name: 'Create repository' }).click();
    await dana.page.waitForURL((u) => u.pathname === '/acme/acme-site');

    await dana.go('/acme');
    await dana.page.getByText('Acme <i>Corp</i>', { exact: true }).waitFor();
    await expect.poll(() => dana.page.getByTestId('org-members').textContent()).toContain('dana');
    // a website that isn't http(s) stays text, never a link
    expect(await dana.page.getByTestId('profile-website').evaluate((el) => el.tagName)).toBe('SPAN');

    const anon = await open();
    await anon.go('/acme');
    expect(await listedRepos(anon)).toEqual(['acme-site']);
    expect(await anon.page.getByTestId('org-members').count()).toBe(0);
    await anon.context.close();
  });

  it('repository settings: description as text, rename, a read collaborator, delete by typing the name', async () => {
    await dana.go('/dana/alpha-tools/settings');
    await dana.page.getByLabel('Description').fill('<b>x</b> marks <img src=x onerror="alert(1)">');
    await dana.page.getByRole('button', { name: 'Save' }).click();
    await dana.page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await dana.shot('repo-settings');
    await dana.go('/dana/alpha-tools');
    await dana.page.getByText('<b>x</b> marks <img src=x onerror="alert(1)">', { exact: true }).first().waitFor();
    expect(await dana.page.locator('main b').filter({ hasText: /^x$/ }).count()).toBe(0);
    expect(await dana.page.locator('main img[src="x"]').count()).toBe(0);

    await dana.go('/dana/alpha-tools/settings');
    await dana.page.getByLabel('Repository name').fill('alpha-kit');
    await dana.page.getByRole('button', { name: 'Rename' }).click();
    await dana.page.waitForURL((u) => u.pathname === '/dana/alpha-kit/settings');
    await dana.go('/dana/alpha-tools');
    await dana.page.getByRole('heading', { name: 'Not found' }).waitFor();
    await dana.go('/dana/alpha-kit');
    await dana.page.getByRole('link', { name: 'alpha-kit', exact: true }).first().waitFor();

    await dana.go('/dana/alpha-kit/settings/collaboration');
    await dana.page.getByText('No collaborators yet').waitFor();
    await dana.page.getByLabel('Username').fill('bob');
    await dana.page.getByLabel('Role', { exact: true }).selectOption('read');
    await dana.page.getByRole('button', { name: 'Add collaborator' }).click();
    await expect.poll(() => dana.page.getByLabel('Role of bob').inputValue()).toBe('read');
    const perm = (await (await s.api('GET', '/api/v1/repos/dana/alpha-kit/collaborators/bob/permission', { auth: danaAuth })).json()) as { permission: string };
    expect(perm.permission).toBe('read');
    // an unknown user is the server's clear error
    await dana.page.getByLabel('Username').fill('nobody-here');
    await dana.page.getByRole('button', { name: 'Add collaborator' }).click();
    await expect.poll(() => dana.page.getByRole('alert').textContent()).toContain('does not exist');

    await dana.go('/dana/alpha-kit/settings');
    await dana.page.getByRole('button', { name: 'Delete repository' }).click();
    const dialog = dana.page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Delete this repository' });
    await expect.poll(() => confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(/to confirm/).fill('alpha-tools');
    await expect.poll(() => confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(/to confirm/).fill('alpha-kit');
    await confirm.click();
    await dana.page.waitForURL((u) => u.pathname === '/dana');
    expect((await s.api('GET', '/api/v1/repos/dana/alpha-kit', { auth: danaAuth })).status).toBe(404);
  });

  it('creates a token in the UI that the real git accepts as a password, then deletes it', async () => {
    const url = (secret: string) => `http://dana:${secret}@127.0.0.1:${s.port}/dana/secret-plans.git`;
    await dana.go('/user/settings/applications');
    await dana.page.getByLabel('Token name').fill('laptop git');
    await expect.poll(() => dana.page.getByLabel('write:repository').isChecked()).toBe(true);
    await dana.page.getByRole('button', { name: 'Generate token' }).click();
    const secret = await dana.page.getByTestId('new-token').inputValue();
    expect(secret).toMatch(/^[0-9a-f]{40}$/);
    await dana.page.getByTestId('tokens').getByText('laptop git').waitFor();
    await dana.shot('tokens');

    const ok = await git(['ls-remote', url(secret)]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/refs\/heads\/main/);
    expect((await git(['ls-remote', url('0'.repeat(40))])).code).not.toBe(0);

    await dana.page.getByRole('button', { name: 'Delete token laptop git' }).click();
    await dana.page.getByRole('dialog').getByRole('button', { name: 'Delete token' }).click();
    await dana.page.getByText('No tokens yet').waitFor();
    expect((await git(['ls-remote', url(secret)])).code).not.toBe(0);
  });

  it('adds an SSH key whose fingerprint matches ssh-keygen -lf', async () => {
    const kp = await generateKey('ed25519', 'dana@laptop');
    await dana.go('/user/settings/keys');
    await dana.page.getByText('No SSH keys yet').waitFor();
    await dana.page.getByLabel('Title').fill('laptop');
    await dana.page.getByLabel('Public key').fill(kp.publicLine);
    await dana.page.getByRole('button', { name: 'Add key' }).click();
    await expect.poll(() => dana.page.getByTestId('key-fingerprint').textContent()).toBe(kp.fingerprint);
    await dana.shot('keys');
    // a line that isn't a key is the server's clear error, and nothing is added
    await dana.page.getByLabel('Public key').fill('ssh-ed25519 not-base64!');
    await dana.page.getByRole('button', { name: 'Add key' }).click();
    await dana.page.getByRole('alert').waitFor();
    await expect.poll(() => dana.page.getByTestId('key-fingerprint').count()).toBe(1);
  });

  it('edits the profile, then changes the password and signs in with the new one', async () => {
    await dana.go('/user/settings');
    await dana.page.getByRole('link', { name: 'Appearance' }).waitFor();
    await dana.page.getByLabel('Full name').fill('Dana Scully');
    await dana.page.getByLabel('Website').fill('https://dana.example');
    await dana.page.getByRole('button', { name: 'Save profile' }).click();
    await dana.page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await dana.go('/dana');
    await expect.poll(() => dana.page.getByTestId('profile-website').getAttribute('rel')).toBe('nofollow noopener');
    await dana.page.getByText('Dana Scully').waitFor();

    await dana.go('/user/settings/account');
    await dana.page.getByLabel('Current password').fill('wrong-password');
    await dana.page.getByLabel('New password', { exact: true }).fill('dana-new-pass-1');
    await dana.page.getByLabel('Confirm new password').fill('dana-new-pass-1');
    await dana.page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => dana.page.getByRole('alert').textContent()).toBe('your current password is wrong');
    await dana.page.getByLabel('Current password').fill('dana-pass-123');
    await dana.page.getByRole('button', { name: 'Change password' }).click();
    await dana.page.getByText('Password changed.').waitFor();
    // this browser stays signed in, with a working session for further writes
    await dana.go('/user/settings');
    await dana.page.getByTestId('user-menu').waitFor();
    await dana.page.getByLabel('Full name').fill('Dana K. Scully');
    await dana.page.getByRole('button', { name: 'Save profile' }).click();
    await dana.page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();

    const w = await open();
    await w.go('/user/login');
    await w.page.getByLabel('Username or email').fill('dana');
    await w.page.getByLabel('Password').fill('dana-pass-123');
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => w.page.getByRole('alert').textContent()).toBe('wrong username or password');
    await signInAs(w, 'dana', 'dana-new-pass-1');
    await w.context.close();
  });
});

if (missing) console.warn(`browser tests skipped: ${missing}`);
