// A job's working copy: a fresh, shallow checkout of exactly one commit, fetched from the bare
// repository on this machine (never the network). Protocol v2 lets a fetch name any commit the
// repository has, branch head or not, so a re-run of an old commit works the same way.
import { mkdir } from 'node:fs/promises';
import { runGit, userArg, type GitEnv } from '../git/command.js';

/** Where the job's script lives in the repository. */
export const CI_SCRIPT = '.ci/run.sh';

export async function checkout(git: GitEnv, bareDir: string, sha: string, workdir: string, signal: AbortSignal): Promise<void> {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) throw new Error(`not a commit id: ${sha}`);
  await mkdir(workdir, { recursive: true, mode: 0o755 });
  const opts = { cwd: workdir, signal, timeoutMs: 10 * 60_000 };
  await runGit(git, ['init', '-q', '--object-format', sha.length === 64 ? 'sha256' : 'sha1', '.'], opts);
  await runGit(git, ['-c', 'protocol.version=2', 'fetch', '-q', '--no-tags', '--no-write-fetch-head', '--depth', '1', '--', userArg(`file://${bareDir}`), userArg(sha)], opts);
  await runGit(git, ['-c', 'advice.detachedHead=false', 'checkout', '-q', '--detach', userArg(sha)], opts);
}

/** Whether the commit has a .ci/run.sh (a file or a link; read from the bare repository). */
export async function hasCiScript(git: GitEnv, bareDir: string, sha: string): Promise<boolean> {
  const r = await runGit(git, ['--git-dir', userArg(bareDir), 'ls-tree', '-z', userArg(sha), '--', CI_SCRIPT], { timeoutMs: 30_000 });
  // "<mode> <type> <oid>\t<path>\0": a blob (regular, executable or symlink), not a submodule
  return /^(100644|100755|120000) blob /.test(r.stdout.toString('utf8'));
}
