// The social pages in Chromium. A person's profile: alice's location and pronouns, her year of
// contributions (two real pushes today), and bob following and unfollowing her from the page,
// the counts and the button following along and surviving a reload; on a phone the heatmap
// scrolls inside its panel, never the page. The home feed, two browsers: alice posts, bob (who
// follows her) is told live that there is something new, shows it and reacts, and alice sees
// the count change on her own page without a reload; bob replies. Messages: alice and bob,
// who follow each other, talk live (the header's count, "Seen", "is typing…"); carol, whom
// alice doesn't follow back, is told she can't. Reports: bob reports a post from his feed; alice,
// an administrator, sees it arrive in the console and hides the post, and it is gone from bob's
// feed. Pictures: alice uploads an avatar, lists a link and pins a repository in her settings,
// and posts a picture; bob sees them on her profile and in his feed. One server for the file.
import type { Browser } from 'playwright-core';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, gitOk, makeRepo, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
const SLOW = { timeout: 15_000 };
const ALICE: [string, string] = ['alice', 'alice-pass-123'];
const BOB: [string, string] = ['bob', 'bob-pass-123'];
const CAROL: [string, string] = ['carol', 'carol-pass-123'];

describe.skipIf(missing)('profiles and the feed in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let bob: WatchedPage;
  let alice: WatchedPage;

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, ...ALICE, { admin: true });
    await createUser(s, ...BOB, { via: ALICE });
    await createRepo(s, ALICE, { name: 'tools' });
    const src = path.join(await tempDir(), 'src');
    await makeRepo(src, 2);
    await gitOk(['push', '-q', s.gitUrl('alice/tools.git', ALICE), 'main'], { cwd: src });
    await gitOk(['push', '-q', s.gitUrl('alice/tools.git', ALICE), 'main:dev'], { cwd: src });
    const res = await s.api('PATCH', '/api/v1/user/settings', { auth: ALICE, json: { location: 'Lyon', pronouns: 'she/her' } });
    expect(res.status).toBe(200);
    browser = await launchChromium();
    [bob, alice] = await Promise.all([openPage(browser, s), openPage(browser, s, { viewport: { width: 390, height: 844 } })]);
    await Promise.all([signInContext(bob, ...BOB), signInContext(alice, ...ALICE)]);
  });
  afterAll(async () => {
    for (const w of [bob, alice].filter(Boolean)) {
      expect(w.dialogs).toEqual([]);
      expect(w.pageErrors).toEqual([]);
    }
    await browser?.close();
    await s?.stop();
  });

  const follows = (w: WatchedPage) => w.page.getByTestId('profile-follows');
  const button = (w: WatchedPage) => w.page.getByTestId('follow-button');

  it("shows alice's location, pronouns and her two pushes today on the heatmap", async () => {
    await bob.go('/alice');
    expect(await bob.page.getByTestId('profile-location').textContent()).toBe('Lyon');
    expect(await bob.page.getByTestId('profile-pronouns').textContent()).toBe('she/her');
    const heatmap = bob.page.getByTestId('heatmap');
    await heatmap.waitFor(SLOW);
    expect(await heatmap.getAttribute('data-total')).toBe('2');
    const today = new Date().toISOString().slice(0, 10);
    const cell = heatmap.locator(`[data-date="${today}"]`);
    expect(await cell.getAttribute('data-count')).toBe('2');
    expect(await cell.getAttribute('title')).toBe(`2 contributions on ${today}`);
    expect(await heatmap.getByText('2 contributions in the last year').count()).toBe(1);
    await bob.shot('profile-alice');
  });

  it('follows and unfollows from the page; the count and the button follow, and a reload keeps them', async () => {
    await expect.poll(() => follows(bob).textContent(), SLOW).toBe('0 followers · 0 following');
    await button(bob).click();
    await expect.poll(() => button(bob).textContent(), SLOW).toBe('Unfollow');
    await expect.poll(() => follows(bob).textContent(), SLOW).toBe('1 follower · 0 following');
    expect((await s.api('GET', '/api/v1/users/bob/following/alice')).status).toBe(204);
    // the count leads to the people
    await bob.page.getByTestId('followers-link').click();
    await expect.poll(() => bob.page.getByTestId('people').locator('li strong').allTextContents(), SLOW).toEqual(['bob']);

    await bob.go('/alice');
    await expect.poll(() => button(bob).textContent(), SLOW).toBe('Unfollow');
    expect(await follows(bob).textContent()).toBe('1 follower · 0 following');
    await button(bob).click();
    await expect.poll(() => button(bob).textContent(), SLOW).toBe('Follow');
    await expect.poll(() => follows(bob).textContent(), SLOW).toBe('0 followers · 0 following');
    expect((await s.api('GET', '/api/v1/users/bob/following/alice')).status).toBe(404);
  });

  it('offers no Follow button on your own profile, and on a phone the heatmap scrolls inside its panel', async () => {
    await alice.go('/alice');
    await alice.page.getByTestId('heatmap').waitFor(SLOW);
    expect(await button(alice).count()).toBe(0);
    expect(await alice.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await alice.shot('profile-alice-phone');
  });

  it("shows alice's post in bob's feed live, and bob's reaction on alice's page live; bob replies", async () => {
    expect((await s.api('PUT', '/api/v1/user/following/alice', { auth: BOB })).status).toBe(204);
    await Promise.all([bob.go('/'), alice.go('/')]);
    await bob.page.getByTestId('post-body').waitFor(SLOW);
    const before = await bob.page.getByTestId('post').count();

    // alice writes from her feed
    await alice.page.getByTestId('post-body').fill('Shipping **the new parser** today');
    await alice.page.getByTestId('post-submit').click();
    const mine = alice.page.locator('[data-testid="post"]', { hasText: 'Shipping the new parser today' });
    await mine.waitFor(SLOW);
    expect(await mine.locator('strong', { hasText: 'the new parser' }).count()).toBe(1);

    // bob is told, without anything moving under him, and shows it
    const pill = bob.page.getByTestId('feed-new');
    await expect.poll(() => pill.textContent(), SLOW).toContain('1 new item');
    expect(await bob.page.getByTestId('post').count()).toBe(before);
    await pill.click();
    const seen = bob.page.locator('[data-testid="post"]', { hasText: 'Shipping the new parser today' });
    await seen.waitFor(SLOW);
    expect(await pill.count()).toBe(0);

    // bob reacts; alice's page shows the count without a reload
    await seen.getByTestId('add-reaction').click();
    await bob.page.getByRole('button', { name: 'rocket' }).click();
    await expect.poll(() => seen.locator('[data-testid="reaction"][data-content="rocket"]').getAttribute('aria-pressed'), SLOW).toBe('true');
    await expect.poll(() => mine.locator('[data-testid="reaction"][data-content="rocket"]').getAttribute('data-count'), SLOW).toBe('1');
    expect(await mine.locator('[data-testid="reaction"][data-content="rocket"]').getAttribute('aria-pressed')).toBe('false');

    // and replies under it
    await seen.getByTestId('replies-toggle').click();
    await seen.getByTestId('reply-body').fill('Congrats!');
    await seen.getByTestId('reply-submit').click();
    await seen.locator('[data-testid="reply"]', { hasText: 'Congrats!' }).waitFor(SLOW);
    await expect.poll(() => seen.getByTestId('replies-toggle').textContent(), SLOW).toBe('1 reply');
    await bob.shot('feed-bob');
    await alice.shot('feed-alice-phone');
  });

  it('lets alice and bob, who follow each other, talk live, and tells carol she cannot', async () => {
    expect((await s.api('PUT', '/api/v1/user/following/bob', { auth: ALICE })).status).toBe(204);
    expect((await s.api('PUT', '/api/v1/user/following/alice', { auth: BOB })).status).toBe(204);
    await createUser(s, ...CAROL, { via: ALICE });
    expect((await s.api('PUT', '/api/v1/user/following/alice', { auth: CAROL })).status).toBe(204);

    await Promise.all([bob.go('/messages'), alice.go('/')]);
    await bob.page.getByTestId('new-thread-names').fill('alice');
    await bob.page.getByTestId('new-thread-start').click();
    await bob.page.waitForURL((u) => /^\/messages\/\d+$/.test(u.pathname));
    expect(await bob.page.getByTestId('thread-name').textContent()).toBe('alice');
    await bob.page.getByTestId('message-body').fill('Hi alice, lunch?');
    await bob.page.getByTestId('message-body').press('Enter');
    await bob.page.locator('[data-testid="message"]', { hasText: 'Hi alice, lunch?' }).waitFor(SLOW);

    // alice's header counts it live; she opens it, and bob sees it was seen
    await expect.poll(() => alice.page.getByTestId('messages-count').textContent(), SLOW).toBe('1');
    await alice.page.getByTestId('messages-link').click();
    await alice.page.locator('[data-testid="thread"]', { hasText: 'bob' }).click();
    await alice.page.locator('[data-testid="message"]', { hasText: 'Hi alice, lunch?' }).waitFor(SLOW);
    await expect.poll(() => alice.page.getByTestId('messages-count').count(), SLOW).toBe(0);
    await bob.page.getByTestId('seen').waitFor(SLOW);

    // alice types: bob sees it; her answer arrives without a reload
    await alice.page.getByTestId('message-body').pressSequentially('Sure');
    await expect.poll(() => bob.page.getByTestId('typing').textContent(), SLOW).toBe('alice is typing…');
    await alice.page.getByTestId('message-send').click();
    await alice.page.locator('[data-testid="message"]', { hasText: 'Sure' }).waitFor(SLOW);
    await bob.page.locator('[data-testid="message"]', { hasText: 'Sure' }).waitFor(SLOW);
    // bob finds it again by a word in it
    await bob.page.getByTestId('message-search').fill('lunch');
    await expect.poll(() => bob.page.getByTestId('message-results').locator('li').count(), SLOW).toBe(1);
    // alice keeps her reading to herself from now on
    await alice.page.getByTestId('read-receipts').uncheck();
    await expect.poll(async () => ((await (await s.api('GET', '/api/v1/messages/settings', { auth: ALICE })).json()) as { read_receipts: boolean }).read_receipts, SLOW).toBe(false);
    await bob.shot('messages-bob');
    await alice.shot('messages-alice-phone');
    expect(await alice.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);

    // carol follows alice, who doesn't follow back: no thread, and she is told why
    const carol = await openPage(browser, s);
    try {
      await signInContext(carol, ...CAROL);
      await carol.go('/messages');
      await carol.page.getByTestId('new-thread-names').fill('alice');
      await carol.page.getByTestId('new-thread-start').click();
      await carol.page.getByText('you can message alice once you follow each other').waitFor(SLOW);
      expect(carol.page.url()).toMatch(/\/messages$/);
      expect(carol.pageErrors).toEqual([]);
    } finally {
      await carol.context.close();
    }
  });

  it("lets bob report a post from his feed; alice hides it from the console's reports, and it leaves bob's feed", async () => {
    const p = await s.api('POST', '/api/v1/posts', { auth: ALICE, json: { body: 'an embarrassing post' } });
    expect(p.status).toBe(201);
    await Promise.all([bob.go('/'), alice.go('/console/reports')]);
    await alice.page.getByText('No open reports').waitFor(SLOW);
    const post = bob.page.locator('[data-testid="post"]', { hasText: 'an embarrassing post' });
    await post.waitFor(SLOW);
    await post.getByTestId('report-open').click();
    await bob.page.getByTestId('report-reason').fill('not appropriate');
    await bob.page.getByTestId('report-send').click();
    await bob.page.getByText('the administrators will look at it').waitFor(SLOW);
    await bob.page.keyboard.press('Escape');

    // it arrives in alice's console without a reload
    const row = alice.page.locator('[data-testid="report"]', { hasText: 'an embarrassing post' });
    await row.waitFor(SLOW);
    expect(await row.textContent()).toContain('not appropriate');
    await alice.shot('console-reports-phone');
    await row.getByTestId('report-hide').click();
    await alice.page.getByText('No open reports').waitFor(SLOW);

    await bob.go('/');
    await bob.page.getByTestId('feed').waitFor(SLOW);
    expect(await bob.page.locator('[data-testid="post"]', { hasText: 'an embarrassing post' }).count()).toBe(0);
  });

  it('lets alice set her picture, a link and a pin in settings, and post a picture; bob sees them', async () => {
    const png = (r: number, g: number, b: number, w: number, h: number) =>
      sharp({ create: { width: w, height: h, channels: 3, background: { r, g, b } } })
        .png()
        .toBuffer();
    await alice.go('/user/settings');
    await alice.page.getByTestId('avatar-file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await png(20, 160, 90, 500, 400) });
    // every avatar of hers on the page reloads: the server's 256×256 re-encoding
    const mine = alice.page.locator('img[src^="/avatars/alice?v="]').first();
    await mine.waitFor(SLOW);
    await expect.poll(() => mine.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), SLOW).toBe(256);
    expect((await s.api('GET', '/avatars/alice')).headers.get('content-type')).toBe('image/webp');

    await alice.page.getByLabel('Links', { exact: true }).fill('https://alice.example/\njavascript:alert(1)');
    await alice.page.getByLabel('Pinned repositories', { exact: true }).fill('alice/tools');
    await alice.page.getByRole('button', { name: 'Save links and pins' }).click();
    await alice.page.getByText('only http and https links').waitFor(SLOW); // refused, and nothing saved
    await alice.page.getByLabel('Links', { exact: true }).fill('https://alice.example/');
    await alice.page.getByRole('button', { name: 'Save links and pins' }).click();
    await alice.page.getByText('✓ Saved').waitFor(SLOW);

    await Promise.all([alice.go('/'), bob.go('/')]);
    await alice.page.getByTestId('post-body').fill('The new logo');
    await alice.page.getByTestId('post-pictures').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: await png(200, 60, 60, 2000, 1000) });
    await alice.page.getByRole('img', { name: 'logo.png' }).waitFor(SLOW); // the preview
    await alice.page.getByTestId('post-submit').click();
    await bob.page.getByTestId('feed-new').click();
    const picture = bob.page.locator('[data-testid="post"]', { hasText: 'The new logo' }).getByTestId('post-image');
    await picture.waitFor(SLOW);
    await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), SLOW).toBe(1600);

    await bob.go('/alice');
    expect(await bob.page.getByTestId('profile-links').textContent()).toBe('alice.example');
    expect(await bob.page.getByTestId('profile-pinned').textContent()).toContain('tools');
    await bob.shot('profile-alice-pictures');
  });
});
