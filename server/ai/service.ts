// Commit messages and pull request descriptions written by a local model. Off until an operator
// names an Ollama host and model. A suggestion is: the change's real diff (bounded) sent to the
// model, its answer streamed back as it comes, parsed, and checked against the complete diff so
// that it never claims what the change doesn't contain. A model that is slow, silent or talks
// nonsense costs the caller a clear error after the timeout, never a stuck dialog.
import type { Actor } from '../access/index.js';
import type { ChangeSetBody } from '../edits/index.js';
import type { CommitDiff } from '../git/diff.js';
import { AppError, Invalid, NotFound, TooManyRequests, Unavailable } from '../lib/errors.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { boundDiff } from './diff-budget.js';
import { chatStream, UpstreamGarbled, UpstreamRefused } from './ollama-client.js';
import { parseMessage, stripThinking } from './parse.js';
import { buildPrompt, type Material } from './prompt.js';
import { verifyMessage, type Evidence } from './verify.js';

export interface Suggestion {
  subject: string;
  body: string;
  /** Claims taken out because the change doesn't contain them. */
  removed: string[];
}

export interface SuggestOptions {
  /** Aborts the model's request (the HTTP client went away or cancelled). */
  signal?: AbortSignal;
  /** Each new piece of the answer as the model writes it (thinking left out). */
  onDelta?: (text: string) => void;
}

/** A change ready to be described: what the model reads and what its answer is checked against. */
export interface Prepared {
  material: Material;
  evidence: Evidence;
}

/** The caller went away; nobody reads the answer. */
export class SuggestionCancelled extends AppError {
  constructor() {
    super('invalid', 'the suggestion was cancelled', { status: 499 });
  }
}

const OFF_MESSAGE = 'commit messages from a local model are off: a site administrator sets the Ollama host and model (ai.ollamaHost, ai.model) in the console';
/** Characters of answer read at most; a model that rambles on is cut off there. */
const MAX_ANSWER_CHARS = 8000;
/** Suggestions one user may have running at once (a cancelled one ends at once). */
const PER_USER = 2;
const MAX_COMMITS = 50;

class Timeout extends Error {
  constructor(readonly what: 'first' | 'total') {
    super(what);
  }
}

function modelError(status: number, message: string): AppError {
  return new AppError('unavailable', message, { status });
}

export class AiService {
  private readonly running = new Map<number, number>();

  constructor(private readonly s: Services) {}

  /** Whether suggestions are on, and with which model. */
  status(): { enabled: boolean; model: string | null } {
    const host = this.s.settings.get('ai.ollamaHost');
    const model = this.s.settings.get('ai.model');
    return host && model ? { enabled: true, model } : { enabled: false, model: null };
  }

  /** Throws the 503 the API answers while no model is configured. */
  assertEnabled(): void {
    if (!this.status().enabled) throw Unavailable(OFF_MESSAGE);
  }

  /** A change set of the web editor (the body of POST …/contents), as its diff against the branch. */
  async commitMaterial(actor: Actor, rec: RepoRecord, body: ChangeSetBody): Promise<Prepared> {
    this.assertEnabled();
    const preview = await this.s.edits.preview(actor, rec, body);
    if (preview.diff.totalFiles === 0) throw Invalid('the change is empty: there is nothing to describe');
    const names = [`${rec.owner.name}/${rec.repo.name}`, preview.branch, body.branch ?? '', body.new_branch ?? ''];
    return {
      material: { kind: 'commit-message', repo: `${rec.owner.name}/${rec.repo.name}`, branch: preview.branch, excerpt: boundDiff(preview.diff), totals: totalsOf(preview.diff) },
      evidence: evidenceOf(preview.diff, names),
    };
  }

  /** What a pull request from `head` into `base` would bring: the diff from the merge base, and the commits. */
  async pullMaterial(actor: Actor, rec: RepoRecord, input: { base: string; head: string }): Promise<Prepared> {
    this.assertEnabled();
    const head = await this.s.pulls.resolveHead(actor, rec, input.head);
    const [baseSha, headSha] = await Promise.all([this.s.pulls.branchTip(rec, input.base), this.s.pulls.branchTip(head.rec, head.branch)]);
    if (!baseSha) throw NotFound(`branch "${input.base}" does not exist`);
    if (!headSha) throw NotFound(`branch "${head.branch}" does not exist`);
    const cmp = await this.s.pulls.compare(rec, head.rec, baseSha, headSha);
    if (!cmp.mergeBase || !cmp.diff) throw Invalid(`${input.head} and ${input.base} have no common history`);
    if (cmp.total === 0 || cmp.diff.totalFiles === 0) throw Invalid(`there are no changes between ${input.base} and ${input.head}`);
    const commits = cmp.commits.slice(0, MAX_COMMITS).map((c) => (c.message.split('\n')[0] ?? '').slice(0, 200));
    return {
      material: {
        kind: 'pull-description',
        repo: `${rec.owner.name}/${rec.repo.name}`,
        base: input.base,
        head: input.head,
        excerpt: boundDiff(cmp.diff),
        totals: totalsOf(cmp.diff),
        commits,
        totalCommits: cmp.total,
      },
      // what the commits say is theirs to say: a description may repeat it
      evidence: evidenceOf(cmp.diff, [`${rec.owner.name}/${rec.repo.name}`, input.base, input.head, head.branch, ...cmp.commits.map((c) => c.message)]),
    };
  }

  /** Asks the model, streams its answer to `onDelta`, and returns it checked against the change. */
  async suggest(actor: Actor, prepared: Prepared, opts: SuggestOptions = {}): Promise<Suggestion> {
    const host = this.s.settings.get('ai.ollamaHost');
    const model = this.s.settings.get('ai.model');
    if (!host || !model) throw Unavailable(OFF_MESSAGE);
    const userId = actor.kind === 'user' ? actor.user.id : 0;
    const mine = this.running.get(userId) ?? 0;
    if (mine >= PER_USER) throw TooManyRequests('you have suggestions being written already: wait for them or cancel one');
    this.running.set(userId, mine + 1);
    try {
      const raw = await this.ask(host, model, prepared.material, opts);
      return this.check(raw, prepared);
    } finally {
      const left = (this.running.get(userId) ?? 1) - 1;
      if (left > 0) this.running.set(userId, left);
      else this.running.delete(userId);
    }
  }

  private async ask(host: string, model: string, material: Material, opts: SuggestOptions): Promise<string> {
    const totalMs = this.s.settings.get('ai.timeoutSeconds') * 1000;
    // a model that is loaded answers within seconds; one still loading gets half the time to start
    const firstMs = Math.min(totalMs, Math.max(5000, totalMs / 2));
    const ac = new AbortController();
    const cancel = () => ac.abort(new SuggestionCancelled());
    if (opts.signal?.aborted) throw new SuggestionCancelled();
    opts.signal?.addEventListener('abort', cancel, { once: true });
    // with no first piece yet when time is up, the model never started
    const total = setTimeout(() => ac.abort(new Timeout(first ? 'first' : 'total')), totalMs);
    let first: NodeJS.Timeout | undefined = setTimeout(() => ac.abort(new Timeout('first')), firstMs);
    let raw = '';
    let shown = '';
    try {
      for await (const piece of chatStream({ host, model, messages: buildPrompt(material), signal: ac.signal })) {
        if (first) clearTimeout(first);
        first = undefined;
        raw += piece.text;
        const visible = stripThinking(raw).replace(/^\s+/, '');
        if (visible.length > shown.length && visible.startsWith(shown)) {
          opts.onDelta?.(visible.slice(shown.length));
          shown = visible;
        }
        if (raw.length >= MAX_ANSWER_CHARS) break;
      }
      if (ac.signal.aborted) throw ac.signal.reason;
      return raw;
    } catch (err) {
      throw this.failure(ac.signal.aborted ? ac.signal.reason : err, { host, model, totalMs, firstMs });
    } finally {
      clearTimeout(total);
      if (first) clearTimeout(first);
      opts.signal?.removeEventListener('abort', cancel);
    }
  }

  /** The error the caller gets for a failed request to the model; the log gets the detail. */
  private failure(err: unknown, c: { host: string; model: string; totalMs: number; firstMs: number }): AppError {
    if (err instanceof SuggestionCancelled) return err;
    if (err instanceof Timeout) {
      return err.what === 'first'
        ? modelError(504, `the model did not start answering within ${Math.round(c.firstMs / 1000)} s (it may still be loading: try again)`)
        : modelError(504, `the model did not finish within ${Math.round(c.totalMs / 1000)} s`);
    }
    this.s.log.warn({ err, host: c.host, model: c.model }, 'ai: the model request failed');
    if (err instanceof UpstreamGarbled) return modelError(502, `the model server's answer is not Ollama's: ${err.message}`);
    if (err instanceof UpstreamRefused) return modelError(502, err.message);
    const e = err as { name?: string; status_code?: number; error?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e?.name === 'ResponseError') return modelError(502, `the Ollama server answered ${e.status_code ?? 'an error'}: ${String(e.error ?? e.message ?? '').slice(0, 300)}`);
    if (e?.message === 'Did not receive done or success response in stream.') return modelError(502, 'the model stopped answering before it was done');
    if (e?.name === 'TypeError' && e.cause) return modelError(502, `could not reach the Ollama server at ${c.host}: ${e.cause.code ?? e.cause.message ?? 'connection failed'}`);
    return modelError(502, `the model request failed: ${String(e?.message ?? err).slice(0, 300)}`);
  }

  private check(raw: string, prepared: Prepared): Suggestion {
    if (!stripThinking(raw).trim()) throw modelError(502, 'the model answered nothing');
    const parsed = parseMessage(raw);
    if (!parsed) throw modelError(502, 'the model answered something that is not a message');
    // a commit body is wrapped at 72 columns as git wants; a description is Markdown, which wraps itself
    const verified = verifyMessage(parsed, prepared.evidence, { width: prepared.material.kind === 'commit-message' ? 72 : 0 });
    if (!verified.ok) throw new AppError('invalid', verified.reason, { details: { removed: verified.removed } });
    return { subject: verified.message.subject, body: verified.message.body, removed: verified.removed };
  }
}

function totalsOf(diff: CommitDiff) {
  return { files: diff.totalFiles, additions: diff.additions, deletions: diff.deletions };
}

/** The file list and patch text a message is checked against, with extra text it may quote. */
function evidenceOf(diff: CommitDiff, extra: string[]): Evidence {
  const paths = diff.files.flatMap((f) => (f.oldPath && f.oldPath !== f.path ? [f.path, f.oldPath] : [f.path]));
  const text = [...diff.files.map((f) => f.patch ?? ''), ...extra].join('\n');
  return { paths, text };
}
