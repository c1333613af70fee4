// Branch tips read straight from a repository's files (the loose `refs/heads/<name>`, then
// `packed-refs`), as git's files backend reads them, so the ref every page starts with costs no
// round trip to a git process. Only positive answers that are known commits are given; anything
// else (a symbolic ref, an id not yet seen as a commit, a missing file) says "ask git".
import { readFileSync, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Lru } from './lru.js';

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
    const refs = new Map<string, string>();
    for (const line of text.split('\n')) {
      if (line === '' || line[0] === '#' || line[0] === '^') continue;
      const sp = line.indexOf(' ');
      const sha = line.slice(0, sp);
      const ref = line.slice(sp + 1);
      if (SHA_RE.test(sha) && ref.startsWith('refs/heads/')) refs.set(ref, sha);
    }
    this.packed.set(gitDir, { mtimeMs: st.mtimeMs, size: st.size, ino: st.ino, refs });
    return refs;
  }
}

/**
 * Every ref of a repository read from its files as git's files backend keeps them: `packed-refs`,
 * overridden by the loose files under `refs/`. No git process, so the start-up check of a hundred
 * repositories is a hundred directory walks. Null when git should answer instead: a symbolic
 * ref, a packed or loose entry that isn't a plain object id, anything unreadable, or a
 * `packed-refs` replaced during the walk (a `pack-refs` moving loose refs into it). Lock files of
 * an interrupted writer are not refs (git's names may not end in `.lock`).
 */
export async function readRefFiles(gitDir: string): Promise<Map<string, string> | null> {
  const refs = new Map<string, string>();
  const packedFile = path.join(gitDir, 'packed-refs');
  const version = async () => {
    try {
      const st = await stat(packedFile);
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return 'none';
    }
  };
  const before = await version();
  let packed = '';
  try {
    packed = await readFile(packedFile, 'latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return null;
  }
  for (const line of packed.split('\n')) {
    if (line === '' || line[0] === '#' || line[0] === '^') continue;
    const sp = line.indexOf(' ');
    const sha = line.slice(0, sp);
    const name = line.slice(sp + 1);
    if (!SHA_RE.test(sha) || !name.startsWith('refs/')) return null;
    refs.set(name, sha);
  }
  const walk = async (dir: string, prefix: string): Promise<boolean> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const name = `${prefix}/${e.name}`;
      if (e.isDirectory()) {
        if (!(await walk(path.join(dir, e.name), name))) return false;
        continue;
      }
      if (e.name.endsWith('.lock')) continue;
      if (!e.isFile()) return false;
      const text = (await readFile(path.join(dir, e.name), 'latin1')).trim();
      if (!SHA_RE.test(text)) return false;
      refs.set(name, text);
    }
    return true;
  };
  try {
    if (!(await walk(path.join(gitDir, 'refs'), 'refs'))) return null;
  } catch {
    return null;
  }
  return (await version()) === before ? refs : null;
}
