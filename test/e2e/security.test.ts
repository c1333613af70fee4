// The security view in Chromium: alice, who administers the repository, finds the Security tab,
// sees the secrets her history holds with links to the lines at the commits that brought them
// in, suppresses one with a reason (the dialog refuses an empty one), watches a rescan run to
// its end, and turns on the refusal of private keys. Bob, who only reads the repository, gets
// no tab and a "not found" page.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, gitOk, startServer, waitFor, type TestServer } from '../fixtures/rig.js';
import { secretRepo, type SecretRepo } from '../fixtures/secret-repo.js';

const missing = chromiumMissing();
const SLOW = { timeout: 20_000 };
const ALICE: [string, string] = ['alice', 'alice-pass-123'];
const BOB: [string, string] = ['bob', 'bob-pass-123'];
const R = '/alice/vault';
const API = '/api/v1/repos/alice/vault';

describe.skipIf(missing)('the security view in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let alice: WatchedPage;
  let bob: WatchedPage;
  let fx: SecretRepo;

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'root', 'root-pass-123', { admin: true });
    for (const u of [ALICE, BOB]) await createUser(s, ...u, { via: ['root', 'root-pass-123'] });
    await createRepo(s, ALICE, { name: 'vault', private: true });
    const collab = await s.api('PUT', `${API}/collaborators/bob`, { auth: ALICE, json: { permission: 'read' } });
    expect(collab.status).toBe(204);
    fx = await secretRepo();
    await gitOk(['push', '-q', s.gitUrl('alice/vault.git', ALICE), 'main'], { cwd: fx.dir });
    // the push is scanned in the background
    await waitFor(async () => ((await (await s.api('GET', `${API}/security/findings`, { auth: ALICE })).json()) as unknown[]).length === fx.expected.length, 60_000);
    browser = await launchChromium();
    [alice, bob] = await Promise.all([openPage(browser, s), openPage(browser, s)]);
    await Promise.all([signInContext(alice, ...ALICE), signInContext(bob, ...BOB)]);
  }, 120_000);

  afterAll(async () => {
    for (const w of [alice, bob].filter(Boolean)) {
      expect(w.dialogs).toEqual([]);
      expect(w.pageErrors).toEqual([]);
    }
    await browser?.close();
    await s?.stop();
  });

  it('lists the findings with links to the line at the commit, for the repository’s administrator', async () => {
    await alice.go(R);
    await alice.page.getByTestId('security-tab').click();
    await expect.poll(() => alice.page.url(), SLOW).toContain(`${R}/security`);
    const rows = alice.page.getByTestId('finding');
    await expect.poll(() => rows.count(), SLOW).toBe(fx.expected.length);
    const gh = fx.expected.find((e) => e.rule === 'github-token')!;
    const link = alice.page.locator('[data-testid="finding"][data-rule="github-token"] [data-testid="finding-link"]');
    expect(await link.textContent()).toBe(`${gh.path}:${gh.line}`);
    expect(await link.getAttribute('href')).toBe(`${R}/src/commit/${gh.commit}/${gh.path}#L${gh.line}`);
    expect(await alice.page.locator('[data-testid="finding"][data-rule="github-token"]').textContent()).toContain('ghp_****');
    await alice.shot('security-findings');
  });

  it('suppresses a finding only with a reason, and lists it under Suppressed with the reason', async () => {
    const row = alice.page.locator('[data-testid="finding"][data-rule="aws-access-key-id"]');
    await row.getByTestId('suppress').click();
    const confirm = alice.page.getByTestId('suppress-confirm');
    expect(await confirm.isDisabled()).toBe(true);
    await alice.page.getByTestId('suppress-reason').fill('rotated; the key is dead');
    await confirm.click();
    await expect.poll(() => row.count(), SLOW).toBe(0);
    await expect.poll(() => alice.page.getByTestId('findings-suppressed').textContent(), SLOW).toContain('1');
    await alice.page.getByTestId('findings-suppressed').click();
    const suppressed = alice.page.locator('[data-testid="finding"][data-rule="aws-access-key-id"]');
    await expect.poll(() => suppressed.textContent(), SLOW).toContain('alice: “rotated; the key is dead”');
    await alice.page.getByTestId('findings-open').click();
  });

  it('runs a rescan to its end live', async () => {
    const status = alice.page.getByTestId('scan-status');
    await expect.poll(() => status.getAttribute('data-live'), SLOW).toBe('true');
    await alice.page.getByTestId('rescan').click();
    await expect.poll(() => status.getAttribute('data-state'), SLOW).toBe('done');
    expect(await status.textContent()).toMatch(/Last scanned .*: 10 commits/);
    await alice.shot('security-rescanned');
  });

  it('turns on the refusal of private keys', async () => {
    await alice.page.getByTestId('refuse-private-keys').check();
    await expect.poll(async () => ((await (await s.api('GET', `${API}/security/settings`, { auth: ALICE })).json()) as { refuse_private_keys: boolean }).refuse_private_keys, SLOW).toBe(true);
  });

  it('shows a reader no tab and no findings', async () => {
    await bob.go(R);
    await expect.poll(() => bob.page.getByText('Contributors').count(), SLOW).toBeGreaterThan(0);
    expect(await bob.page.getByTestId('security-tab').count()).toBe(0);
    await bob.go(`${R}/security`);
    await expect.poll(() => bob.page.getByText('Not found').count(), SLOW).toBeGreaterThan(0);
    expect(await bob.page.getByTestId('finding').count()).toBe(0);
  });
});
