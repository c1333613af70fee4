// What the operator console needs to know about the running process beyond the db: when it
// started, which listeners are up, where the log is, the LAN advertiser. Built with the
// services; the app fills in the listener ports once it listens.
import type { LanAdvertiser } from '../lan/index.js';

export interface OpsRuntime {
  startedAt: number;
  /** Directory of gitssy.log and its rotated generations. */
  logDir: string;
  /** The git:// daemon's port once it listens, else null. */
  gitPort(): number | null;
  mdns: LanAdvertiser;
}
