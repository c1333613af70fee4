// What every reader needs: the git environment (for the few commands that must be their own
// process: log walks, diffs, archives) and the cat-file pool (for everything else).
import type { GitEnv } from './command.js';
import type { CatFilePool } from './cat-file-pool.js';

export interface GitReadContext {
  env: GitEnv;
  pool: CatFilePool;
}
