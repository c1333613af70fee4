// Bare repositories on disk: create, fork, rename, delete, measure and check them. Every
// change is staged in <repos>/.tmp and renamed into place, so a half-made repository is never
// visible at its real path.
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomHex } from '../lib/crypto.js';
import { AppError } from '../lib/errors.js';
import { runGit, userArg, type GitEnv } from './command.js';
import type { RepoPaths } from './paths.js';
import { writeCommitGraph } from './commit-graph.js';
import { fsckRepository } from './fsck.js';

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

export interface RepoRef {
  owner: string;
  name: string;
}

/** Repository config we own; reapplied on create, fork and adoption. */
export function repoConfig(hooksDir: string): [string, string][] {
  return [
    ['core.hooksPath', hooksDir],
    ['core.logAllRefUpdates', 'true'],
    ['receive.fsckObjects', 'true'],
    ['receive.advertisePushOptions', 'true'],
    ['uploadpack.allowFilter', 'true'],
    ['uploadpack.allowAnySHA1InWant', 'true'],
    ['repack.writeBitmaps', 'true'],
    ['pack.writeBitmapHashCache', 'true'],
    ['transfer.hideRefs', 'refs/gitssy/'],
  ];
}

export class RepoStore {
  private maintenanceHolds = 0;

  constructor(
    readonly paths: RepoPaths,
    private readonly git: GitEnv,
    private readonly hooksDir: string,
  ) {}

  dir(repo: RepoRef): string {
    return this.paths.repoDir(repo.owner, repo.name);
  }

  /** The repository's wiki, a bare repository beside it: `<name>.git` → `<name>.wiki.git`. */
  wikiDir(repo: RepoRef): string {
    return `${this.dir(repo).slice(0, -'.git'.length)}.wiki.git`;
  }

  async exists(repo: RepoRef): Promise<boolean> {
    try {
      return (await stat(this.dir(repo))).isDirectory();
    } catch {
      return false;
    }
  }

  async create(repo: RepoRef, defaultBranch: string): Promise<void> {
    await this.build(repo, (tmp) => runGit(this.git, ['init', '--bare', '--quiet', `--initial-branch=${userArg(defaultBranch).value}`, '--', tmp]));
  }

  /**
   * Copies a repository through git's own transport (--no-local): no hardlinks into the
   * source, and nothing in the source's object directory (symlinks, alternates) is followed.
   */
  async fork(source: RepoRef, target: RepoRef): Promise<void> {
    const src = this.dir(source);
    await this.build(target, (tmp) => this.cloneThroughGit(src, tmp, ['--bare'], 30 * 60_000));
  }

  /**
   * Adopts an existing bare repository from outside the data dir. By default it is copied
   * through git's transport (objects and refs only: none of its config, hooks or alternates
   * come along); with `move` the folder itself is moved in and its config rewritten.
   */
  async adopt(sourceDir: string, target: RepoRef, opts: { move: boolean }): Promise<void> {
    const src = path.resolve(sourceDir);
    if (opts.move) {
      const final = await this.assertFree(target);
      if (await exists(path.join(src, 'objects', 'info', 'alternates'))) {
        throw new AppError('invalid', 'it borrows objects from another repository (objects/info/alternates); import it without --move');
      }
      const { stdout } = await runGit(this.git, ['--git-dir', src, 'rev-parse', '--show-object-format']).catch(() => ({ stdout: Buffer.from('sha1') }));
      const format = stdout.toString().trim() || 'sha1';
      await mkdir(path.dirname(final), { recursive: true });
      await rename(src, final);
      // a fresh config: nothing the old one said (hooks, fsmonitor, remotes) survives
      await writeFile(
        path.join(final, 'config'),
        `[core]\n\trepositoryformatversion = ${format === 'sha1' ? 0 : 1}\n\tbare = true\n${format === 'sha1' ? '' : `[extensions]\n\tobjectformat = ${format}\n`}`,
      );
      await rm(path.join(final, 'hooks'), { recursive: true, force: true });
      await this.configure(final);
      await writeCommitGraph(this.git, final);
      return;
    }
    await this.build(target, (tmp) => this.cloneThroughGit(src, tmp, ['--mirror'], 6 * 3600_000));
  }

  async rename(from: RepoRef, to: RepoRef): Promise<void> {
    const src = this.dir(from);
    const dst = this.dir(to);
    if (src === dst) return;
    // Same path apart from case is a plain rename; otherwise the target must be free.
    if (src.toLowerCase() !== dst.toLowerCase()) await this.assertFree(to);
    await mkdir(path.dirname(dst), { recursive: true });
    await rename(src, dst);
    // the wiki moves with its repository: left behind, it would become the wiki of whatever
    // repository is created under the old name next
    const wiki = this.wikiDir(from);
    if (await exists(wiki)) await rename(wiki, this.wikiDir(to));
  }

  /** Deletes the repository and its wiki: each is renamed out of the way first, then removed. */
  async delete(repo: RepoRef): Promise<void> {
    await mkdir(this.paths.tmpDir(), { recursive: true });
    for (const dir of [this.dir(repo), this.wikiDir(repo)]) {
      const trash = path.join(this.paths.tmpDir(), `deleted-${randomHex(8)}`);
      try {
        await rename(dir, trash);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      await rm(trash, { recursive: true, force: true });
    }
  }

  /** Bytes on disk of objects (loose + packed), as `git count-objects -v` reports them. */
  async size(repo: RepoRef): Promise<number> {
    const { stdout } = await runGit(this.git, ['--git-dir', this.dir(repo), 'count-objects', '-v']);
    let kib = 0;
    for (const line of stdout.toString().split('\n')) {
      const m = /^(size|size-pack|size-garbage): (\d+)$/.exec(line);
      if (m) kib += Number(m[2]);
    }
    return kib * 1024;
  }

  async branches(repo: RepoRef, limit = 100): Promise<string[]> {
    const { stdout } = await runGit(this.git, ['--git-dir', this.dir(repo), 'for-each-ref', `--count=${limit}`, '--format=%(refname:strip=2)', 'refs/heads/']);
    return stdout.toString().split('\n').filter(Boolean);
  }

  async headBranch(repo: RepoRef): Promise<string | null> {
    try {
      const { stdout } = await runGit(this.git, ['--git-dir', this.dir(repo), 'symbolic-ref', '--short', 'HEAD']);
      return stdout.toString().trim() || null;
    } catch {
      return null;
    }
  }

  async setHead(repo: RepoRef, branch: string): Promise<void> {
    await runGit(this.git, ['--git-dir', this.dir(repo), 'check-ref-format', '--branch', userArg(branch)]);
    await runGit(this.git, ['--git-dir', this.dir(repo), 'symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
  }

  /** Problems found by `git fsck --connectivity-only` (what git printed); empty exactly when it exits 0. */
  fsck(repo: RepoRef): Promise<string[]> {
    return fsckRepository(this.git, this.dir(repo));
  }

  /** Background housekeeping after pushes, like `git gc --auto` (keeps bitmaps fresh). */
  async maintain(repo: RepoRef): Promise<void> {
    // a backup copying object files must not see gc delete packs under it
    if (this.maintenanceHolds > 0) return;
    await runGit(this.git, ['--git-dir', this.dir(repo), 'gc', '--auto', '--quiet'], { timeoutMs: 30 * 60_000 });
    // history walks (log, last commit per tree entry) are several times faster with it
    await writeCommitGraph(this.git, this.dir(repo));
  }

  /** Pauses background gc (used while a backup copies objects); returns the resume function. */
  holdMaintenance(): () => void {
    this.maintenanceHolds++;
    let done = false;
    return () => {
      if (!done) {
        done = true;
        this.maintenanceHolds--;
      }
    };
  }

  /** Re-applies our config to a repository (after a restore moved the data dir). */
  async reconfigure(repo: RepoRef): Promise<void> {
    await this.configure(this.dir(repo));
  }

  private async configure(dir: string): Promise<void> {
    for (const [key, value] of repoConfig(this.hooksDir)) {
      await runGit(this.git, ['--git-dir', dir, 'config', key, value]);
    }
  }

  /** Makes a repository in scratch space with `fill`, configures it, renames it into place. */
  private async build(repo: RepoRef, fill: (tmp: string) => Promise<unknown>): Promise<void> {
    const final = await this.assertFree(repo);
    const tmp = await this.stage();
    try {
      await fill(tmp);
      await this.configure(tmp);
      await writeCommitGraph(this.git, tmp);
      await this.moveIntoPlace(tmp, final);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** `git clone --no-local`: objects and refs through git's transport, then no remote left. */
  private async cloneThroughGit(src: string, tmp: string, mode: string[], timeoutMs: number): Promise<void> {
    await runGit(this.git, ['clone', ...mode, '--no-local', '--quiet', '--', src, tmp], { timeoutMs });
    await runGit(this.git, ['--git-dir', tmp, 'remote', 'remove', 'origin']);
  }

  private async assertFree(repo: RepoRef): Promise<string> {
    const final = this.dir(repo);
    if (await this.exists(repo)) {
      throw new AppError('conflict', `repository files already exist at ${path.relative(this.paths.root, final)}; remove or adopt them first`);
    }
    return final;
  }

  private async stage(): Promise<string> {
    await mkdir(this.paths.tmpDir(), { recursive: true });
    return path.join(this.paths.tmpDir(), `new-${randomHex(8)}`);
  }

  private async moveIntoPlace(tmp: string, final: string): Promise<void> {
    await mkdir(path.dirname(final), { recursive: true });
    await rename(tmp, final);
  }
}

export interface Signature {
  name: string;
  email: string;
}

/**
 * Plumbing-only root commit (no working tree) of the given files; returns its id. Moving a
 * branch to it is the caller's business (through the server's one ref-write path).
 */
export async function writeRootCommit(git: GitEnv, gitDir: string, files: { path: string; content: string }[], message: string, author: Signature): Promise<string> {
  const entries: string[] = [];
  for (const f of files) {
    const { stdout } = await runGit(git, ['--git-dir', gitDir, 'hash-object', '-w', '--stdin'], { input: f.content });
    entries.push(`100644 blob ${stdout.toString().trim()}\t${f.path}`);
  }
  const tree = (await runGit(git, ['--git-dir', gitDir, 'mktree'], { input: entries.join('\n') + '\n' })).stdout.toString().trim();
  const ident = { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_COMMITTER_NAME: author.name, GIT_COMMITTER_EMAIL: author.email };
  return (await runGit(git, ['--git-dir', gitDir, 'commit-tree', tree, '-F', '-'], { input: message + '\n', env: ident })).stdout.toString().trim();
}
