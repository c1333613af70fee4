// The CLI's line to a server running on the same data dir: its internal endpoint (port and
// secret in <data>/run/internal.json). Maintenance and backups go through the server when
// it runs, so it can wait for pushes and hold its write barrier; otherwise the CLI acts on
// the data dir itself.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MaintenanceChange } from '../maintenance/index.js';

export interface InternalInfo {
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

/** The running server's internal endpoint, or null when no server runs on this data dir. */
export async function runningServer(dataDir: string): Promise<InternalInfo | null> {
  try {
    const info = JSON.parse(await readFile(path.join(dataDir, 'run', 'internal.json'), 'utf8')) as InternalInfo;
    return alive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

export async function postInternal(info: InternalInfo, route: string, body: unknown, timeoutMs: number): Promise<Response> {
  const res = await fetch(`http://127.0.0.1:${info.port}${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Gitssy-Secret': info.secret },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`the running server refused: ${res.status} ${(await res.text()).trim()}`);
  return res;
}

/** Asks the running server to switch maintenance mode. */
export async function switchMaintenance(info: InternalInfo, enabled: boolean, message: string | undefined): Promise<MaintenanceChange> {
  return (await (await postInternal(info, '/internal/maintenance', { enabled, message }, 60_000)).json()) as MaintenanceChange;
}

/** Runs a backup in the running server, passing its progress lines on; returns the result line. */
export async function backupInRunningServer(
  info: InternalInfo,
  out: string | undefined,
  onLine: (line: string) => void,
  onProgress?: (p: { phase: string; done: number; total: number; bytes: number }) => void,
  opts: { includeCiLogs?: boolean } = {},
): Promise<string> {
  const res = await postInternal(info, '/internal/backup', { out, include_ci_logs: opts.includeCiLogs === true }, 24 * 3600_000);
  const decoder = new TextDecoder();
  let buf = '';
  let last = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.startsWith('@progress ')) {
        try {
          onProgress?.(JSON.parse(line.slice(10)) as { phase: string; done: number; total: number; bytes: number });
        } catch {
          // a damaged progress line is only cosmetic
        }
        continue;
      }
      if (last) onLine(last);
      last = line;
    }
  }
  return (last + buf).trim();
}

export function describeChange(c: MaintenanceChange, where: string): string {
  const lines = [`maintenance mode is ${c.enabled ? 'ON' : 'off'} (${where})${c.enabled && c.message ? `: ${c.message}` : ''}`];
  if (c.enabled && c.waited_for) lines.push(`waited for ${c.waited_for} running push${c.waited_for === 1 ? '' : 'es'} to finish`);
  if (c.enabled && c.still_running) lines.push(`${c.still_running} push${c.still_running === 1 ? ' is' : 'es are'} still running; they will finish, new ones are refused`);
  return lines.join('\n');
}
