// Branch tips read straight from a repository's files (the loose `refs/heads/<name>`, then
// `packed-refs`), as git's files backend reads them, so the ref every page starts with costs no
// round trip to a git process. Only positive answers that are known commits are given; anything
// else (a symbolic ref, an id not yet seen as a commit, a missing file) says "ask git".
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Lru } from './lru.js';
import { parsePackedRefs } from './ref-files.js';

const SHA_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

interface Packed {
  mtimeMs: number;
  size: number;
  ino: number;
  refs: Map<string, string>;
}

export class BranchFiles {
  private readonly packed = new Lru<string, Packed>(256);
  /** (git dir, id) pairs git has peeled to a commit: a branch file naming one needs no check. */
  private readonly commits = new Lru<string, true>(8192);

  /** The commit `refs/heads/<name>` points at, or undefined when git should be asked. */
  tip(gitDir: string, name: string): string | undefined {
    const parts = name.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0'))) return undefined;
    const sha = this.loose(gitDir, parts) ?? this.packedRefs(gitDir)?.get(`refs/heads/${name}`);
    return sha && this.commits.get(`${gitDir}\0${sha}`) ? sha : undefined;
  }

  /** Records that `sha` is a commit (git peeled a branch to it). */
  noteCommit(gitDir: string, sha: string): void {
    this.commits.set(`${gitDir}\0${sha}`, true);
  }

  private loose(gitDir: string, parts: string[]): string | undefined {
    let text: string;
    try {
      text = readFileSync(path.join(gitDir, 'refs', 'heads', ...parts), 'latin1').trim();
    } catch {
      return undefined; // no loose ref (or a directory): packed-refs decides
    }
    return SHA_RE.test(text) ? text : undefined;
  }

  private packedRefs(gitDir: string): Map<string, string> | undefined {
    const file = path.join(gitDir, 'packed-refs');
    let st;
    try {
      st = statSync(file);
    } catch {
      return undefined;
    }
    const hit = this.packed.get(gitDir);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size && hit.ino === st.ino) return hit.refs;
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      return undefined;
    }
    const all = parsePackedRefs(text);
    if (!all) return undefined; // not a packed-refs git wrote: git decides
    const refs = new Map([...all].filter(([ref]) => ref.startsWith('refs/heads/')));
    this.packed.set(gitDir, { mtimeMs: st.mtimeMs, size: st.size, ino: st.ino, refs });
    return refs;
  }
}
