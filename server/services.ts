// The service graph the composition root builds and the transports receive.
import type { Config } from './config.js';
import type { Db } from './db/index.js';
import type { AccessService } from './access/access.js';
import type { AuditLog } from './audit/audit.js';
import type { SetupService } from './auth/setup.js';
import type { GitEnv } from './git/command.js';
import type { RepoStore } from './git/repo-store.js';
import type { Logger } from './lib/log.js';
import type { OrgService } from './orgs/orgs.js';
import type { RepoService } from './repos/repos.js';
import type { SettingsService } from './settings/settings.js';
import type { UserService } from './users/users.js';
import type { EventBus } from './events/bus.js';
import type { KeyService } from './keys/keys.js';
import type { HostKey } from './ssh/host-key.js';
import type { Semaphore } from './lib/semaphore.js';
import type { AbuseLimits } from './auth/limits.js';
import type { MaintenanceService, PushTracker } from './maintenance/maintenance.js';
import type { PushRecorder } from './pushes/recorder.js';
import type { BackupManager } from './backup/manager.js';
import type { BrowseService } from './git/browse-service.js';
import type { BranchService } from './git/branch-service.js';
import type { MarkupService } from './markup/markup-service.js';
import type { TrustedNetworks } from './ops/cidr.js';
import type { MailService } from './ops/mail.js';
import type { OpsRuntime } from './ops/runtime.js';
import type { AppearanceService } from './appearance/appearance.js';

export interface Services {
  config: Config;
  db: Db;
  log: Logger;
  git: GitEnv;
  store: RepoStore;
  settings: SettingsService;
  audit: AuditLog;
  access: AccessService;
  users: UserService;
  orgs: OrgService;
  repos: RepoService;
  setup: SetupService;
  events: EventBus;
  keys: KeyService;
  hostKey: HostKey;
  /** Caps concurrent pack-producing git processes (clones and fetches on every transport). */
  packLimiter: Semaphore;
  /** Reads repository contents and history for the UI and the API (pooled cat-file). */
  browse: BrowseService;
  /** Branch and tag listing; branch creation and deletion from the web. */
  branches: BranchService;
  /** Rendered README and markdown files, highlighted code (sanitized HTML, cached by blob id). */
  markup: MarkupService;
  limits: AbuseLimits;
  pushTracker: PushTracker;
  maintenance: MaintenanceService;
  /** Writes a consistent copy of the database to a file (backups). */
  dbBackup(file: string): Promise<void>;
  pushes: PushRecorder;
  /** Backups: jobs with progress, the backups folder, the schedule; its write barrier holds pushes while refs are captured. */
  backups: BackupManager;
  /** Environment receive-pack needs so the server's hooks can reach it ({} when not serving). */
  hookEnv(): Record<string, string>;
  /** Address of the SSH server once it listens (null while there is none). */
  sshPort(): number | null;
  /** The HTTP port once it listens (the configured one until then). */
  httpPort(): number;
  /** Trusted IP ranges (access.allowCidrs) every transport checks before serving. */
  trusted: TrustedNetworks;
  /** Outgoing mail with the smtp.* settings. */
  mail: MailService;
  /** Each user's look and the instance default. */
  appearance: AppearanceService;
  /** Process facts for the operator console: start time, log dir, listeners, LAN advertiser. */
  ops: OpsRuntime;
}
