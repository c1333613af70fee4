// A commit's combined status as one icon (✓ success, ✗ failure, ● pending), the way the commit
// list, the commit page, branches and pull requests show it. Hovering or pressing it opens a
// popover with every context's newest status and a link to its details (the job page for our
// own CI). Nothing is shown for a commit without statuses.
//
// Given `summary` (a page asked for many commits in one batch: useStatusSummaries), the icon
// fetches the contexts only when the popover opens; without, it asks for the commit's combined
// status itself and follows the repository's live events.
import { Popover } from 'radix-ui';
import { useRef, useState } from 'react';
import { useCombinedStatus, useLiveStatuses } from './api';
import { StateGlyph, TargetLink, combinedGlyph } from './bits';
import type { CombinedState, StatusSummary } from './types';
import s from './Ci.module.css';

const HEADLINE: Record<Exclude<CombinedState, ''>, string> = {
  success: 'All checks have passed',
  failure: 'Some checks were not successful',
  error: 'Some checks were not successful',
  pending: 'Some checks haven’t completed yet',
};

const WORD: Record<Exclude<CombinedState, ''>, string> = { success: 'success', failure: 'failure', error: 'error', pending: 'pending' };

export interface StatusIconProps {
  owner: string;
  repo: string;
  sha: string;
  /** The commit's state from a batch; undefined: the icon asks for itself. */
  summary?: StatusSummary | null;
  size?: number;
}

export function StatusIcon(props: StatusIconProps) {
  return props.summary === undefined ? <SelfFetching {...props} /> : <Icon {...props} summary={props.summary} />;
}

function SelfFetching(props: StatusIconProps) {
  useLiveStatuses(props.owner, props.repo);
  const q = useCombinedStatus(props.owner, props.repo, props.sha);
  return <Icon {...props} summary={q.data ? { state: q.data.state, total_count: q.data.total_count } : null} />;
}

function Icon({ owner, repo, sha, summary, size = 16 }: StatusIconProps & { summary: StatusSummary | null }) {
  const [open, setOpen] = useState(false);
  const hover = useRef<ReturnType<typeof setTimeout> | null>(null);
  const details = useCombinedStatus(owner, repo, sha, open);
  if (!summary || summary.state === '' || summary.total_count === 0) return null;
  const state = summary.state;
  const n = summary.total_count;
  const label = `Checks: ${WORD[state]} (${n} ${n === 1 ? 'check' : 'checks'})`;
  // hover opens after a moment and closes a moment after the pointer left both parts
  const later = (next: boolean, ms: number) => {
    if (hover.current) clearTimeout(hover.current);
    hover.current = setTimeout(() => setOpen(next), ms);
  };
  const stay = () => {
    if (hover.current) clearTimeout(hover.current);
  };
  const list = details.data?.statuses ?? [];
  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger asChild>
        <button
          type="button"
          className={s.iconButton}
          aria-label={label}
          data-testid="status-icon"
          data-state={state}
          data-sha={sha}
          onPointerEnter={(e) => e.pointerType === 'mouse' && later(true, 250)}
          onPointerLeave={(e) => e.pointerType === 'mouse' && later(false, 300)}
        >
          <StateGlyph glyph={combinedGlyph(state)} size={size} />
        </button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className={s.popover} side="bottom" align="start" sideOffset={6} onPointerEnter={stay} onPointerLeave={() => later(false, 300)} data-testid="status-popover">
          <div className={s.popHead}>
            <StateGlyph glyph={combinedGlyph(state)} />
            {HEADLINE[state]}
          </div>
          {details.isPending ? (
            <div className={s.popEmpty}>Loading…</div>
          ) : details.isError ? (
            <div className={s.popEmpty}>Couldn’t load the checks.</div>
          ) : (
            <ul className={s.popList}>
              {list.map((st) => (
                <li key={st.id} className={s.popItem} data-testid="status-context">
                  <StateGlyph glyph={combinedGlyph(st.state)} label={st.state} />
                  <div className={s.popText}>
                    <div className={s.popContext}>{st.context}</div>
                    {st.description && (
                      <div className={s.popDesc} title={st.description}>
                        {st.description}
                      </div>
                    )}
                  </div>
                  {st.target_url && (
                    <TargetLink url={st.target_url} onFollow={() => setOpen(false)}>
                      Details
                    </TargetLink>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
