// Job logs: <data>/ci/<repo-id>/<job-id>.log, written as the job runs (masked first), capped at
// the console's size limit, and read back from any byte offset. While a job runs its log's size
// is known here, so a watcher can be told where the live stream picks up.
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** A chunk appended to a log: where it starts (bytes) and what it says. */
export type LogAppend = (offset: number, text: string) => void;

export class JobLog {
  private size = 0;
  private capped = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly fh: FileHandle,
    private readonly maxBytes: number,
    private readonly onAppend: LogAppend,
  ) {}

  get bytes(): number {
    return this.size;
  }

  /** Appends text; past the cap, one note says the rest was dropped. Offsets and order are kept. */
  write(text: string): void {
    if (text === '' || this.capped) return;
    let buf = Buffer.from(text, 'utf8');
    if (this.size + buf.length > this.maxBytes) {
      let n = Math.max(0, this.maxBytes - this.size);
      // not in the middle of a UTF-8 sequence
      while (n > 0 && n < buf.length && (buf[n]! & 0xc0) === 0x80) n--;
      const note = `\n[gitssy: the log reached its limit of ${this.maxBytes} bytes; the rest of the output is not kept]\n`;
      buf = Buffer.concat([buf.subarray(0, n), Buffer.from(note)]);
      this.capped = true;
    }
    const offset = this.size;
    this.size += buf.length;
    // announced at once (watchers joining now are told the new size), written in order
    this.onAppend(offset, buf.toString('utf8'));
    this.chain = this.chain.then(() => this.fh.write(buf).then(() => undefined));
  }

  /** Waits for every write and closes the file; answers the final size. */
  async close(): Promise<number> {
    await this.chain.catch(() => {});
    await this.fh.close().catch(() => {});
    return this.size;
  }
}

export class LogStore {
  private readonly live = new Map<number, JobLog>();

  constructor(readonly root: string) {}

  file(repoId: number, jobId: number): string {
    return path.join(this.root, String(repoId), `${jobId}.log`);
  }

  async open(repoId: number, jobId: number, maxBytes: number, onAppend: LogAppend): Promise<JobLog> {
    const f = this.file(repoId, jobId);
    await mkdir(path.dirname(f), { recursive: true, mode: 0o700 });
    const log = new JobLog(await open(f, 'w', 0o600), maxBytes, onAppend);
    this.live.set(jobId, log);
    return log;
  }

  async close(jobId: number): Promise<number> {
    const log = this.live.get(jobId);
    if (!log) return 0;
    this.live.delete(jobId);
    return log.close();
  }

  /** The log's size now: what a running job has written so far, or the file's size. */
  async size(repoId: number, jobId: number): Promise<number> {
    const log = this.live.get(jobId);
    if (log) return log.bytes;
    const st = await stat(this.file(repoId, jobId)).catch(() => null);
    return st?.size ?? 0;
  }

  /** The log from `offset` on (empty when there is none yet). */
  async read(repoId: number, jobId: number, offset: number): Promise<{ size: number; stream: Readable | null }> {
    const f = this.file(repoId, jobId);
    const st = await stat(f).catch(() => null);
    if (!st || offset >= st.size) return { size: st?.size ?? 0, stream: null };
    return { size: st.size, stream: createReadStream(f, { start: offset, end: st.size - 1 }) };
  }

  async removeRepo(repoId: number): Promise<void> {
    await rm(path.join(this.root, String(repoId)), { recursive: true, force: true });
  }
}
