// Numbers for people: sizes and durations.
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m`;
  return `${seconds}s`;
}

/** What a backup job's progress counts, phase by phase (server/backup: `done`/`total` are repositories, files or bytes). */
export interface JobCounts {
  type: 'create' | 'verify' | 'restore' | 'move-db';
  phase: string;
  done: number;
  total: number;
  bytes: number;
}

const PHASES: Record<string, string> = {
  starting: 'starting',
  capture: 'capturing refs',
  copy: 'copying repositories',
  checksum: 'checksumming files',
  archive: 'writing the archive',
  unpack: 'unpacking',
  repositories: 'checking repositories',
  database: 'checking the database',
  records: 'loading the records into a new database',
  stopping: 'stopping the forge',
};

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * A job's progress as a person reads it: `writing the archive · 40% · 88 KiB of 220 KiB read · …`,
 * `100% · 220 KiB of data in a 14 KiB archive` once done, never the raw `225082/225082`.
 */
export function jobProgressText(job: JobCounts): string {
  // a finished job's heading already says done
  const parts = job.phase === 'done' ? [] : [PHASES[job.phase] ?? job.phase];
  if (job.total > 0) parts.push(`${Math.min(100, Math.floor((job.done / job.total) * 100))}%`);
  const detail = (() => {
    switch (job.phase) {
      case 'capture':
        return count(job.total, 'repository', 'repositories');
      case 'copy':
      case 'repositories':
        return `${job.done} of ${count(job.total, 'repository', 'repositories')}`;
      case 'checksum':
        return `${job.done} of ${count(job.total, 'file', 'files')}${job.bytes > 0 ? ` (${bytes(job.bytes)})` : ''}`;
      case 'archive':
        return `${bytes(job.done)} of ${bytes(job.total)} read · ${bytes(job.bytes)} written`;
      case 'unpack':
        return `${bytes(job.done)} of ${bytes(job.total)}`;
      case 'done':
        // a backup ends with its data size as the count and the archive's size as bytes
        return job.type === 'create' && job.total > 1 ? `${bytes(job.total)} of data in a ${bytes(job.bytes)} archive` : '';
      default:
        return job.total > 1 ? `${job.done} of ${job.total}` : '';
    }
  })();
  if (detail) parts.push(detail);
  return parts.join(' · ');
}
