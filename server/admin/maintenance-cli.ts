// `gitssy admin maintenance on|off`: flips the switch in the running server through its
// internal endpoint (so it can wait for running pushes), or in the database when no server
// runs on this data dir.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MaintenanceChange } from '../maintenance/maintenance.js';

interface InternalInfo {
  port: number;
  secret: string;
  pid: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Asks the running server to switch; null when no server is running on this data dir. */
export async function switchInRunningServer(dataDir: string, enabled: boolean, message: string | undefined): Promise<MaintenanceChange | null> {
  let info: InternalInfo;
  try {
    info = JSON.parse(await readFile(path.join(dataDir, 'run', 'internal.json'), 'utf8')) as InternalInfo;
  } catch {
    return null;
  }
  if (!alive(info.pid)) return null;
  const res = await fetch(`http://127.0.0.1:${info.port}/internal/maintenance`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Gitssy-Secret': info.secret },
    body: JSON.stringify({ enabled, message }),
    signal: AbortSignal.timeout(60_000),
  });
  if (!res.ok) throw new Error(`the running server refused: ${res.status} ${(await res.text()).trim()}`);
  return (await res.json()) as MaintenanceChange;
}

export function describeChange(c: MaintenanceChange, where: string): string {
  const lines = [`maintenance mode is ${c.enabled ? 'ON' : 'off'} (${where})${c.enabled && c.message ? `: ${c.message}` : ''}`];
  if (c.enabled && c.waited_for) lines.push(`waited for ${c.waited_for} running push${c.waited_for === 1 ? '' : 'es'} to finish`);
  if (c.enabled && c.still_running) lines.push(`${c.still_running} push${c.still_running === 1 ? ' is' : 'es are'} still running; they will finish, new ones are refused`);
  return lines.join('\n');
}
