// The operator console in Chromium, the way an operator meets it: the first-run wizard on a
// fresh data dir, the dashboard, settings, users, maintenance mode, a backup with live progress
// and its verification; then the archive restored into a second instance from that instance's
// console, which afterwards serves the same repositories, refs and users, and whose records then
// move to PostgreSQL from the same console. Last, every page at a laptop's and a phone's size,
// with screenshots of each.
import type { Browser } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext, walkPages, type WatchedPage } from '../fixtures/chromium.js';
import { startPostgres } from '../fixtures/postgres.js';
import { git, gitOk, makeRepo, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
if (missing) console.warn(`browser tests skipped: ${missing}`);

const setupToken = (s: TestServer) => waitFor(async () => /\/setup\?token=([0-9a-f]{48})/.exec(s.log())?.[1], 10_000);

describe.skipIf(missing)('operator console', () => {
  let a: TestServer;
  let b: TestServer;
  let c: TestServer;
  let browser: Browser;
  let w: WatchedPage;
  let work: string;
  let backupFile = '';
  const admin: [string, string] = ['root', 'root-pass-123'];

  beforeAll(async () => {
    [a, b, c] = await Promise.all([startServer(), startServer(), startServer()]);
    browser = await launchChromium();
    work = await tempDir('gitssy-console-');
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
  });

  it('the wizard creates the administrator and names the instance', async () => {
    w = await openPage(browser, a);
    await w.go('/setup?token=nope');
    expect(await w.page.textContent('body')).toContain('Setup link required');
    await w.go(`/setup?token=${await setupToken(a)}`);
    await w.page.getByLabel('Username').fill(admin[0]);
    await w.page.getByLabel('Email').fill('root@example.test');
    await w.page.getByLabel('Password', { exact: true }).fill(admin[1]);
    await w.page.getByLabel('Password again').fill(admin[1]);
    // one numbering (the labels'), no list markers in front of it
    const steps = w.page.getByRole('list', { name: 'Setup steps' });
    expect(await steps.locator('li').allTextContents()).toEqual(['1. Administrator', '2. Instance', '3. Network', '4. Review']);
    expect(await steps.evaluate((ol) => getComputedStyle(ol).listStyleType)).toBe('none');
    // nobody has an account yet, and none is made here: the header offers neither
    const header = w.page.locator('header');
    expect(await header.getByRole('link', { name: 'Sign in' }).count()).toBe(0);
    expect(await header.getByRole('link', { name: 'Register' }).count()).toBe(0);
    await w.shot('console-wizard');
    // and on a phone (the second instance is still waiting for its setup)
    const phone = await openPage(browser, b, { viewport: { width: 390, height: 844 } });
    await phone.go(`/setup?token=${await setupToken(b)}`);
    await phone.page.getByLabel('Password again').waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await phone.shot('console-wizard-phone');
    await phone.context.close();
    await w.page.getByRole('button', { name: 'Next' }).click();
    await w.page.getByLabel('Instance name').fill('Team Forge');
    await w.page.getByLabel('Who may create an account').selectOption('approval');
    await w.page.getByRole('button', { name: 'Next' }).click();
    await w.page.getByLabel('Address teammates use').waitFor();
    await w.page.getByRole('button', { name: 'Next' }).click();
    await w.page.getByRole('button', { name: 'Finish setup' }).click();
    await w.page.waitForURL('**/console');
    await w.page.getByTestId('console-status').getByText('Running').waitFor();
    const settings = await (await a.api('GET', '/api/v1/admin/settings', { auth: admin })).json();
    expect(settings['instance.name']).toBe('Team Forge');
    expect(settings['registration.mode']).toBe('approval');
    await w.page
      .getByTestId('host-key-fingerprint')
      .getByText(/SHA256:/)
      .waitFor();
    await w.shot('console-dashboard');
  });

  it('settings save only what changed, all or nothing', async () => {
    await w.page.getByRole('link', { name: 'Settings' }).click();
    await w.page.getByLabel('Registration').selectOption('closed');
    await w.page.getByLabel('Maintenance message').fill('Disk swap, back at noon');
    await w.page.getByRole('button', { name: /Save changes \(2\)/ }).click();
    await w.page.getByText('Saved.').waitFor();
    const settings = await (await a.api('GET', '/api/v1/admin/settings', { auth: admin })).json();
    expect(settings['registration.mode']).toBe('closed');
    expect(settings['maintenance.message']).toBe('Disk swap, back at noon');
    // an invalid range is refused with the server's reason and nothing changes
    await w.page.getByLabel('Trusted IP ranges').fill('10.0.0.0/99');
    await w.page.getByLabel('Instance name').fill('Renamed');
    await w.page.getByRole('button', { name: /Save changes/ }).click();
    await w.page.getByRole('alert').waitFor();
    expect((await (await a.api('GET', '/api/v1/admin/settings', { auth: admin })).json())['instance.name']).toBe('Team Forge');
    await w.page.getByRole('button', { name: 'Discard' }).click();
    await w.shot('console-settings');
  });

  it('users: create, disable and promote', async () => {
    await w.page.getByRole('link', { name: 'Users' }).click();
    await w.page.getByRole('button', { name: 'New user' }).click();
    await w.page.getByLabel('Username').fill('bob');
    await w.page.getByLabel('Email').fill('bob@example.test');
    await w.page.getByLabel('Initial password').fill('bob-pass-1234');
    await w.page.getByRole('button', { name: 'Create user' }).click();
    const row = w.page.getByTestId('user-row-bob');
    await row.waitFor();
    await row.getByRole('button', { name: 'Actions for bob' }).click();
    await w.page.getByRole('menuitem', { name: 'Disable sign-in' }).click();
    await row.getByText('disabled').waitFor();
    expect((await a.api('GET', '/api/v1/user', { auth: ['bob', 'bob-pass-1234'] })).status).toBe(403);
    await row.getByRole('button', { name: 'Actions for bob' }).click();
    await w.page.getByRole('menuitem', { name: 'Enable sign-in' }).click();
    await row.getByText('active').waitFor();
    expect((await a.api('GET', '/api/v1/user', { auth: ['bob', 'bob-pass-1234'] })).status).toBe(200);
    await w.shot('console-users');
  });

  it('maintenance from the dashboard refuses pushes with the message and shows a banner', async () => {
    expect((await a.api('POST', '/api/v1/user/repos', { auth: admin, json: { name: 'tools' } })).status).toBe(201);
    await makeRepo(path.join(work, 'src'), 4);
    await gitOk(['push', '-q', a.gitUrl('root/tools.git', admin), 'main'], { cwd: path.join(work, 'src') });
    await w.page.getByRole('link', { name: 'Dashboard' }).click();
    await w.page.getByTestId('maintenance-toggle').click();
    await w.page.getByTestId('console-status').getByText('Maintenance').waitFor();
    const refused = await git(['push', a.gitUrl('root/tools.git', admin), 'main:refs/heads/blocked'], { cwd: path.join(work, 'src') });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Disk swap, back at noon');
    await w.page.reload({ waitUntil: 'networkidle' });
    await w.page.getByTestId('maintenance-banner').waitFor();
    await w.page.getByTestId('maintenance-toggle').click();
    await w.page.getByTestId('console-status').getByText('Running').waitFor();
    await gitOk(['push', '-q', a.gitUrl('root/tools.git', admin), 'main:refs/heads/after'], { cwd: path.join(work, 'src') });
  });

  it('events: every durable subscriber is listed with what it still owes, and no failed deliveries', async () => {
    await w.page.getByRole('link', { name: 'Events' }).click();
    const table = w.page.getByTestId('outbox-subscribers');
    await table.waitFor();
    for (const name of ['notifications.push', 'notifications.mail', 'audit.log', 'repos.after-push']) await table.getByText(name, { exact: true }).waitFor();
    await w.page.getByText('No failed deliveries').waitFor();
    await w.shot('console-events');
  });

  it('backs up with live progress and verifies the archive', async () => {
    await w.page.getByRole('link', { name: 'Backups' }).click();
    await w.page.getByText('No backups yet').waitFor();
    await w.page.getByRole('button', { name: 'Back up now' }).click();
    await w.page.getByTestId('job-create').waitFor();
    await w.page.waitForSelector('[data-testid="job-create"][data-state="done"]', { timeout: 60_000 }).catch(async (err: Error) => {
      throw new Error(`${err.message}\njob: ${await w.page.getByTestId('job-create').textContent()}\nserver: ${a.log().slice(-3000)}`);
    });
    await w.page.getByRole('progressbar', { name: /Backing up/ }).waitFor();
    // what the counts are, in units: the data packed and the archive it made, not "225082/225082"
    expect(await w.page.getByTestId('job-create').getByTestId('job-progress').textContent()).toMatch(/^100% · [\d.]+ KiB of data in a [\d.]+ KiB archive$/);
    const row = w.page.locator('[data-testid^="backup-"]').first();
    await row.waitFor();
    const name = (await row.getAttribute('data-testid'))!.slice('backup-'.length);
    await row.getByRole('button', { name: 'Verify' }).click();
    await w.page.waitForSelector('[data-testid="job-verify"][data-state="done"]', { timeout: 60_000 });
    await row.getByText('verified').waitFor();
    expect(await w.page.getByTestId('job-verify').getByTestId('job-progress').textContent()).toBe('100%');
    // "verified just now" stays on one line inside its pill
    const pill = row.getByText('verified');
    expect(await pill.evaluate((el) => getComputedStyle(el).whiteSpace)).toBe('nowrap');
    expect(await pill.evaluate((el) => el.getClientRects().length === 1 && el.getBoundingClientRect().height < 2.2 * parseFloat(getComputedStyle(el).fontSize))).toBe(true);
    await w.shot('console-backups');
    // the download is the archive itself
    const download = w.page.waitForEvent('download');
    await row.getByRole('link', { name: 'Download' }).click();
    backupFile = path.join(work, name);
    await (await download).saveAs(backupFile);
    expect((await readFile(backupFile)).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('restores the archive into a second instance from its console', async () => {
    expect(backupFile).not.toBe('');
    // the second instance is set up by another operator, then takes the first one's data
    const w2 = await openPage(browser, b);
    const session = await (await w2.context.request.get('/api/v1/auth/session')).json();
    const setup = await w2.context.request.post('/api/v1/setup', {
      data: { token: await setupToken(b), username: 'other', email: 'other@example.test', password: 'other-pass-123' },
      headers: { 'X-CSRF-Token': session.csrf_token },
    });
    expect(setup.status()).toBe(201);
    await signInContext(w2, 'other', 'other-pass-123');
    await w2.go('/console/backups');
    await w2.page.getByLabel('Backup archive to upload').setInputFiles(backupFile);
    // the upload is stored under a name of its own
    const row = w2.page.locator('[data-testid^="backup-gitssy-uploaded-"]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Restore…' }).click();
    await w2.page.getByRole('button', { name: 'Restore and restart' }).click();
    await w2.page.getByTestId('job-restore').waitFor();
    // after the swap the instance restarts on the same port with the restored users (so this
    // browser's session is gone) and the same repositories and refs
    await waitFor(async () => (await b.api('GET', '/api/v1/user', { auth: admin }).catch(() => null))?.status === 200, 90_000, 500);
    expect((await b.api('GET', '/api/v1/user', { auth: ['other', 'other-pass-123'] })).status).toBe(401);
    expect((await b.api('GET', '/api/v1/user', { auth: ['bob', 'bob-pass-1234'] })).status).toBe(200);
    const refs = async (s: TestServer) => (await gitOk(['ls-remote', s.gitUrl('root/tools.git', admin)])).trim().split('\n').sort();
    expect(await refs(b)).toEqual(await refs(a));
    expect((await (await b.api('GET', '/api/v1/admin/settings', { auth: admin })).json())['instance.name']).toBe('Team Forge');
    await w2.context.close();
    expect(w.pageErrors).toEqual([]);
  });

  it("the wizard's first step can restore a backup instead of creating an administrator", async () => {
    expect(backupFile).not.toBe('');
    const w3 = await openPage(browser, c);
    await w3.go(`/setup?token=${await setupToken(c)}`);
    await w3.page.getByRole('button', { name: 'Restore a backup instead' }).click();
    await w3.page.getByLabel('Backup archive (.tar.gz)').setInputFiles(backupFile);
    await w3.shot('console-wizard-restore');
    await w3.page.getByRole('button', { name: 'Restore', exact: true }).click();
    await w3.page
      .getByText('Restored.')
      .waitFor({ timeout: 90_000 })
      .catch(async (err) => {
        throw new Error(`${err.message}\npage: ${await w3.page.textContent('body')} errors: ${w3.pageErrors.join(' / ')} console: ${w3.consoleErrors.join(' / ')}\nserver: ${c.log().slice(-1500)}`);
      });
    expect((await c.api('GET', '/api/v1/user', { auth: admin })).status).toBe(200);
    const refs = async (s: TestServer) => (await gitOk(['ls-remote', s.gitUrl('root/tools.git', admin)])).trim().split('\n').sort();
    expect(await refs(c)).toEqual(await refs(a));
    // setup is over: the token no longer opens anything
    expect((await c.api('GET', '/api/v1/auth/session').then((r) => r.json())).setup_required).toBe(false);
    await w3.context.close();
  });

  it('moves the records of the restored instance to PostgreSQL from its console', async (ctx) => {
    const pg = await startPostgres();
    if ('skip' in pg) return ctx.skip(pg.skip);
    try {
      const url = await pg.createDatabase('console_e2e');
      const w4 = await openPage(browser, c);
      await signInContext(w4, ...admin);
      await w4.go('/console/backups');
      expect(await w4.page.getByTestId('database-kind').textContent()).toMatch(/^SQLite \S+gitssy\.db$/);
      // a target it can't move to is refused in the dialog, and nothing happens
      const target = w4.page.getByLabel('Move the records to PostgreSQL');
      await target.fill('mysql://127.0.0.1/gitssy');
      await w4.page.getByRole('button', { name: 'Move to PostgreSQL…' }).click();
      await w4.page.getByRole('button', { name: 'Move and restart' }).click();
      await w4.page.getByText('to: a postgres:// URL is needed, not mysql://; nothing was changed').waitFor();
      await w4.page.getByRole('button', { name: 'Cancel' }).click();
      await target.fill(url);
      await w4.page.getByRole('button', { name: 'Move to PostgreSQL…' }).click();
      await w4.page.getByRole('button', { name: 'Move and restart' }).click();
      await w4.page.getByTestId('job-move-db').waitFor();
      // the forge restarts on PostgreSQL with this session (it moved with the records), and the page starts over
      await w4.page
        .getByTestId('database-kind')
        .filter({ hasText: /^PostgreSQL / })
        .waitFor({ timeout: 90_000 })
        .catch(async (err: Error) => {
          throw new Error(`${err.message}\npage: ${await w4.page.textContent('main').catch(() => '?')}\nerrors: ${w4.pageErrors.join(' / ')}\nserver: ${c.log().slice(-3000)}`);
        });
      expect(await w4.page.getByTestId('database-kind').textContent()).toBe(`PostgreSQL ${url}`);
      const refs = async (s: TestServer) => (await gitOk(['ls-remote', s.gitUrl('root/tools.git', admin)])).trim().split('\n').sort();
      expect(await refs(c)).toEqual(await refs(a));
      expect(w4.pageErrors).toEqual([]);
      await w4.context.close();
    } finally {
      await pg.stop();
    }
  });

  it('every page fits a laptop (1366×768) and a phone (390×844)', async () => {
    const head = (await gitOk(['rev-parse', 'HEAD'], { cwd: path.join(work, 'src') })).trim();
    const main = {
      home: '/',
      explore: '/explore/repos',
      user: '/root',
      repo: '/root/tools',
      tree: '/root/tools/src/branch/main/src',
      file: '/root/tools/src/branch/main/src/index.ts',
      commits: '/root/tools/commits/branch/main',
      commit: `/root/tools/commit/${head}`,
      branches: '/root/tools/branches',
      'repo-settings': '/root/tools/settings',
      settings: '/user/settings',
      keys: '/user/settings/keys',
      tokens: '/user/settings/applications',
      notifications: '/notifications',
      'new-repo': '/repo/create',
    };
    const consolePages = {
      console: '/console',
      'console-settings': '/console/settings',
      'console-users': '/console/users',
      'console-backups': '/console/backups',
      'console-logs': '/console/logs',
      'console-events': '/console/events',
    };
    // every page in the default preset (the presets differ in colour only, which test/e2e/appearance.test.ts covers)
    const walk = await walkPages(browser, a, { user: admin, prefix: 'page', pages: { violet: { ...main, ...consolePages } } });
    expect(walk.shots).toBe(2 * (Object.keys(main).length + Object.keys(consolePages).length));
    // nothing makes the phone scroll sideways: wide tables scroll inside their panels
    expect(walk.overflowing).toEqual([]);
  });
});
