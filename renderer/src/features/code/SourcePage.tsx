// /<owner>/<repo>/src/<branch|tag|commit>/<ref>/<path…>: a directory or a file at a ref. The
// ref may hold slashes; the server splits ref from path (GET …/tree/<ref>/<path>?kind=…).
import { Link, useParams } from '@tanstack/react-router';
import { ApiError } from '../../api/client';
import { EmptyState, ErrorState, Loading, Panel, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { useTreeView } from './api';
import { CodeToolbar, DirectoryView, LastChange } from './DirectoryView';
import { EmptyRepo } from './EmptyRepo';
import { FileView } from './FileView';
import { parseSrcSplat } from './paths';
import s from './Code.module.css';

export function SourcePage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const { _splat } = useParams({ from: '/$owner/$repo/src/$' });
  const { kind, refPath } = parseSrcSplat(_splat ?? '');
  const q = useTreeView(owner, repo.name, kind, refPath || repo.default_branch, { enabled: !repo.empty });
  const view = q.data;
  useTitle(view ? `${view.path || repo.name} at ${view.ref.kind === 'commit' ? view.ref.commit.slice(0, 10) : view.ref.name} · ${repo.full_name}` : repo.full_name);

  if (repo.empty) return <EmptyRepo repo={repo} />;
  if (q.isPending) return <Loading />;
  if (q.isError) {
    if (q.error instanceof ApiError && q.error.notFound) {
      // the repository is there (the layout loaded it): the ref or the path is not
      return (
        <Panel>
          <EmptyState title="Not found" icon="∅">
            <p>{q.error.message}.</p>
            <Link to="/$owner/$repo" params={{ owner, repo: repo.name }}>
              Go to the repository's {repo.default_branch} branch
            </Link>
          </EmptyState>
        </Panel>
      );
    }
    return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  }
  const v = view!;
  return (
    <>
      <CodeToolbar owner={owner} repo={repo.name} view={v} loading={q.isPlaceholderData} />
      {v.type === 'dir' ? (
        <DirectoryView owner={owner} repo={repo.name} view={v} />
      ) : (
        <div className={s.stack}>
          <div className={s.toolbar}>
            <LastChange owner={owner} repo={repo.name} view={v} />
          </div>
          <FileView key={v.path} owner={owner} repo={repo.name} view={v} />
        </div>
      )}
    </>
  );
}
