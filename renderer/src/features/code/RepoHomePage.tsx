// /<owner>/<repo>: the default branch's root (entries, last commits, README), the clone panel
// with HTTP and SSH URLs and the ZIP, the ref switcher; push instructions while it is empty.
import { Link } from '@tanstack/react-router';
import { ErrorState, Loading, Panel, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { DEFAULT_BRANCH, useRefCount, useTreeView } from './api';
import { BranchIcon, TagIcon } from './icons';
import { ClonePanel } from './ClonePanel';
import { CodeToolbar, DirectoryView } from './DirectoryView';
import { EmptyRepo } from './EmptyRepo';
import s from './Code.module.css';

export function RepoHomePage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  // `@` is the default branch: RepoLayout asks for this view while the repository itself
  // loads, so the home page costs one round trip, not two in a row
  const q = useTreeView(owner, repo.name, 'branch', DEFAULT_BRANCH, { enabled: !repo.empty });
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
            <RefCount owner={owner} repo={repo.name} what="branches" />
            <RefCount owner={owner} repo={repo.name} what="tags" />
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

function RefCount({ owner, repo, what }: { owner: string; repo: string; what: 'branches' | 'tags' }) {
  const n = useRefCount(owner, repo, what).data;
  const label = what === 'branches' ? (n === 1 ? 'branch' : 'branches') : n === 1 ? 'tag' : 'tags';
  return (
    <Link to={what === 'branches' ? '/$owner/$repo/branches' : '/$owner/$repo/tags'} params={{ owner, repo }} className={s.countLink}>
      {what === 'branches' ? <BranchIcon /> : <TagIcon />}
      {n != null && <strong>{n.toLocaleString()}</strong>} {label}
    </Link>
  );
}
