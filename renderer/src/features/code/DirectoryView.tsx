// A directory at a ref: the toolbar (ref switcher, path, latest change), the entries with their
// last commits, and the README below. The repository home is this view at the root of the
// default branch with the clone panel beside it.
import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { Avatar, Panel, PanelHeader, RelativeTime, Spinner } from '../../components/ui';
import { TreeEditActions, useCanEdit, useTreeSelection } from '../edit/actions';
import { useRepoContext } from '../repo/RepoLayout';
import { DevShellButton } from '../shells';
import { usePathLastCommit, type CommitBrief, type TreeView } from './api';
import { Breadcrumbs } from './Breadcrumbs';
import { LatestCommit } from './LatestCommit';
import { Readme } from './Readme';
import { RefSwitcher } from './RefSwitcher';
import { TreeTable } from './TreeTable';
import { shortSha, srcSplat } from './paths';
import s from './Code.module.css';

/** The switcher and breadcrumbs above a tree or a file. */
export function CodeToolbar({ owner, repo, view, extra, loading }: { owner: string; repo: string; view: TreeView; extra?: ReactNode; loading?: boolean }) {
  const refName = view.ref.kind === 'commit' ? view.ref.commit : view.ref.name;
  const r = useRepoContext();
  return (
    <div className={s.toolbar}>
      <RefSwitcher owner={owner} repo={repo} current={view.ref} path={view.path} />
      {view.path ? <Breadcrumbs owner={owner} repo={repo} kind={view.ref.kind} refName={refName} path={view.path} /> : extra}
      {loading && <Spinner />}
      <span className={s.toolbarSpacer} />
      <DevShellButton owner={owner} repo={repo} branch={view.ref.kind === 'branch' ? view.ref.name : null} defaultBranch={r.default_branch} canRead={r.permissions.pull} />
    </div>
  );
}

/** The newest commit that changed a path: from the tree view, or asked for when it was pending. */
export function LastChange({ owner, repo, view }: { owner: string; repo: string; view: TreeView }) {
  const known = view.last_commit;
  const q = usePathLastCommit(owner, repo, view.ref.commit, view.path, !known && view.path !== '');
  const commit: CommitBrief | null =
    known ?? (q.data ? { sha: q.data.sha, summary: q.data.commit.message.split('\n', 1)[0] ?? '', author: q.data.commit.author, committer: q.data.commit.committer, html_url: q.data.html_url } : null);
  if (!commit) return q.isError ? <span className="faint">Could not find the last change: {q.error.message}</span> : <span className="faint">Finding the last change…</span>;
  return (
    <div className={s.latest} data-testid="last-change">
      <Avatar name={commit.author.name} size={22} />
      <strong>{commit.author.name}</strong>
      <Link to="/$owner/$repo/commit/$sha" params={{ owner, repo, sha: commit.sha }} className={s.latestMessage} title={commit.summary}>
        {commit.summary}
      </Link>
      <span className={s.latestMeta}>
        <Link to="/$owner/$repo/commit/$sha" params={{ owner, repo, sha: commit.sha }} className={s.sha}>
          {shortSha(commit.sha)}
        </Link>
        <RelativeTime iso={commit.committer.date} />
      </span>
    </div>
  );
}

export function DirectoryView({ owner, repo, view }: { owner: string; repo: string; view: TreeView }) {
  const refName = view.ref.kind === 'commit' ? view.ref.commit : view.ref.name;
  const canEdit = useCanEdit(view);
  const selection = useTreeSelection(view);
  return (
    <div className={s.stack}>
      <Panel>
        <PanelHeader>
          {view.path ? <LastChange owner={owner} repo={repo} view={view} /> : <LatestCommit owner={owner} repo={repo} commit={view.ref.commit} historyRef={srcSplat(view.ref.kind, refName)} />}
        </PanelHeader>
        {canEdit && (
          <PanelHeader className={s.editBar}>
            <TreeEditActions owner={owner} repo={repo} view={view} selection={selection} />
          </PanelHeader>
        )}
        <TreeTable owner={owner} repo={repo} view={view} selection={canEdit ? selection : undefined} />
      </Panel>
      <Readme owner={owner} repo={repo} view={view} />
    </div>
  );
}
