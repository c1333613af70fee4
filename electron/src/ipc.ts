// The preload bridge's channels and their main-process handlers. The handlers take their
// dependencies as parameters (no Electron import) and check the caller and every argument:
// the console is a web page, so anything it sends is untrusted input.
import { isExternalUrl, isTrustedPage, type TrustedPages } from './security.js';
import type { ShellState } from './state.js';

export const IPC = {
  /** invoke → ShellState */
  getState: 'gitssy:get-state',
  /** main → renderer push of ShellState */
  state: 'gitssy:state',
  /** invoke(url) → void: open an http(s)/mailto URL in the system browser */
  openExternal: 'gitssy:open-external',
  /** invoke() → void: restart the server (the error window's button) */
  restartServer: 'gitssy:restart-server',
} as const;

/** What the preload exposes as `window.gitssy` (the console checks `'gitssy' in window`). */
export interface GitssyBridge {
  getState(): Promise<ShellState>;
  /** Calls back on every state change; returns a function that unsubscribes. */
  onState(listener: (state: ShellState) => void): () => void;
  openExternal(url: string): Promise<void>;
  restartServer(): Promise<void>;
}

/** The part of Electron's IpcMainInvokeEvent the handlers read. */
export interface InvokeEvent {
  senderFrame?: { url: string } | null;
}

export interface IpcDeps {
  getState(): ShellState;
  openExternal(url: string): Promise<void>;
  restartServer(): Promise<void>;
  pages(): TrustedPages;
}

export class IpcInputError extends Error {
  override name = 'IpcInputError';
}

export type InvokeHandler = (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>;

function expectArgs(channel: string, args: unknown[], count: number): void {
  if (args.length !== count) throw new IpcInputError(`${channel} takes ${count} argument${count === 1 ? '' : 's'}, got ${args.length}`);
}

/** The invoke handlers by channel; main.ts registers each with ipcMain.handle. */
export function createIpcHandlers(deps: IpcDeps): Record<string, InvokeHandler> {
  const guard =
    (channel: string, fn: (args: unknown[]) => Promise<unknown>): InvokeHandler =>
    async (event, ...args) => {
      const url = event.senderFrame?.url;
      if (typeof url !== 'string' || !isTrustedPage(url, deps.pages())) throw new IpcInputError(`${channel} is only available to Gitssy's own pages`);
      return fn(args);
    };
  return {
    [IPC.getState]: guard(IPC.getState, async (args) => {
      expectArgs(IPC.getState, args, 0);
      return deps.getState();
    }),
    [IPC.openExternal]: guard(IPC.openExternal, async (args) => {
      expectArgs(IPC.openExternal, args, 1);
      const [url] = args;
      if (!isExternalUrl(url)) throw new IpcInputError('openExternal takes an http(s) or mailto URL without credentials, at most 2048 characters');
      await deps.openExternal(url);
    }),
    [IPC.restartServer]: guard(IPC.restartServer, async (args) => {
      expectArgs(IPC.restartServer, args, 0);
      await deps.restartServer();
    }),
  };
}
