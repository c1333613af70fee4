// Who wrote the default branch: commit counts per author (as `git shortlog -sne` counts them),
// bars relative to the top contributor, names linked to accounts when the email is one's.
import { Link } from '@tanstack/react-router';
import { Avatar, EmptyState, ErrorState, Loading, Panel, PanelHeader, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { useContributors } from './api';
import s from './History.module.css';

export function ContributorsPage() {
  const repo = useRepoContext();
  const q = useContributors(repo.owner.login, repo.name);
  useTitle(`Contributors · ${repo.full_name}`);
  if (q.isPending) return <Loading label="Counting commits…" />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const list = q.data;
  if (list.length === 0) {
    return (
      <Panel>
        <EmptyState title="No contributors yet">Once commits are pushed to {repo.default_branch}, their authors show up here.</EmptyState>
      </Panel>
    );
  }
  const top = Math.max(...list.map((c) => c.commits));
  const total = list.reduce((n, c) => n + c.commits, 0);
  return (
    <Panel>
      <PanelHeader>
        <strong>Contributors</strong>
        <span className="muted">
          {list.length} {list.length === 1 ? 'person' : 'people'}, {total} {total === 1 ? 'commit' : 'commits'} on {repo.default_branch}
        </span>
      </PanelHeader>
      <ol className={s.peopleList}>
        {list.map((c, i) => (
          <li key={`${c.email}\0${c.name}`} className={s.contrib} data-testid="contributor">
            <span className={s.rank}>{i + 1}</span>
            <span className={s.who}>
              <span style={{ display: 'inline-flex', alignItems: 'center', gap: '0.45rem' }}>
                <Avatar name={c.login ?? (c.name || '?')} size={22} />
                {c.login ? (
                  <Link to="/$owner" params={{ owner: c.login }}>
                    <strong>{c.name || c.login}</strong>
                  </Link>
                ) : (
                  <strong>{c.name || c.email}</strong>
                )}
              </span>
              <span className={s.email}>{c.email}</span>
            </span>
            <span className={s.barTrack} aria-hidden>
              <span className={s.bar} style={{ width: `${Math.max(2, (c.commits / top) * 100)}%`, display: 'block' }} />
            </span>
            <span className={s.commitCount} data-testid="contributor-commits">
              {c.commits} {c.commits === 1 ? 'commit' : 'commits'}
            </span>
          </li>
        ))}
      </ol>
    </Panel>
  );
}
