// Blobs: read with a size cap (larger ones are only sampled), classified as binary the way
// git does (a NUL in the first 8000 bytes) and recognised as Git LFS pointers; or streamed
// from their own `git cat-file blob` for raw downloads of any size.
import { spawnGit, userArg, type GitChild } from './command.js';
import type { GitRepo } from './cat-file-pool.js';
import type { GitReadContext } from './read-context.js';

/** git's own sniffing window (FIRST_FEW_BYTES in xdiff-interface.c). */
export const SNIFF_BYTES = 8000;

export interface LfsPointer {
  oid: string;
  size: number;
}

export interface Blob {
  sha: string;
  size: number;
  /** The whole blob, or null when it is over the cap (`head` still has its first bytes). */
  content: Buffer | null;
  /** Up to the first 8000 bytes, always present. */
  head: Buffer;
  binary: boolean;
  lfs: LfsPointer | null;
}

export function isBinary(buf: Buffer): boolean {
  return buf.subarray(0, SNIFF_BYTES).includes(0);
}

const LFS_RE = /^version https:\/\/(?:git-lfs\.github\.com\/spec\/v1|hawser\.github\.com\/spec\/v1)\n(?:[a-z0-9.-]+ [^\n]*\n)*?oid sha256:([0-9a-f]{64})\n(?:[a-z0-9.-]+ [^\n]*\n)*?size (\d+)\n/;

/** A Git LFS pointer file (spec v1): small, text, `version`, `oid sha256:…` and `size` lines. */
export function parseLfsPointer(buf: Buffer): LfsPointer | null {
  if (buf.length > 1024 || buf.length < 40) return null;
  const m = LFS_RE.exec(buf.toString('utf8'));
  return m ? { oid: m[1]!, size: Number(m[2]) } : null;
}

/** Reads a blob whole if it is at most `maxBytes`, else samples its start; null if it isn't a blob. */
export async function readBlob(ctx: GitReadContext, repo: GitRepo, sha: string, maxBytes: number): Promise<Blob | null> {
  const small = await ctx.pool.use(repo, async (cat) => {
    const info = await cat.info(sha);
    if (!info || info.type !== 'blob') return null;
    if (info.size > maxBytes) return { info, data: null };
    return { info, data: (await cat.contents(info.sha, maxBytes))?.data ?? null };
  });
  if (!small) return null;
  const { info, data } = small;
  const head = data ? data.subarray(0, SNIFF_BYTES) : await blobHead(ctx, repo, info.sha, SNIFF_BYTES);
  return { sha: info.sha, size: info.size, content: data, head, binary: isBinary(head), lfs: data ? parseLfsPointer(data) : null };
}

/** The first `n` bytes of a blob, read from its own process (which is killed once they arrive). */
export function blobHead(ctx: GitReadContext, repo: GitRepo, sha: string, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const g = streamBlob(ctx, repo, sha);
    const chunks: Buffer[] = [];
    let got = 0;
    g.child.stdout!.on('data', (c: Buffer) => {
      if (got >= n) return;
      chunks.push(c);
      got += c.length;
      if (got >= n) g.kill('output-limit');
    });
    g.child.once('error', reject);
    g.child.once('close', () => resolve(Buffer.concat(chunks).subarray(0, n)));
  });
}

/** `git cat-file blob <sha>` for streaming; the caller pipes stdout and kills it when done. */
export function streamBlob(ctx: GitReadContext, repo: GitRepo, sha: string, signal?: AbortSignal): GitChild {
  return spawnGit(ctx.env, ['--git-dir', repo.dir, 'cat-file', 'blob', userArg(sha)], { signal, timeoutMs: 30 * 60_000 });
}
