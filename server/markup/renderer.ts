// Rendering off the main thread, with a stand-in for every failure: markdown and highlighting run
// in the worker pool under a time budget, so a hostile document (micromark is quadratic in nested
// `[`, markdown-it in some others) costs at most its budget of one worker's time. Markdown that
// runs out falls back to markdown-it (raw HTML off) in a fresh worker with a budget of its own,
// then to the text escaped in a <pre>; highlighting that runs out leaves the file plain text.
import { countLines, markdownText, notHighlighted, preformatted, type Highlighted } from './files.js';
import type { RepoLinkContext } from './links.js';
import { MARKDOWN_IT_NOTE, type HighlightTask, type MarkdownTask } from './render-tasks.js';
import { WorkerPool, workerScript, type FailReason, type Outcome } from './worker-pool.js';
import { compiledServerFile, sourceServerFile } from '../lib/paths.js';

export interface RenderBudgets {
  /** The full markdown pipeline (default 2 s). */
  markdownMs: number;
  /** markdown-it after the full pipeline ran out or crashed, in a fresh (cold) worker (default 2 s). */
  fallbackMs: number;
  /** Highlighting one file (default 1 s). */
  highlightMs: number;
}

export const DEFAULT_BUDGETS: RenderBudgets = { markdownMs: 2_000, fallbackMs: 2_000, highlightMs: 1_000 };

export interface RendererOptions {
  /** Worker threads (default: one per spare core, at most 2, at least 1). */
  workers?: number;
  /** An idle worker exits after this long (default 2 minutes). */
  idleMs?: number;
  budgets?: Partial<RenderBudgets>;
  /** Told when a render falls back, with why (a timeout names a hostile or huge document). */
  onFallback?: (e: { kind: 'markdown' | 'highlight'; reason: FailReason; message: string; bytes: number }) => void;
}

/** A rendering, and whether it may be cached: a stand-in because the pool was busy or closed may not. */
export interface Rendered<T> {
  value: T;
  cacheable: boolean;
  /** Why this is a stand-in for the real rendering; null when it is the real one. */
  fellBack: FailReason | null;
}

// the worker is tsc's dist/server/markup/render-worker.js (also when this module runs from the
// one-file bundle); vitest runs the .ts sources, whose worker gets the TypeScript hooks (see workerScript)
const RENDER_WORKER = workerScript(compiledServerFile('markup/render-worker.js'), sourceServerFile('markup/render-worker.ts'), import.meta.url.endsWith('.ts'));

/** Heap per worker: far above any document we render, low enough that a blow-up kills only the worker. */
const WORKER_HEAP_MB = 512;

const transient = (r: FailReason) => r === 'busy' || r === 'closed';

export class MarkupRenderer {
  readonly pool: WorkerPool;
  readonly budgets: RenderBudgets;

  constructor(private readonly opts: RendererOptions = {}) {
    this.budgets = { ...DEFAULT_BUDGETS, ...opts.budgets };
    this.pool = new WorkerPool({ script: RENDER_WORKER, size: opts.workers, idleMs: opts.idleMs, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
  }

  /** Markdown to sanitized HTML; null above the size cap (or when no engine could render it at all). */
  async markdown(input: string | Buffer, links: RepoLinkContext | null, opts: { mentions?: boolean } = {}): Promise<Rendered<string | null>> {
    const text = markdownText(input);
    if (text === null) return { value: null, cacheable: true, fellBack: null };
    const task: MarkdownTask = { text, links, mentions: opts.mentions };
    let markdownItRan = false;
    const first = await this.pool.run<string | null>('markdown', task, {
      budgetMs: this.budgets.markdownMs,
      onNote: (n) => (markdownItRan ||= n === MARKDOWN_IT_NOTE),
    });
    if (first.ok) return { value: first.value, cacheable: true, fellBack: null };
    this.fellBack('markdown', first, text);
    if (transient(first.reason)) return { value: preformatted(text), cacheable: false, fellBack: first.reason };
    if (!markdownItRan) {
      const second = await this.pool.run<string | null>('markdown-it', task, { budgetMs: this.budgets.fallbackMs });
      if (second.ok) return { value: second.value, cacheable: true, fellBack: first.reason };
      this.fellBack('markdown', second, text);
      if (transient(second.reason)) return { value: preformatted(text), cacheable: false, fellBack: second.reason };
    }
    return { value: preformatted(text), cacheable: true, fellBack: first.reason };
  }

  /** A file's text highlighted; html null when it isn't (unknown language, too large, or over budget). */
  async highlight(text: string, language: string | null): Promise<Rendered<Highlighted>> {
    const plain = notHighlighted(text, language);
    if (plain || !language) return { value: plain ?? { language, html: null, lines: countLines(text) }, cacheable: true, fellBack: null };
    const r = await this.pool.run<Highlighted>('highlight', { text, language } satisfies HighlightTask, { budgetMs: this.budgets.highlightMs });
    if (r.ok) return { value: r.value, cacheable: true, fellBack: null };
    this.fellBack('highlight', r, text);
    return { value: { language, html: null, lines: countLines(text) }, cacheable: !transient(r.reason), fellBack: r.reason };
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private fellBack(kind: 'markdown' | 'highlight', r: Outcome<unknown> & { ok: false }, text: string): void {
    this.opts.onFallback?.({ kind, reason: r.reason, message: r.message, bytes: Buffer.byteLength(text) });
  }
}
