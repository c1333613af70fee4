// The wiki's lists: every page (/wiki/_pages), search results (/wiki/_search?q=), a page's
// history (/wiki/<page>/_history) and the diff between two of its revisions (/_compare).
import { Link, useParams, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { EmptyState, ErrorState, Loading, Pager, Panel, RelativeTime, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { useDiff, usePages, useRevisions, useWikiLive, useWikiSearch } from './api';
import { WikiBar } from './WikiBar';
import s from './Wiki.module.css';

/** sub_url is the page name percent-encoded; routes take it decoded. */
const nameOf = (subUrl: string) => decodeURIComponent(subUrl);

export function WikiPagesPage() {
  const repo = useRepoContext();
  const params = { owner: repo.owner.login, repo: repo.name };
  useWikiLive(repo.owner.login, repo.name);
  const q = usePages(repo.owner.login, repo.name);
  useTitle(`Pages · Wiki · ${repo.full_name}`);
  return (
    <>
      <WikiBar repo={repo} />
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      ) : q.data.length === 0 ? (
        <EmptyState title="This wiki has no pages yet" />
      ) : (
        <Panel>
          <ul className={s.rows} data-testid="wiki-pages">
            {q.data.map((p) => (
              <li key={p.sub_url} className={s.row}>
                <div className={s.rowMain}>
                  <Link to="/$owner/$repo/wiki/$page" params={{ ...params, page: nameOf(p.sub_url) }}>
                    {p.title}
                  </Link>
                </div>
                {p.last_commit && (
                  <span className={s.rowSide}>
                    {p.last_commit.author.name}, <RelativeTime iso={p.last_commit.author.date} />
                  </span>
                )}
              </li>
            ))}
          </ul>
        </Panel>
      )}
    </>
  );
}

export function WikiSearchPage() {
  const repo = useRepoContext();
  const params = { owner: repo.owner.login, repo: repo.name };
  const { q: raw } = useSearch({ from: '/$owner/$repo/wiki/_search' });
  const q = raw ?? '';
  const hits = useWikiSearch(repo.owner.login, repo.name, q);
  useTitle(`Search · Wiki · ${repo.full_name}`);
  return (
    <>
      <WikiBar repo={repo} />
      <h2 className={s.title}>Pages matching “{q}”</h2>
      {!q.trim() ? null : hits.isPending ? (
        <Loading />
      ) : hits.isError ? (
        <ErrorState error={hits.error} retry={() => void hits.refetch()} />
      ) : hits.data.length === 0 ? (
        <EmptyState title="No page matches" />
      ) : (
        <Panel>
          <ul className={s.rows} data-testid="wiki-search-results">
            {hits.data.map((h) => (
              <li key={h.sub_url} className={s.row}>
                <div className={s.rowMain}>
                  <Link to="/$owner/$repo/wiki/$page" params={{ ...params, page: nameOf(h.sub_url) }}>
                    {h.title}
                  </Link>
                  {h.matches.map((m) => (
                    <div key={m.line} className={s.match}>
                      {m.line}: {m.text}
                    </div>
                  ))}
                </div>
              </li>
            ))}
          </ul>
        </Panel>
      )}
    </>
  );
}

export function WikiHistoryPage() {
  const repo = useRepoContext();
  const { page } = useParams({ from: '/$owner/$repo/wiki/$page/_history' });
  const params = { owner: repo.owner.login, repo: repo.name, page };
  const [n, setN] = useState(1);
  useWikiLive(repo.owner.login, repo.name);
  const q = useRevisions(repo.owner.login, repo.name, page, n);
  useTitle(`History of ${page} · Wiki · ${repo.full_name}`);
  return (
    <>
      <WikiBar repo={repo} />
      <h2 className={s.title}>
        History of{' '}
        <Link to="/$owner/$repo/wiki/$page" params={params}>
          {page.endsWith('.-') ? page.slice(0, -2) : page.replace(/-/g, ' ')}
        </Link>
      </h2>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      ) : (
        <>
          <p className={s.meta}>{q.data.count} revisions</p>
          <Panel>
            <ul className={s.rows} data-testid="wiki-revisions">
              {q.data.commits.map((c, i) => {
                const older = q.data.commits[i + 1]?.sha;
                return (
                  <li key={c.sha} className={s.row}>
                    <div className={s.rowMain}>
                      <Link to="/$owner/$repo/wiki/$page/_compare" params={params} search={{ to: c.sha, from: older }} data-testid="wiki-revision">
                        {c.message || '(no message)'}
                      </Link>
                    </div>
                    <span className={s.rowSide}>
                      {c.author.name}, <RelativeTime iso={c.author.date} /> · <span className={s.sha}>{c.sha.slice(0, 10)}</span>
                    </span>
                  </li>
                );
              })}
            </ul>
          </Panel>
          <Pager page={n} hasNext={n * 30 < q.data.count} onPage={setN} />
        </>
      )}
    </>
  );
}

export function WikiComparePage() {
  const repo = useRepoContext();
  const { page } = useParams({ from: '/$owner/$repo/wiki/$page/_compare' });
  const { to, from } = useSearch({ from: '/$owner/$repo/wiki/$page/_compare' });
  const params = { owner: repo.owner.login, repo: repo.name, page };
  const q = useDiff(repo.owner.login, repo.name, page, to ?? '', from);
  useTitle(`Changes to ${page} · Wiki · ${repo.full_name}`);
  return (
    <>
      <WikiBar repo={repo} />
      <h2 className={s.title}>
        Changes to{' '}
        <Link to="/$owner/$repo/wiki/$page" params={params}>
          {page}
        </Link>
      </h2>
      <p className={s.meta}>
        {from ? (
          <>
            <span className={s.sha}>{from.slice(0, 10)}</span> → <span className={s.sha}>{to?.slice(0, 10)}</span>
          </>
        ) : (
          <>
            What <span className={s.sha}>{to?.slice(0, 10)}</span> changed
          </>
        )}{' '}
        ·{' '}
        <Link to="/$owner/$repo/wiki/$page/_history" params={params}>
          history
        </Link>
      </p>
      {!to ? (
        <EmptyState title="Pick a revision from the history" />
      ) : q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} />
      ) : (
        <Panel>
          <pre className={s.diff} data-testid="wiki-diff">
            {q.data.diff
              .split('\n')
              .filter((l) => !/^(diff --git|index |--- |\+\+\+ |new file mode|deleted file mode)/.test(l))
              .map((l, i) => (
                <span key={i} className={l.startsWith('+') ? s.add : l.startsWith('-') ? s.del : l.startsWith('@@') ? s.hunk : undefined}>
                  {l || ' '}
                </span>
              ))}
          </pre>
        </Panel>
      )}
    </>
  );
}
