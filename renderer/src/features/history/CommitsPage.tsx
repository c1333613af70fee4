// The commit log of a branch, tag or commit, optionally of one path:
// /<owner>/<repo>/commits/<kind>/<ref>[/<path>]?page=N. The ref may contain slashes, so the
// server splits `<ref>/<path>` the way the tree view does; then 50 commits a page, by day.
// A path's history offers writers "Restore" on each commit: the path back as that commit left it.
import { Link, useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { Badge, Button, EmptyState, ErrorState, Loading, Pager, Panel, RelativeTime, buttonClass, useTitle } from '../../components/ui';
import { StatusIcon, useStatusSummaries, type StatusSummary } from '../ci';
import { useRepoContext } from '../repo/RepoLayout';
import { RestoreDialog, useUndoAccess } from '../undo';
import { COMMITS_PER_PAGE, useCommits, useResolvedRefPath, type RefKind } from './api';
import { Person, body, shortSha, summary } from './bits';
import type { Commit } from './types';
import s from './History.module.css';

const KINDS: RefKind[] = ['branch', 'tag', 'commit'];

/** `branch/feature/x/docs/a.md` → kind and the rest; an old-style `/commits/<ref>` has no kind. */
function parseSplat(splat: string): { kind: RefKind | undefined; refPath: string } {
  const [first, ...rest] = splat.split('/').filter(Boolean);
  if (first && (KINDS as string[]).includes(first)) return { kind: first as RefKind, refPath: rest.join('/') };
  return { kind: undefined, refPath: [first, ...rest].filter(Boolean).join('/') };
}

function dayOf(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

function byDay(commits: Commit[]): Array<[string, Commit[]]> {
  const groups: Array<[string, Commit[]]> = [];
  for (const c of commits) {
    const day = dayOf(c.commit.committer.date);
    const last = groups[groups.length - 1];
    if (last && last[0] === day) last[1].push(c);
    else groups.push([day, [c]]);
  }
  return groups;
}

export function CommitsPage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const { _splat = '' } = useParams({ from: '/$owner/$repo/commits/$' });
  const { page = 1 } = useSearch({ from: '/$owner/$repo/commits/$' });
  const navigate = useNavigate({ from: '/$owner/$repo/commits/$' });
  const parsed = parseSplat(_splat);
  const refPath = parsed.refPath || repo.default_branch;
  const kind = parsed.refPath ? parsed.kind : 'branch';
  const resolved = useResolvedRefPath(owner, name, kind, refPath);
  const ref = resolved.data?.ref;
  const path = resolved.data?.path ?? '';
  const commits = useCommits(owner, name, ref ? { sha: ref.commit, path, page } : null);
  const statuses = useStatusSummaries(owner, name, commits.data?.items.map((c) => c.sha) ?? []);
  const undo = useUndoAccess(repo);
  const [restoring, setRestoring] = useState<string | null>(null);
  useTitle(ref ? `Commits · ${ref.name}${path ? ` · ${path}` : ''} · ${repo.full_name}` : undefined);

  if (repo.empty) {
    return (
      <Panel>
        <EmptyState title="No commits yet">Push to this repository and its history shows up here.</EmptyState>
      </Panel>
    );
  }
  if (resolved.isError) return <ErrorState error={resolved.error} retry={() => void resolved.refetch()} />;
  if (!ref) return <Loading />;
  const total = commits.data?.total ?? null;
  const hasNext = total !== null ? page * COMMITS_PER_PAGE < total : (commits.data?.items.length ?? 0) === COMMITS_PER_PAGE;
  const srcSplat = `${ref.kind}/${ref.name}${path ? `/${path}` : ''}`;

  return (
    <div>
      <div className={s.head}>
        <h2>{path ? 'History' : 'Commits'}</h2>
        <Badge accent>
          {ref.kind}: <span className={s.refName}>{ref.kind === 'commit' ? shortSha(ref.name) : ref.name}</span>
        </Badge>
        {path && (
          <span className={s.path} data-testid="log-path">
            {path}
          </span>
        )}
        <div className={s.headRight}>
          {total !== null && (
            <span className="muted" data-testid="commit-total">
              {total} {total === 1 ? 'commit' : 'commits'}
            </span>
          )}
          <Link className={buttonClass('default', true)} to="/$owner/$repo/src/$" params={{ owner, repo: name, _splat: srcSplat }}>
            Browse files
          </Link>
        </div>
      </div>
      {commits.isError ? (
        <ErrorState error={commits.error} retry={() => void commits.refetch()} />
      ) : !commits.data ? (
        <Loading />
      ) : commits.data.items.length === 0 ? (
        <Panel>
          <EmptyState title={page > 1 ? 'No more commits' : 'No commits'}>
            {path ? `Nothing on ${ref.name} changed ${path}.` : page > 1 ? 'This page is past the end of the history.' : `${ref.name} has no commits.`}
          </EmptyState>
        </Panel>
      ) : (
        <div aria-busy={commits.isPlaceholderData} style={{ opacity: commits.isPlaceholderData ? 0.6 : 1 }}>
          {byDay(commits.data.items).map(([day, list]) => (
            <section key={day} aria-label={`Commits on ${day}`}>
              <h3 className={s.day}>Commits on {day}</h3>
              <Panel>
                <ul className={s.rows}>
                  {list.map((c) => (
                    <CommitRow
                      key={c.sha}
                      c={c}
                      owner={owner}
                      repo={name}
                      status={statuses.data?.[c.sha] ?? null}
                      onRestore={path && undo.write && !undo.paused ? () => setRestoring(c.sha) : undefined}
                      restoreLabel={`Restore ${path} as of ${shortSha(c.sha)}`}
                    />
                  ))}
                </ul>
              </Panel>
            </section>
          ))}
          <Pager page={page} hasNext={hasNext} onPage={(p) => void navigate({ search: (prev) => ({ ...prev, page: p > 1 ? p : undefined }) })} />
        </div>
      )}
      {restoring && path && (
        // onto the branch whose history this is (the default branch for a tag's or a commit's)
        <RestoreDialog owner={owner} repo={name} path={path} commit={restoring} defaultBranch={ref.kind === 'branch' ? ref.name : repo.default_branch} onClose={() => setRestoring(null)} />
      )}
    </div>
  );
}

function CommitRow({ c, owner, repo, status, onRestore, restoreLabel }: { c: Commit; owner: string; repo: string; status: StatusSummary | null; onRestore?: () => void; restoreLabel: string }) {
  const [open, setOpen] = useState(false);
  const rest = body(c.commit.message);
  const short = shortSha(c.sha);
  return (
    <li className={s.row} data-testid="commit-row">
      <div className={s.rowMain}>
        <div className={s.summary}>
          <Link to="/$owner/$repo/commit/$sha" params={{ owner, repo, sha: c.sha }} title={summary(c.commit.message)} data-testid="commit-summary">
            {summary(c.commit.message) || '(no message)'}
          </Link>
          {rest && (
            <button type="button" className={s.bodyToggle} aria-expanded={open} aria-label={open ? 'Hide the full message' : 'Show the full message'} onClick={() => setOpen(!open)}>
              …
            </button>
          )}
          <StatusIcon owner={owner} repo={repo} sha={c.sha} summary={status} />
        </div>
        {open && <pre className={s.body}>{rest}</pre>}
        <div className={s.meta}>
          <Person who={c.commit.author} user={c.author} />
          <span>committed</span>
          <RelativeTime iso={c.commit.committer.date} />
        </div>
      </div>
      <div className={s.rowActions}>
        {onRestore && (
          <Button variant="ghost" small onClick={onRestore} aria-label={restoreLabel} title="Restore this version onto a branch">
            Restore
          </Button>
        )}
        <Link className={`${buttonClass('default', true)} ${s.sha}`} to="/$owner/$repo/commit/$sha" params={{ owner, repo, sha: c.sha }} aria-label={`Commit ${short}`}>
          {short}
        </Link>
        <Link
          className={buttonClass('ghost', true)}
          to="/$owner/$repo/src/$"
          params={{ owner, repo, _splat: `commit/${c.sha}` }}
          title="Browse files at this commit"
          aria-label={`Browse files at ${short}`}
        >
          {'</>'}
        </Link>
      </div>
    </li>
  );
}
