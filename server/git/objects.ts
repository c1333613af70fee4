// Parsers for git's object formats as cat-file returns them: commits, annotated tags and
// trees (binary entries). Pure functions over bytes; nothing here runs git.

export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  when: number;
  /** The author's UTC offset as git records it, e.g. `+0200`. */
  tz: string;
}

export interface Commit {
  sha: string;
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  /** The full message (after the blank line that ends the headers). */
  message: string;
}

export interface Tag {
  sha: string;
  object: string;
  type: string;
  tag: string;
  tagger: Signature | null;
  message: string;
}

export type EntryType = 'file' | 'dir' | 'symlink' | 'submodule';

export interface RawTreeEntry {
  name: string;
  mode: string;
  type: EntryType;
  sha: string;
}

const SIG_RE = /^(.*?)\s*<([^>]*)>\s*(-?\d+)?\s*([+-]\d{4})?\s*$/;

export function parseSignature(value: string): Signature {
  const m = SIG_RE.exec(value);
  if (!m) return { name: value.trim(), email: '', when: 0, tz: '+0000' };
  return { name: m[1]!, email: m[2]!, when: Number(m[3] ?? 0), tz: m[4] ?? '+0000' };
}

/** ISO 8601 in the signer's own offset, as Gitea prints commit dates (`2024-05-01T10:00:00+02:00`). */
export function signatureDate(sig: Signature): string {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(sig.tz);
  const offsetMin = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const local = new Date((sig.when + offsetMin * 60) * 1000).toISOString().slice(0, 19);
  if (offsetMin === 0) return `${local}Z`;
  return `${local}${m![1]}${m![2]}:${m![3]}`;
}

/** Headers (continuation lines folded) and the message after the first blank line. */
function splitObject(buf: Buffer): { headers: [string, string][]; message: string } {
  const text = buf.toString('utf8');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const message = end < 0 ? '' : text.slice(end + 2);
  const headers: [string, string][] = [];
  for (const line of head.split('\n')) {
    if (line.startsWith(' ') && headers.length) headers[headers.length - 1]![1] += `\n${line.slice(1)}`;
    else {
      const sp = line.indexOf(' ');
      headers.push(sp < 0 ? [line, ''] : [line.slice(0, sp), line.slice(sp + 1)]);
    }
  }
  return { headers, message };
}

export function parseCommit(sha: string, buf: Buffer): Commit {
  const { headers, message } = splitObject(buf);
  const c: Commit = { sha, tree: '', parents: [], author: parseSignature(''), committer: parseSignature(''), message };
  for (const [k, v] of headers) {
    if (k === 'tree') c.tree = v;
    else if (k === 'parent') c.parents.push(v);
    else if (k === 'author') c.author = parseSignature(v);
    else if (k === 'committer') c.committer = parseSignature(v);
  }
  return c;
}

export function parseTag(sha: string, buf: Buffer): Tag {
  const { headers, message } = splitObject(buf);
  const t: Tag = { sha, object: '', type: '', tag: '', tagger: null, message };
  for (const [k, v] of headers) {
    if (k === 'object') t.object = v;
    else if (k === 'type') t.type = v;
    else if (k === 'tag') t.tag = v;
    else if (k === 'tagger') t.tagger = parseSignature(v);
  }
  // a signed tag carries its signature at the end of the message
  const sigAt = t.message.indexOf('-----BEGIN PGP SIGNATURE-----');
  if (sigAt >= 0) t.message = t.message.slice(0, sigAt);
  return t;
}

/** The first line of a message, as lists show it. */
export function summary(message: string): string {
  const nl = message.indexOf('\n');
  return (nl < 0 ? message : message.slice(0, nl)).trim();
}

export function entryType(mode: string): EntryType {
  if (mode === '40000' || mode === '040000') return 'dir';
  if (mode === '120000') return 'symlink';
  if (mode === '160000') return 'submodule';
  return 'file';
}

/** A tree object: `<mode> <name>\0<binary id>` repeated; `hashBytes` is 20 (SHA-1) or 32. */
export function parseTree(buf: Buffer, hashBytes = 20): RawTreeEntry[] {
  const out: RawTreeEntry[] = [];
  let off = 0;
  while (off < buf.length) {
    const sp = buf.indexOf(0x20, off);
    const nul = buf.indexOf(0, sp + 1);
    if (sp < 0 || nul < 0 || nul + 1 + hashBytes > buf.length) throw new Error('malformed tree object');
    const rawMode = buf.toString('latin1', off, sp);
    const mode = rawMode.padStart(6, '0');
    out.push({ mode, name: buf.toString('utf8', sp + 1, nul), type: entryType(rawMode), sha: buf.toString('hex', nul + 1, nul + 1 + hashBytes) });
    off = nul + 1 + hashBytes;
  }
  return out;
}
