// A list of repositories (home, explore, user pages): name, visibility, description as text,
// stars and when it was last updated. Loading, empty and error states included.
import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import type { Repo } from '../features/repos/types';
import { Badge, Button, EmptyState, ErrorState, Loading, RelativeTime } from './ui';
import s from './RepoList.module.css';

export function visibilityLabel(repo: Pick<Repo, 'visibility' | 'private' | 'internal'>): string {
  const v = repo.visibility ?? (repo.private ? 'private' : repo.internal ? 'internal' : 'public');
  return v === 'private' ? 'Private' : v === 'internal' ? 'Internal' : 'Public';
}

export function RepoList({
  repos,
  isPending,
  error,
  retry,
  empty,
  showOwner = true,
  compact = false,
}: {
  repos: Repo[] | undefined;
  isPending: boolean;
  error: unknown;
  retry?: () => void;
  empty: ReactNode;
  showOwner?: boolean;
  compact?: boolean;
}) {
  if (isPending) return <Loading />;
  if (error) return <ErrorState error={error} retry={retry} />;
  if (!repos || repos.length === 0) return <div className={s.empty}>{typeof empty === 'string' ? <EmptyState title={empty} /> : empty}</div>;
  return (
    <ul className={s.list} data-testid="repo-list">
      {repos.map((r) => (
        <li key={r.id} className={compact ? s.itemCompact : s.item}>
          <div className={s.line}>
            <Link to="/$owner/$repo" params={{ owner: r.owner.login, repo: r.name }} className={s.name}>
              {showOwner && <span className={s.owner}>{r.owner.login} / </span>}
              <strong>{r.name}</strong>
            </Link>
            {r.visibility !== 'public' && <Badge>{visibilityLabel(r)}</Badge>}
            {r.fork && <Badge>Fork</Badge>}
            {!compact && (
              <span className={s.meta}>
                <span title="Stars" aria-label={`${r.stars_count} stars`}>
                  ★ {r.stars_count}
                </span>
              </span>
            )}
          </div>
          {!compact && r.description && <p className={s.desc}>{r.description}</p>}
          {!compact && (
            <div className={s.updated}>
              Updated <RelativeTime iso={r.updated_at} />
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Previous / next for a counted list ("Page 2 of 5"). */
export function ListPager({ page, total, limit, onPage }: { page: number; total: number | null; limit: number; onPage: (page: number) => void }) {
  const last = total === null ? null : Math.max(1, Math.ceil(total / limit));
  if (last !== null && last <= 1 && page <= 1) return null;
  return (
    <nav className={s.pager} aria-label="Pages">
      <Button small disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ← Previous
      </Button>
      <span className="muted">{last === null ? `Page ${page}` : `Page ${page} of ${last}`}</span>
      <Button small disabled={last !== null && page >= last} onClick={() => onPage(page + 1)}>
        Next →
      </Button>
    </nav>
  );
}
