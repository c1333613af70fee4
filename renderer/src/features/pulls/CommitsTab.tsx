// The Commits tab: the pull request's commits, oldest first (as they would land), each linking to
// its commit page.
import { Link } from '@tanstack/react-router';
import { EmptyState, ErrorState, Loading, Panel, RelativeTime, buttonClass } from '../../components/ui';
import { Person, shortSha, summary } from '../history/bits';
import h from '../history/History.module.css';
import { useRepoContext } from '../repo/RepoLayout';
import { usePullCommits } from './api';
import { PullLayout, usePullContext } from './PullLayout';

export function CommitsPage() {
  return (
    <PullLayout>
      <CommitsTab />
    </PullLayout>
  );
}

function CommitsTab() {
  const repo = useRepoContext();
  const { pr } = usePullContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const q = usePullCommits(owner, name, pr.number);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const { items, total } = q.data;
  return (
    <Panel>
      {items.length === 0 ? (
        <EmptyState title="No commits">The head has no commits that the base doesn't have.</EmptyState>
      ) : (
        <ul className={h.rows} data-testid="pull-commits">
          {items.map((c) => (
            <li key={c.sha} className={h.row} data-testid="commit-row">
              <div className={h.rowMain}>
                <div className={h.summary}>
                  <Link to="/$owner/$repo/commit/$sha" params={{ owner, repo: name, sha: c.sha }} data-testid="commit-summary">
                    {summary(c.commit.message) || '(no message)'}
                  </Link>
                </div>
                <div className={h.meta}>
                  <Person who={c.commit.author} user={c.author} />
                  <span>committed</span>
                  <RelativeTime iso={c.commit.committer.date} />
                </div>
              </div>
              <div className={h.rowActions}>
                <Link className={`${buttonClass('default', true)} ${h.sha}`} to="/$owner/$repo/commit/$sha" params={{ owner, repo: name, sha: c.sha }} aria-label={`Commit ${shortSha(c.sha)}`}>
                  {shortSha(c.sha)}
                </Link>
              </div>
            </li>
          ))}
        </ul>
      )}
      {total !== null && total > items.length && (
        <div className={h.fileNote}>
          The first {items.length} of {total} commits are listed.
        </div>
      )}
    </Panel>
  );
}
