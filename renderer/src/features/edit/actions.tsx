// The editing buttons the code pages show to someone who may push, on a branch: a file's Edit,
// Move and Delete; a folder's New file, Upload, Move, and deleting the rows selected in its
// tree. Small on purpose: the dialogs and the editor load when first used.
import { Link } from '@tanstack/react-router';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Button, buttonClass } from '../../components/ui';
import type { TreeEntry, TreeView } from '../code/api';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser, useReadOnly } from '../session/api';
import s from './Edit.module.css';

const MoveDialog = lazy(() => import('./EntryDialogs').then((m) => ({ default: m.MoveDialog })));
const DeleteDialog = lazy(() => import('./EntryDialogs').then((m) => ({ default: m.DeleteDialog })));

/** Whether the viewer can commit to what this view shows (a branch they may push to). */
export function useCanEdit(view: TreeView): boolean {
  const repo = useRepoContext();
  const me = useCurrentUser();
  const readOnly = useReadOnly();
  return !!me && !readOnly && repo.permissions.push && view.ref.kind === 'branch';
}

const splat = (branch: string, path: string) => `${branch}${path ? `/${path}` : ''}`;

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Edit, Move, Delete for the file a view shows. */
export function FileEditActions({ owner, repo, view }: { owner: string; repo: string; view: TreeView }) {
  const can = useCanEdit(view);
  const [open, setOpen] = useState<'move' | 'delete' | null>(null);
  // the tip as the page showed it when the dialog opened
  const [base, setBase] = useState(view.ref.commit);
  if (!can) return null;
  const { entry, file } = view;
  const editable = entry.type === 'file' && !!file && file.content !== null && !file.binary && !file.lfs;
  const show = (what: 'move' | 'delete') => {
    setBase(view.ref.commit);
    setOpen(what);
  };
  const common = { owner, repo, branch: view.ref.name, baseCommit: base, onClose: () => setOpen(null) };
  return (
    <span className={s.editButtons}>
      {editable && (
        <Link to="/$owner/$repo/_edit/$" params={{ owner, repo, _splat: splat(view.ref.name, entry.path) }} className={buttonClass('default', true)} data-testid="edit-file">
          Edit
        </Link>
      )}
      <Button small onClick={() => show('move')} data-testid="move-file">
        Move
      </Button>
      <Button small variant="danger" onClick={() => show('delete')} data-testid="delete-file">
        Delete
      </Button>
      <Suspense fallback={null}>
        {open === 'move' && <MoveDialog {...common} entry={entry} />}
        {open === 'delete' && <DeleteDialog {...common} entries={[entry]} dir={parentOf(entry.path)} />}
      </Suspense>
    </span>
  );
}

/** The rows picked in a tree (their paths), cleared when the tree shows another folder or commit. */
export interface TreeSelection {
  selected: ReadonlySet<string>;
  toggle: (path: string) => void;
  /** Select these paths, or none (null). */
  setAll: (paths: string[] | null) => void;
}

export function useTreeSelection(view: TreeView): TreeSelection {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const key = `${view.ref.commit}:${view.path}`;
  useEffect(() => setSelected(new Set()), [key]);
  return useMemo(
    () => ({
      selected,
      toggle: (path: string) =>
        setSelected((prev) => {
          const next = new Set(prev);
          if (next.has(path)) next.delete(path);
          else next.add(path);
          return next;
        }),
      setAll: (paths: string[] | null) => setSelected(new Set(paths ?? [])),
    }),
    [selected],
  );
}

/** New file, Upload, Move folder, and Delete for the selected rows, above a folder's tree. */
export function TreeEditActions({ owner, repo, view, selection }: { owner: string; repo: string; view: TreeView; selection: TreeSelection }) {
  const can = useCanEdit(view);
  const [open, setOpen] = useState<'move' | 'delete' | null>(null);
  const [base, setBase] = useState(view.ref.commit);
  const [deleting, setDeleting] = useState<TreeEntry[]>([]);
  if (!can) return null;
  const chosen: TreeEntry[] = (view.entries ?? []).filter((e) => selection.selected.has(e.path));
  const show = (what: 'move' | 'delete') => {
    setBase(view.ref.commit);
    setDeleting(chosen);
    setOpen(what);
  };
  const common = { owner, repo, branch: view.ref.name, baseCommit: base, onClose: () => setOpen(null) };
  return (
    <span className={s.selectBar}>
      {chosen.length > 0 ? (
        <>
          <span className="muted" data-testid="selected-count">
            {chosen.length} selected
          </span>
          <Button small onClick={() => selection.setAll(null)}>
            Clear
          </Button>
          <Button small variant="danger" onClick={() => show('delete')} data-testid="delete-selected">
            Delete selected
          </Button>
        </>
      ) : (
        <>
          <Link to="/$owner/$repo/_new/$" params={{ owner, repo, _splat: splat(view.ref.name, view.path) }} className={buttonClass('default', true)} data-testid="new-file">
            New file
          </Link>
          <Link to="/$owner/$repo/_upload/$" params={{ owner, repo, _splat: splat(view.ref.name, view.path) }} className={buttonClass('default', true)} data-testid="upload-link">
            Upload
          </Link>
          {view.path && (
            <Button small onClick={() => show('move')} data-testid="move-folder">
              Move folder
            </Button>
          )}
        </>
      )}
      <Suspense fallback={null}>
        {open === 'move' && <MoveDialog {...common} entry={view.entry} />}
        {open === 'delete' && <DeleteDialog {...common} entries={deleting} dir={view.path} onDeleted={() => selection.setAll(null)} />}
      </Suspense>
    </span>
  );
}
