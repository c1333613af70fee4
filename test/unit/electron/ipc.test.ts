// The preload bridge's main-process handlers: only Gitssy's own pages may call them, and
// every argument is checked before anything happens.
import { describe, expect, it } from 'vitest';
import { createIpcHandlers, IPC, IpcInputError, type InvokeEvent } from '../../../electron/src/ipc.js';
import { isExternalUrl, isTrustedPage, navigationDecision, type TrustedPages } from '../../../electron/src/security.js';
import { initialState } from '../../../electron/src/state.js';

const PAGES: TrustedPages = { serverOrigin: 'http://127.0.0.1:3000', errorPage: 'file:///opt/gitssy/resources/app.asar/electron/static/error.html' };
const consoleFrame: InvokeEvent = { senderFrame: { url: 'http://127.0.0.1:3000/console/backups' } };
const errorFrame: InvokeEvent = { senderFrame: { url: PAGES.errorPage } };

function setup() {
  const calls: { opened: string[]; restarts: number } = { opened: [], restarts: 0 };
  const state = initialState('v', '/data', '/log');
  const handlers = createIpcHandlers({
    getState: () => state,
    openExternal: async (url) => void calls.opened.push(url),
    restartServer: async () => void calls.restarts++,
    pages: () => PAGES,
  });
  return { handlers, calls, state };
}

describe('IPC handlers', () => {
  it('registers exactly the bridge channels', () => {
    expect(Object.keys(setup().handlers).sort()).toEqual([IPC.getState, IPC.openExternal, IPC.restartServer].sort());
  });

  it('getState answers our pages with the shell state', async () => {
    const { handlers, state } = setup();
    await expect(handlers[IPC.getState]!(consoleFrame)).resolves.toEqual(state);
    await expect(handlers[IPC.getState]!(errorFrame)).resolves.toEqual(state);
  });

  it('refuses callers that are not our pages', async () => {
    const { handlers, calls } = setup();
    for (const frame of [
      { senderFrame: { url: 'https://evil.example/' } },
      { senderFrame: { url: 'http://127.0.0.1:3001/console' } },
      { senderFrame: { url: 'file:///etc/passwd' } },
      { senderFrame: null },
      {},
    ]) {
      await expect(handlers[IPC.openExternal]!(frame, 'https://example.com/')).rejects.toThrow(/only available to Gitssy's own pages/);
      await expect(handlers[IPC.restartServer]!(frame)).rejects.toBeInstanceOf(IpcInputError);
      await expect(handlers[IPC.getState]!(frame)).rejects.toBeInstanceOf(IpcInputError);
    }
    expect(calls).toEqual({ opened: [], restarts: 0 });
  });

  it('openExternal opens http(s) and mailto URLs', async () => {
    const { handlers, calls } = setup();
    await handlers[IPC.openExternal]!(consoleFrame, 'https://docs.example.com/gitssy?x=1');
    await handlers[IPC.openExternal]!(consoleFrame, 'mailto:ops@example.com');
    expect(calls.opened).toEqual(['https://docs.example.com/gitssy?x=1', 'mailto:ops@example.com']);
  });

  it('openExternal refuses other schemes, credentials, non-strings, long URLs and wrong arity, opening nothing', async () => {
    const { handlers, calls } = setup();
    const bad: unknown[] = [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user:pw@example.com/',
      'not a url',
      '',
      `https://example.com/${'a'.repeat(2100)}`,
      42,
      null,
      { href: 'https://example.com' },
      ['https://example.com'],
    ];
    for (const arg of bad) await expect(handlers[IPC.openExternal]!(consoleFrame, arg)).rejects.toThrow(/http\(s\) or mailto URL/);
    await expect(handlers[IPC.openExternal]!(consoleFrame)).rejects.toThrow('gitssy:open-external takes 1 argument, got 0');
    await expect(handlers[IPC.openExternal]!(consoleFrame, 'https://a.example', 'https://b.example')).rejects.toThrow(/takes 1 argument, got 2/);
    expect(calls.opened).toEqual([]);
  });

  it('getState and restartServer take no arguments', async () => {
    const { handlers, calls } = setup();
    await expect(handlers[IPC.getState]!(consoleFrame, 'x')).rejects.toThrow('gitssy:get-state takes 0 arguments, got 1');
    await expect(handlers[IPC.restartServer]!(errorFrame, true)).rejects.toThrow('gitssy:restart-server takes 0 arguments, got 1');
    expect(calls.restarts).toBe(0);
    await handlers[IPC.restartServer]!(errorFrame);
    expect(calls.restarts).toBe(1);
  });
});

describe('window policy', () => {
  it('keeps our pages in the window, sends the web to the browser and refuses the rest', () => {
    expect(navigationDecision('http://127.0.0.1:3000/console', PAGES)).toBe('allow');
    expect(navigationDecision('http://127.0.0.1:3000/setup?token=abc', PAGES)).toBe('allow');
    expect(navigationDecision(`${PAGES.errorPage}#x`, PAGES)).toBe('allow');
    expect(navigationDecision('https://github.com/gitssy', PAGES)).toBe('external');
    expect(navigationDecision('http://192.168.1.20:3000/', PAGES)).toBe('external');
    expect(navigationDecision('http://127.0.0.1:4000/', PAGES)).toBe('external');
    expect(navigationDecision('file:///etc/passwd', PAGES)).toBe('deny');
    expect(navigationDecision('javascript:alert(1)', PAGES)).toBe('deny');
    expect(navigationDecision('data:text/html,<script>1</script>', PAGES)).toBe('deny');
    expect(navigationDecision('::::', PAGES)).toBe('deny');
  });

  it('trusts no server page while the server is down', () => {
    expect(isTrustedPage('http://127.0.0.1:3000/console', { ...PAGES, serverOrigin: null })).toBe(false);
    expect(isTrustedPage(PAGES.errorPage, { ...PAGES, serverOrigin: null })).toBe(true);
  });

  it('external URLs: http(s)/mailto with a host and no credentials', () => {
    expect(isExternalUrl('https://example.com')).toBe(true);
    expect(isExternalUrl('http://')).toBe(false);
    expect(isExternalUrl('https://:pw@example.com')).toBe(false);
    expect(isExternalUrl('ftp://example.com')).toBe(false);
  });
});
