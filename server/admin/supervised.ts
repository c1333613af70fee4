// The server's side of the desktop shell's supervision (electron/src/supervisor.ts), used only
// when a parent forked us with an IPC channel: announce `ready` with the ports, answer status
// requests, shut down on `{type: 'shutdown'}`, and shut down when the parent goes away (an
// orphaned appliance server would hold its ports with nobody to stop it).
import '../shells/index.js';
import type { App, Ports } from '../app.js';

type Send = (msg: unknown) => void;

/** Where the shell reaches the web UI: loopback when we listen there or everywhere, else our address. */
export function localUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}/`;
}

export function superviseOverIpc(app: App, ports: Ports, shutdown: (reason: string) => void, host: string): void {
  const send: Send = (msg) => {
    try {
      process.send?.(msg);
    } catch {
      /* the parent is gone; 'disconnect' handles it */
    }
  };
  send({ type: 'ready', http: ports.http, ssh: ports.ssh, git: ports.git, pid: ports.pid, url: localUrl(host, ports.http), setupToken: app.setupToken, ports });
  process.on('message', (raw: unknown) => {
    if (!raw || typeof raw !== 'object') return;
    const msg = raw as { type?: unknown; id?: unknown };
    if (msg.type === 'shutdown') return shutdown('shutdown requested by the desktop shell');
    if (msg.type === 'status' && typeof msg.id === 'number') {
      const id = msg.id;
      Promise.all([app.services.maintenance.state(), app.services.setup.needed()]).then(
        ([maintenance, setupNeeded]) => send({ type: 'reply', id, ok: true, result: { maintenance, setupNeeded, shells: { running: app.services.shells.runningCount() } } }),
        (err: Error) => send({ type: 'reply', id, ok: false, error: err.message }),
      );
      return;
    }
    if (typeof msg.id === 'number') send({ type: 'reply', id: msg.id, ok: false, error: `unknown request ${JSON.stringify(msg.type)}` });
  });
  process.on('disconnect', () => shutdown('the desktop shell went away'));
}
