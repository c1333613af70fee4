// The wiki of a repository: a bare git repository `<name>.wiki.git` beside the code, whose
// root `.md` files are its pages. Reads are plain git on that repository; every edit is one
// plumbing commit (a temporary index, never a working tree) moved onto the wiki's branch through
// the one ref-write path, compare-and-swap, so an edit based on a page someone changed since is
// refused rather than lost. The wiki exists once its first page is written (or first pushed).
import { KeyedQueue } from '../lib/keyed-queue.js';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Actor } from '../access/index.js';
import { GitError, runGit, type GitEnv } from '../git/command.js';
import { commitTree, type Signature } from '../git/merge.js';
import { ZERO_SHA } from '../git/ref-update.js';
import { repoConfig } from '../git/repo-store.js';
import { randomHex } from '../lib/crypto.js';
import { Conflict, Invalid, NotFound, Unauthorized } from '../lib/errors.js';
import { RefMovedError } from '../pushes/index.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { assertPageName, comparePages, fileOfName, FOOTER, nameOfFile, nameOfTitle, pageNameFrom, SIDEBAR, titleOfName } from './pages.js';

const SHA_RE = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
/** A page's markdown is read and written up to this size (Gitea's editor has no limit; the API's JSON body has one). */
export const PAGE_MAX_BYTES = 5 * 1024 * 1024;
/** Pages listed at most (a wiki is one flat folder; the API pages through them). */
const MAX_PAGES = 5000;
/** Edits retried when another edit of another page moved the branch meanwhile. */
const WRITE_ATTEMPTS = 3;
const COMMIT_FORMAT = '%H%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%cI%x1f%s';

export interface WikiCommit {
  sha: string;
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
  message: string;
}

export interface WikiPageMeta {
  /** The page name in URLs (file name without `.md`). */
  name: string;
  title: string;
  lastCommit: WikiCommit | null;
}

export interface WikiPage extends WikiPageMeta {
  content: Buffer;
  /** The page file's blob id: what an edit says it was based on. */
  sha: string;
  /** The commit the page was read at. */
  commit: string;
  commitCount: number;
  sidebar: Buffer | null;
  footer: Buffer | null;
}

export interface WikiSearchHit {
  name: string;
  title: string;
  /** Lines of the page that match (line number and text), at most a few. */
  lines: { line: number; text: string }[];
}

export interface WikiEdit {
  /** The page as it is named now (update, delete); absent to create. */
  name?: string;
  /** The title to write the page under (create; rename on update). */
  title?: string;
  content?: Buffer;
  message?: string;
  /** The page's blob id the editor started from: a page changed since is a 409. */
  baseSha?: string;
}

interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  file: string;
}

function parseCommit(fields: string[]): WikiCommit {
  const [sha, an, ae, ad, cn, ce, cd, subject] = fields;
  return { sha: sha!, author: { name: an!, email: ae!, date: ad! }, committer: { name: cn!, email: ce!, date: cd! }, message: subject ?? '' };
}

export class WikiService {
  /** One edit at a time per wiki, so edits of this server queue instead of racing each other. */
  private readonly queue = new KeyedQueue<string>();

  constructor(private readonly s: Services) {}

  private get git(): GitEnv {
    return this.s.git;
  }

  dir(rec: RepoRecord): string {
    return this.s.store.wikiDir({ owner: rec.owner.name, name: rec.repo.name });
  }

  async exists(rec: RepoRecord): Promise<boolean> {
    return stat(path.join(this.dir(rec), 'HEAD')).then(
      (st) => st.isFile(),
      () => false,
    );
  }

  /**
   * Creates the wiki repository if there is none: a bare repository with the code repository's
   * server-owned hooks and config, made in scratch space and renamed into place (two writers
   * racing to create it end with one, whole).
   */
  async ensure(rec: RepoRecord): Promise<string> {
    const dir = this.dir(rec);
    if (await this.exists(rec)) return dir;
    const codeDir = this.s.store.dir({ owner: rec.owner.name, name: rec.repo.name });
    // the wiki runs the very hooks its code repository runs (they tell the two apart by GITSSY_WIKI)
    const hooks = (await runGit(this.git, ['--git-dir', codeDir, 'config', '--get', 'core.hooksPath'])).stdout.toString().trim();
    const tmpRoot = this.s.store.paths.tmpDir();
    await mkdir(tmpRoot, { recursive: true });
    const tmp = path.join(tmpRoot, `wiki-${randomHex(8)}`);
    try {
      await runGit(this.git, ['init', '--bare', '--quiet', `--initial-branch=${rec.repo.default_branch || 'main'}`, '--', tmp]);
      for (const [key, value] of repoConfig(hooks)) await runGit(this.git, ['--git-dir', tmp, 'config', key, value]);
      await rename(tmp, dir);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      if (await this.exists(rec)) return dir;
      throw err;
    }
    this.s.log.info({ repo: `${rec.owner.name}/${rec.repo.name}` }, 'wiki created');
    return dir;
  }

  /** The wiki's branch (HEAD's) and its tip; tip is null for a wiki with no pages yet. */
  private async head(dir: string): Promise<{ ref: string; tip: string | null }> {
    const ref = (await runGit(this.git, ['--git-dir', dir, 'symbolic-ref', '-q', 'HEAD'], { okExitCodes: [1] })).stdout.toString().trim() || 'refs/heads/main';
    const r = await runGit(this.git, ['--git-dir', dir, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { okExitCodes: [1] });
    const tip = r.code === 0 ? r.stdout.toString().trim() : null;
    return { ref, tip };
  }

  /** The tip of a wiki that has pages; 404 "wiki has no pages yet" otherwise. */
  private async tipOf(rec: RepoRecord): Promise<{ dir: string; ref: string; tip: string }> {
    if (!(await this.exists(rec))) throw NotFound('the wiki has no pages yet');
    const dir = this.dir(rec);
    const { ref, tip } = await this.head(dir);
    if (!tip) throw NotFound('the wiki has no pages yet');
    return { dir, ref, tip };
  }

  /** The root entries of a commit's tree (pages are never in folders). */
  private async tree(dir: string, commit: string): Promise<TreeEntry[]> {
    const { stdout } = await runGit(this.git, ['--git-dir', dir, 'ls-tree', '-z', commit], { maxOutputBytes: 64 * 1024 * 1024 });
    const entries: TreeEntry[] = [];
    for (const rec of stdout.toString('utf8').split('\0')) {
      const tab = rec.indexOf('\t');
      if (tab < 0) continue;
      const [mode, type, sha] = rec.slice(0, tab).split(' ');
      entries.push({ mode: mode!, type: type!, sha: sha!, file: rec.slice(tab + 1) });
    }
    return entries;
  }

  /** Regular files that are pages (special pages included), by page name. */
  private pages(entries: TreeEntry[]): Map<string, TreeEntry> {
    const pages = new Map<string, TreeEntry>();
    for (const e of entries) {
      const name = e.type === 'blob' && (e.mode === '100644' || e.mode === '100755') ? nameOfFile(e.file) : null;
      if (name !== null) pages.set(name, e);
    }
    return pages;
  }

  private async blob(dir: string, sha: string): Promise<Buffer> {
    return (await runGit(this.git, ['--git-dir', dir, 'cat-file', 'blob', sha], { maxOutputBytes: PAGE_MAX_BYTES })).stdout;
  }

  /** The last commit that touched each of `files`, in one walk of the history (stops once all are found). */
  private async lastCommits(dir: string, tip: string, files: string[]): Promise<Map<string, WikiCommit>> {
    const found = new Map<string, WikiCommit>();
    if (files.length === 0) return found;
    const want = new Set(files);
    const { stdout } = await runGit(this.git, ['--git-dir', dir, 'log', '-z', '--name-only', '--no-renames', `--format=%x1e${COMMIT_FORMAT}`, tip, '--', ':(glob)*.md'], {
      maxOutputBytes: 64 * 1024 * 1024,
    });
    for (const record of stdout.toString('utf8').split('\x1e')) {
      if (!record) continue;
      const nul = record.indexOf('\0');
      const commit = parseCommit(record.slice(0, nul < 0 ? undefined : nul).split('\x1f'));
      for (const f of (nul < 0 ? '' : record.slice(nul + 1)).split('\0')) {
        const file = f.replace(/^\n/, '');
        if (want.has(file) && !found.has(file)) found.set(file, commit);
      }
      if (found.size === want.size) break;
    }
    return found;
  }

  /** Every page but the sidebar and footer: Home first, then by title. Empty for a wiki with no pages. */
  async list(rec: RepoRecord): Promise<WikiPageMeta[]> {
    if (!(await this.exists(rec))) return [];
    const dir = this.dir(rec);
    const { tip } = await this.head(dir);
    if (!tip) return [];
    const pages = [...this.pages(await this.tree(dir, tip)).keys()].filter((n) => n !== SIDEBAR && n !== FOOTER).slice(0, MAX_PAGES);
    const last = await this.lastCommits(dir, tip, pages.map(fileOfName));
    return pages.map((name) => ({ name, title: titleOfName(name), lastCommit: last.get(fileOfName(name)) ?? null })).sort(comparePages);
  }

  /** One page, at the branch tip or at an older commit of the wiki (`at`, a full commit id). */
  async get(rec: RepoRecord, rawName: string, at?: string): Promise<WikiPage> {
    const name = pageNameFrom(rawName);
    const { dir, tip } = await this.tipOf(rec);
    let commit = tip;
    if (at !== undefined) {
      if (!SHA_RE.test(at)) throw Invalid('ref must be a full commit id from the page history');
      const r = await runGit(this.git, ['--git-dir', dir, 'rev-parse', '--verify', '--quiet', `${at}^{commit}`], { okExitCodes: [1] });
      if (r.code !== 0) throw NotFound(`no commit ${at} in the wiki`);
      commit = r.stdout.toString().trim();
    }
    const pages = this.pages(await this.tree(dir, commit));
    const entry = pages.get(name);
    if (!entry) throw NotFound(`wiki page "${titleOfName(name)}" not found`);
    const file = fileOfName(name);
    const [content, sidebar, footer, last, count] = await Promise.all([
      this.blob(dir, entry.sha),
      pages.get(SIDEBAR) && name !== SIDEBAR ? this.blob(dir, pages.get(SIDEBAR)!.sha) : null,
      pages.get(FOOTER) && name !== FOOTER ? this.blob(dir, pages.get(FOOTER)!.sha) : null,
      this.lastCommits(dir, commit, [file]),
      runGit(this.git, ['--git-dir', dir, 'rev-list', '--count', commit, '--', file]),
    ]);
    return { name, title: titleOfName(name), content, sha: entry.sha, commit, commitCount: Number(count.stdout.toString().trim()) || 0, sidebar, footer, lastCommit: last.get(file) ?? null };
  }

  /** A file at the wiki's root as pushed (an image a page shows), or null; never more than 10 MiB. */
  async rawFile(rec: RepoRecord, file: string): Promise<Buffer | null> {
    if (!file || file.length > 255 || file.includes('/') || file.startsWith('.')) return null;
    if (!(await this.exists(rec))) return null;
    const dir = this.dir(rec);
    const { tip } = await this.head(dir);
    if (!tip) return null;
    const entry = (await this.tree(dir, tip)).find((e) => e.file === file && e.type === 'blob' && e.mode !== '120000');
    if (!entry) return null;
    return (await runGit(this.git, ['--git-dir', dir, 'cat-file', 'blob', entry.sha], { maxOutputBytes: 10 * 1024 * 1024 })).stdout;
  }

  /** The commits that changed a page, newest first. */
  async revisions(rec: RepoRecord, rawName: string, page: number, limit: number): Promise<{ commits: WikiCommit[]; count: number }> {
    const name = pageNameFrom(rawName);
    const { dir, tip } = await this.tipOf(rec);
    const file = fileOfName(name);
    const count = Number((await runGit(this.git, ['--git-dir', dir, 'rev-list', '--count', tip, '--', file])).stdout.toString().trim()) || 0;
    if (count === 0) throw NotFound(`wiki page "${titleOfName(name)}" not found`);
    const { stdout } = await runGit(this.git, ['--git-dir', dir, 'log', '-z', `--format=${COMMIT_FORMAT}`, `--skip=${(page - 1) * limit}`, `--max-count=${limit}`, tip, '--', file]);
    const commits = stdout
      .toString('utf8')
      .split('\0')
      .filter(Boolean)
      .map((r) => parseCommit(r.replace(/^\n/, '').split('\x1f')));
    return { commits, count };
  }

  /**
   * The unified diff of a page between two commits of the wiki; without `from`, what `to`
   * changed in it (against its parent, or everything for the first commit).
   */
  async diff(rec: RepoRecord, rawName: string, to: string, from?: string): Promise<string> {
    const name = pageNameFrom(rawName);
    const { dir } = await this.tipOf(rec);
    for (const c of [to, from]) if (c !== undefined && !SHA_RE.test(c)) throw Invalid('revisions must be full commit ids from the page history');
    const file = fileOfName(name);
    const args = from
      ? ['--git-dir', dir, 'diff', '--no-color', '--no-ext-diff', '--no-renames', from, to, '--', file]
      : ['--git-dir', dir, 'show', '--format=', '--no-color', '--no-ext-diff', '--no-renames', to, '--', file];
    try {
      return (await runGit(this.git, args, { maxOutputBytes: 4 * PAGE_MAX_BYTES })).stdout.toString('utf8');
    } catch (err) {
      if (err instanceof GitError && /bad (object|revision)|unknown revision|invalid object/i.test(err.stderr)) throw NotFound('no such revision in the wiki');
      throw err;
    }
  }

  /** Pages whose title or text contains `q` (case-insensitive), titles first, at the branch tip. */
  async search(rec: RepoRecord, q: string, limit: number): Promise<WikiSearchHit[]> {
    const needle = q.trim();
    if (!needle) return [];
    if (/[\n\r\0]/.test(needle)) throw Invalid('q: one line of text');
    if (!(await this.exists(rec))) return [];
    const dir = this.dir(rec);
    const { tip } = await this.head(dir);
    if (!tip) return [];
    const names = [...this.pages(await this.tree(dir, tip)).keys()].filter((n) => n !== SIDEBAR && n !== FOOTER);
    const hits = new Map<string, WikiSearchHit>();
    const lower = needle.toLowerCase();
    for (const name of names.sort((a, b) => comparePages({ name: a, title: titleOfName(a) }, { name: b, title: titleOfName(b) }))) {
      if (titleOfName(name).toLowerCase().includes(lower)) hits.set(name, { name, title: titleOfName(name), lines: [] });
    }
    // the pattern goes in on stdin (-f -): nothing the user typed ever reaches git's argv
    const r = await runGit(this.git, ['--git-dir', dir, 'grep', '-z', '-n', '-i', '-F', '-I', '--max-count=3', '-f', '-', tip, '--', ':(glob)*.md'], {
      input: `${needle}\n`,
      okExitCodes: [1],
      maxOutputBytes: 16 * 1024 * 1024,
    });
    for (const line of r.stdout.toString('utf8').split('\n')) {
      const [where, no, ...text] = line.split('\0');
      if (!where || no === undefined) continue;
      const name = nameOfFile(where.slice(tip.length + 1));
      if (name === null || name === SIDEBAR || name === FOOTER) continue;
      const hit = hits.get(name) ?? { name, title: titleOfName(name), lines: [] };
      hit.lines.push({ line: Number(no), text: text.join('\0').slice(0, 300) });
      hits.set(name, hit);
    }
    return [...hits.values()].slice(0, limit);
  }

  /**
   * Creates, updates (and renames) or deletes one page as one commit by the actor. Everything
   * is checked before anything is written: a bad name or content is a 422 with the wiki as it
   * was (not even created).
   */
  async write(actor: Actor, rec: RepoRecord, op: 'create' | 'update' | 'delete', edit: WikiEdit): Promise<{ name: string; commit: string | null }> {
    if (actor.kind !== 'user') throw Unauthorized();
    const current = edit.name !== undefined ? pageNameFrom(edit.name) : null;
    let target: string | null = null;
    if (op !== 'delete') {
      if (edit.title !== undefined && edit.title.trim() !== '') {
        assertPageName(edit.title.trim());
        target = nameOfTitle(edit.title);
      } else target = current;
      if (target === null) throw Invalid('title is required');
    }
    if (edit.content && edit.content.length > PAGE_MAX_BYTES) throw Invalid(`content is larger than ${PAGE_MAX_BYTES} bytes`);
    if (edit.baseSha !== undefined && !SHA_RE.test(edit.baseSha)) throw Invalid('sha must be the page blob id you started from');
    const user = await this.s.users.byId(actor.user.id);
    if (!user) throw Unauthorized();
    const sig: Signature = { name: user.full_name || user.name, email: user.email, when: Math.floor(Date.now() / 1000) };
    const verb = op === 'create' ? 'Add' : op === 'delete' ? 'Delete' : current !== target ? 'Rename' : 'Update';
    const message = edit.message?.trim() ? edit.message.trim() : `${verb} '${titleOfName(current ?? target!)}'${verb === 'Rename' ? ` to '${titleOfName(target!)}'` : ''}`;

    if (op !== 'create' && !(await this.exists(rec))) throw NotFound('the wiki has no pages yet');
    const dir = op === 'create' ? await this.ensure(rec) : this.dir(rec);
    return this.serial(dir, async () => {
      // what the page was when this request first read it: later attempts must find it unchanged
      let seen: string | null | undefined;
      for (let attempt = 1; ; attempt++) {
        const { ref, tip } = await this.head(dir);
        const entries = tip ? await this.tree(dir, tip) : [];
        const pages = this.pages(entries);
        const now = current !== null ? (pages.get(current)?.sha ?? null) : null;
        if (op !== 'create' && now === null) throw NotFound(`wiki page "${titleOfName(current!)}" not found`);
        if (edit.baseSha !== undefined && now !== edit.baseSha) {
          throw Conflict(`wiki page "${titleOfName(current!)}" was changed by someone else since you started editing; nothing was saved — reload it, reapply your changes and save again`);
        }
        if (seen !== undefined && now !== seen) throw Conflict(`wiki page "${titleOfName(current!)}" was changed by someone else while this edit was saved; nothing was saved — reload and try again`);
        seen = now;
        if (target !== null && target !== current) {
          // one file per page whatever the case: Home.md and home.md would collide on Windows and macOS
          const clash = [...pages.keys()].find((n) => n !== current && n.toLowerCase() === target!.toLowerCase());
          if (clash !== undefined) throw Conflict(`a wiki page "${titleOfName(clash)}" already exists`);
        }
        const changes: { file: string; content: Buffer | null }[] = [];
        if (op === 'delete') changes.push({ file: fileOfName(current!), content: null });
        else {
          const content = edit.content ?? (now ? await this.blob(dir, now) : Buffer.alloc(0));
          if (current !== null && current !== target) changes.push({ file: fileOfName(current), content: null });
          changes.push({ file: fileOfName(target!), content });
        }
        const tree = await this.writeTree(dir, tip, changes);
        if (tip && tree === (await this.treeOf(dir, tip))) return { name: target ?? current!, commit: tip };
        const commit = await commitTree(this.git, dir, tree, tip ? [tip] : [], `${message}\n`, sig, sig);
        try {
          await this.s.refs.writeWiki({
            repo: { id: rec.repo.id, owner: rec.owner.name, name: rec.repo.name, dir, size: rec.repo.size },
            actor: { id: actor.user.id, isSiteAdmin: actor.user.isAdmin },
            updates: [{ ref, oldSha: tip ?? ZERO_SHA, newSha: commit }],
            message: `wiki: ${message.split('\n')[0]}`,
          });
          return { name: target ?? current!, commit };
        } catch (err) {
          // a push (or another server) moved the branch: go again on top of it, unless this page moved too
          if (err instanceof RefMovedError && attempt < WRITE_ATTEMPTS) continue;
          if (err instanceof RefMovedError) throw Conflict('the wiki kept changing while this edit was saved; nothing was saved — try again');
          throw err;
        }
      }
    });
  }

  private async treeOf(dir: string, commit: string): Promise<string> {
    return (await runGit(this.git, ['--git-dir', dir, 'rev-parse', `${commit}^{tree}`])).stdout.toString().trim();
  }

  /** `tip`'s tree with the files changed (null content: removed), through a temporary index. */
  private async writeTree(dir: string, tip: string | null, changes: { file: string; content: Buffer | null }[]): Promise<string> {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'gitssy-wiki-'));
    const env = { GIT_INDEX_FILE: path.join(scratch, 'index') };
    try {
      await runGit(this.git, tip ? ['--git-dir', dir, 'read-tree', tip] : ['--git-dir', dir, 'read-tree', '--empty'], { env });
      // paths go in on stdin (--index-info): a page name never reaches git's argv
      const lines: string[] = [];
      for (const c of changes) {
        if (c.content === null) lines.push(`0 ${ZERO_SHA}\t${c.file}`);
        else {
          const sha = (await runGit(this.git, ['--git-dir', dir, 'hash-object', '-w', '--no-filters', '--stdin'], { input: c.content })).stdout.toString().trim();
          lines.push(`100644 ${sha}\t${c.file}`);
        }
      }
      await runGit(this.git, ['--git-dir', dir, 'update-index', '-z', '--index-info'], { env, input: lines.map((l) => `${l}\0`).join('') });
      return (await runGit(this.git, ['--git-dir', dir, 'write-tree'], { env })).stdout.toString().trim();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.queue.run(key, fn);
  }
}
