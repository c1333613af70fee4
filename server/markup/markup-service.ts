// Rendered views of repository files for the browser UI: a directory's README as HTML, a file's
// markdown rendering and highlighted source. Blobs never change, so results are cached by blob id
// (plus what the links in them depend on) in one byte-bounded LRU; a warm tree view costs a map
// lookup and no git round trip. Misses render in worker threads under a time budget (renderer.ts),
// so the event loop serving git and the API never waits on a document.
import { createHash } from 'node:crypto';
import { readBlob, type Blob } from '../git/blob.js';
import type { TreeView } from '../git/browse-service.js';
import type { GitRepo } from '../git/cat-file-pool.js';
import type { GitReadContext } from '../git/read-context.js';
import { resolveRefPrefix, type RefKind, type ResolvedRef } from '../git/refs.js';
import { cleanTreePath, type TreeEntry } from '../git/tree.js';
import { NotFound } from '../lib/errors.js';
import { ByteLru } from './byte-lru.js';
import { isMarkdownFile, languageFor, MARKDOWN_MAX_BYTES, preformatted, type Highlighted } from './files.js';
import type { RepoLinkContext } from './links.js';
import { MarkupRenderer, type Rendered, type RendererOptions } from './renderer.js';

/** Plain-text READMEs (README, README.txt …) are shown preformatted up to this size. */
const PLAIN_README_MAX_BYTES = 1024 * 1024;

export interface FileRendering {
  /** highlight.js language from the file name (or `#!` line); null when unknown. */
  language: string | null;
  lineCount: number;
  /** Sanitized highlighted source, one line per `\n`; null when unknown language or too large. */
  highlightedHtml: string | null;
  /** Markdown files: the sanitized rendering; null otherwise or when too large. */
  renderedHtml: string | null;
}

export interface TreeRendering {
  readmeHtml: string | null;
  file: FileRendering | null;
}

export interface MarkupOptions extends RendererOptions {
  /** Bytes of rendered HTML kept in memory (default 64 MiB). */
  cacheBytes?: number;
  /** Renders misses (default: a worker pool of its own, from the other options). */
  renderer?: MarkupRenderer;
}

/** A repository as far as rendering is concerned: where to read it and how its URLs are spelled. */
export interface MarkupRepo extends GitRepo {
  owner: string;
  name: string;
}

const NONE = Symbol('none');
type Cached = string | Highlighted | typeof NONE;

export class MarkupService {
  private readonly cache: ByteLru<Cached>;
  /** Renders under way, so concurrent misses for one key render once. */
  private readonly pending = new Map<string, Promise<Cached>>();
  readonly renderer: MarkupRenderer;
  /** What the cache saved and spent, for tests and the bench (joining a render under way is a hit). */
  readonly stats = { hits: 0, misses: 0 };

  constructor(
    private readonly read: GitReadContext,
    opts: MarkupOptions = {},
  ) {
    this.cache = new ByteLru(opts.cacheBytes ?? 64 * 1024 * 1024);
    this.renderer = opts.renderer ?? new MarkupRenderer(opts);
  }

  /** Ends the render workers (they never keep the process alive, but tests and shutdown tidy up). */
  close(): Promise<void> {
    return this.renderer.close();
  }

  /** The cached value for `key`, or `make`'s, kept unless it is a stand-in for a busy or closed pool. */
  private async cached<T extends Cached>(key: string, make: () => Promise<Rendered<T>>, size: (v: T) => number): Promise<T> {
    const hit = this.cache.get(key) ?? this.pending.get(key);
    if (hit !== undefined) {
      this.stats.hits++;
      return (await hit) as T;
    }
    this.stats.misses++;
    const rendering = make().then((r) => {
      if (r.cacheable) this.cache.set(key, r.value, size(r.value));
      return r.value;
    });
    this.pending.set(key, rendering);
    try {
      return await rendering;
    } finally {
      this.pending.delete(key);
    }
  }

  private static linksKey(l: RepoLinkContext | null): string {
    return l ? [l.owner, l.repo, l.refKind, l.ref, l.dir, l.issueRefs ? 'refs' : '', l.wiki ? 'wiki' : ''].join('\0') : '';
  }

  /**
   * Where links go for a document rendered "at" `<ref>/<path>` in a repository (the /markdown
   * API's context): the default branch's root without segments; the ref may contain slashes;
   * with `isFile` the last segment is the document itself. 404 when there is no such ref.
   */
  async linksAt(repo: MarkupRepo & { defaultBranch: string }, segments: string[], opts: { kind?: RefKind; isFile: boolean }): Promise<RepoLinkContext> {
    if (segments.length === 0) return { owner: repo.owner, repo: repo.name, refKind: 'branch', ref: repo.defaultBranch, dir: '' };
    const split = await this.read.pool.lease(repo, () => resolveRefPrefix(this.read, repo, segments, opts.kind));
    if (!split) throw NotFound(`no ${opts.kind ?? 'branch, tag or commit'} "${segments.join('/')}" in ${repo.owner}/${repo.name}`);
    const rest = cleanTreePath(split.rest).split('/').filter(Boolean);
    if (opts.isFile) rest.pop();
    return linkContext(repo, split.ref, rest.join('/'));
  }

  /**
   * Markdown from a client (the /markdown API, a post), cached by its text and link context;
   * `mentions`: text outside a repository whose `@user` and `owner/repo#12` become links.
   */
  async markdown(text: string, links: RepoLinkContext | null, opts: { mentions?: boolean } = {}): Promise<string | null> {
    const key = `api\0${createHash('sha256').update(text).digest('hex')}\0${MarkupService.linksKey(links)}\0${opts.mentions ? 'm' : ''}`;
    const html = await this.cached<Cached>(key, () => this.renderMarkdown(text, links, opts), htmlBytes);
    return html === NONE ? null : (html as string);
  }

  private async renderMarkdown(text: string | Buffer, links: RepoLinkContext | null, opts: { mentions?: boolean } = {}): Promise<Rendered<Cached>> {
    const r = await this.renderer.markdown(text, links, opts);
    return { ...r, value: r.value ?? NONE };
  }

  /**
   * A directory's README as sanitized HTML: markdown rendered with links resolving in the
   * directory, other text preformatted; null for binary, LFS or too large files.
   */
  async readmeHtml(repo: MarkupRepo, ref: ResolvedRef, dir: string, readme: TreeEntry): Promise<string | null> {
    const markdown = isMarkdownFile(readme.name);
    const max = markdown ? MARKDOWN_MAX_BYTES : PLAIN_README_MAX_BYTES;
    if (readme.type !== 'file' || (readme.size ?? 0) > max) return null;
    const links = linkContext(repo, ref, dir);
    const key = `readme\0${readme.sha}\0${markdown ? 'md' : 'txt'}\0${MarkupService.linksKey(markdown ? links : null)}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.stats.hits++;
      return hit === NONE ? null : (hit as string);
    }
    const blob = await readBlob(this.read, repo, readme.sha, max);
    const html = await this.cached<Cached>(key, () => this.renderReadme(blob, markdown, links), htmlBytes);
    return html === NONE ? null : (html as string);
  }

  private async renderReadme(blob: Blob | null, markdown: boolean, links: RepoLinkContext): Promise<Rendered<Cached>> {
    if (!blob?.content || blob.binary || blob.lfs) return { value: NONE, cacheable: true, fellBack: null };
    if (markdown) return this.renderMarkdown(blob.content, links);
    // plain text is only escaped (linear, no parser): no worker needed
    return { value: preformatted(blob.content.toString('utf8')), cacheable: true, fellBack: null };
  }

  /** What the tree view adds to what git said: the README's HTML for a directory, the renderings for a file. */
  async treeView(repo: MarkupRepo, view: TreeView): Promise<TreeRendering> {
    const readmeHtml = view.readme ? await this.readmeHtml(repo, view.ref, view.entry.path, view.readme) : null;
    const file = view.blob ? await this.fileRendering(repo, view.ref, view.entry, view.blob) : null;
    return { readmeHtml, file };
  }

  /** A file's highlighted source and (for markdown) its rendering; null for binary or unread blobs. */
  async fileRendering(repo: MarkupRepo, ref: ResolvedRef, entry: TreeEntry, blob: Blob): Promise<FileRendering | null> {
    if (!blob.content || blob.binary || blob.lfs) return null;
    const text = blob.content.toString('utf8');
    const language = languageFor(entry.name, blob.head.subarray(0, 256).toString('latin1'));
    const highlighting = this.cached<Cached>(
      `hl\0${blob.sha}\0${language ?? ''}`,
      () => this.renderer.highlight(text, language),
      (h) => htmlBytes((h as Highlighted).html ?? ''),
    );
    let rendering: Promise<Cached> = Promise.resolve(NONE);
    if (isMarkdownFile(entry.name)) {
      const slash = entry.path.lastIndexOf('/');
      const links = linkContext(repo, ref, slash < 0 ? '' : entry.path.slice(0, slash));
      rendering = this.cached<Cached>(`md\0${blob.sha}\0${MarkupService.linksKey(links)}`, () => this.renderMarkdown(text, links), htmlBytes);
    }
    const [highlighted, rendered] = (await Promise.all([highlighting, rendering])) as [Highlighted, Cached];
    return { language: highlighted.language, lineCount: highlighted.lines, highlightedHtml: highlighted.html, renderedHtml: rendered === NONE ? null : (rendered as string) };
  }
}

function htmlBytes(v: unknown): number {
  return typeof v === 'string' ? v.length * 2 : 0;
}

export function linkContext(repo: MarkupRepo, ref: ResolvedRef, dir: string): RepoLinkContext {
  return { owner: repo.owner, repo: repo.name, refKind: ref.kind, ref: ref.kind === 'commit' ? ref.commit : ref.name, dir };
}
