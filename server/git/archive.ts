// Snapshots for download: `git archive` of one commit as .zip or .tar.gz, streamed (never
// built in memory or on disk), entries under a `<repo>/` folder like Gitea's archives.
import { spawnGit, userArg, type GitChild } from './command.js';
import type { GitRepo } from './cat-file-pool.js';
import type { GitReadContext } from './read-context.js';

export type ArchiveFormat = 'zip' | 'tar.gz';

export const ARCHIVE_TYPES: Record<ArchiveFormat, string> = { zip: 'application/zip', 'tar.gz': 'application/gzip' };

/** Splits `<ref>.zip` / `<ref>.tar.gz` (the ref may contain slashes); null for other names. */
export function parseArchiveName(name: string): { ref: string; format: ArchiveFormat } | null {
  for (const format of ['tar.gz', 'zip'] as const) {
    const suffix = `.${format}`;
    if (name.endsWith(suffix) && name.length > suffix.length) return { ref: name.slice(0, -suffix.length), format };
  }
  return null;
}

/** `git archive` of `commit` (a resolved commit id); `prefix` is a checked repository name. */
export function spawnArchive(ctx: GitReadContext, repo: GitRepo, commit: string, format: ArchiveFormat, prefix: string, signal?: AbortSignal): GitChild {
  // tar.gz is compressed by git itself (internal gzip since 2.38): no external gzip is run
  return spawnGit(ctx.env, ['--git-dir', repo.dir, 'archive', `--format=${format}`, `--prefix=${userArg(prefix).value}/`, userArg(commit)], { signal, timeoutMs: 60 * 60_000 });
}
