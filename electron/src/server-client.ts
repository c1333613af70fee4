// The shell's line to the running server for operator actions: the internal endpoint on
// loopback (port and per-boot secret in <data>/run/internal.json, the same the CLI uses), so
// maintenance waits for pushes and a backup holds the server's write barrier.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface InternalInfo {
  port: number;
  secret: string;
}

export interface MaintenanceChange {
  enabled: boolean;
  message: string;
  waited_for: number;
  still_running: number;
}

export interface BackupOutcome {
  ok: boolean;
  /** The archive, when it worked. */
  file: string | null;
  /** One line for a notification. */
  message: string;
}

export async function readInternalInfo(dataDir: string): Promise<InternalInfo> {
  const file = path.join(dataDir, 'run', 'internal.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new Error(`the server's internal endpoint is not available (${file} is missing or unreadable); is the server running?`);
  }
  const o = raw as { port?: unknown; secret?: unknown };
  if (typeof o.port !== 'number' || !Number.isInteger(o.port) || typeof o.secret !== 'string' || !o.secret) throw new Error(`${file} is malformed; restart the server`);
  return { port: o.port, secret: o.secret };
}

async function post(info: InternalInfo, route: string, body: unknown, timeoutMs: number): Promise<Response> {
  const res = await fetch(`http://127.0.0.1:${info.port}${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Gitssy-Secret': info.secret },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`the server refused: ${res.status} ${(await res.text()).trim()}`);
  return res;
}

/** Switches maintenance mode; switching on waits (server-side, bounded) for running pushes. */
export async function setMaintenance(info: InternalInfo, enabled: boolean, message?: string): Promise<MaintenanceChange> {
  if (typeof enabled !== 'boolean') throw new TypeError('enabled must be a boolean');
  if (message !== undefined && (typeof message !== 'string' || message.length > 500)) throw new TypeError('the maintenance message must be a string of at most 500 characters');
  return (await (await post(info, '/internal/maintenance', { enabled, message }, 90_000)).json()) as MaintenanceChange;
}

/** Parses the backup stream's last line: the result JSON, or `error: …`. */
export function backupOutcome(lastLine: string): BackupOutcome {
  const line = lastLine.trim();
  if (line.startsWith('error:')) return { ok: false, file: null, message: `Backup failed: ${line.slice(6).trim()}` };
  try {
    const r = JSON.parse(line) as { file?: unknown; bytes?: unknown; repositories?: unknown };
    if (typeof r.file !== 'string') throw new Error('no file');
    const parts: string[] = [];
    if (typeof r.bytes === 'number') parts.push(`${(r.bytes / 1024 / 1024).toFixed(1)} MB`);
    if (typeof r.repositories === 'number') parts.push(`${r.repositories} repositor${r.repositories === 1 ? 'y' : 'ies'}`);
    return { ok: true, file: r.file, message: `Backup saved to ${r.file}${parts.length ? ` (${parts.join(', ')})` : ''}` };
  } catch {
    return { ok: false, file: null, message: `Backup failed: the server ended with "${line.slice(0, 200) || 'nothing'}"` };
  }
}

/** Runs a backup in the server, passing progress lines on; resolves with the outcome (never throws). */
export async function backupNow(info: InternalInfo, onProgress: (line: string) => void = () => {}): Promise<BackupOutcome> {
  try {
    const res = await post(info, '/internal/backup', {}, 24 * 3600_000);
    const decoder = new TextDecoder();
    let buf = '';
    let last = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        if (last) onProgress(last);
        last = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
      }
    }
    return backupOutcome(last + buf);
  } catch (err) {
    return { ok: false, file: null, message: `Backup failed: ${(err as Error).message}` };
  }
}
