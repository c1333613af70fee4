// The public surface of server/backup: what other features may import.
export * from './barrier.js';
export * from './manager.js';

import type { BackupManager } from './manager.js';

declare module '../services.js' {
  interface Services {
    /** Backups: jobs with progress, the backups folder, the schedule; its write barrier holds pushes while refs are captured. */
    backups: BackupManager;
  }
}

import type { BackupJob as BackupJobSignal } from './manager.js';

declare module '../events/index.js' {
  interface SignalMap {
    /** A backup job (create, verify, restore) changed phase or made progress. */
    'backup.job': BackupJobSignal;
  }
}

declare module '../realtime/index.js' {
  interface RealtimeEvents {
    /** To site administrators: a backup job's progress (the console's backups page). */
    'backup.job': BackupJobSignal;
  }
}
