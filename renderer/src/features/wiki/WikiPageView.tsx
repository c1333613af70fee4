// A wiki page: /wiki (Home) and /wiki/<page>, rendered with the wiki's sidebar and footer;
// `?action=_edit` turns it into the editor. A wiki with no pages shows an empty state that
// offers writers its first page.
import { Link, Navigate, useParams, useSearch } from '@tanstack/react-router';
import { ApiError } from '../../api/client';
import { buttonClass, EmptyState, ErrorState, Loading, NotFoundPanel, RelativeTime, useTitle } from '../../components/ui';
import { RenderedHtml } from '../code/RenderedHtml';
import { useRepoContext } from '../repo/RepoLayout';
import { HOME, usePage, usePages, useWikiLive } from './api';
import { WikiBar } from './WikiBar';
import { WikiEditor } from './WikiEditor';
import s from './Wiki.module.css';

/**
 * /wiki shows Home at its own address, /wiki/Home: a page's relative links (`[Setup](Setup)`)
 * resolve against the page's URL, and only under /wiki/ do they reach the wiki's other pages.
 */
export function WikiHomePage() {
  const repo = useRepoContext();
  const { action } = useSearch({ from: '/$owner/$repo/wiki' });
  const pages = usePages(repo.owner.login, repo.name);
  if (pages.isPending) return <Loading />;
  if (pages.data?.some((p) => p.sub_url === HOME)) return <Navigate to="/$owner/$repo/wiki/$page" params={{ owner: repo.owner.login, repo: repo.name, page: HOME }} search={{ action }} replace />;
  return <WikiPageView name={HOME} edit={action === '_edit'} />;
}

export function WikiNamedPage() {
  const { page } = useParams({ from: '/$owner/$repo/wiki/$page' });
  const { action } = useSearch({ from: '/$owner/$repo/wiki/$page' });
  return <WikiPageView name={page.replace(/\.md$/, '')} edit={action === '_edit'} />;
}

function WikiPageView({ name, edit }: { name: string; edit: boolean }) {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const params = { owner, repo: repo.name };
  useWikiLive(owner, repo.name);
  const q = usePage(owner, repo.name, name);
  const missing = q.error instanceof ApiError && q.error.status === 404;
  const pages = usePages(owner, repo.name);
  useTitle(q.data ? `${q.data.title} · Wiki · ${repo.full_name}` : `Wiki · ${repo.full_name}`);
  if (q.isPending || (missing && pages.isPending)) return <Loading />;
  if (missing && pages.data?.length === 0) {
    return (
      <>
        <WikiBar repo={repo} />
        <EmptyState title="This wiki has no pages yet" icon="📖">
          {repo.permissions.push ? (
            <>
              <p>A wiki holds the project&apos;s documentation, as markdown pages in a git repository of their own.</p>
              <Link to="/$owner/$repo/wiki/_new" params={params} className={buttonClass('primary')} data-testid="wiki-create-first">
                Create the first page
              </Link>
            </>
          ) : (
            <p>Nobody has written one yet.</p>
          )}
        </EmptyState>
      </>
    );
  }
  if (missing) {
    return (
      <>
        <WikiBar repo={repo} />
        <NotFoundPanel />
        {repo.permissions.push && (
          <p>
            <Link to="/$owner/$repo/wiki/_new" params={params} className={buttonClass('primary')}>
              Create this page
            </Link>
          </p>
        )}
      </>
    );
  }
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const page = q.data;
  if (edit && repo.permissions.push) return <WikiEditor repo={repo} page={page} />;
  const pageParams = { ...params, page: page.name };
  return (
    <>
      <WikiBar repo={repo}>
        <Link to="/$owner/$repo/wiki/$page/_history" params={pageParams} className={buttonClass('default', true)} data-testid="wiki-history">
          History
        </Link>
        {repo.permissions.push && (
          <Link to="/$owner/$repo/wiki/$page" params={pageParams} search={{ action: '_edit' }} className={buttonClass('primary', true)} data-testid="wiki-edit">
            Edit
          </Link>
        )}
      </WikiBar>
      <h2 className={s.title} data-testid="wiki-title">
        {page.title}
      </h2>
      <div className={s.meta}>
        {page.last_commit && (
          <>
            {page.last_commit.author.name} edited this page <RelativeTime iso={page.last_commit.author.date} /> ·{' '}
          </>
        )}
        <Link to="/$owner/$repo/wiki/$page/_history" params={pageParams}>
          {page.commit_count} revision{page.commit_count === 1 ? '' : 's'}
        </Link>
      </div>
      <div className={page.sidebar_html ? s.layout : `${s.layout} ${s.layoutWide}`}>
        <article>
          {page.content_html ? <RenderedHtml html={page.content_html} testId="wiki-content" /> : <p className="faint">This page is empty.</p>}
          {page.footer_html && <RenderedHtml html={page.footer_html} className={s.footer} testId="wiki-footer" />}
        </article>
        {page.sidebar_html && (
          <aside aria-label="Wiki sidebar">
            <RenderedHtml html={page.sidebar_html} className={s.sidebar} testId="wiki-sidebar" />
          </aside>
        )}
      </div>
    </>
  );
}
