// CI in Chromium, against a server that runs jobs in the bubblewrap sandbox: alice watches her
// repository's CI page while she pushes a branch whose .ci/run.sh fails and then main, whose
// script passes. Without a reload the jobs appear and move: main's waits (one worker) while the
// failing one runs, then runs, then passes; on main's job page the log's coloured lines arrive
// while it runs. A second tab on main's commit list sees the tip's icon go from pending to
// green, its popover links to the job, and the failing branch's tip is red. A re-run is
// cancelled from its page; the console shows the sandbox as the active backend.
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, gitOk, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing() ?? (existsSync('/usr/bin/bwrap') ? null : 'no bubblewrap (apt-get install bubblewrap): the sandbox backend needs it');
/** Jobs start a sandbox, sleep and report; the browser suites share two cores. */
const SLOW = { timeout: 20_000 };
const JOB = { timeout: 90_000 };
const ALICE: [string, string] = ['alice', 'alice-pass-123'];
const R = '/alice/app';
const API = '/api/v1/repos/alice/app';

const PASSING = `#!/bin/sh
printf '\\033[32mstep one ok\\033[0m\\n'
printf 'plain \\033[1;33mwarn\\033[0m <b>not bold</b>\\n'
sleep 4
printf '\\033[34mstep two ok\\033[0m\\n'
echo done
`;
const FAILING = `#!/bin/sh
printf '\\033[31mabout to fail\\033[0m\\n'
sleep 6
exit 3
`;

interface Job {
  id: number;
  sha: string;
  branch: string;
  state: string;
  exit_code: number | null;
  rerun_of: number | null;
}

/** Records, in the page, every state each job row, job page and status icon shows (kept across in-app navigation). */
function recordStates(): void {
  const w = window as unknown as { seen: Record<string, string[]>; lineStates: Record<string, string>; marker: string };
  w.seen = {};
  w.lineStates = {};
  w.marker = 'same page';
  const note = (key: string, state: string | undefined) => {
    if (!state) return;
    const list = (w.seen[key] ??= []);
    if (list[list.length - 1] !== state) list.push(state);
  };
  const scan = () => {
    document.querySelectorAll<HTMLElement>('[data-testid="job-row"]').forEach((r) => note(`job-${r.dataset.job}`, r.dataset.state));
    const head = document.querySelector<HTMLElement>('[data-testid="job-header"]');
    const state = document.querySelector<HTMLElement>('[data-testid="job-state"]')?.dataset.state;
    if (head) note(`job-${head.dataset.job}`, state);
    document.querySelectorAll<HTMLElement>('[data-testid="status-icon"]').forEach((i) => note(`sha-${i.dataset.sha}`, i.dataset.state));
    // the job's state when each log line first showed
    document.querySelectorAll<HTMLElement>('[data-testid="log-line"]').forEach((l) => {
      const text = l.textContent ?? '';
      if (head && state && !(text in w.lineStates)) w.lineStates[text] = state;
    });
  };
  new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-state', 'data-job'] });
  scan();
}

const seen = (w: WatchedPage, key: string) => w.page.evaluate((k) => (window as unknown as { seen: Record<string, string[]> }).seen[k] ?? [], key);
const marker = (w: WatchedPage) => w.page.evaluate(() => (window as unknown as { marker?: string }).marker);

describe.skipIf(missing)('CI in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let alice: WatchedPage;
  let tab: WatchedPage;
  let work: string;
  let mainSha: string;
  let brokenSha: string;

  const jobs = async (): Promise<Job[]> => (await (await s.api('GET', `${API}/ci/jobs`, { auth: ALICE })).json()) as Job[];
  const jobOf = async (sha: string): Promise<Job | undefined> => (await jobs()).find((j) => j.sha === sha && j.rerun_of === null);

  beforeAll(async () => {
    s = await startServer({ env: { GITSSY_CI_BACKEND: 'sandbox' } });
    await createUser(s, ...ALICE, { admin: true });
    await createRepo(s, ALICE, { name: 'app' });
    work = path.join(await tempDir('gitssy-ci-'), 'app');
    await gitOk(['init', '-q', '-b', 'main', work]);
    await mkdir(path.join(work, '.ci'));
    await writeFile(path.join(work, 'README.md'), '# App\n');
    await writeFile(path.join(work, '.ci', 'run.sh'), PASSING);
    await chmod(path.join(work, '.ci', 'run.sh'), 0o755);
    await gitOk(['add', '-A'], { cwd: work });
    await gitOk(['commit', '-q', '-m', 'Build with CI'], { cwd: work });
    mainSha = (await gitOk(['rev-parse', 'HEAD'], { cwd: work })).trim();
    await gitOk(['checkout', '-q', '-b', 'broken'], { cwd: work });
    await writeFile(path.join(work, '.ci', 'run.sh'), FAILING);
    await gitOk(['commit', '-q', '-am', 'Break the build'], { cwd: work });
    brokenSha = (await gitOk(['rev-parse', 'HEAD'], { cwd: work })).trim();
    browser = await launchChromium();
    [alice, tab] = await Promise.all([openPage(browser, s), openPage(browser, s)]);
    await Promise.all([signInContext(alice, ...ALICE), signInContext(tab, ...ALICE)]);
  }, 120_000);

  afterAll(async () => {
    for (const w of [alice, tab].filter(Boolean)) {
      expect(w.dialogs).toEqual([]);
      expect(w.pageErrors).toEqual([]);
    }
    await browser?.close();
    await s?.stop();
  });

  it('shows pushed jobs going queued → running → passed live, with the log streaming in while it runs', async () => {
    await alice.go(`${R}/ci`);
    await expect.poll(() => alice.page.getByTestId('ci-head').getAttribute('data-live'), SLOW).toBe('true');
    await alice.page.evaluate(recordStates);

    // the failing branch first: with one worker, main's job waits for it
    await gitOk(['push', '-q', s.gitUrl('alice/app.git', ALICE), 'broken'], { cwd: work });
    await gitOk(['push', '-q', s.gitUrl('alice/app.git', ALICE), 'main'], { cwd: work });
    await expect.poll(async () => (await jobOf(mainSha)) !== undefined, SLOW).toBe(true);
    const main = (await jobOf(mainSha))!;
    const broken = (await jobOf(brokenSha))!;
    expect(broken.id).toBeLessThan(main.id);

    // the second tab opens main's commit list while main's job waits
    await tab.go(`${R}/commits/branch/main`);
    await tab.page.evaluate(recordStates);

    // both rows appear without a reload; main's waits in the queue
    const mainRow = alice.page.locator(`[data-testid="job-row"][data-job="${main.id}"]`);
    await expect.poll(() => mainRow.getAttribute('data-state'), SLOW).toBe('queued');
    await expect.poll(() => alice.page.locator(`[data-testid="job-row"][data-job="${broken.id}"]`).getAttribute('data-state'), SLOW).toBe('running');
    await alice.shot('ci-jobs');

    // main's job page, opened in the app while the job waits
    await mainRow.getByRole('link', { name: `Job #${main.id}` }).click();
    await alice.page.waitForURL((u) => u.pathname === `${R}/ci/${main.id}`);
    const state = alice.page.getByTestId('job-state');
    await expect.poll(() => state.getAttribute('data-state'), JOB).toBe('running');
    const log = alice.page.getByTestId('job-log');
    await expect.poll(() => log.textContent(), SLOW).toContain('step one ok');
    // streamed over the socket (ci.watch), not read again every few seconds
    expect(await alice.page.getByTestId('log-mode').textContent()).toBe('live');
    await alice.shot('ci-job-running');
    await expect.poll(() => state.getAttribute('data-state'), JOB).toBe('success');
    await expect.poll(() => log.textContent(), SLOW).toContain('done');
    expect(await alice.page.getByTestId('job-exit-code').textContent()).toBe('0');
    expect(await alice.page.getByTestId('job-duration').textContent()).toMatch(/\d(\.\d)? s$/);
    await alice.shot('ci-job-done');

    // one page all along, and every state of main's job seen on it in order
    expect(await marker(alice)).toBe('same page');
    expect(await seen(alice, `job-${main.id}`)).toEqual(['queued', 'running', 'success']);
    // the first lines were on the page while the job still ran (it sleeps before the last ones)
    const lineStates = Object.entries(await alice.page.evaluate(() => (window as unknown as { lineStates: Record<string, string> }).lineStates));
    const stateOf = (text: string) => lineStates.find(([line]) => line.replace(/^\d+/, '') === text)?.[1];
    expect(stateOf('step one ok')).toBe('running');
    expect(['running', 'success']).toContain(stateOf('done'));

    // colours as styles, markup as text, no escape left over; lines numbered from 1
    const lines = (await alice.page.getByTestId('log-line').allTextContents()).map((l) => l.replace(/^\d+/, ''));
    const first = lines.indexOf('step one ok');
    expect(first).toBeGreaterThanOrEqual(0);
    expect(lines.slice(first, first + 4)).toEqual(['step one ok', 'plain warn <b>not bold</b>', 'step two ok', 'done']);
    expect(await alice.page.getByTestId('log-line').first().locator('a').textContent()).toBe('1');
    const green = await log.getByText('step one ok', { exact: true }).evaluate((el) => getComputedStyle(el).color);
    expect(green).toBe('rgb(95, 211, 138)');
    const warn = log.getByText('warn', { exact: true });
    expect(await warn.evaluate((el) => getComputedStyle(el).fontWeight)).toBe('700');
    expect(await log.locator('b').count()).toBe(0);
    expect((await log.textContent())!).not.toMatch(/\x1b|\[3\dm/);

    // the failing branch's job failed with the script's exit code
    const failed = (await jobs()).find((j) => j.id === broken.id)!;
    expect(failed).toMatchObject({ state: 'failure', exit_code: 3 });
    expect(await seen(alice, `job-${broken.id}`)).toContain('running');
  });

  it("turns the commit list's icon from pending to green live, links it to the job, and shows a failing branch in red", async () => {
    const icon = tab.page.locator(`[data-testid="status-icon"][data-sha="${mainSha}"]`);
    await expect.poll(() => icon.getAttribute('data-state'), JOB).toBe('success');
    expect(await seen(tab, `sha-${mainSha}`)).toEqual(['pending', 'success']);
    expect(await marker(tab)).toBe('same page');
    const ok = await tab.page.evaluate(() => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--ok)';
      document.body.append(probe);
      const c = getComputedStyle(probe).color;
      probe.remove();
      return c;
    });
    expect(await icon.locator('svg').evaluate((el) => getComputedStyle(el).color)).toBe(ok);
    await tab.shot('ci-commits-green');

    // the popover lists the context and links to the job, followed inside the app
    await icon.click();
    const pop = tab.page.getByTestId('status-popover');
    await pop.waitFor();
    // the contexts load when the popover opens ("Loading…" until then)
    await pop.getByTestId('status-context').first().waitFor();
    expect(await pop.getByTestId('status-context').allTextContents()).toEqual([expect.stringContaining('gitssy/ci')]);
    const main = (await jobOf(mainSha))!;
    await pop.getByRole('link', { name: 'Details' }).click();
    await tab.page.waitForURL((u) => u.pathname === `${R}/ci/${main.id}`);
    expect(await marker(tab)).toBe('same page');
    await expect.poll(() => tab.page.getByTestId('job-state').getAttribute('data-state'), SLOW).toBe('success');

    // red on the failing branch's list, its branch row and its commit page
    await tab.go(`${R}/commits/branch/broken`);
    await expect.poll(() => tab.page.locator(`[data-testid="status-icon"][data-sha="${brokenSha}"]`).getAttribute('data-state'), SLOW).toBe('failure');
    await tab.shot('ci-commits-red');
    await tab.go(`${R}/branches`);
    await expect.poll(() => tab.page.locator(`[data-testid="branch-row"][data-branch="broken"] [data-testid="status-icon"]`).getAttribute('data-state'), SLOW).toBe('failure');
    await expect.poll(() => tab.page.locator(`[data-testid="branch-row"][data-branch="main"] [data-testid="status-icon"]`).getAttribute('data-state'), SLOW).toBe('success');
    await tab.go(`${R}/commit/${brokenSha}`);
    await expect.poll(() => tab.page.locator(`[data-testid="status-icon"][data-sha="${brokenSha}"]`).getAttribute('data-state'), SLOW).toBe('failure');
    // and on a pull request from it, beside the branches
    const pr = await s.api('POST', `${API}/pulls`, { auth: ALICE, json: { title: 'Break it', head: 'broken', base: 'main' } });
    expect(pr.status, await pr.clone().text()).toBe(201);
    await tab.go(`${R}/pulls/${((await pr.json()) as { number: number }).number}`);
    await expect.poll(() => tab.page.getByTestId('pull-header').locator('[data-testid="status-icon"]').getAttribute('data-state'), SLOW).toBe('failure');
  });

  it('re-runs a job and cancels the re-run from its page; the console shows the backend', async () => {
    const broken = (await jobOf(brokenSha))!;
    await alice.go(`${R}/ci/${broken.id}`);
    await alice.page.getByTestId('job-rerun').click();
    await alice.page.waitForURL((u) => /\/ci\/\d+$/.test(u.pathname) && u.pathname !== `${R}/ci/${broken.id}`);
    const rerun = Number(alice.page.url().split('/').pop());
    const state = alice.page.getByTestId('job-state');
    await expect.poll(() => state.getAttribute('data-state'), JOB).toBe('running');
    await expect.poll(() => alice.page.getByTestId('job-log').textContent(), SLOW).toContain('about to fail');
    await alice.page.getByTestId('job-cancel').click();
    await expect.poll(() => state.getAttribute('data-state'), SLOW).toBe('cancelled');
    const viaApi = (await jobs()).find((j) => j.id === rerun)!;
    expect(viaApi).toMatchObject({ state: 'cancelled', rerun_of: broken.id });

    await alice.go('/console/ci');
    await expect.poll(() => alice.page.getByTestId('ci-backend').getAttribute('data-active'), SLOW).toBe('sandbox');
    expect(await alice.page.getByTestId('ci-candidates').textContent()).toContain('sandbox');
    await alice.shot('ci-console');
  });
});
