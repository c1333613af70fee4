// Scanning history without one git process per commit: one `git log --raw` pass over the commits
// in range maps every blob to the earliest commit that brought it in at each path (author, time),
// and one `git cat-file --batch-command` beside it sizes and reads each blob as the log names it;
// every blob is matched once, whatever the number of commits that hold it. A push scan is the
// same pass over the push's new commits only (`<new> ^<already scanned>`).
import { StringDecoder } from 'node:string_decoder';
import { createHash } from 'node:crypto';
import { GitError, spawnGit, type GitChild, type GitEnv } from '../git/command.js';
import { CONTENT_RULES, FILE_RULES, type ContentRule, type FileRule } from './rules.js';
import { isBinary, scanPath, scanText, type ContentMatch } from './scanner.js';

/** Blobs larger than this are not read (file rules still judge them by name). */
export const MAX_BLOB_BYTES = 1024 * 1024;
const HEAD_BYTES = 8192;
const SHA_RE = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

export interface CommitInfo {
  sha: string;
  authorName: string;
  authorEmail: string;
  /** Committer time, ms. */
  at: number;
}

export interface Intro {
  commit: CommitInfo;
  path: string;
}

export interface HistoryWalk {
  /** blob → path → the earliest commit that brought that blob in at that path. */
  blobs: Map<string, Map<string, Intro>>;
  commits: number;
}

export interface RawFinding {
  ruleId: string;
  fingerprint: string;
  path: string;
  /** 0 for a finding about the file itself. */
  line: number;
  preview: string | null;
  blob: string;
  commit: CommitInfo;
}

export interface ScanProgress {
  phase: 'history' | 'blobs';
  commits: number;
  blobsTotal: number;
  blobsDone: number;
  bytes: number;
}

export interface ScanOptions {
  /** Extra git environment (the push's quarantine). */
  env?: Record<string, string>;
  /**
   * Read each blob without asking its size first (one round trip instead of two): for a push's
   * few new blobs. A blob over the limit still goes through the pipe, but is not kept.
   */
  direct?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
  contentRules?: readonly ContentRule[];
  fileRules?: readonly FileRule[];
  timeoutMs?: number;
}

/**
 * One git child in the pipeline: fed on stdin as the stage before it produces, read on stdout
 * as it answers. `done` settles when it exits (rejecting on a failure, or when a data handler
 * threw, which also kills it).
 */
class Stage {
  private readonly g: GitChild;
  private failure: Error | null = null;
  readonly done: Promise<void>;

  constructor(git: GitEnv, args: string[], opts: ScanOptions, onData: (chunk: Buffer) => void) {
    this.g = spawnGit(git, args, { env: opts.env, signal: opts.signal, timeoutMs: opts.timeoutMs ?? 30 * 60_000 });
    const g = this.g;
    let stderr = '';
    g.child.stdout!.on('data', (chunk: Buffer) => {
      if (this.failure) return;
      try {
        onData(chunk);
      } catch (err) {
        this.fail(err as Error);
      }
    });
    g.child.stderr!.on('data', (c: Buffer) => {
      if (stderr.length < 16_384) stderr += c.toString('utf8');
    });
    this.done = new Promise((resolve, reject) => {
      g.child.once('error', (e) => reject(new GitError(g.argv, 'spawn', null, e.message)));
      g.child.once('close', (code) => {
        const killed = g.killedFor();
        if (this.failure) reject(this.failure);
        else if (killed) reject(new GitError(g.argv, killed, code, stderr));
        else if (code !== 0) reject(new GitError(g.argv, 'exit', code, stderr));
        else resolve();
      });
    });
    // a stage that failed is reported through `done`; nobody else awaits this one
    this.done.catch(() => {});
  }

  write(line: string): void {
    this.g.child.stdin!.write(`${line}\n`);
  }

  end(): void {
    this.g.child.stdin!.end();
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.g.kill('aborted');
  }
}

/**
 * Parses `git log -z --raw --format=%x01%H%x00%an%x00%ae%x00%ct`: a commit header, then
 * ":<old mode> <new mode> <old sha> <new sha> <status>" and the path, repeated; NUL-separated.
 */
class LogParser {
  commits = 0;
  private commit: CommitInfo | null = null;
  private header: string[] | null = null;
  private raw: string | null = null;
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly onEntry: (blob: string, path: string, commit: CommitInfo) => void) {}

  feed(chunk: Buffer): void {
    const parts = (this.partial + this.decoder.write(chunk)).split('\0');
    this.partial = parts.pop()!;
    for (const p of parts) this.token(p);
  }

  end(): void {
    this.partial += this.decoder.end();
    if (this.partial) this.token(this.partial);
    this.partial = '';
  }

  private token(t: string): void {
    if (this.header) {
      this.header.push(t);
      if (this.header.length === 4) {
        const [sha, authorName, authorEmail, time] = this.header as [string, string, string, string];
        this.commit = { sha, authorName, authorEmail, at: Number(time) * 1000 };
        this.header = null;
        this.commits++;
      }
      return;
    }
    if (this.raw !== null) {
      const parts = this.raw.split(' ');
      this.raw = null;
      const mode = parts[1];
      const sha = parts[3];
      // deletions, submodules and symlinks bring in no file contents
      if (!this.commit || !sha || parts[4] === 'D' || mode === '160000' || mode === '120000' || !/[1-9a-f]/.test(sha)) return;
      this.onEntry(sha, t, this.commit);
      return;
    }
    const s = t.charCodeAt(0) === 10 ? t.slice(1) : t;
    if (s.charCodeAt(0) === 1) this.header = [s.slice(1)];
    else if (s.charCodeAt(0) === 58) this.raw = s;
  }
}

interface Request {
  kind: 'info' | 'contents';
  onInfo?: (info: { sha: string; type: string; size: number } | null) => void;
  onData?: (data: Buffer) => void;
  /** For a blob over MAX_BLOB_BYTES: its bytes were passed over, not kept. */
  onLarge?: () => void;
}

/**
 * One `git cat-file --batch-command --buffer` for the whole scan: `info` to size and peel
 * objects, `contents` to read blobs, answered in order. Requests go out in one write per tick
 * with a `flush`, so a scan's lookups cost round trips, not processes. Blob bytes are handed
 * over as views of the pipe's chunks when they fit in one (no copy).
 */
class CatFileSession {
  private readonly stage: Stage;
  private readonly queue: Request[] = [];
  private head = 0;
  private outgoing: string[] = [];
  private scheduled = false;
  private pending: Buffer | null = null;
  private body: { req: Request; size: number; parts: Buffer[]; filled: number; keep: boolean } | null = null;
  private idle: (() => void)[] = [];

  constructor(git: GitEnv, gitDir: string, opts: ScanOptions) {
    this.stage = new Stage(git, ['--git-dir', gitDir, 'cat-file', '--batch-command', '--buffer'], opts, (c) => this.feed(c));
  }

  get done(): Promise<void> {
    return this.stage.done;
  }

  info(name: string, onInfo: NonNullable<Request['onInfo']>): void {
    this.send({ kind: 'info', onInfo }, `info ${name}`);
  }

  /** Reads a blob; one over MAX_BLOB_BYTES is passed over (`onLarge`), never held in memory. */
  contents(sha: string, onData: NonNullable<Request['onData']>, onLarge?: () => void): void {
    this.send({ kind: 'contents', onData, onLarge }, `contents ${sha}`);
  }

  /** Resolves once every request made so far (and those their answers made) is answered. */
  drained(): Promise<void> {
    if (this.head === this.queue.length) return Promise.resolve();
    return Promise.race([
      new Promise<void>((resolve) => this.idle.push(resolve)),
      this.stage.done.then(() => {
        throw new Error('cat-file ended with requests unanswered');
      }),
    ]);
  }

  end(): void {
    this.stage.end();
  }

  fail(err: Error): void {
    this.stage.fail(err);
  }

  private send(req: Request, line: string): void {
    this.queue.push(req);
    this.outgoing.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const lines = this.outgoing;
      this.outgoing = [];
      this.stage.write(`${lines.join('\n')}\nflush`);
    });
  }

  /** After the request's callback ran (which may have made more requests). */
  private answered(): void {
    this.head++;
    // answered requests go; the array is trimmed now and then rather than shifted each time
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.head === this.queue.length && this.outgoing.length === 0) for (const f of this.idle.splice(0)) f();
  }

  private feed(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let off = 0;
    while (off < buf.length) {
      if (this.body) {
        // the object's bytes and the LF git writes after them
        const b = this.body;
        const take = Math.min(b.size + 1 - b.filled, buf.length - off);
        if (b.keep) b.parts.push(buf.subarray(off, off + take));
        b.filled += take;
        off += take;
        if (b.filled === b.size + 1) {
          this.body = null;
          if (b.keep) b.req.onData!((b.parts.length === 1 ? b.parts[0]! : Buffer.concat(b.parts)).subarray(0, b.size));
          else b.req.onLarge?.();
          this.answered();
        }
        continue;
      }
      const nl = buf.indexOf(10, off);
      if (nl < 0) {
        if (buf.length - off > 4096) throw new Error('cat-file: malformed answer');
        this.pending = Buffer.from(buf.subarray(off));
        return;
      }
      const req = this.queue[this.head];
      if (!req) throw new Error('cat-file: an answer nobody asked for');
      const [sha, type, size] = buf.toString('latin1', off, nl).split(' ');
      off = nl + 1;
      const found = !!sha && !!type && size !== undefined && SHA_RE.test(sha);
      if (req.kind === 'info' || !found) {
        if (req.kind === 'info') req.onInfo!(found ? { sha: sha!, type: type!, size: Number(size) } : null);
        this.answered();
        continue;
      }
      const n = Number(size);
      // the common case, the whole object in this chunk: a view of it, no copy
      if (n <= MAX_BLOB_BYTES && buf.length - off >= n + 1) {
        const data = buf.subarray(off, off + n);
        off += n + 1;
        req.onData!(data);
        this.answered();
        continue;
      }
      this.body = { req, size: n, parts: [], filled: 0, keep: n <= MAX_BLOB_BYTES };
    }
  }
}

/** Parses `cat-file --batch-check` lines: "<sha> <type> <size>" or "<name> missing". */
class LineParser {
  private partial = '';
  constructor(private readonly onLine: (line: string) => void) {}
  feed(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString('latin1')).split('\n');
    this.partial = lines.pop()!;
    for (const l of lines) this.onLine(l);
  }
}

const LOG_ARGS = ['log', '--stdin', '-z', '--raw', '--no-abbrev', '--no-renames', '--diff-merges=first-parent', '--format=%x01%H%x00%an%x00%ae%x00%ct'];

/**
 * One `git log --raw` pass over `revs` (lines for `--stdin`: `<sha>` to include, `^<sha>` to
 * exclude): every blob the commits brought in, with the earliest commit per path. Merges are
 * diffed against their first parent, so what a merge brought in by hand counts too; renames are
 * plain adds (the blob keeps its earliest commit either way).
 */
export async function walkHistory(git: GitEnv, gitDir: string, revs: readonly string[], opts: ScanOptions = {}): Promise<HistoryWalk> {
  const blobs = new Map<string, Map<string, Intro>>();
  const parser = new LogParser((sha, path, commit) => {
    let paths = blobs.get(sha);
    if (!paths) blobs.set(sha, (paths = new Map()));
    const prev = paths.get(path);
    if (!prev || commit.at <= prev.commit.at) paths.set(path, { commit, path });
  });
  if (revs.length === 0) return { blobs, commits: 0 };
  const log = new Stage(git, ['--git-dir', gitDir, ...LOG_ARGS], opts, (chunk) => parser.feed(chunk));
  for (const r of revs) log.write(r);
  log.end();
  await log.done;
  parser.end();
  return { blobs, commits: parser.commits };
}

/**
 * Peels each input (a sha, or any rev `cat-file` takes) to the commit it names, in order;
 * null for what is missing or not a commit (a tag of a blob).
 */
export async function peelCommits(git: GitEnv, gitDir: string, revs: readonly string[], opts: ScanOptions = {}): Promise<(string | null)[]> {
  if (revs.length === 0) return [];
  const lines: string[] = [];
  const parser = new LineParser((l) => lines.push(l));
  const check = new Stage(git, ['--git-dir', gitDir, 'cat-file', '--batch-check=%(objectname) %(objecttype)', '--buffer'], opts, (c) => parser.feed(c));
  for (const r of revs) check.write(`${r}^{commit}`);
  check.end();
  await check.done;
  return revs.map((_r, i) => {
    const [sha, type] = (lines[i] ?? '').split(' ');
    return sha && type === 'commit' && SHA_RE.test(sha) ? sha : null;
  });
}

export function fingerprint(ruleId: string, path: string, secret: string): string {
  return createHash('sha256').update(`${ruleId}\0${path}\0${secret}`).digest('hex');
}

/** What the pipeline knows about one blob. */
interface BlobState {
  paths: Map<string, Intro>;
  /** Too large to read: judged by name alone. */
  large?: boolean;
  scanned?: boolean;
  binary?: boolean;
  matches?: ContentMatch[];
  /** The path-filtered rules it was matched against (those its paths then called for). */
  evaluated?: Set<string>;
  /** Its first bytes, kept when a file rule with a `head` test may need them. */
  head?: string;
}

/**
 * Scans the commits `revs` select: every blob they brought in, matched once, in a pipeline of
 * two git processes (log → cat-file) so reading starts while history is still being walked. A blob is matched with the paths known when it arrives; the few whose later
 * (older) paths call for a rule they were not matched against are read again at the end.
 * Answers one finding per fingerprint (rule, path, secret), from the earliest commit holding it.
 */
export async function scanRevs(git: GitEnv, gitDir: string, revs: readonly string[], opts: ScanOptions = {}): Promise<{ findings: RawFinding[]; commits: number; blobs: number; bytes: number }> {
  const contentRules = opts.contentRules ?? CONTENT_RULES;
  const fileRules = opts.fileRules ?? FILE_RULES;
  const pathRules = contentRules.filter((r) => r.paths);
  const headRules = fileRules.filter((r) => r.head);
  const ruleOf = new Map(contentRules.map((r) => [r.id, r]));
  const blobs = new Map<string, BlobState>();
  if (revs.length === 0) return { findings: [], commits: 0, blobs: 0, bytes: 0 };

  let total = 0;
  let done = 0;
  let bytes = 0;
  let walking = true;
  let lastReport = 0;
  const report = (force = false) => {
    if (!opts.onProgress) return;
    const now = Date.now();
    if (!force && now - lastReport < 250) return;
    lastReport = now;
    opts.onProgress({ phase: walking ? 'history' : 'blobs', commits: parser.commits, blobsTotal: total, blobsDone: done, bytes });
  };

  const match = (st: BlobState, data: Buffer, rules: readonly ContentRule[]) => {
    const names = [...st.paths.keys()];
    if (!st.binary) {
      const wanted = rules.filter((r) => !r.paths || names.some((p) => r.paths!.test(p)));
      for (const r of wanted) if (r.paths) (st.evaluated ??= new Set()).add(r.id);
      const found = scanText(data, names, wanted, st.matches ?? []);
      st.matches = [...(st.matches ?? []), ...found];
    }
    if (st.head === undefined && names.some((p) => headRules.some((r) => r.path.test(p)))) st.head = data.subarray(0, HEAD_BYTES).toString('latin1');
  };

  const cat = new CatFileSession(git, gitDir, opts);
  const read = (sha: string, st: BlobState) =>
    cat.contents(
      sha,
      (data) => {
        if (opts.direct) total++;
        done++;
        bytes += data.length;
        st.scanned = true;
        st.binary = isBinary(data);
        match(st, data, contentRules);
        report();
      },
      () => (st.large = true),
    );
  const parser = new LogParser((sha, path, commit) => {
    let st = blobs.get(sha);
    if (!st) {
      const state: BlobState = { paths: new Map() };
      blobs.set(sha, (st = state));
      if (opts.direct) read(sha, state);
      else
        cat.info(sha, (info) => {
          if (!info || info.type !== 'blob') return;
          if (info.size > MAX_BLOB_BYTES) state.large = true;
          else {
            total++;
            read(sha, state);
          }
        });
    }
    const prev = st.paths.get(path);
    // log runs newest first: on equal times the later one seen is the older commit
    if (!prev || commit.at <= prev.commit.at) st.paths.set(path, { commit, path });
    report();
  });
  const walk = async (list: readonly string[]) => {
    const log = new Stage(git, ['--git-dir', gitDir, ...LOG_ARGS], opts, (c) => parser.feed(c));
    for (const r of list) log.write(r);
    log.end();
    await log.done;
  };
  try {
    try {
      await walk(revs);
    } catch (err) {
      // a rev that is gone (a force-pushed-away tip, collected since): peel what is left and walk again
      if (parser.commits > 0 || blobs.size > 0 || !(err instanceof GitError) || !/bad object|bad revision|unknown revision/.test(err.stderr)) throw err;
      const peeled: string[] = [];
      for (const r of revs) {
        const neg = r.startsWith('^');
        cat.info(`${neg ? r.slice(1) : r}^{commit}`, (info) => info && info.type === 'commit' && peeled.push(neg ? `^${info.sha}` : info.sha));
      }
      await cat.drained();
      if (peeled.some((r) => !r.startsWith('^'))) await walk(peeled);
    }
    parser.end();
    walking = false;
    await cat.drained();

    // blobs whose older paths call for a rule (or a first-bytes test) they weren't given: again
    for (const [sha, st] of blobs) {
      if (!st.scanned) continue;
      const names = [...st.paths.keys()];
      const missing = st.binary ? [] : pathRules.filter((r) => !st.evaluated?.has(r.id) && names.some((p) => r.paths!.test(p)));
      const needHead = st.head === undefined && names.some((p) => headRules.some((r) => r.path.test(p)));
      if (missing.length || needHead) cat.contents(sha, (data) => match(st, data, missing));
    }
    await cat.drained();
    cat.end();
    await cat.done;
  } catch (err) {
    cat.fail(err as Error);
    throw err;
  }
  report(true);

  const found = new Map<string, RawFinding>();
  const add = (f: Omit<RawFinding, 'commit'>, intro: Intro) => {
    const prev = found.get(f.fingerprint);
    if (!prev || intro.commit.at < prev.commit.at) found.set(f.fingerprint, { ...f, commit: intro.commit });
  };
  for (const [sha, st] of blobs) {
    if (!st.scanned && !st.large) continue;
    for (const intro of st.paths.values()) {
      for (const r of scanPath(intro.path, st.large ? null : (st.head ?? ''), fileRules))
        add({ ruleId: r.id, fingerprint: fingerprint(r.id, intro.path, ''), path: intro.path, line: 0, preview: null, blob: sha }, intro);
      for (const m of st.matches ?? []) {
        const rule = ruleOf.get(m.ruleId);
        if (rule?.paths && !rule.paths.test(intro.path)) continue;
        add({ ruleId: m.ruleId, fingerprint: fingerprint(m.ruleId, intro.path, m.secret), path: intro.path, line: m.line, preview: m.preview, blob: sha }, intro);
      }
    }
  }
  return { findings: [...found.values()], commits: parser.commits, blobs: total, bytes };
}
