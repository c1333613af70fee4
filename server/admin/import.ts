// `gitssy admin import --from DIR --owner NAME [--move]`: adopts a folder of bare repositories
// (like the seeds' /repos volume): registers each one, installs our hooks and config, and
// reports progress and a summary. Imported repositories start private. A folder whose name
// can't be a repository (Windows device names among them) is skipped with the reason; refs that
// could not exist on Windows are imported with a warning naming them.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { runGit } from '../git/command.js';
import { isAppError } from '../lib/errors.js';
import { repoNameProblem, windowsPathProblem } from '../lib/names.js';
import type { Services } from '../services.js';

/** Bare repositories under `root` (a folder with HEAD, objects/ and refs/), up to 3 levels deep. */
export async function findBareRepos(root: string, depth = 3): Promise<string[]> {
  const isBare = async (dir: string) => {
    try {
      const [head, objects, refs] = await Promise.all([stat(path.join(dir, 'HEAD')), stat(path.join(dir, 'objects')), stat(path.join(dir, 'refs'))]);
      return head.isFile() && objects.isDirectory() && refs.isDirectory();
    } catch {
      return false;
    }
  };
  if (await isBare(root)) return [root];
  if (depth === 0) return [];
  const out: string[] = [];
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isDirectory() && !e.isSymbolicLink()) out.push(...(await findBareRepos(path.join(root, e.name), depth - 1)));
  }
  return out;
}

export interface ImportSummary {
  imported: string[];
  skipped: { path: string; reason: string }[];
  /** Imported repositories with refs that could not exist on Windows: rename them before moving the data there. */
  warnings: { repo: string; names: string[] }[];
}

export async function importRepositories(s: Services, opts: { from: string; owner: string; move: boolean }, progress: (line: string) => void): Promise<ImportSummary> {
  const owner = await s.users.requireByName(opts.owner);
  const root = path.resolve(opts.from);
  const st = await stat(root).catch(() => null);
  if (!st?.isDirectory()) throw new Error(`${root} is not a folder`);
  if (root.startsWith(path.resolve(s.config.dataDir) + path.sep) || root === path.resolve(s.config.dataDir)) throw new Error('import from a folder outside the data directory');
  progress(`scanning ${root} ...`);
  const found = await findBareRepos(root);
  progress(`found ${found.length} bare repositor${found.length === 1 ? 'y' : 'ies'}`);
  const summary: ImportSummary = { imported: [], skipped: [], warnings: [] };
  let i = 0;
  for (const dir of found) {
    i++;
    const name = path.basename(dir).replace(/\.git$/i, '');
    const label = `[${i}/${found.length}] ${path.relative(root, dir) || path.basename(dir)} -> ${owner.name}/${name}`;
    const nameProblem = repoNameProblem(name);
    if (nameProblem) {
      const reason = `repository name ${nameProblem}; rename the folder and import it again`;
      summary.skipped.push({ path: dir, reason });
      progress(`${label}: skipped: ${reason}`);
      continue;
    }
    try {
      const rec = await s.repos.adopt(owner, name, dir, { move: opts.move });
      summary.imported.push(`${owner.name}/${name}`);
      progress(`${label}: imported (${Math.round(rec.repo.size / 1024)} KiB, default branch ${rec.repo.default_branch})`);
      const names = await windowsIncompatibleRefs(s, { owner: owner.name, name });
      if (names.length) {
        summary.warnings.push({ repo: `${owner.name}/${name}`, names });
        progress(
          `${label}: warning: ${names.length} ref${names.length === 1 ? '' : 's'} could not exist on Windows (rename before moving this data there): ${names.slice(0, 10).join('; ')}${names.length > 10 ? '; ...' : ''}`,
        );
      }
    } catch (err) {
      const reason = isAppError(err) ? err.message : (err as Error).message;
      summary.skipped.push({ path: dir, reason });
      progress(`${label}: skipped: ${reason}`);
    }
  }
  return summary;
}

/** The refs of an imported repository whose names could not be files on Windows, one sentence each. */
async function windowsIncompatibleRefs(s: Services, repo: { owner: string; name: string }): Promise<string[]> {
  // the repository is in: a failure to list its refs is no reason to call it skipped
  const out = await runGit(s.git, ['--git-dir', s.store.dir(repo), 'for-each-ref', '--format=%(refname)']).catch(() => null);
  if (!out) return [];
  return out.stdout
    .toString()
    .split('\n')
    .filter(Boolean)
    .map(windowsPathProblem)
    .filter((p): p is string => p !== null);
}
