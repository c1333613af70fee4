// Reads the newest lines of the server log for the console: only the tail of the log file
// (and of the previous generation when the live one is short), bounded in bytes, parsed from
// pino's JSON lines, filtered by level and a search string, newest first.
import { open } from 'node:fs/promises';
import path from 'node:path';
import { LOG_FILE_NAME } from './log-file.js';

export const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LevelName = keyof typeof LEVELS;
const LEVEL_NAMES = new Map<number, LevelName>(Object.entries(LEVELS).map(([k, v]) => [v, k as LevelName]));

export interface LogLine {
  time: string;
  level: LevelName | 'unknown';
  msg: string;
  component: string | null;
  /** Everything else pino recorded (request ids, errors, ports, …). */
  detail: Record<string, unknown>;
}

export interface LogQuery {
  /** Lowest level shown (`warn` shows warn, error and fatal). */
  level?: LevelName;
  /** Case-insensitive text searched in the message, the component, an error's message and a request's URL. */
  q?: string;
  limit: number;
}

export interface LogResult {
  lines: LogLine[];
  /** Bytes of log read for this answer. */
  scanned_bytes: number;
  /** True when older log exists beyond what was read. */
  more: boolean;
}

/** The most log read for one request, across generations. */
export const MAX_SCAN_BYTES = 4 * 1024 * 1024;

async function readTail(file: string, maxBytes: number): Promise<{ text: string; size: number; read: number } | null> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const { size } = await fh.stat();
    const read = Math.min(size, maxBytes);
    const buf = Buffer.alloc(read);
    await fh.read(buf, 0, read, size - read);
    let text = buf.toString('utf8');
    // a tail that starts mid-line drops the partial first line
    if (read < size) text = text.slice(text.indexOf('\n') + 1);
    return { text, size, read };
  } finally {
    await fh.close();
  }
}

function parseLine(raw: string): LogLine | null {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!obj || typeof obj !== 'object') return null;
  const { time, level, msg, component, app: _app, hostname: _h, pid: _p, ...detail } = obj;
  const levelName = typeof level === 'number' ? (LEVEL_NAMES.get(level) ?? 'unknown') : 'unknown';
  return {
    time: typeof time === 'string' ? time : typeof time === 'number' ? new Date(time).toISOString() : '',
    level: levelName,
    msg: typeof msg === 'string' ? msg : '',
    component: typeof component === 'string' ? component : null,
    detail,
  };
}

function matches(line: LogLine, q: string): boolean {
  const err = line.detail.err as { message?: unknown } | undefined;
  const req = line.detail.req as { url?: unknown } | undefined;
  const hay = [line.msg, line.component ?? '', typeof err?.message === 'string' ? err.message : '', typeof req?.url === 'string' ? req.url : ''];
  return hay.some((h) => h.toLowerCase().includes(q));
}

export async function readLogs(logDir: string, query: LogQuery): Promise<LogResult> {
  const min = query.level ? LEVELS[query.level] : 0;
  const q = query.q?.toLowerCase() ?? '';
  const lines: LogLine[] = [];
  let budget = MAX_SCAN_BYTES;
  let scanned = 0;
  let more = false;
  const live = path.join(logDir, LOG_FILE_NAME);
  for (const file of [live, `${live}.1`]) {
    if (budget <= 0 || lines.length >= query.limit) {
      more = true;
      break;
    }
    const tail = await readTail(file, budget);
    if (!tail) continue;
    scanned += tail.read;
    budget -= tail.read;
    if (tail.read < tail.size) more = true;
    const raws = tail.text.split('\n');
    for (let i = raws.length - 1; i >= 0 && lines.length < query.limit; i--) {
      const raw = raws[i]!;
      if (!raw) continue;
      const line = parseLine(raw);
      if (!line) continue;
      const levelNum = line.level === 'unknown' ? 0 : LEVELS[line.level];
      if (levelNum < min) continue;
      if (q && !matches(line, q)) continue;
      lines.push(line);
    }
  }
  return { lines, scanned_bytes: scanned, more };
}
