// The public surface of server/ssh: what other features may import.
export * from './command-line.js';

import type { HostKey } from './host-key.js';

declare module '../services.js' {
  interface Services {
    hostKey: HostKey;
    /** Port of the SSH server once it listens (null while there is none). */
    sshPort(): number | null;
  }
}
