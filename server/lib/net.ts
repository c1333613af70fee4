// Network facts about this machine.
import type { Server } from 'node:net';
import os from 'node:os';

/** Addresses teammates can use: every non-internal IPv4 address when bound to all. */
export function lanAddresses(host: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [host];
  const out: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
}

/** Listens and resolves with the bound port (port 0 picks a free one); rejects on EADDRINUSE etc. */
export function listen(server: Pick<Server, 'once' | 'off' | 'listen' | 'address'>, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}
