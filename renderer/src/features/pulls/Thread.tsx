// A line comment's thread: the first comment and its replies (rendered markdown from the
// server's sanitizer), a reply box, and Resolve/Unresolve. Shown under its line in the Files tab
// and, with the diff hunk it was made on, in the conversation (marked "outdated" when the line
// has changed since).
import { useMemo, useState, type FormEvent } from 'react';
import { Badge, Button, FormError, RelativeTime, cx } from '../../components/ui';
import { RenderedHtml } from '../code/RenderedHtml';
import { parsePatch } from '../history/diff-lines';
import h from '../history/History.module.css';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser } from '../session/api';
import { useAddLineComment, useResolveThread } from './api';
import { MarkdownBox, UserName } from './bits';
import { usePullContext } from './PullLayout';
import type { LineComment } from './types';
import s from './Pulls.module.css';

export interface ThreadData {
  root: LineComment;
  replies: LineComment[];
}

/** Groups line comments into threads (a reply names its thread's first comment), oldest first. */
export function threadsOf(comments: LineComment[]): ThreadData[] {
  const byId = new Map<number, ThreadData>();
  const out: ThreadData[] = [];
  for (const c of comments) {
    if (c.in_reply_to_id === null) {
      const t = { root: c, replies: [] };
      byId.set(c.id, t);
      out.push(t);
    }
  }
  for (const c of comments) if (c.in_reply_to_id !== null) byId.get(c.in_reply_to_id)?.replies.push(c);
  return out;
}

export const lineLabel = (c: Pick<LineComment, 'line' | 'start_line' | 'side'>) =>
  `${c.start_line !== null && c.start_line !== c.line ? `lines ${c.start_line}–${c.line}` : `line ${c.line}`} (${c.side === 'LEFT' ? 'old' : 'new'})`;

export function Thread({ t, pendingReviewId, showHunk }: { t: ThreadData; pendingReviewId: number | null; showHunk?: boolean }) {
  const repo = useRepoContext();
  const { pr, canWrite } = usePullContext();
  const me = useCurrentUser();
  const owner = repo.owner.login;
  const name = repo.name;
  const reply = useAddLineComment(owner, name, pr.number);
  const resolve = useResolveThread(owner, name, pr.number);
  const [replying, setReplying] = useState(false);
  const [text, setText] = useState('');
  const [open, setOpen] = useState(!t.root.resolved);
  const pending = pendingReviewId !== null && t.root.pull_request_review_id === pendingReviewId;
  const mayResolve = !!me && !pending && (canWrite || t.root.user?.id === me.id || pr.user?.id === me.id);
  const closed = pr.state === 'closed';

  const onReply = (e: FormEvent) => {
    e.preventDefault();
    reply.mutate(
      { body: text, in_reply_to: t.root.id },
      {
        onSuccess: () => {
          setText('');
          setReplying(false);
        },
      },
    );
  };

  return (
    <div className={cx(s.thread, t.root.resolved && s.threadResolved)} data-testid="thread" data-thread={t.root.id} data-resolved={t.root.resolved} id={`r${t.root.id}`}>
      <div className={s.threadHead}>
        {showHunk && <code className={s.threadPath}>{t.root.path}</code>}
        <span className="faint">{lineLabel(t.root)}</span>
        {t.root.outdated && <Badge>outdated</Badge>}
        {pending && <Badge accent>Pending</Badge>}
        {t.root.resolved && (
          <span className="faint" data-testid="resolved-by">
            resolved by {t.root.resolver?.login ?? 'someone'}
          </span>
        )}
        <span className={s.threadActions}>
          {t.root.resolved && (
            <Button small variant="ghost" onClick={() => setOpen(!open)} aria-expanded={open}>
              {open ? 'Hide' : 'Show'}
            </Button>
          )}
          {mayResolve && (
            <Button
              small
              busy={resolve.isPending}
              onClick={() => resolve.mutate({ id: t.root.id, resolved: !t.root.resolved }, { onSuccess: () => setOpen(t.root.resolved) })}
              data-testid="resolve-thread"
            >
              {t.root.resolved ? 'Unresolve' : 'Resolve conversation'}
            </Button>
          )}
        </span>
      </div>
      {open && (
        <>
          {showHunk && t.root.diff_hunk && <HunkPreview hunk={t.root.diff_hunk} side={t.root.side} />}
          {[t.root, ...t.replies].map((c) => (
            <div key={c.id} className={s.threadComment} data-testid="line-comment" id={`r${c.id}`}>
              <div className={s.commentMeta}>
                <UserName user={c.user} avatar={20} /> <RelativeTime iso={c.created_at} />
                {c.id !== t.root.id && pendingReviewId !== null && c.pull_request_review_id === pendingReviewId && <Badge accent>Pending</Badge>}
              </div>
              <RenderedHtml html={c.body_html} className={s.commentBody} />
            </div>
          ))}
          <FormError error={resolve.error} />
          {me && !pending && !closed && (
            <div className={s.replyBox}>
              {replying ? (
                <form onSubmit={onReply} aria-label="Reply">
                  <MarkdownBox id={`reply-${t.root.id}`} label="Reply" value={text} onChange={setText} context={`${owner}/${name}`} rows={3} autoFocus />
                  <FormError error={reply.error} />
                  <div className={s.formActions}>
                    <Button small onClick={() => setReplying(false)}>
                      Cancel
                    </Button>
                    <Button small type="submit" variant="primary" busy={reply.isPending} disabled={!text.trim()}>
                      Reply
                    </Button>
                  </div>
                </form>
              ) : (
                <button type="button" className={s.replyPrompt} onClick={() => setReplying(true)}>
                  Reply…
                </button>
              )}
            </div>
          )}
        </>
      )}
    </div>
  );
}

/** The lines a comment was made on, as a small diff table; the commented line last. */
export function HunkPreview({ hunk, side }: { hunk: string; side: 'LEFT' | 'RIGHT' }) {
  const lines = useMemo(() => parsePatch(hunk).flatMap((x) => x.lines), [hunk]);
  const shown = lines.slice(-6);
  return (
    <div className={s.hunkPreview}>
      <table className={h.diff}>
        <colgroup>
          <col style={{ width: '3.2rem' }} />
          <col style={{ width: '3.2rem' }} />
          <col />
        </colgroup>
        <tbody>
          {shown.map((l, i) => (
            <tr
              key={i}
              className={cx(l.kind === 'add' ? h.lineAdd : l.kind === 'del' ? h.lineDel : l.kind === 'note' ? h.lineNote : h.lineCtx, i === shown.length - 1 && s.hunkTarget)}
              data-side={side}
            >
              <td className={h.num} data-n={l.oldNo ?? ''} />
              <td className={h.num} data-n={l.newNo ?? ''} />
              <td className={h.code}>{l.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
