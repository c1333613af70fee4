// What /proc says about a process, for the benchmarks that read a server's memory.

import fs from 'node:fs';

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM, …) in kB, or null where /proc can't say. */
export function readStatusKb(pid, key) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = s.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
