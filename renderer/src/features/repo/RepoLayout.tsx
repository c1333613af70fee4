// Everything under /<owner>/<repo>: the repository header (name, visibility, description),
// the tabs, and the page. The repository is loaded once here; pages read it with useRepoContext.
import { Link, Outlet, useMatchRoute, useParams } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect } from 'react';
import { prefetchHomeTree } from '../code/api';
import { useIssueCount } from '../issues/api';
import { usePullCount } from '../pulls/api';
import { Badge, ErrorState, Loading, useTitle } from '../../components/ui';
import { useRepo } from '../repos/api';
import type { Repo } from '../repos/types';
import { RepoHeaderActions } from './RepoHeaderActions';
import s from './RepoLayout.module.css';

const RepoContext = createContext<Repo | null>(null);

/** The repository of the current page (inside RepoLayout). */
export function useRepoContext(): Repo {
  const repo = useContext(RepoContext);
  if (!repo) throw new Error('useRepoContext outside RepoLayout');
  return repo;
}

export function RepoLayout() {
  const { owner, repo: name } = useParams({ from: '/$owner/$repo' });
  const q = useRepo(owner, name);
  const qc = useQueryClient();
  const matchRoute = useMatchRoute();
  const atHome = !!matchRoute({ to: '/$owner/$repo' });
  useEffect(() => {
    if (atHome) prefetchHomeTree(qc, owner, name);
  }, [atHome, qc, owner, name]);
  // the Code tab stays lit while browsing /src/…
  const onSource = !!matchRoute({ to: '/$owner/$repo/src/$', fuzzy: true });
  // the Pull requests tab stays lit on a pull request and while comparing branches
  const onPulls = !!matchRoute({ to: '/$owner/$repo/pulls', fuzzy: true }) || !!matchRoute({ to: '/$owner/$repo/compare/$', fuzzy: true });
  const openPulls = usePullCount(owner, name, 'open', q.data ? !q.data.empty : false);
  const openIssues = useIssueCount(owner, name, {}, !!q.data);
  useTitle(q.data?.full_name);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const repo = q.data;
  const params = { owner: repo.owner.login, repo: repo.name };
  const branch = repo.default_branch;
  return (
    <RepoContext.Provider value={repo}>
      <div className={s.head}>
        <h1 className={s.title}>
          <Link to="/$owner" params={{ owner: repo.owner.login }}>
            {repo.owner.login}
          </Link>
          {' / '}
          <Link to="/$owner/$repo" params={params}>
            <strong>{repo.name}</strong>
          </Link>
        </h1>
        <Badge>{repo.visibility === 'public' ? 'Public' : repo.visibility === 'internal' ? 'Internal' : 'Private'}</Badge>
        {repo.fork && repo.parent && (
          <span className="muted">
            forked from{' '}
            <Link to="/$owner/$repo" params={{ owner: repo.parent.owner.login, repo: repo.parent.name }}>
              {repo.parent.full_name}
            </Link>
          </span>
        )}
        <div className={s.headActions}>
          <RepoHeaderActions repo={repo} />
        </div>
      </div>
      {repo.description && <p className={s.desc}>{repo.description}</p>}
      <nav className={s.tabs} aria-label="Repository">
        <Link to="/$owner/$repo" params={params} className={onSource ? `${s.tab} ${s.tabOn}` : s.tab} activeOptions={{ exact: true }}>
          Code
        </Link>
        <Link
          to="/$owner/$repo/issues"
          params={params}
          // lit on an issue, and on the labels and milestones pages that belong to the issues
          className={matchRoute({ to: '/$owner/$repo/labels' }) || matchRoute({ to: '/$owner/$repo/milestones' }) ? `${s.tab} ${s.tabOn}` : s.tab}
          activeOptions={{ includeSearch: false }}
          data-testid="issues-tab"
        >
          Issues
          {openIssues.data !== undefined && openIssues.data > 0 && (
            <span className={s.count} data-testid="open-issues-count">
              {openIssues.data}
            </span>
          )}
        </Link>
        <Link to="/$owner/$repo/pulls" params={params} className={onPulls ? `${s.tab} ${s.tabOn}` : s.tab} data-testid="pulls-tab">
          Pull requests
          {openPulls.data !== undefined && openPulls.data > 0 && (
            <span className={s.count} data-testid="open-pulls-count">
              {openPulls.data}
            </span>
          )}
        </Link>
        <Link to="/$owner/$repo/ci" params={params} className={s.tab} activeOptions={{ includeSearch: false }} data-testid="ci-tab">
          CI
        </Link>
        <Link to="/$owner/$repo/tasks" params={params} className={s.tab} data-testid="tasks-tab">
          Tasks
        </Link>
        <Link to="/$owner/$repo/wiki" params={params} className={s.tab} activeOptions={{ includeSearch: false }} data-testid="wiki-tab">
          Wiki
        </Link>
        <Link to="/$owner/$repo/commits/$" params={{ ...params, _splat: `branch/${branch}` }} className={s.tab}>
          Commits
        </Link>
        <Link to="/$owner/$repo/branches" params={params} className={s.tab}>
          Branches
        </Link>
        <Link to="/$owner/$repo/tags" params={params} className={s.tab}>
          Tags
        </Link>
        <Link to="/$owner/$repo/activity/contributors" params={params} className={s.tab}>
          Contributors
        </Link>
        {repo.permissions.admin && (
          <Link to="/$owner/$repo/security" params={params} className={s.tab} activeOptions={{ includeSearch: false }} data-testid="security-tab">
            Security
          </Link>
        )}
        {repo.permissions.admin && (
          <Link to="/$owner/$repo/settings" params={params} className={s.tab}>
            Settings
          </Link>
        )}
      </nav>
      <Outlet />
    </RepoContext.Provider>
  );
}
