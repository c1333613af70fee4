// Where work folders go (a CI job's checkout, a dev shell's clone). Normally <data>/<kind>/work.
// When the forge runs as root the sandbox runs each as an unprivileged uid that can't pass
// through the 0700 data dir, so the folders go under the system temp dir instead, in a folder
// others may enter but not list, each with a random name.
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomHex } from '../lib/crypto.js';

export class Workspaces {
  readonly root: string;

  constructor(dataDir: string, kind: 'ci' | 'shells' = 'ci') {
    this.root = process.getuid?.() === 0 ? path.join(os.tmpdir(), `gitssy-${kind}-${createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12)}`) : path.join(dataDir, kind, 'work');
  }

  private async init(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await chmod(this.root, process.getuid?.() === 0 ? 0o711 : 0o700);
  }

  /** A new, empty folder for one job or shell. */
  async create(jobId: number): Promise<string> {
    await this.init();
    const dir = path.join(this.root, `${jobId}-${randomHex(8)}`);
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    return dir;
  }

  async remove(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }

  /** Removes folders a crashed process left (no job of this server runs at start). */
  async clear(): Promise<void> {
    for (const e of await readdir(this.root).catch(() => [] as string[])) await rm(path.join(this.root, e), { recursive: true, force: true });
  }

  /** Removes the root when nothing is left in it (at stop: no empty folders left behind in the temp dir). */
  async dispose(): Promise<void> {
    await rmdir(this.root).catch(() => {});
  }
}
