// /<owner>/<repo>/tags: tags newest first, each with its commit, date, message and downloads
// of the tree it names (zip and tar.gz, streamed by the server from `git archive`).
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { Badge, EmptyState, ErrorState, Loading, Pager, Panel, PanelHeader, RelativeTime, buttonClass, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { PER_PAGE, archiveUrl, useTags } from './api';
import s from './Branches.module.css';

const summary = (message: string) => message.split('\n', 1)[0]!.trim();

export function TagsPage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const { page = 1 } = useSearch({ from: '/$owner/$repo/tags' });
  const navigate = useNavigate({ from: '/$owner/$repo/tags' });
  const q = useTags(owner, name, page);
  useTitle(`Tags · ${repo.full_name}`);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const { items, total } = q.data;
  const hasNext = total !== null ? page * PER_PAGE < total : items.length === PER_PAGE;
  return (
    <div>
      <Panel>
        <PanelHeader>
          <strong>Tags</strong>
          {total !== null && <span className="muted">{total}</span>}
        </PanelHeader>
        {items.length === 0 ? (
          <EmptyState title="No tags yet">
            Tag a commit and push it: <code>git tag v1.0 &amp;&amp; git push --tags</code>
          </EmptyState>
        ) : (
          <ul className={s.rows}>
            {items.map((t) => (
              <li key={t.name} className={s.row} data-testid="tag-row">
                <div className={s.main}>
                  <div className={s.nameLine}>
                    <Link className={s.name} to="/$owner/$repo/src/$" params={{ owner, repo: name, _splat: `tag/${t.name}` }}>
                      {t.name}
                    </Link>
                    {t.id !== t.commit?.sha && <Badge>annotated</Badge>}
                  </div>
                  <div className={s.meta}>
                    {t.commit && (
                      <Link className={s.sha} to="/$owner/$repo/commit/$sha" params={{ owner, repo: name, sha: t.commit.sha }}>
                        {t.commit.sha.slice(0, 10)}
                      </Link>
                    )}
                    {t.message && (
                      <span className={s.msg} title={summary(t.message)}>
                        {summary(t.message)}
                      </span>
                    )}
                    {t.commit && <RelativeTime iso={t.commit.created} />}
                  </div>
                </div>
                <div className={s.actions}>
                  <Link className={buttonClass('ghost', true)} to="/$owner/$repo/commits/$" params={{ owner, repo: name, _splat: `tag/${t.name}` }}>
                    Commits
                  </Link>
                  <a className={buttonClass('default', true)} href={archiveUrl(owner, name, t.name, 'zip')} download aria-label={`Download ${t.name} as ZIP`}>
                    ZIP
                  </a>
                  <a className={buttonClass('default', true)} href={archiveUrl(owner, name, t.name, 'tar.gz')} download aria-label={`Download ${t.name} as tar.gz`}>
                    TAR.GZ
                  </a>
                </div>
              </li>
            ))}
          </ul>
        )}
      </Panel>
      <Pager page={page} hasNext={hasNext} onPage={(p) => void navigate({ search: (prev) => ({ ...prev, page: p > 1 ? p : undefined }) })} />
    </div>
  );
}
