// /<owner>/<repo>: the default branch's root (entries, last commits, README), the clone panel
// with HTTP and SSH URLs and the ZIP, the ref switcher; push instructions while it is empty.
import { Link } from '@tanstack/react-router';
import { ErrorState, Loading, Panel, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { useTreeView } from './api';
import { ClonePanel } from './ClonePanel';
import { CodeToolbar, DirectoryView } from './DirectoryView';
import { EmptyRepo } from './EmptyRepo';
import s from './Code.module.css';

export function RepoHomePage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const q = useTreeView(owner, repo.name, 'branch', repo.default_branch, { enabled: !repo.empty });
  useTitle(repo.full_name);

  if (repo.empty) {
    return (
      <div className={s.layout}>
        <EmptyRepo repo={repo} />
        <About />
      </div>
    );
  }
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const view = q.data;
  return (
    <>
      <CodeToolbar
        owner={owner}
        repo={repo.name}
        view={view}
        loading={q.isPlaceholderData}
        extra={
          <>
            <Link to="/$owner/$repo/branches" params={{ owner, repo: repo.name }} className={s.countLink}>
              Branches
            </Link>
            <Link to="/$owner/$repo/tags" params={{ owner, repo: repo.name }} className={s.countLink}>
              Tags
            </Link>
          </>
        }
      />
      <div className={s.layout}>
        <DirectoryView owner={owner} repo={repo.name} view={view} />
        <About zipRef={view.ref.name} />
      </div>
    </>
  );
}

function About({ zipRef = null }: { zipRef?: string | null }) {
  const repo = useRepoContext();
  return (
    <aside className={s.aside}>
      <ClonePanel repo={repo} zipRef={zipRef} />
      <Panel pad aria-label="About">
        <h2 className={s.cloneTitle}>About</h2>
        <p className={s.aboutDesc}>{repo.description || <span className="faint">No description.</span>}</p>
        {repo.website && /^https?:\/\//i.test(repo.website) && (
          <p className={s.aboutDesc}>
            <a href={repo.website} rel="noopener noreferrer nofollow" target="_blank">
              {repo.website}
            </a>
          </p>
        )}
        <div className="faint">
          {repo.stars_count} {repo.stars_count === 1 ? 'star' : 'stars'} · {repo.watchers_count} watching · {repo.forks_count} {repo.forks_count === 1 ? 'fork' : 'forks'}
        </div>
      </Panel>
    </aside>
  );
}
