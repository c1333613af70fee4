// Commit-graph upkeep for served repositories. A commit-graph with changed-path Bloom filters
// turns history walks (`log -- path`, the last-commit column, counts) from parsing every
// commit object into reading a compact index, often ten times faster on big histories.
// `--split` appends a small layer for new commits, so running it after every push is cheap.
import { runGit, type GitEnv } from './command.js';

export async function writeCommitGraph(env: GitEnv, gitDir: string): Promise<void> {
  await runGit(env, ['--git-dir', gitDir, 'commit-graph', 'write', '--reachable', '--changed-paths', '--split', '--no-progress'], { timeoutMs: 30 * 60_000 });
}
