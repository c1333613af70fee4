// git's own answers to the two protocol v2 requests a fetch over smart HTTP starts with, kept
// and replayed while everything git derives them from is provably unchanged (as Gitaly keeps
// its info/refs answers), so a fetch pays for the git processes that send objects and an
// up-to-date `git fetch` or `git pull` for none:
// - the capability list (`GET info/refs` under GIT_PROTOCOL=version=2): it depends only on the
//   git executable and the configuration git reads (the server's global file and the
//   repository's; the system file is off, GIT_CONFIG_NOSYSTEM);
// - `command=ls-refs`: on those, on the exact request bytes and environment, and on the refs
//   (every ref with its object, and HEAD), read from the ref files before git runs and again
//   after: an answer is kept only when nothing moved meanwhile.
// Identity by stat (device, inode, size, mtime; git rewrites a config by rename, so a new
// inode) and by content for the refs. Whatever isn't plainly readable (a symbolic ref besides
// HEAD, the reftable backend, an unreadable file) is never kept: git answers every time. An
// answer that differs per process (a `session-id`, transfer.advertiseSID) is never kept either.
import { createHash } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { GitEnv } from './command.js';
import { PktLineParser } from './pkt-line.js';
import { readRefFiles } from './ref-files.js';
import { Lru, WeightedLru } from './lru.js';

/** Answers above this are sent by git each time (a repository with very many refs). */
const MAX_KEPT_ANSWER = 1024 * 1024;
/** Requests above this are not looked at (an ls-refs request is a few hundred bytes). */
export const MAX_LS_REFS_REQUEST = 16 * 1024;

/** The git the children run: the first `git` on their PATH (as spawn finds it), or null. */
export function gitExecutable(env: GitEnv): string | null {
  for (const d of (env.base.PATH ?? '').split(delimiter)) {
    if (!d) continue;
    const p = join(d, 'git');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** What a file is right now; '-' when it doesn't exist. */
function identity(file: string): string {
  // synchronous: a few stats of local files cost less than a trip through the thread pool
  const st = statSync(file, { throwIfNoEntry: false });
  return st ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}` : '-';
}

/** True when a v2 request body is an `ls-refs` command (its first packet). */
export function isLsRefs(body: Buffer): boolean {
  const parser = new PktLineParser();
  try {
    for (const pkt of parser.push(body)) return pkt.type === 'data' && pkt.data.toString('latin1') === 'command=ls-refs\n';
  } catch {
    return false;
  }
  return false;
}

export interface Probe {
  /** git's answer from before, when nothing it depends on changed. */
  bytes: Buffer | null;
  /** What to file a fresh answer under; null: don't keep one. */
  key: string | null;
}

const NONE: Probe = { bytes: null, key: null };

export class V2Answers {
  private readonly caps = new Lru<string, { key: string; bytes: Buffer }>(1024);
  private readonly lsRefsKept = new WeightedLru<string, { key: string; bytes: Buffer }>(32 * 1024 * 1024, (v) => v.bytes.length + v.key.length);
  private readonly git: string | null;

  constructor(private readonly env: GitEnv) {
    this.git = gitExecutable(env);
  }

  /** The identity of the git executable and both config files, or null when it can't be had. */
  private configKey(dir: string): string | null {
    if (!this.git) return null;
    try {
      const exe = identity(this.git);
      const local = identity(join(dir, 'config'));
      if (exe === '-' || local === '-') return null;
      return `${exe}|${identity(this.env.base.GIT_CONFIG_GLOBAL ?? '')}|${local}`;
    } catch {
      return null; // unreadable: let git say what is wrong
    }
  }

  /** The capability list for `dir`. */
  capabilities(dir: string): Probe {
    const key = this.configKey(dir);
    if (!key) return NONE;
    const hit = this.caps.get(dir);
    return { bytes: hit && hit.key === key ? hit.bytes : null, key };
  }

  rememberCapabilities(dir: string, key: string, bytes: Buffer): void {
    if (keepable(bytes)) this.caps.set(dir, { key, bytes });
  }

  /** The answer to the ls-refs request `body` run with `env`, for the refs as they are now. */
  async lsRefs(dir: string, body: Buffer, env: Record<string, string>): Promise<Probe> {
    const config = this.configKey(dir);
    if (!config || body.length > MAX_LS_REFS_REQUEST) return NONE;
    const refs = await refsKey(dir);
    if (!refs) return NONE;
    const request = createHash('sha256')
      .update(JSON.stringify(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1))))
      .update('\0')
      .update(body)
      .digest('hex');
    const key = `${config}|${refs}`;
    const hit = this.lsRefsKept.get(`${dir}\0${request}`);
    return { bytes: hit && hit.key === key ? hit.bytes : null, key: `${request}\0${key}` };
  }

  /** Files git's answer under `key` (from lsRefs before git ran), if the refs are still the same. */
  async rememberLsRefs(dir: string, key: string, bytes: Buffer): Promise<void> {
    if (!keepable(bytes)) return;
    const sep = key.indexOf('\0');
    const request = key.slice(0, sep);
    const before = key.slice(sep + 1);
    const config = this.configKey(dir);
    const refs = await refsKey(dir);
    if (!config || !refs || `${config}|${refs}` !== before) return; // something moved while git ran
    this.lsRefsKept.set(`${dir}\0${request}`, { key: before, bytes });
  }
}

function keepable(bytes: Buffer): boolean {
  return bytes.length > 0 && bytes.length <= MAX_KEPT_ANSWER && !bytes.includes('session-id=');
}

/** A digest of every ref and HEAD, or null when they can't be read plainly from the files. */
async function refsKey(dir: string): Promise<string | null> {
  let head: string;
  try {
    head = await readFile(join(dir, 'HEAD'), 'latin1');
  } catch {
    return null;
  }
  const refs = await readRefFiles(dir);
  if (!refs) return null;
  const h = createHash('sha256').update(head).update('\0');
  for (const name of [...refs.keys()].sort()) h.update(`${name} ${refs.get(name)}\n`);
  return h.digest('hex');
}
