// One long-lived `git cat-file --batch-command` process (git 2.36+: what `--batch` and
// `--batch-check` do, in one process): object lookups (`info`) and reads (`contents`) are
// written to its stdin and answered in order on its stdout, so a request can pipeline
// hundreds of lookups in one round trip. It never follows symlinks, never hangs (a stall
// watchdog kills it), and any protocol surprise kills it too; the pool then replaces it.
// Requests made in one tick go out in one write, and git answers them with `--buffer` and one
// `flush`: a pipelined batch costs two pipe writes instead of two per object.
import { GitError, spawnGit, type GitChild, type GitEnv } from './command.js';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export interface ObjectInfo {
  sha: string;
  type: ObjectType;
  size: number;
}

export interface ObjectData extends ObjectInfo {
  /** The object's bytes; null when it was larger than the caller's cap (bytes were drained). */
  data: Buffer | null;
}

interface Pending {
  kind: 'info' | 'contents';
  maxBytes: number;
  resolve(value: ObjectData | null): void;
  reject(err: Error): void;
}

interface Body {
  info: ObjectInfo;
  target: Buffer | null;
  filled: number;
  /** Bytes still to read, including the LF git writes after the contents. */
  remaining: number;
}

const HEADER_RE = /^([0-9a-f]{40}|[0-9a-f]{64}) (blob|tree|commit|tag) (\d+)$/;
const MAX_HEADER = 8192;
/** Reads above this are drained rather than buffered whatever the caller asked for. */
export const HARD_MAX_READ = 256 * 1024 * 1024;

export interface CatFileOptions {
  /** Kill the process when a request has waited this long without any output. */
  stallMs?: number;
}

export class CatFileProcess {
  private readonly git: GitChild;
  private readonly queue: Pending[] = [];
  private partial: Buffer = Buffer.alloc(0);
  private body: Body | null = null;
  private stderr = '';
  private failure: Error | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  /** Command lines waiting for the end of the tick (sent in one write). */
  private outgoing: string[] = [];
  private readonly stallMs: number;
  private readonly exited: Promise<void>;
  lastUsed = Date.now();

  constructor(
    env: GitEnv,
    readonly gitDir: string,
    opts: CatFileOptions = {},
  ) {
    this.stallMs = opts.stallMs ?? 10_000;
    this.git = spawnGit(env, ['--git-dir', gitDir, 'cat-file', '--batch-command', '--buffer']);
    const { child } = this.git;
    child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr!.on('data', (chunk: Buffer) => {
      if (this.stderr.length < 16_384) this.stderr += chunk.toString('utf8');
    });
    child.once('error', (err) => this.fail(new GitError(this.git.argv, 'spawn', null, err.message)));
    this.exited = new Promise((resolve) => {
      child.once('close', (code) => {
        this.fail(new GitError(this.git.argv, this.git.killedFor() ?? 'exit', code, this.stderr || 'cat-file exited'));
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.git.child.pid;
  }

  /** False once the process died or was killed; a dead process is never used again. */
  get alive(): boolean {
    return this.failure === null;
  }

  /** Type and size of an object (`<sha>`, `<commit>:<path>`, `refs/heads/x^{commit}`); null if missing. */
  info(name: string): Promise<ObjectInfo | null> {
    return this.send('info', name, 0);
  }

  /** The object itself; `data` is null (and the bytes skipped) when it is larger than maxBytes. */
  contents(name: string, maxBytes = HARD_MAX_READ): Promise<ObjectData | null> {
    return this.send('contents', name, Math.min(maxBytes, HARD_MAX_READ));
  }

  /** Asks git to exit once queued requests are answered; kills it if it doesn't. */
  async close(): Promise<void> {
    if (this.alive) {
      this.flushOutgoing();
      this.git.child.stdin!.end();
      const t = setTimeout(() => this.git.kill('timeout'), 2_000);
      t.unref();
      await this.exited;
      clearTimeout(t);
    }
  }

  kill(): void {
    this.git.kill('aborted');
    this.fail(new GitError(this.git.argv, 'aborted', null, 'cat-file killed'));
  }

  private send(kind: 'info' | 'contents', name: string, maxBytes: number): Promise<ObjectData | null> {
    if (this.failure) return Promise.reject(this.failure);
    // one request per line: a newline (or NUL) would smuggle a second command in
    if (/[\n\r\0]/.test(name) || name.length === 0 || name.length > 4096) {
      return Promise.reject(new GitError(this.git.argv, 'exit', null, 'invalid object name'));
    }
    this.lastUsed = Date.now();
    return new Promise((resolve, reject) => {
      this.queue.push({ kind, maxBytes, resolve, reject });
      this.armWatchdog();
      if (this.outgoing.push(`${kind} ${name}\n`) === 1) process.nextTick(() => this.flushOutgoing());
    });
  }

  private flushOutgoing(): void {
    const lines = this.outgoing;
    this.outgoing = [];
    if (lines.length === 0 || this.failure) return;
    lines.push('flush\n');
    this.git.child.stdin!.write(lines.join(''));
  }

  private armWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    if (this.queue.length === 0 || !this.alive) return;
    this.watchdog = setTimeout(() => this.protocolError('timeout', `no answer within ${this.stallMs} ms`), this.stallMs);
    this.watchdog.unref();
  }

  private onData(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length && this.alive) {
      if (this.body) {
        const b = this.body;
        const take = Math.min(b.remaining, chunk.length - off);
        const dataLeft = b.info.size - b.filled;
        if (b.target && dataLeft > 0) chunk.copy(b.target, b.filled, off, off + Math.min(take, dataLeft));
        if (take > dataLeft && chunk[off + dataLeft] !== 0x0a) return this.protocolError('exit', 'object contents not followed by a newline');
        b.filled += Math.min(take, dataLeft);
        b.remaining -= take;
        off += take;
        if (b.remaining === 0) {
          this.body = null;
          this.settle({ ...b.info, data: b.target });
        }
        continue;
      }
      const nl = chunk.indexOf(0x0a, off);
      if (nl < 0) {
        this.partial = Buffer.concat([this.partial, chunk.subarray(off)]);
        if (this.partial.length > MAX_HEADER) this.protocolError('exit', 'header line too long');
        return;
      }
      const line = Buffer.concat([this.partial, chunk.subarray(off, nl)]).toString('utf8');
      this.partial = Buffer.alloc(0);
      off = nl + 1;
      this.onHeader(line);
    }
    this.armWatchdog();
  }

  private onHeader(line: string): void {
    const head = this.queue[0];
    if (!head) return this.protocolError('exit', `unexpected output ${JSON.stringify(line.slice(0, 80))}`);
    if (line.endsWith(' missing') || line.endsWith(' ambiguous')) return this.settle(null);
    const m = HEADER_RE.exec(line);
    if (!m) return this.protocolError('exit', `unexpected header ${JSON.stringify(line.slice(0, 80))}`);
    const info: ObjectInfo = { sha: m[1]!, type: m[2] as ObjectType, size: Number(m[3]) };
    if (head.kind === 'info') return this.settle({ ...info, data: null });
    this.body = { info, target: info.size <= head.maxBytes ? Buffer.allocUnsafe(info.size) : null, filled: 0, remaining: info.size + 1 };
  }

  private settle(value: ObjectData | null): void {
    const head = this.queue.shift();
    if (!head) return;
    if (value && head.kind === 'info') {
      const { data: _none, ...info } = value;
      head.resolve(info as ObjectData);
    } else head.resolve(value);
  }

  private protocolError(failure: 'exit' | 'timeout', message: string): void {
    const err = new GitError(this.git.argv, failure, null, message);
    this.git.kill(failure === 'timeout' ? 'timeout' : 'aborted');
    this.fail(err);
  }

  private fail(err: Error): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    if (!this.failure) this.failure = err;
    this.body = null;
    for (const p of this.queue.splice(0)) p.reject(this.failure);
  }
}
