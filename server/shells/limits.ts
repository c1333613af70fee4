// The limits a new shell gets: the console's defaults, then the repository owner's organization
// override, then the user's own override (each field separately; null inherits).
import type { Db } from '../db/index.js';
import type { SettingsService } from '../settings/index.js';
import type { NetworkMode, RunLimits } from '../runtime/index.js';
import type { ShellOverrideRow } from './schema.js';

export interface ShellLimits {
  cpus: number;
  memory_mb: number;
  disk_mb: number;
  pids: number;
  runtime_minutes: number;
  idle_minutes: number;
  network: NetworkMode;
}

export interface ResolvedLimits {
  limits: ShellLimits;
  /** Running shells this user may have. */
  maxShells: number;
}

export const OVERRIDE_FIELDS = ['cpus', 'memory_mb', 'disk_mb', 'pids', 'runtime_minutes', 'idle_minutes', 'network', 'max_shells'] as const;
export type OverrideField = (typeof OVERRIDE_FIELDS)[number];
export type Override = { [K in OverrideField]?: K extends 'network' ? NetworkMode | null : number | null };

export function defaults(settings: SettingsService): ResolvedLimits {
  return {
    limits: {
      cpus: settings.get('shells.defaultCpus'),
      memory_mb: settings.get('shells.defaultMemoryMb'),
      disk_mb: settings.get('shells.defaultDiskMb'),
      pids: settings.get('shells.defaultPids'),
      runtime_minutes: settings.get('shells.defaultRuntimeMinutes'),
      idle_minutes: settings.get('shells.idleMinutes'),
      network: settings.get('shells.defaultNetwork'),
    },
    maxShells: settings.get('shells.maxPerUser'),
  };
}

function apply(base: ResolvedLimits, o: ShellOverrideRow | undefined): ResolvedLimits {
  if (!o) return base;
  const l = { ...base.limits };
  if (o.cpus !== null) l.cpus = o.cpus;
  if (o.memory_mb !== null) l.memory_mb = o.memory_mb;
  if (o.disk_mb !== null) l.disk_mb = o.disk_mb;
  if (o.pids !== null) l.pids = o.pids;
  if (o.runtime_minutes !== null) l.runtime_minutes = o.runtime_minutes;
  if (o.idle_minutes !== null) l.idle_minutes = o.idle_minutes;
  if (o.network === 'none' || o.network === 'lan' || o.network === 'open') l.network = o.network;
  return { limits: l, maxShells: o.max_shells ?? base.maxShells };
}

export async function resolveLimits(db: Db, settings: SettingsService, userId: number, repoOwnerId: number): Promise<ResolvedLimits> {
  const rows = await db.selectFrom('shell_overrides').selectAll().where('subject_id', 'in', [userId, repoOwnerId]).execute();
  const org = repoOwnerId !== userId ? rows.find((r) => r.subject_id === repoOwnerId) : undefined;
  return apply(
    apply(defaults(settings), org),
    rows.find((r) => r.subject_id === userId),
  );
}

export function runLimits(l: ShellLimits): RunLimits {
  return { cpus: l.cpus, memoryMb: l.memory_mb, pids: l.pids, diskMb: l.disk_mb, timeoutSec: l.runtime_minutes * 60, network: l.network };
}
