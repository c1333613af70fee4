// Request-side helpers shared by the repository-content routes: the read target of a resolved
// repository, wildcard paths, a signal that fires when the client goes away, and piping a git
// process into a response (headers only once git produced output, so a git failure before
// that is still a proper JSON error).
import type { Request, Response } from 'express';
import type { GitChild } from '../../git/command.js';
import { GitError } from '../../git/command.js';
import type { RepoTarget } from '../../git/browse-service.js';
import { cleanTreePath } from '../../git/tree.js';
import type { RepoRecord } from '../../repos/index.js';
import type { Services } from '../../services.js';

export function repoTarget(s: Services, rec: RepoRecord): RepoTarget {
  return { id: rec.repo.id, dir: s.store.dir({ owner: rec.owner.name, name: rec.repo.name }), owner: rec.owner.name, name: rec.repo.name, defaultBranch: rec.repo.default_branch };
}

/** Express 5 gives `*name` wildcards as arrays of decoded segments. */
export function wildcard(req: Request, name: string): string[] {
  const v = (req.params as Record<string, unknown>)[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/** The repository path in a `*path` wildcard, checked (see cleanTreePath). */
export function wildcardPath(req: Request, name = 'path'): string {
  return cleanTreePath(wildcard(req, name));
}

/** Aborts when the client disconnects before the response is complete. */
export function clientSignal(res: Response): AbortSignal {
  const ac = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  return ac.signal;
}

/**
 * Streams git's stdout into the response. `start` sets the headers; it runs at git's first
 * byte (or at a clean exit with no output), so a git that fails at once becomes an error the
 * error handler renders. A failure mid-stream cuts the connection, so the client can't
 * mistake a partial download for a whole one.
 */
export function pipeGit(g: GitChild, res: Response, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = g.child.stdout!;
    let started = false;
    let stderr = '';
    const begin = () => {
      if (started) return;
      started = true;
      start();
    };
    g.child.stderr!.on('data', (c: Buffer) => {
      if (stderr.length < 4096) stderr += c.toString();
    });
    out.on('data', (chunk: Buffer) => {
      begin();
      if (!res.write(chunk)) {
        out.pause();
        res.once('drain', () => out.resume());
      }
    });
    res.once('close', () => {
      if (!res.writableFinished) g.kill('aborted');
    });
    g.child.once('error', (err) => reject(new GitError(g.argv, 'spawn', null, err.message)));
    g.child.once('close', (code) => {
      const failure = g.killedFor() ?? (code === 0 ? null : 'exit');
      if (!failure) {
        begin();
        res.end();
        return resolve();
      }
      if (!started) return reject(new GitError(g.argv, failure, code, stderr));
      res.destroy();
      resolve();
    });
  });
}
