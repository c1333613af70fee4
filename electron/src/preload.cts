// The one bridge between Gitssy's pages and the shell: `window.gitssy` (see GitssyBridge in
// ipc.ts). Sandboxed preloads are CommonJS, hence .cts; the main process checks every call.
import electron = require('electron');
import type { GitssyBridge } from './ipc.js';
import type { ShellState } from './state.js';

const { contextBridge, ipcRenderer } = electron;

// channel names as in ipc.ts (a sandboxed preload cannot require our ESM modules)
const IPC = {
  getState: 'gitssy:get-state',
  state: 'gitssy:state',
  openExternal: 'gitssy:open-external',
  restartServer: 'gitssy:restart-server',
} as const;

const bridge: GitssyBridge = {
  getState: () => ipcRenderer.invoke(IPC.getState) as Promise<ShellState>,
  onState(listener) {
    if (typeof listener !== 'function') throw new TypeError('onState takes a function');
    const wrapped = (_event: unknown, state: ShellState) => listener(state);
    ipcRenderer.on(IPC.state, wrapped);
    return () => void ipcRenderer.removeListener(IPC.state, wrapped);
  },
  openExternal: (url) => ipcRenderer.invoke(IPC.openExternal, url) as Promise<void>,
  restartServer: () => ipcRenderer.invoke(IPC.restartServer) as Promise<void>,
};

contextBridge.exposeInMainWorld('gitssy', bridge);
