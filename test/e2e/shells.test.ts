// Dev shells in Chromium, against a server whose shells run in the bubblewrap sandbox: alice opens
// her repository, starts a shell from the dialog (which shows the limits and the backend first),
// types into the terminal and reads the answer, copies and pastes through the clipboard events,
// resizes the window and sees the shell's size follow, reloads and finds her earlier output in the
// scrollback, loses the network for a moment and carries on from where she was, types in a second
// tab on the same shell, sees it in the operator console, and stops it: both tabs say why it ended
// and their terminals turn read-only. The console manages overrides and the defaults; an idle
// shell is warned about and stopped. No CSP violation along the way.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, SCREENSHOTS, signInContext, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, gitOk, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing() ?? (existsSync('/usr/bin/bwrap') ? null : 'no bubblewrap (apt-get install bubblewrap): the sandbox backend needs it');
const SLOW = { timeout: 20_000 };
/** A shell clones the repository and starts a sandbox; the browser suites share two cores. */
const START = { timeout: 60_000 };
const ALICE: [string, string] = ['alice', 'alice-pass-123'];

/** What the terminal shows now (xterm's DOM rows), one string per row. */
const screenRows = (page: Page) =>
  page.evaluate(() => Array.from(document.querySelectorAll('[data-testid="shell-terminal"] .xterm-rows > div'), (row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()));
const screen = async (page: Page) => (await screenRows(page)).join('\n');

/** Every `stty size` answer on screen, as "rows cols". */
const sizes = async (page: Page) => (await screenRows(page)).filter((l) => /^\d+ \d+$/.test(l.trim())).map((l) => l.trim());

async function typeLine(page: Page, line: string): Promise<void> {
  await page.getByTestId('shell-terminal').click();
  await page.keyboard.type(line, { delay: 15 });
  await page.keyboard.press('Enter');
}

const cspViolations = (w: WatchedPage) => w.consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e));

describe.skipIf(missing)('dev shells in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let alice: WatchedPage;
  let shellUrl = '';

  beforeAll(async () => {
    s = await startServer({ env: { GITSSY_CI_BACKEND: 'sandbox' } });
    await createUser(s, ...ALICE, { admin: true });
    await createRepo(s, ALICE, { name: 'app' });
    const work = path.join(await tempDir('gitssy-shells-'), 'app');
    await gitOk(['init', '-q', '-b', 'main', work]);
    await writeFile(path.join(work, 'README.md'), '# App\n\nA repository with a dev shell.\n');
    await gitOk(['add', '-A'], { cwd: work });
    await gitOk(['commit', '-q', '-m', 'First commit'], { cwd: work });
    await gitOk(['push', '-q', s.gitUrl('alice/app.git', ALICE), 'main'], { cwd: work });
    browser = await launchChromium();
    alice = await openPage(browser, s);
    await signInContext(alice, ...ALICE);
  }, 120_000);

  afterAll(async () => {
    if (alice) {
      expect(alice.dialogs).toEqual([]);
      expect(alice.pageErrors).toEqual([]);
      expect(cspViolations(alice)).toEqual([]);
    }
    await browser?.close();
    await s?.stop();
  });

  it('starts a shell from the repository page after showing what it would get, and runs what is typed', async () => {
    await alice.go('/alice/app');
    await alice.page.getByTestId('dev-shell-open').click();
    const offer = alice.page.getByTestId('dev-shell-offer');
    await expect.poll(() => alice.page.getByTestId('dev-shell-backend').textContent(), SLOW).toBe('sandbox');
    expect(await offer.textContent()).toMatch(/CPUs.*Memory.*Disk.*Processes.*Network.*Run time/);
    expect(await alice.page.getByTestId('dev-shell-branch').inputValue()).toBe('main');
    await expect.poll(() => alice.page.getByTestId('dev-shell-branch').locator('option').allTextContents(), SLOW).toEqual(['main']);
    expect(await alice.page.getByRole('dialog').textContent()).not.toContain('Could not');
    await alice.shot('shells-start-dialog');

    await alice.page.getByTestId('dev-shell-start').click();
    await alice.page.waitForURL(/\/-\/shells\/\d+$/, SLOW);
    shellUrl = new URL(alice.page.url()).pathname;
    const page = alice.page;
    expect(await page.getByTestId('shell-repo').textContent()).toBe('alice/app');
    expect(await page.getByTestId('shell-branch').textContent()).toContain('main');

    // running, attached, and a prompt on screen
    await expect.poll(() => page.getByTestId('shell-state').getAttribute('data-state'), START).toBe('running');
    await expect.poll(() => page.getByTestId('shell-page').getAttribute('data-attached'), START).toBe('true');
    await expect.poll(async () => (await screen(page)).trim().length, START).toBeGreaterThan(0);
    expect(await page.getByTestId('shell-time-left').textContent()).toMatch(/\d+ (h|min|s)/);
    expect(await page.getByTestId('shell-limits').textContent()).toMatch(/CPU/);

    await typeLine(page, 'echo hello-$((6*7))');
    await expect.poll(() => screen(page), SLOW).toContain('hello-42');
    // drawn in the app's code font, coloured from its theme tokens
    expect(await page.evaluate(() => document.fonts.check('14px "JetBrains Mono"'))).toBe(true);
    expect(await page.locator('[data-testid="shell-terminal"] .xterm-rows').evaluate((el) => getComputedStyle(el).fontFamily)).toContain('JetBrains Mono');
    await alice.shot('shells-terminal');
  });

  it('copies the selection and pastes through the browser clipboard events', async () => {
    const page = alice.page;
    // select the answer line with the mouse, as a person would
    const rows = page.locator('[data-testid="shell-terminal"] .xterm-rows > div');
    const index = (await screenRows(page)).findIndex((l) => l === 'hello-42');
    expect(index).toBeGreaterThanOrEqual(0);
    const box = (await rows.nth(index).boundingBox())!;
    await page.mouse.move(box.x + 1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 200, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    // the browser's copy event (what Ctrl+C, Ctrl+Shift+C or the menu fire) takes xterm's selection
    const copied = await page.evaluate(() => {
      const dt = new DataTransfer();
      document.querySelector('[data-testid="shell-terminal"] textarea')!.dispatchEvent(new ClipboardEvent('copy', { clipboardData: dt, bubbles: true, cancelable: true }));
      return dt.getData('text/plain');
    });
    expect(copied.trim()).toBe('hello-42');
    // and a paste goes to the shell as input (bracketed when the shell asks: Enter runs it)
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.setData('text/plain', 'echo pasted-$((2*21))');
      document.querySelector('[data-testid="shell-terminal"] textarea')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => screen(page), SLOW).toContain('echo pasted-$((2*21))');
    await page.keyboard.press('Enter');
    await expect.poll(() => screen(page), SLOW).toContain('pasted-42');
  });

  it("follows the window's size: `stty size` answers differently after a resize", async () => {
    const page = alice.page;
    await typeLine(page, 'stty size');
    await expect.poll(async () => (await sizes(page)).length, SLOW).toBe(1);
    const [before] = await sizes(page);
    await page.setViewportSize({ width: 900, height: 620 });
    // the terminal refits (a ResizeObserver) and tells the shell
    await new Promise((r) => setTimeout(r, 500));
    await typeLine(page, 'stty size');
    await expect.poll(async () => (await sizes(page)).length, SLOW).toBe(2);
    const after = (await sizes(page))[1];
    expect(after).not.toBe(before);
    const [rowsBefore, colsBefore] = before!.split(' ').map(Number);
    const [rowsAfter, colsAfter] = after!.split(' ').map(Number);
    expect(colsAfter).toBeLessThan(colsBefore!);
    expect(rowsAfter).toBeLessThan(rowsBefore!);
  });

  it('shows the earlier output again after a reload (the scrollback is replayed)', async () => {
    const page = alice.page;
    await page.reload({ waitUntil: 'load' });
    await expect.poll(() => page.getByTestId('shell-page').getAttribute('data-attached'), SLOW).toBe('true');
    await expect.poll(() => screen(page), SLOW).toContain('hello-42');
    // once: the replay after the reload starts the screen over instead of adding to it
    expect((await screen(page)).match(/hello-42/g)).toHaveLength(1);
    await typeLine(page, 'echo after-$((40+2))-reload');
    await expect.poll(() => screen(page), SLOW).toContain('after-42-reload');
  });

  it('attaches again after a network blip and carries on where it was, without repeating output', async () => {
    const page = alice.page;
    // what the page asks for when it attaches again, and what the server answers
    const frames: string[] = [];
    page.on('websocket', (ws) => {
      ws.on('framesent', (f) => frames.push(`> ${String(f.payload)}`));
      ws.on('framereceived', (f) => frames.push(`< ${String(f.payload)}`));
    });
    await alice.context.setOffline(true);
    await expect.poll(() => page.getByTestId('shell-page').getAttribute('data-attached'), SLOW).toBe('false');
    await alice.context.setOffline(false);
    await expect.poll(() => page.getByTestId('shell-page').getAttribute('data-attached'), { timeout: 30_000 }).toBe('true');
    // it asked only for what came after the last output it had seen, and got just that
    const attach = frames.find((f) => f.startsWith('> ') && f.includes('"shell:attach"'));
    expect(attach).toMatch(/"since":\d+/);
    expect(frames.some((f) => f.startsWith('< ') && f.includes('"replay":"tail"'))).toBe(true);
    await typeLine(page, 'echo back-$((20+22))');
    await expect.poll(() => screen(page), SLOW).toContain('back-42');
    const text = await screen(page);
    expect(text.match(/hello-42/g)).toHaveLength(1);
    expect(text.match(/after-42-reload/g)).toHaveLength(1);
  });

  it('lets a second tab attach to the same shell and type into it', async () => {
    const second = await alice.context.newPage();
    try {
      await second.goto(shellUrl, { waitUntil: 'load' });
      await expect.poll(() => second.getByTestId('shell-page').getAttribute('data-attached'), SLOW).toBe('true');
      await expect.poll(() => screen(second), SLOW).toContain('after-42-reload');
      await typeLine(second, 'echo from-the-$((1+1))nd-tab');
      await expect.poll(() => screen(second), SLOW).toContain('from-the-2nd-tab');
      await expect.poll(() => screen(alice.page), SLOW).toContain('from-the-2nd-tab');

      // on a phone the page fits the screen (the terminal refits to it)
      await second.setViewportSize({ width: 390, height: 844 });
      await expect.poll(() => second.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), SLOW).toBeLessThanOrEqual(0);
      await second.screenshot({ path: path.join(SCREENSHOTS, 'shells-terminal-phone.png') });

      // the list and the header's menu know it runs; the console lists it with its usage
      await second.goto('/-/shells', { waitUntil: 'load' });
      const row = second.locator(`[data-testid="shell-row"][data-shell="${shellUrl.split('/').pop()}"]`);
      await expect.poll(() => row.getAttribute('data-state'), SLOW).toBe('running');
      await second.getByTestId('user-menu').click();
      await expect.poll(() => second.getByRole('menuitem', { name: /Dev shells \(1 running\)/ }).count(), SLOW).toBe(1);
      await second.keyboard.press('Escape');
      await second.goto('/console/shells', { waitUntil: 'load' });
      await expect.poll(() => second.getByTestId('console-shell-row').count(), SLOW).toBe(1);
      const consoleRow = await second.getByTestId('console-shell-row').textContent();
      expect(consoleRow).toContain('alice/app@main');
      expect(consoleRow).toContain('sandbox');
      expect(consoleRow).toMatch(/of 2 GiB/);
      await second.screenshot({ path: path.join(SCREENSHOTS, 'shells-console-running.png') });

      // back on the shell in the second tab, to see it end there too
      await second.goto(shellUrl, { waitUntil: 'load' });
      await expect.poll(() => second.getByTestId('shell-page').getAttribute('data-attached'), SLOW).toBe('true');

      // stopping it in the first tab ends it in both, with the reason, and both turn read-only
      await alice.page.getByTestId('shell-stop').click();
      for (const page of [alice.page, second]) {
        await expect.poll(() => page.getByTestId('shell-ended').isVisible(), SLOW).toBe(true);
        await expect.poll(() => page.getByTestId('shell-state').getAttribute('data-state'), SLOW).toMatch(/^(stopped|failed)$/);
        expect(await page.getByTestId('shell-terminal').getAttribute('data-read-only')).toBe('true');
      }
      expect(await alice.page.getByTestId('shell-ended').textContent()).toMatch(/^The shell has ended: you stopped it\. The terminal is read-only\.$/);
      await alice.shot('shells-ended');
      // typing into an ended shell sends nothing and shows nothing new
      const was = await screen(alice.page);
      await typeLine(alice.page, 'echo too-late');
      await new Promise((r) => setTimeout(r, 500));
      expect(await screen(alice.page)).toBe(was);
    } finally {
      await second.close();
    }
  });

  it('lists the stopped shell with why it ended', async () => {
    await alice.go('/-/shells');
    const id = shellUrl.split('/').pop();
    const row = alice.page.locator(`[data-testid="shell-row"][data-shell="${id}"]`);
    await expect.poll(() => row.getAttribute('data-state'), SLOW).toMatch(/^(stopped|failed)$/);
    expect((await row.textContent())!.length).toBeGreaterThan(0);
    expect(await alice.page.getByTestId('shells-running').textContent()).toBe('0 running');
    await alice.shot('shells-list');
  });

  it('manages per-user overrides in the console, and the start dialog shows what they change', async () => {
    const page = alice.page;
    await alice.go('/console/shells');
    await page.getByTestId('override-add').click();
    const form = page.getByTestId('override-form');
    await form.getByLabel('User or organization').fill('alice');
    await form.getByLabel('CPUs').fill('1');
    await form.getByLabel('Shells at once').fill('3');
    await form.getByLabel('Network').selectOption('none');
    await page.getByTestId('override-save').click();
    const row = page.locator('[data-testid="override-row"][data-name="alice"]');
    await expect.poll(() => row.textContent(), SLOW).toContain('CPUs: 1');
    expect(await row.textContent()).toContain('Network: No network');
    await alice.shot('shells-console');
    const stored = (await (await s.api('GET', '/api/v1/admin/shells/overrides', { auth: ALICE })).json()) as Array<{ subject: { login: string }; limits: Record<string, unknown> }>;
    expect(stored).toEqual([{ subject: { login: 'alice', type: 'user' }, limits: expect.objectContaining({ cpus: 1, max_shells: 3, network: 'none', memory_mb: null }) }]);

    // what a new shell would get now
    await alice.go('/alice/app');
    await page.getByTestId('dev-shell-open').click();
    const offer = page.getByTestId('dev-shell-offer');
    await expect.poll(() => offer.textContent(), SLOW).toContain('You run 0 of 3');
    expect(await offer.textContent()).toContain('CPUs1Memory');
    expect(await offer.textContent()).toContain('No network');
    await page.keyboard.press('Escape');

    // editing empties a field back to the default; removing the override drops the row
    await alice.go('/console/shells');
    await row.getByRole('button', { name: 'Edit' }).click();
    await expect.poll(() => form.getByLabel('CPUs').inputValue(), SLOW).toBe('1');
    await form.getByLabel('CPUs').fill('');
    await page.getByTestId('override-save').click();
    await expect.poll(() => row.textContent(), SLOW).not.toContain('CPUs');
    await row.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('button', { name: 'Remove', exact: true }).last().click();
    await expect.poll(() => row.count(), SLOW).toBe(0);
  });

  it('saves the dev shell defaults from the console settings, the network as a choice of three', async () => {
    const page = alice.page;
    await alice.go('/console/settings');
    const network = page.locator('#set-shells\\.defaultNetwork');
    expect(await network.locator('option').allTextContents()).toEqual(['No network', 'Internet only (LAN blocked)', 'Open']);
    await network.selectOption('lan');
    await page.locator('#set-shells\\.idleMinutes').fill('20');
    await page.locator('#set-shells\\.image').fill('debian:12');
    await page.getByRole('button', { name: /Save changes \(3\)/ }).click();
    await expect.poll(async () => ((await (await s.api('GET', '/api/v1/admin/settings', { auth: ALICE })).json()) as Record<string, unknown>)['shells.defaultNetwork'], SLOW).toBe('lan');
    const settings = (await (await s.api('GET', '/api/v1/admin/settings', { auth: ALICE })).json()) as Record<string, unknown>;
    expect(settings).toMatchObject({ 'shells.idleMinutes': 20, 'shells.image': 'debian:12' });
  });

  it('warns in the page and in the terminal before a shell nobody types in stops', async () => {
    const put = await s.api('PUT', '/api/v1/admin/shells/overrides/alice', { auth: ALICE, json: { idle_minutes: 1 } });
    expect(put.status).toBe(200);
    try {
      const page = alice.page;
      await alice.go('/alice/app');
      await page.getByTestId('dev-shell-open').click();
      await expect.poll(() => page.getByTestId('dev-shell-offer').textContent(), SLOW).toContain('Stops when idle for1 min');
      await page.getByTestId('dev-shell-start').click();
      await page.waitForURL(/\/-\/shells\/\d+$/, SLOW);
      await expect.poll(() => page.getByTestId('shell-state').getAttribute('data-state'), START).toBe('running');
      // under two minutes from the idle stop from the start: the page warns, and so does the shell
      await expect.poll(() => page.getByTestId('shell-idle-warning').isVisible(), SLOW).toBe(true);
      expect(await page.getByTestId('shell-idle-warning').textContent()).toMatch(/stops in (\d+ min )?\d+ s/);
      await expect.poll(() => screen(page), SLOW).toMatch(/no input for a while/);
      await alice.shot('shells-idle-warning');
      // the stop itself comes a minute later: test/integration/shells.test.ts waits for it; here
      // the page is shown stopping it, which ends it the same way (banner, read-only terminal)
      await page.getByTestId('shell-stop').click();
      await expect.poll(() => page.getByTestId('shell-ended').isVisible(), SLOW).toBe(true);
      expect(await page.getByTestId('shell-idle-warning').count()).toBe(0);
      expect(await page.getByTestId('shell-terminal').getAttribute('data-read-only')).toBe('true');
    } finally {
      await s.api('DELETE', '/api/v1/admin/shells/overrides/alice', { auth: ALICE });
    }
  }, 240_000);
});
