// What every reader needs: the git environment (for the few commands that must be their own
// process: log walks, diffs, archives) and the cat-file pool (for everything else).
import type { GitEnv } from './command.js';
import type { CatFilePool } from './cat-file-pool.js';
import type { BranchFiles } from './branch-files.js';

export interface GitReadContext {
  env: GitEnv;
  pool: CatFilePool;
  /** Branch tips from the ref files, when the reader keeps them (skips a cat-file round trip). */
  branches?: BranchFiles;
}
