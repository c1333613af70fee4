// The task board in Chromium, two people on the same board: alice drags a card from To do to
// Doing with the mouse and bob's board shows it there without a reload; bob moves another card
// with the keyboard alone (Space, arrow, Space) and alice's board follows; alice adds a card
// through the dialog. The order each move leaves is what the API answers afterwards.
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext, type WatchedPage } from '../fixtures/chromium.js';
import { createRepo, createUser, startServer, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();
/** Page loads and live updates can take a while when the browser suites share two cores. */
const SLOW = { timeout: 15_000 };
const ALICE: [string, string] = ['alice', 'alice-pass-123'];
const BOB: [string, string] = ['bob', 'bob-pass-123'];
const API = '/api/v1/repos/alice/board/tasks';

interface Task {
  id: number;
  title: string;
  state: string;
  column: number;
  position: number;
}

describe.skipIf(missing)('the task board in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let alice: WatchedPage;
  let bob: WatchedPage;

  const api = async <T>(method: string, path: string, json?: unknown): Promise<T> => {
    const res = await s.api(method, path, { auth: ALICE, json });
    expect(res.ok, `${method} ${path}: ${res.status}`).toBe(true);
    return (await res.json()) as T;
  };
  const card = (w: WatchedPage, title: string) => w.page.getByTestId('task-card').filter({ hasText: title });
  const column = (w: WatchedPage, state: string) => w.page.locator(`[data-testid="task-column"][data-state="${state}"]`);
  /** The titles in a column as the page shows them, top to bottom. */
  const titles = (w: WatchedPage, state: string) => column(w, state).getByTestId('task-open').allTextContents();

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, ...ALICE, { admin: true });
    await createUser(s, ...BOB, { via: ALICE });
    await createRepo(s, ALICE, { name: 'board', private: true });
    expect((await s.api('PUT', '/api/v1/repos/alice/board/collaborators/bob', { auth: ALICE, json: { permission: 'write' } })).status).toBe(204);
    for (const title of ['Write docs', 'Fix login', 'Plan release']) await api('POST', API, { title, state: 'todo' });
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

  /** Drags with the mouse in small steps, as a hand does (dnd-kit starts a drag after 6 px), to `dy` below the target's top. */
  async function drag(w: WatchedPage, from: Locator, to: Locator, dy: number): Promise<void> {
    const a = (await from.boundingBox())!;
    const b = (await to.boundingBox())!;
    await w.page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await w.page.mouse.down();
    await w.page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 5, { steps: 3 });
    await w.page.mouse.move(b.x + b.width / 2, b.y + dy - 10, { steps: 15 });
    await w.page.mouse.move(b.x + b.width / 2, b.y + dy, { steps: 3 });
    await w.page.mouse.up();
  }

  it('shows a card dragged in one browser moving in the other, without a reload', async () => {
    await Promise.all([alice.go('/alice/board/tasks'), bob.go('/alice/board/tasks')]);
    for (const w of [alice, bob]) {
      await expect.poll(() => w.page.getByTestId('board-live').getAttribute('data-live'), SLOW).toBe('true');
      expect(await titles(w, 'todo')).toEqual(['Write docs', 'Fix login', 'Plan release']);
    }
    await expect.poll(() => alice.page.getByTestId('tasks-tab').getAttribute('data-status')).toBe('active');
    // a marker that a reload would lose
    await bob.page.evaluate(() => ((window as unknown as { boardMarker: number }).boardMarker = 42));

    await drag(alice, card(alice, 'Write docs'), column(alice, 'doing').getByTestId('column-cards'), 60);
    await expect.poll(() => titles(alice, 'doing'), SLOW).toEqual(['Write docs']);
    await expect.poll(() => titles(bob, 'doing'), SLOW).toEqual(['Write docs']);
    await expect.poll(() => titles(bob, 'todo'), SLOW).toEqual(['Fix login', 'Plan release']);
    expect(await bob.page.evaluate(() => (window as unknown as { boardMarker?: number }).boardMarker)).toBe(42);
    // stored: the API has it in Doing, first
    const moved = (await api<Task[]>('GET', API)).find((t) => t.title === 'Write docs')!;
    expect(moved).toMatchObject({ state: 'doing', position: 0 });
    await alice.shot('tasks-board');

    // and within a column: Plan release to the top of To do
    await drag(alice, card(alice, 'Plan release'), card(alice, 'Fix login'), 2);
    await expect.poll(() => titles(bob, 'todo'), SLOW).toEqual(['Plan release', 'Fix login']);
    expect((await api<Task[]>('GET', `${API}?state=todo`)).map((t) => [t.title, t.position])).toEqual([
      ['Plan release', 0],
      ['Fix login', 1],
    ]);
  });

  it('moves a card with the keyboard alone, and the other board follows', async () => {
    const grip = card(bob, 'Fix login').getByTestId('task-move');
    await grip.focus();
    await bob.page.keyboard.press('Space');
    await bob.page.waitForTimeout(150);
    await bob.page.keyboard.press('ArrowRight');
    await bob.page.waitForTimeout(300);
    await bob.page.keyboard.press('Space');
    await expect.poll(() => titles(bob, 'doing'), SLOW).toContain('Fix login');
    await expect.poll(() => titles(alice, 'doing'), SLOW).toContain('Fix login');
    expect(await titles(alice, 'todo')).toEqual(['Plan release']);
    expect((await api<Task[]>('GET', API)).find((t) => t.title === 'Fix login')!.state).toBe('doing');
    // the focus stays on the card that moved, so the next key press can move it again
    expect(await bob.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move card Fix login');
  });

  it('adds a card through the dialog, and it appears on the other board', async () => {
    await column(alice, 'done').getByTestId('add-task').click();
    await alice.page.getByTestId('task-title-input').fill('Celebrate');
    await alice.page.getByTestId('task-body-input').fill('With **cake**, @bob');
    await alice.page.getByTestId('task-due-input').fill('2027-01-15');
    await alice.page.getByTestId('task-checklist-input').fill('buy cake');
    await alice.page.getByTestId('task-checklist-input').press('Enter');
    await alice.page.getByTestId('task-save').click();
    await expect.poll(() => titles(bob, 'done'), SLOW).toEqual(['Celebrate']);
    await expect.poll(async () => (await card(bob, 'Celebrate').textContent()) ?? '', SLOW).toContain('0/1');
    const created = (await api<Task[]>('GET', API)).find((t) => t.title === 'Celebrate')!;
    expect(created).toMatchObject({ state: 'done', due_date: '2027-01-15', checklist: [{ text: 'buy cake', done: false }] });
    // bob was mentioned: a notification for him
    await expect
      .poll(async () => {
        const res = await s.api('GET', '/api/v1/notifications', { auth: BOB });
        return ((await res.json()) as { subject: { title: string } }[]).map((n) => n.subject.title);
      }, SLOW)
      .toContain('alice mentioned you on a task in alice/board: Celebrate');
    // opening the card shows the rendered description
    await card(bob, 'Celebrate').getByTestId('task-open').click();
    await bob.page.getByTestId('task-dialog').waitFor();
    await bob.shot('tasks-card-dialog');
  });

  it('scrolls the columns sideways on a phone, not the page', async () => {
    const phone = await openPage(browser, s, { viewport: { width: 390, height: 844 } });
    try {
      await signInContext(phone, ...BOB);
      await phone.go('/alice/board/tasks');
      await phone.page.getByTestId('task-board').waitFor();
      const widths = await phone.page.evaluate(() => {
        const board = document.querySelector('[data-testid="task-board"]')!;
        return { page: document.documentElement.scrollWidth - window.innerWidth, board: board.scrollWidth - board.clientWidth };
      });
      expect(widths.page).toBeLessThanOrEqual(0);
      expect(widths.board).toBeGreaterThan(0);
      await phone.shot('tasks-board-phone');
    } finally {
      await phone.context.close();
    }
  });
});
