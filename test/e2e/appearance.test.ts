// Personalization in Chromium: pick a preset, background, cursor and font; they apply at once,
// survive a reload (already on the first paint), the background pauses in a hidden tab and is
// off under reduced motion, and the admin's instance default reaches anonymous visitors.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext } from '../fixtures/chromium.js';
import { createUser, startServer, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
if (missing) console.warn(`browser tests skipped: ${missing}`);

describe.skipIf(missing)('appearance in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'alice', 'alice-pass-123', { admin: true });
    await createUser(s, 'bob', 'bob-pass-1234');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  const rootData = (w: Awaited<ReturnType<typeof openPage>>) => w.page.evaluate(() => ({ ...document.documentElement.dataset }));

  it('applies each choice at once and keeps it after a reload', async () => {
    const w = await openPage(browser, s);
    await signInContext(w, 'bob', 'bob-pass-1234');
    await w.go('/user/settings/appearance');
    await w.page.getByRole('heading', { name: 'Appearance' }).waitFor();
    await w.shot('appearance');

    const saved = () => w.page.waitForResponse((r) => r.url().endsWith('/api/v1/user/appearance') && r.request().method() === 'PUT' && r.ok());
    for (const [field, value] of [
      ['preset', 'sunset'],
      ['background', 'stars'],
      ['cursor', 'ring'],
      ['font', 'grotesk'],
    ] as const) {
      const done = saved();
      await w.page.getByTestId(`${field}-${value}`).click();
      await done;
    }
    expect(await rootData(w)).toMatchObject({ preset: 'sunset', bg: 'stars', cursor: 'ring', font: 'grotesk' });
    // the accent follows the preset, the font is ours (served from /fonts), the effects are on the page
    expect(await w.page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent-h').trim())).toBe('18');
    await w.page.getByTestId('backdrop').locator('canvas').waitFor();
    await w.page.mouse.move(300, 300);
    await w.page.getByTestId('cursor-follower').waitFor({ state: 'attached' });
    await w.page.waitForFunction(() => document.fonts.check('16px "Space Grotesk"'));
    expect(await w.page.evaluate(() => getComputedStyle(document.body).fontFamily)).toContain('Space Grotesk');

    // the next load has it before any script ran: it's in the HTML the server sends
    const html = await (await w.context.request.get('/explore/repos')).text();
    expect(html).toContain('data-preset="sunset" data-bg="stars" data-cursor="ring" data-font="grotesk"');
    await w.page.reload({ waitUntil: 'networkidle' });
    expect(await rootData(w)).toMatchObject({ preset: 'sunset', bg: 'stars', cursor: 'ring', font: 'grotesk' });
    expect(await w.page.getByTestId('preset-sunset').locator('input').isChecked()).toBe(true);
    await w.shot('appearance-sunset-stars');

    // a hidden tab stops the animation
    expect(await w.page.getByTestId('backdrop').getAttribute('data-running')).toBe('true');
    await w.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await w.page.waitForSelector('[data-testid="backdrop"][data-running="false"]');
    expect(w.pageErrors).toEqual([]);
    expect(w.consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await w.context.close();
  });

  it('shows no animated background under prefers-reduced-motion', async () => {
    const w = await openPage(browser, s, { reducedMotion: 'reduce' });
    await signInContext(w, 'bob', 'bob-pass-1234');
    await w.go('/user/settings/appearance');
    await w.page.getByRole('heading', { name: 'Appearance' }).waitFor();
    expect((await rootData(w)).bg).toBe('stars');
    expect(await w.page.getByTestId('backdrop').count()).toBe(0);
    await w.context.close();
  });

  it("the admin's instance default reaches anonymous visitors; a user's reset returns to it", async () => {
    const admin = await openPage(browser, s);
    await signInContext(admin, 'alice', 'alice-pass-123');
    await admin.go('/user/settings/appearance');
    const done = admin.page.waitForResponse((r) => r.url().endsWith('/api/v1/user/appearance') && r.ok());
    await admin.page.getByTestId('preset-emerald').click();
    await done;
    await admin.page.getByRole('button', { name: 'Make this the instance default' }).click();
    await admin.page.getByText('now see this look').waitFor();
    await admin.context.close();

    const anon = await openPage(browser, s);
    await anon.go('/');
    expect((await rootData(anon)).preset).toBe('emerald');
    await anon.context.close();

    const bob = await openPage(browser, s);
    await signInContext(bob, 'bob', 'bob-pass-1234');
    await bob.go('/user/settings/appearance');
    expect((await rootData(bob)).preset).toBe('sunset');
    await bob.page.getByRole('button', { name: 'Use the instance default' }).click();
    await bob.page.waitForFunction(() => document.documentElement.dataset.preset === 'emerald');
    await bob.page.reload({ waitUntil: 'networkidle' });
    expect((await rootData(bob)).preset).toBe('emerald');
    await bob.context.close();
  });
});
