// The server log on disk: <data>/logs/gitssy.log, the same JSON lines pino writes to stdout,
// rotated by size (gitssy.log → gitssy.log.1 → … → gitssy.log.<keep>, the oldest dropped).
// Writes are synchronous appends, like pino's own default destination: a line that was
// logged is in the file, also when the process dies right after. A disk problem never takes
// the server down: the file stream goes quiet and stdout keeps the log.
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export const LOG_FILE_NAME = 'gitssy.log';

export interface RotatingFileOptions {
  /** Rotate once the file would grow past this many bytes. */
  maxBytes?: number;
  /** Old generations kept next to the live file. */
  keep?: number;
}

export function logDir(dataDir: string): string {
  return path.join(dataDir, 'logs');
}

export class RotatingLogFile {
  readonly file: string;
  readonly maxBytes: number;
  readonly keep: number;
  private fd: number | null = null;
  private size = 0;
  private broken = false;

  constructor(dir: string, opts: RotatingFileOptions = {}) {
    this.file = path.join(dir, LOG_FILE_NAME);
    this.maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
    this.keep = Math.max(1, opts.keep ?? 3);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.open();
    } catch (err) {
      this.fail(err);
    }
  }

  private open(): void {
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  private fail(err: unknown): void {
    if (this.broken) return;
    this.broken = true;
    process.stderr.write(`gitssy: cannot write the log file ${this.file}: ${(err as Error).message}; logging to stdout only\n`);
  }

  private rotate(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(`${this.file}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      try {
        renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    renameSync(this.file, `${this.file}.1`);
    this.open();
  }

  /** pino's destination interface: one call per log line (already newline-terminated). */
  write(chunk: string): boolean {
    if (this.broken) return true;
    try {
      const bytes = Buffer.byteLength(chunk);
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      if (this.fd === null) this.open();
      writeSync(this.fd!, chunk);
      this.size += bytes;
    } catch (err) {
      this.fail(err);
    }
    return true;
  }

  close(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already gone
      }
      this.fd = null;
    }
  }
}
