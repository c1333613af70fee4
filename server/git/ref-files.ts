// Every ref of a repository, read from its files the way git's files backend keeps them:
// `packed-refs`, overridden by the loose files under `refs/`. No git process, so the start-up
// reconcile, each recorded push and a backup's ref list cost a directory walk per repository.
// Whenever the files hold anything unusual, git answers instead (readAllRefs).
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { runGit, type GitEnv } from './command.js';

const SHA_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The refs a `packed-refs` file lists (name → id; peeled `^` lines and comments skipped), or null
 * when a line is not `<id> refs/…`.
 */
export function parsePackedRefs(text: string): Map<string, string> | null {
  const refs = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line[0] === '#' || line[0] === '^') continue;
    const sp = line.indexOf(' ');
    const sha = line.slice(0, sp);
    const name = line.slice(sp + 1);
    if (!SHA_RE.test(sha) || !name.startsWith('refs/')) return null;
    refs.set(name, sha);
  }
  return refs;
}

/**
 * The refs from the files, or null when git should answer instead: the reftable backend, a
 * symbolic ref, a packed or loose entry that isn't a plain object id, anything unreadable (a
 * loose ref deleted while we looked included), or a `packed-refs` replaced during the walk (a
 * `pack-refs` moving loose refs into it). Lock files of an interrupted writer are not refs (git's
 * names may not end in `.lock`).
 */
export async function readRefFiles(gitDir: string): Promise<Map<string, string> | null> {
  const config = await readFile(path.join(gitDir, 'config'), 'utf8').catch(() => '');
  if (/refstorage/i.test(config)) return null;
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
  const refs = parsePackedRefs(packed);
  if (!refs) return null;
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

/** Every ref with the object it points at: from the ref files, else from `git for-each-ref`. */
export async function readAllRefs(git: GitEnv, gitDir: string): Promise<Map<string, string>> {
  const fromFiles = await readRefFiles(gitDir);
  if (fromFiles) return fromFiles;
  const { stdout } = await runGit(git, ['--git-dir', gitDir, 'for-each-ref', '--format=%(objectname) %(refname)'], { maxOutputBytes: 512 * 1024 * 1024 });
  const refs = new Map<string, string>();
  for (const line of stdout.toString().split('\n')) {
    const sp = line.indexOf(' ');
    if (sp > 0) refs.set(line.slice(sp + 1), line.slice(0, sp));
  }
  return refs;
}
