// /<owner>/<repo>/pulls: the repository's pull requests, open ones by default, closed and merged
// ones with ?state=closed; most recently updated first, 25 a page. Each row: state, number,
// title, author, branches, badges and when it last changed. "New pull request" opens the
// compare page on the default branch.
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { EmptyState, ErrorState, Loading, Pager, Panel, RelativeTime, buttonClass, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser } from '../session/api';
import { PULLS_PER_PAGE, usePullCount, usePulls } from './api';
import { BranchLabel, CommentIcon, StateBadge, UserName } from './bits';
import type { PullRequest } from './types';
import s from './Pulls.module.css';

export function PullsPage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const { state: closedTab, page = 1 } = useSearch({ from: '/$owner/$repo/pulls' });
  const state = closedTab === 'closed' ? 'closed' : 'open';
  const navigate = useNavigate({ from: '/$owner/$repo/pulls' });
  const me = useCurrentUser();
  const q = usePulls(owner, name, state, page);
  const open = usePullCount(owner, name, 'open');
  const closed = usePullCount(owner, name, 'closed');
  useTitle(`Pull requests · ${repo.full_name}`);

  const total = q.data?.total ?? null;
  const hasNext = total !== null ? page * PULLS_PER_PAGE < total : (q.data?.items.length ?? 0) === PULLS_PER_PAGE;

  return (
    <div>
      <div className={s.listHead}>
        <nav className={s.stateTabs} aria-label="Which pull requests">
          <Link
            to="/$owner/$repo/pulls"
            params={{ owner, repo: name }}
            search={{}}
            className={s.stateTab}
            aria-current={state === 'open' ? 'page' : undefined}
            activeOptions={{ exact: true, includeSearch: true }}
          >
            Open{open.data !== undefined ? ` ${open.data}` : ''}
          </Link>
          <Link to="/$owner/$repo/pulls" params={{ owner, repo: name }} search={{ state: 'closed' }} className={s.stateTab} aria-current={state === 'closed' ? 'page' : undefined}>
            Closed{closed.data !== undefined ? ` ${closed.data}` : ''}
          </Link>
        </nav>
        <div className={s.headRight}>
          {me && !repo.empty && (
            <Link className={buttonClass('primary', true)} to="/$owner/$repo/compare/$" params={{ owner, repo: name, _splat: repo.default_branch }} data-testid="new-pull">
              New pull request
            </Link>
          )}
        </div>
      </div>
      <Panel>
        {q.isPending ? (
          <Loading />
        ) : q.isError ? (
          <ErrorState error={q.error} retry={() => void q.refetch()} />
        ) : q.data.items.length === 0 ? (
          <EmptyState title={state === 'open' ? 'No open pull requests' : 'No closed pull requests'}>
            {state === 'open' ? 'Push a branch and compare it with the default branch to propose a change.' : 'Merged and closed pull requests show up here.'}
          </EmptyState>
        ) : (
          <ul className={s.rows} data-testid="pull-list" aria-busy={q.isPlaceholderData}>
            {q.data.items.map((pr) => (
              <PullRow key={pr.id} pr={pr} owner={owner} repo={name} />
            ))}
          </ul>
        )}
      </Panel>
      <Pager page={page} hasNext={hasNext} onPage={(p) => void navigate({ search: (prev) => ({ ...prev, page: p > 1 ? p : undefined }) })} />
    </div>
  );
}

function PullRow({ pr, owner, repo }: { pr: PullRequest; owner: string; repo: string }) {
  return (
    <li className={s.row} data-testid="pull-row" data-number={pr.number}>
      <StateBadge pr={pr} />
      <div className={s.rowMain}>
        <div className={s.rowTitle}>
          <Link to="/$owner/$repo/pulls/$number" params={{ owner, repo, number: String(pr.number) }} data-testid="pull-title">
            {pr.title || '(no title)'}
          </Link>
        </div>
        <div className={s.rowMeta}>
          <span>#{pr.number}</span>
          <span>
            opened <RelativeTime iso={pr.created_at} /> by <UserName user={pr.user} />
          </span>
          <span className={s.branches}>
            <BranchLabel>{pr.base.label}</BranchLabel> ← <BranchLabel>{pr.head.label}</BranchLabel>
          </span>
          {pr.requested_reviewers.length > 0 && <span>review requested from {pr.requested_reviewers.map((u) => u.login).join(', ')}</span>}
        </div>
      </div>
      <div className={s.rowSide}>
        {pr.comments > 0 && (
          <span className={s.comments} title={`${pr.comments} comments`}>
            <CommentIcon /> {pr.comments}
          </span>
        )}
        <span className="faint">
          updated <RelativeTime iso={pr.updated_at} />
        </span>
      </div>
    </li>
  );
}
