// /<owner>/<repo>/pulls/<n>[/commits|/files]: the frame of a pull request's tabs — its header
// (title, editable by its author and writers; state; "wants to merge N commits into base from
// head") and the tab bar. The pull request is loaded here and read by the tab with
// usePullContext; the frame joins the repository's room and refetches whatever the server says
// changed (see api.ts).
import { Link, useParams } from '@tanstack/react-router';
import { createContext, useContext, useState, type FormEvent, type ReactNode } from 'react';
import { Button, ErrorState, FormError, Loading, NotFoundPanel, RelativeTime, useTitle } from '../../components/ui';
import { StatusIcon } from '../ci';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser } from '../session/api';
import { useEditPull, usePull, usePullCommits, usePullLive } from './api';
import { BranchLabel, StateBadge, UserName } from './bits';
import type { PullRequest } from './types';
import s from './Pulls.module.css';

interface PullContextValue {
  pr: PullRequest;
  /** Whether the viewer may write to the repository (merge, close, edit anything). */
  canWrite: boolean;
  /** Whether the viewer may change the title and body (its author, or a writer). */
  canEdit: boolean;
  /** Whether changes arrive live (the repository's room is joined). */
  live: boolean;
}

const PullContext = createContext<PullContextValue | null>(null);

export function usePullContext(): PullContextValue {
  const v = useContext(PullContext);
  if (!v) throw new Error('usePullContext outside PullLayout');
  return v;
}

export function PullLayout({ children }: { children: ReactNode }) {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  // one frame for three routes (/pulls/$number, …/commits, …/files): each has the number
  const { number } = useParams({ strict: false });
  const n = Number(number);
  const valid = Number.isSafeInteger(n) && n > 0;
  const q = usePull(owner, name, valid ? n : 0);
  const commits = usePullCommits(owner, name, valid ? n : 0);
  const live = usePullLive(owner, name, n);
  const me = useCurrentUser();
  useTitle(q.data ? `${q.data.title} · #${n} · ${repo.full_name}` : undefined);

  if (!valid) return <NotFoundPanel />;
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const pr = q.data;
  const canWrite = !!me && repo.permissions.push;
  const canEdit = !!me && (canWrite || pr.user?.id === me.id);
  const count = commits.data?.total ?? commits.data?.items.length;
  const params = { owner, repo: name, number: String(n) };
  const commitsWord = count === undefined ? 'its commits' : `${count} ${count === 1 ? 'commit' : 'commits'}`;

  return (
    <PullContext.Provider value={{ pr, canWrite, canEdit, live }}>
      <div className={s.pullHead} data-testid="pull-header" data-live={live}>
        <TitleLine pr={pr} canEdit={canEdit} />
        <div className={s.pullSub}>
          <StateBadge pr={pr} big />
          {pr.merged ? (
            <span>
              <UserName user={pr.merged_by} /> merged {commitsWord} into <BranchLabel>{pr.base.label}</BranchLabel> from <BranchLabel>{pr.head.label}</BranchLabel> <RelativeTime iso={pr.merged_at} />
            </span>
          ) : (
            <span data-testid="pull-summary">
              <UserName user={pr.user} /> {pr.state === 'open' ? 'wants to merge' : 'wanted to merge'} {commitsWord} into <BranchLabel>{pr.base.label}</BranchLabel> from{' '}
              <BranchLabel>{pr.head.label}</BranchLabel>
            </span>
          )}
          {pr.head.sha && <StatusIcon owner={owner} repo={name} sha={pr.head.sha} />}
        </div>
      </div>
      <nav className={s.pullTabs} aria-label="Pull request">
        <Link to="/$owner/$repo/pulls/$number" params={params} className={s.pullTab} activeOptions={{ exact: true, includeSearch: false }}>
          Conversation <span className={s.tabCount}>{pr.comments}</span>
        </Link>
        <Link to="/$owner/$repo/pulls/$number/commits" params={params} className={s.pullTab}>
          Commits {count !== undefined && <span className={s.tabCount}>{count}</span>}
        </Link>
        <Link to="/$owner/$repo/pulls/$number/files" params={params} className={s.pullTab} data-testid="files-tab">
          Files changed {pr.changed_files !== undefined && <span className={s.tabCount}>{pr.changed_files}</span>}
        </Link>
        {pr.additions !== undefined && (
          <span className={s.tabStats}>
            <span className={s.add}>+{pr.additions}</span> <span className={s.del}>−{pr.deletions}</span>
          </span>
        )}
      </nav>
      {children}
    </PullContext.Provider>
  );
}

function TitleLine({ pr, canEdit }: { pr: PullRequest; canEdit: boolean }) {
  const repo = useRepoContext();
  const edit = useEditPull(repo.owner.login, repo.name, pr.number);
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(pr.title);

  if (editing) {
    const onSubmit = (e: FormEvent) => {
      e.preventDefault();
      edit.mutate({ title: title.trim() }, { onSuccess: () => setEditing(false) });
    };
    return (
      <form className={s.titleForm} onSubmit={onSubmit} aria-label="Edit title">
        <input type="text" aria-label="Title" value={title} maxLength={1000} autoFocus onChange={(e) => setTitle(e.target.value)} data-testid="title-input" />
        <Button type="submit" variant="primary" small busy={edit.isPending} disabled={!title.trim()}>
          Save
        </Button>
        <Button small onClick={() => setEditing(false)}>
          Cancel
        </Button>
        <FormError error={edit.error} />
      </form>
    );
  }
  return (
    <div className={s.titleLine}>
      <h1 className={s.pullTitle} data-testid="pull-title-heading">
        {pr.title || '(no title)'} <span className={s.number}>#{pr.number}</span>
      </h1>
      {canEdit && (
        <Button
          small
          onClick={() => {
            setTitle(pr.title);
            edit.reset();
            setEditing(true);
          }}
        >
          Edit
        </Button>
      )}
    </div>
  );
}
