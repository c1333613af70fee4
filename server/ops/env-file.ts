// Edits <data>/.gitssy.env (KEY=value lines read at start-up, below flags and the environment):
// replaces or appends the given keys, keeps every other line and comment as it was, and
// writes atomically so a crash never leaves half a file.
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export function envFilePath(dataDir: string): string {
  return path.join(dataDir, '.gitssy.env');
}

const KEY_RE = /^[A-Z][A-Z0-9_]*$/;

export async function setEnvValues(dataDir: string, values: Record<string, string | null>): Promise<void> {
  for (const [k, v] of Object.entries(values)) {
    if (!KEY_RE.test(k)) throw new Error(`bad config key ${k}`);
    if (v !== null && /[\r\n"\\]/.test(v)) throw new Error(`bad value for ${k}`);
  }
  const file = envFilePath(dataDir);
  let lines: string[] = [];
  try {
    lines = (await readFile(file, 'utf8')).split('\n');
    if (lines.at(-1) === '') lines.pop();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const pending = new Map(Object.entries(values));
  const out: string[] = [];
  for (const line of lines) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (m && Object.hasOwn(values, m[1]!)) {
      // the first line of a key takes the new value; later repeats would override it, so they go
      const v = pending.get(m[1]!);
      pending.delete(m[1]!);
      if (v !== undefined && v !== null) out.push(`${m[1]}=${v}`);
      continue;
    }
    out.push(line);
  }
  for (const [k, v] of pending) if (v !== null) out.push(`${k}=${v}`);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, out.join('\n') + '\n', { mode: 0o600 });
  await rename(tmp, file);
}
