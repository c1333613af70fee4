// The "Review" dropdown of the Files tab: a summary, and Comment / Approve / Request changes.
// It submits your pending review (with the line comments gathered in it) when you have one, or
// makes a review at once when you don't. Authors may only comment on their own pull request.
import { Popover } from 'radix-ui';
import { useState, type FormEvent } from 'react';
import { Button, FormError } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser, useReadOnly } from '../session/api';
import { useSubmitReview } from './api';
import { usePullContext } from './PullLayout';
import type { ReviewEvent } from './types';
import s from './Pulls.module.css';

const EVENTS: Array<{ value: ReviewEvent; label: string; hint: string }> = [
  { value: 'COMMENT', label: 'Comment', hint: 'General feedback, without approving.' },
  { value: 'APPROVED', label: 'Approve', hint: 'These changes can be merged.' },
  { value: 'REQUEST_CHANGES', label: 'Request changes', hint: 'Something must change before this is merged.' },
];

export function ReviewMenu({ pendingId, pendingCount }: { pendingId: number | null; pendingCount: number }) {
  const repo = useRepoContext();
  const { pr } = usePullContext();
  const me = useCurrentUser();
  const readOnly = useReadOnly();
  const submit = useSubmitReview(repo.owner.login, repo.name, pr.number);
  const [open, setOpen] = useState(false);
  const [event, setEvent] = useState<ReviewEvent>('COMMENT');
  const [text, setText] = useState('');
  const own = !!me && pr.user?.id === me.id;
  const closed = pr.state === 'closed';
  if (!me) return null;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit.mutate(
      { pendingId, event, body: text, commitId: pr.head.sha },
      {
        onSuccess: () => {
          setOpen(false);
          setText('');
          setEvent('COMMENT');
        },
      },
    );
  };

  return (
    <Popover.Root
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) submit.reset();
      }}
    >
      <Popover.Trigger asChild>
        <Button variant="primary" small disabled={closed || readOnly} title={closed ? 'This pull request is closed' : undefined} data-testid="review-button">
          Review
          {pendingCount > 0 && (
            <span className={s.pendingCount} data-testid="pending-count" aria-label={`${pendingCount} pending`}>
              {pendingCount}
            </span>
          )}
          <span aria-hidden>▾</span>
        </Button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className={s.reviewPopover} align="end" sideOffset={6} aria-label="Finish your review">
          <form onSubmit={onSubmit} data-testid="review-form">
            <div className={s.popoverTitle}>Finish your review</div>
            {pendingCount > 0 && (
              <div className="muted">
                {pendingCount} pending {pendingCount === 1 ? 'comment' : 'comments'} will be published with it.
              </div>
            )}
            <textarea aria-label="Review summary" rows={4} placeholder="Leave a comment" value={text} onChange={(e) => setText(e.target.value)} autoFocus data-testid="review-body" />
            <fieldset className={s.events}>
              <legend className="visually-hidden">Review</legend>
              {EVENTS.map((x) => {
                const off = own && x.value !== 'COMMENT';
                return (
                  <label key={x.value} className={s.check} title={off ? 'You cannot approve or request changes on your own pull request' : undefined}>
                    <input type="radio" name="review-event" value={x.value} checked={event === x.value} disabled={off} onChange={() => setEvent(x.value)} />
                    <span>
                      <strong>{x.label}</strong>
                      <span className={s.checkHint}>{off ? 'Not on your own pull request.' : x.hint}</span>
                    </span>
                  </label>
                );
              })}
            </fieldset>
            <FormError error={submit.error} />
            <div className={s.formActions}>
              <Button type="submit" variant="primary" small busy={submit.isPending} data-testid="review-submit">
                Submit review
              </Button>
            </div>
          </form>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
