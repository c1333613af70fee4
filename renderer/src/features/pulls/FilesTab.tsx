// The Files changed tab: the commit page's diff (unified or split) for the pull request, plus the
// review: a "+" on each line (old side and new side) opens a comment form under it, shift-click
// on a second line of the same side makes it a range; "Add single comment" posts at once,
// "Start a review"/"Add review comment" gathers it in your pending review until the Review
// dropdown submits it. Threads sit under their line on their side, with replies and
// Resolve/Unresolve. "Viewed" marks a file (until it changes again) and collapses it.
import { useNavigate, useSearch } from '@tanstack/react-router';
import { memo, useCallback, useMemo, useRef, useState, type FormEvent, type MutableRefObject } from 'react';
import { Button, EmptyState, ErrorState, FormError, Loading, Notice, Panel, buttonClass } from '../../components/ui';
import { DiffFile, type DiffSide, type DiffStyle, type LineDecor } from '../history/DiffFile';
import h from '../history/History.module.css';
import type { FileDiff } from '../history/types';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser } from '../session/api';
import { pullDiffUrl, useAddLineComment, useLineComments, usePullFiles, useReviews, useSetViewed } from './api';
import { MarkdownBox, StyleToggle } from './bits';
import { initialCollapsed, rememberStyle, storedStyle, toFileDiff } from './diff';
import { PullLayout, usePullContext } from './PullLayout';
import { FilePlaceholder, fileHeight, renderedLines, useHeldBack, useRenderedCount } from './progressive';
import { ReviewMenu } from './ReviewMenu';
import { Thread, lineLabel, threadsOf, type ThreadData } from './Thread';
import s from './Pulls.module.css';

/** Where a comment is being written (its text lives in a ref, so typing re-renders only the form). */
interface Draft {
  path: string;
  side: DiffSide;
  line: number;
  start: number | null;
}

const at = (side: DiffSide, line: number) => `${side}:${line}`;

export function FilesPage() {
  return (
    <PullLayout>
      <FilesTab />
    </PullLayout>
  );
}

function FilesTab() {
  const repo = useRepoContext();
  const { pr } = usePullContext();
  const me = useCurrentUser();
  const owner = repo.owner.login;
  const name = repo.name;
  const search = useSearch({ from: '/$owner/$repo/pulls/$number/files' });
  const navigate = useNavigate({ from: '/$owner/$repo/pulls/$number/files' });
  const style: DiffStyle = search.style ?? storedStyle();
  const files = usePullFiles(owner, name, pr.number);
  const comments = useLineComments(owner, name, pr.number);
  const reviews = useReviews(owner, name, pr.number);
  const viewed = useSetViewed(owner, name, pr.number);
  const [openState, setOpenState] = useState<Record<string, boolean>>({});
  const [draft, setDraft] = useState<Draft | null>(null);
  // the text being written: kept when the form moves to extend a range
  const draftBody = useRef('');

  const diffs = useMemo(() => (files.data?.items ?? []).map(toFileDiff), [files.data]);
  const collapsed = useMemo(() => initialCollapsed(diffs), [diffs]);
  // the first files render at once, the rest as they come near or while the browser is idle
  const weights = useMemo(() => diffs.map((f, i) => (collapsed[i] === null && !files.data?.items[i]?.viewed ? renderedLines(f) : 0)), [diffs, collapsed, files.data]);
  const rendered = useRenderedCount(weights);
  const pending = me ? (reviews.data?.find((r) => r.state === 'PENDING' && r.user?.id === me.id) ?? null) : null;
  const pendingCount = pending ? (comments.data ?? []).filter((c) => c.pull_request_review_id === pending.id).length : 0;

  // current threads by file, then by side and line; outdated ones live on the conversation
  const { byFile, outdated } = useMemo(() => {
    const byFile = new Map<string, Map<string, ThreadData[]>>();
    let outdated = 0;
    for (const t of threadsOf(comments.data ?? [])) {
      if (t.root.outdated) {
        outdated++;
        continue;
      }
      let m = byFile.get(t.root.path);
      if (!m) byFile.set(t.root.path, (m = new Map()));
      const k = at(t.root.side, t.root.line);
      m.set(k, [...(m.get(k) ?? []), t]);
    }
    return { byFile, outdated };
  }, [comments.data]);

  const setStyle = (next: DiffStyle) => {
    rememberStyle(next);
    void navigate({ search: (prev) => ({ ...prev, style: next }), replace: true, resetScroll: false });
  };
  const onAdd = useCallback((path: string, side: DiffSide, line: number, shift: boolean) => {
    setDraft((d) => {
      if (shift && d && d.path === path && d.side === side && line !== d.line) {
        const first = Math.min(d.start ?? d.line, line);
        const last = Math.max(d.start ?? d.line, d.line, line);
        return { ...d, start: first === last ? null : first, line: last };
      }
      if (d && d.path === path && d.side === side && d.line === line && d.start === null) return d;
      return { path, side, line, start: null };
    });
  }, []);
  const onOpenChange = useCallback((path: string, open: boolean) => setOpenState((m) => ({ ...m, [path]: open })), []);
  const markViewed = viewed.mutate; // stable across renders
  const onViewed = useCallback(
    (path: string, v: boolean) => {
      markViewed({ path, viewed: v });
      setOpenState((m) => ({ ...m, [path]: !v }));
    },
    [markViewed],
  );

  if (files.isPending) return <Loading label="Loading the changes…" />;
  if (files.isError) return <ErrorState error={files.error} retry={() => void files.refetch()} />;
  const items = files.data.items;
  const viewedCount = items.filter((f) => f.viewed).length;
  const rawDiff = pullDiffUrl(owner, name, pr.number, 'diff');

  return (
    <div>
      <div className={`${h.toolbar} ${s.filesToolbar}`}>
        <span data-testid="diff-stats">
          {items.length} {items.length === 1 ? 'file' : 'files'} changed, <span className={h.add}>+{items.reduce((n, f) => n + f.additions, 0)}</span>{' '}
          <span className={h.del}>−{items.reduce((n, f) => n + f.deletions, 0)}</span>
        </span>
        <div className={h.toolbarRight}>
          {me && items.length > 0 && (
            <span className="muted" data-testid="viewed-count">
              {viewedCount} / {items.length} viewed
            </span>
          )}
          <StyleToggle style={style} setStyle={setStyle} />
          <a className={buttonClass('ghost', true)} href={rawDiff}>
            .diff
          </a>
          <ReviewMenu pendingId={pending?.id ?? null} pendingCount={pendingCount} />
        </div>
      </div>
      {outdated > 0 && (
        <Notice>
          {outdated} {outdated === 1 ? 'conversation is' : 'conversations are'} on lines that have changed since; {outdated === 1 ? 'it is' : 'they are'} shown on the Conversation tab.
        </Notice>
      )}
      {comments.isError && <Notice kind="warn">Couldn't load the line comments: {comments.error.message}</Notice>}
      {items.length === 0 ? (
        <Panel>
          <EmptyState title="No changes">The head and the base have the same files.</EmptyState>
        </Panel>
      ) : (
        diffs.map((f, i) => {
          const isViewed = !!items[i]?.viewed;
          return (
            <FileBlock
              key={f.filename}
              f={f}
              index={i}
              deferred={i >= rendered}
              style={style}
              startCollapsed={isViewed ? null : (collapsed[i] ?? null)}
              open={openState[f.filename] ?? (!isViewed && collapsed[i] === null)}
              onOpenChange={onOpenChange}
              viewed={me ? isViewed : null}
              onViewed={onViewed}
              threads={byFile.get(f.filename)}
              draft={draft?.path === f.filename ? draft : null}
              setDraft={setDraft}
              draftBody={draftBody}
              onAdd={me && pr.state === 'open' ? onAdd : undefined}
              pendingId={pending?.id ?? null}
              headSha={pr.head.sha}
              mergeBase={pr.merge_base}
              rawDiff={rawDiff}
            />
          );
        })
      )}
      <FormError error={viewed.error} />
    </div>
  );
}

interface BlockProps {
  f: FileDiff;
  index: number;
  /** Show a placeholder until the file comes near the viewport or its idle-time turn (progressive rendering). */
  deferred: boolean;
  style: DiffStyle;
  startCollapsed: ReturnType<typeof initialCollapsed>[number];
  open: boolean;
  onOpenChange: (path: string, open: boolean) => void;
  /** null: not signed in (no checkbox) */
  viewed: boolean | null;
  onViewed: (path: string, viewed: boolean) => void;
  threads: Map<string, ThreadData[]> | undefined;
  draft: Draft | null;
  setDraft: (d: Draft | null | ((d: Draft | null) => Draft | null)) => void;
  draftBody: MutableRefObject<string>;
  onAdd: ((path: string, side: DiffSide, line: number, shift: boolean) => void) | undefined;
  pendingId: number | null;
  headSha: string;
  mergeBase: string;
  rawDiff: string;
}

const FileBlock = memo(function FileBlock({
  f,
  index,
  deferred,
  style,
  startCollapsed,
  open,
  onOpenChange,
  viewed,
  onViewed,
  threads,
  draft,
  setDraft,
  draftBody,
  onAdd,
  pendingId,
  headSha,
  mergeBase,
  rawDiff,
}: BlockProps) {
  const repo = useRepoContext();
  const path = f.filename;
  const [held, reveal] = useHeldBack(deferred);
  const decor = useMemo<LineDecor>(
    () => ({
      onAdd: onAdd ? (side, line, shift) => onAdd(path, side, line, shift) : undefined,
      selected: (side, line) => !!draft && draft.side === side && line >= (draft.start ?? draft.line) && line <= draft.line,
      below: (side, line) => {
        const list = threads?.get(at(side, line));
        const here = draft && draft.side === side && draft.line === line;
        if (!list && !here) return null;
        return (
          <div className={s.inline}>
            {list?.map((t) => (
              <Thread key={t.root.id} t={t} pendingReviewId={pendingId} />
            ))}
            {here && <LineForm draft={draft} setDraft={setDraft} draftBody={draftBody} pendingId={pendingId} />}
          </div>
        );
      },
    }),
    [onAdd, path, draft, threads, pendingId, setDraft, draftBody],
  );
  const actions =
    viewed === null ? null : (
      <label className={s.viewed} data-testid="viewed-toggle">
        <input type="checkbox" checked={viewed} onChange={(e) => onViewed(path, e.target.checked)} aria-label={`Viewed ${path}`} />
        Viewed
      </label>
    );
  if (held) return <FilePlaceholder f={f} index={index} style={style} open={open} onNear={reveal} />;
  return (
    <DiffFile
      f={f}
      index={index}
      style={style}
      collapsed={startCollapsed}
      owner={repo.owner.login}
      repo={repo.name}
      sha={headSha}
      parent={mergeBase}
      rawDiff={rawDiff}
      open={open}
      onOpenChange={(o) => onOpenChange(path, o)}
      actions={actions}
      decor={decor}
      sizeHint={fileHeight(f, style, open)}
    />
  );
});

function LineForm({ draft, setDraft, draftBody, pendingId }: { draft: Draft; setDraft: BlockProps['setDraft']; draftBody: MutableRefObject<string>; pendingId: number | null }) {
  const repo = useRepoContext();
  const { pr } = usePullContext();
  const add = useAddLineComment(repo.owner.login, repo.name, pr.number);
  const [asPending, setAsPending] = useState<boolean | null>(null);
  const [body, setBodyState] = useState(draftBody.current);
  const setBody = (v: string) => {
    draftBody.current = v;
    setBodyState(v);
  };
  const close = () => {
    draftBody.current = '';
    setDraft(null);
  };
  const send = (pending: boolean) => {
    setAsPending(pending);
    add.mutate({ path: draft.path, body, side: draft.side, line: draft.line, start_line: draft.start ?? undefined, pending }, { onSuccess: close });
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    send(pendingId !== null);
  };
  return (
    <form className={s.lineForm} onSubmit={onSubmit} aria-label="Comment on a line" data-testid="line-comment-form">
      <div className="faint">
        Commenting on {lineLabel({ line: draft.line, start_line: draft.start, side: draft.side })}
        {draft.start === null && ' — shift-click another line of this side for a range'}
      </div>
      <MarkdownBox id={`draft-${draft.path}`} label="Line comment" value={body} onChange={setBody} context={`${repo.owner.login}/${repo.name}`} rows={4} autoFocus testId="line-comment-input" />
      <FormError error={add.error} />
      <div className={s.formActions}>
        <Button small onClick={close}>
          Cancel
        </Button>
        <Button small busy={add.isPending && asPending === false} disabled={!body.trim() || add.isPending} onClick={() => send(false)} data-testid="add-single-comment">
          Add single comment
        </Button>
        <Button small variant="primary" busy={add.isPending && asPending === true} disabled={!body.trim() || add.isPending} onClick={() => send(true)} data-testid="add-review-comment">
          {pendingId !== null ? 'Add review comment' : 'Start a review'}
        </Button>
      </div>
    </form>
  );
}
