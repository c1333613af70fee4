// A counting semaphore with a FIFO queue. Used to cap how many pack-producing git processes
// run at once: beyond a few per core they only fight over CPU and memory, so extra clones
// wait their turn (GitLab's pack-objects limiting does the same).

export class Semaphore {
  private active = 0;
  private readonly waiting: { resolve: () => void; reject: (err: Error) => void }[] = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once a slot is free; rejects if the signal aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    const release = once(() => {
      this.active--;
      const next = this.waiting.shift();
      if (next) {
        this.active++;
        next.resolve();
      }
    });
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const entry = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        reject,
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new Error('aborted while waiting'));
      };
      if (signal?.aborted) return reject(new Error('aborted while waiting'));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
