// Explore: every repository the viewer may see, searchable by name and description, sortable
// (recently updated, newest, alphabetical, most stars), paginated; all state lives in the URL.
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useState, type FormEvent } from 'react';
import { ListPager, RepoList } from '../../components/RepoList';
import { Button, Panel, PanelHeader, useTitle } from '../../components/ui';
import { useSession } from '../session/api';
import { EXPLORE_LIMIT, SORTS, useRepoSearch, type SortName } from './api';
import s from './ExplorePage.module.css';

export function ExplorePage() {
  useTitle('Explore');
  const search = useSearch({ from: '/explore/repos' });
  const navigate = useNavigate({ from: '/explore/repos' });
  const signedIn = !!useSession().data?.user;
  const sort: SortName = search.sort && search.sort in SORTS ? (search.sort as SortName) : 'recentupdate';
  const page = search.page ?? 1;
  const q = search.q ?? '';
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  const result = useRepoSearch({ q: q || undefined, sort, page });

  const go = (next: { q?: string; sort?: SortName; page?: number }) =>
    void navigate({
      search: { q: (next.q ?? q) || undefined, sort: (next.sort ?? sort) === 'recentupdate' ? undefined : (next.sort ?? sort), page: next.page && next.page > 1 ? next.page : undefined },
    });

  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    go({ q: text.trim(), page: 1 });
  };

  const total = result.data?.total ?? null;
  return (
    <div className={s.page}>
      <h1>Explore</h1>
      <p className="muted">{signedIn ? 'Public and internal repositories on this forge, and private ones you can read.' : 'Public repositories on this forge. Sign in to see internal ones too.'}</p>
      <form className={s.toolbar} onSubmit={onSearch} role="search">
        <label htmlFor="explore-q" className="visually-hidden">
          Search repositories
        </label>
        <input id="explore-q" type="search" placeholder="Search repositories…" value={text} onChange={(e) => setText(e.target.value)} maxLength={255} />
        <Button type="submit">Search</Button>
        <label htmlFor="explore-sort" className="visually-hidden">
          Sort
        </label>
        <select id="explore-sort" className={s.sort} value={sort} onChange={(e) => go({ sort: e.target.value as SortName, page: 1 })}>
          {(Object.keys(SORTS) as SortName[]).map((k) => (
            <option key={k} value={k}>
              {SORTS[k].label}
            </option>
          ))}
        </select>
      </form>
      <Panel>
        <PanelHeader>
          <strong>Repositories</strong>
          {total !== null && (
            <span className="muted" data-testid="explore-total">
              {total} {total === 1 ? 'result' : 'results'}
              {q && (
                <>
                  {' for “'}
                  {q}
                  {'”'}
                </>
              )}
            </span>
          )}
          {result.isFetching && !result.isPending && <span className="faint">updating…</span>}
        </PanelHeader>
        <RepoList repos={result.data?.items} isPending={result.isPending} error={result.error} retry={() => void result.refetch()} empty={q ? `No repositories match “${q}”` : 'No repositories yet'} />
      </Panel>
      <ListPager page={page} total={total} limit={EXPLORE_LIMIT} onPage={(p) => go({ page: p })} />
    </div>
  );
}
