// Moving, renaming and deleting from the code pages: a file, a folder (one operation with the
// folder's tree id, Gitssy's extension of Gitea's contents API) or the rows selected in a tree.
// Loaded when first opened; each is CommitDialog with what it changes above the message.
import { useNavigate } from '@tanstack/react-router';
import { useCallback, useState } from 'react';
import type { TreeEntry } from '../code/api';
import type { FileOperation } from './api';
import { CommitDialog, type Committed } from './CommitDialog';
import { defaultMessage, pathProblem } from './paths';
import s from './Edit.module.css';

interface Common {
  owner: string;
  repo: string;
  branch: string;
  /** The branch's tip as the page showed it. */
  baseCommit: string;
  onClose: () => void;
}

const srcSplat = (branch: string, path: string) => `branch/${branch}${path ? `/${path}` : ''}`;

export function MoveDialog({ owner, repo, branch, baseCommit, entry, onClose }: Common & { entry: TreeEntry }) {
  const navigate = useNavigate();
  const [to, setTo] = useState(entry.path);
  const target = to.trim();
  const problem = target === entry.path ? 'Type the new path.' : pathProblem(target);
  const folder = entry.type === 'dir';
  const getFiles = useCallback((): FileOperation[] => [{ operation: 'update', from_path: entry.path, path: target, sha: entry.sha }], [entry.path, entry.sha, target]);
  const committed = (c: Committed) => void navigate({ to: '/$owner/$repo/src/$', params: { owner, repo, _splat: srcSplat(c.branch, target) } });
  return (
    <CommitDialog
      open
      onOpenChange={(o) => !o && onClose()}
      owner={owner}
      repo={repo}
      branch={branch}
      baseCommit={baseCommit}
      title={folder ? `Move or rename the folder ${entry.name}` : `Move or rename ${entry.name}`}
      getFiles={getFiles}
      defaultMessage={problem ? `Move ${entry.path}` : defaultMessage([{ operation: 'update', path: target, from_path: entry.path }])}
      blocked={problem}
      viewPath={target}
      onCommitted={committed}
      submitLabel={folder ? 'Move the folder' : 'Move the file'}
    >
      <label htmlFor="move-to">New path</label>
      <input id="move-to" type="text" className={s.moveInput} value={to} onChange={(e) => setTo(e.target.value)} autoFocus data-testid="move-to" />
      {target !== entry.path && problem && <div className={s.problem}>{problem}</div>}
      {folder && <div className="faint">Everything in the folder moves with it, in one commit.</div>}
    </CommitDialog>
  );
}

export function DeleteDialog({ owner, repo, branch, baseCommit, entries, dir, onClose, onDeleted }: Common & { entries: TreeEntry[]; dir: string; onDeleted?: () => void }) {
  const navigate = useNavigate();
  // stable while the same entries are passed in a new array (a page re-render must not drop the preview)
  const key = entries.map((e) => `${e.sha} ${e.path}`).join('\n');
  const getFiles = useCallback((): FileOperation[] => entries.map((e) => ({ operation: 'delete', path: e.path, sha: e.sha })), [key]); // eslint-disable-line react-hooks/exhaustive-deps
  const single = entries.length === 1 ? entries[0]! : null;
  const committed = (c: Committed) => {
    onDeleted?.();
    void navigate({ to: '/$owner/$repo/src/$', params: { owner, repo, _splat: srcSplat(c.branch, dir) } });
  };
  const folders = entries.filter((e) => e.type === 'dir').length;
  return (
    <CommitDialog
      open
      onOpenChange={(o) => !o && onClose()}
      owner={owner}
      repo={repo}
      branch={branch}
      baseCommit={baseCommit}
      title={single ? `Delete ${single.name}` : `Delete ${entries.length} entries`}
      getFiles={getFiles}
      defaultMessage={single ? `Delete ${single.path}` : `Delete ${entries.length} files and folders`}
      viewPath={dir}
      onCommitted={committed}
      submitLabel="Delete"
      danger
    >
      <p>
        {single ? (single.type === 'dir' ? 'This folder and everything in it' : 'This file') : `These ${entries.length} entries${folders ? ' (folders with everything in them)' : ''}`} will be deleted
        from <code className={s.branch}>{branch}</code> in a new commit; the history keeps them.
      </p>
      <ul className={s.entries} data-testid="delete-entries">
        {entries.map((e) => (
          <li key={e.path}>
            {e.path}
            {e.type === 'dir' ? '/' : ''}
          </li>
        ))}
      </ul>
    </CommitDialog>
  );
}
