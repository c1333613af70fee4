// A directory's entries: directories first, each with the newest commit that changed it.
// Rows whose last commit the server hadn't worked out in its time budget show a placeholder
// and are filled in by a follow-up request, so the listing never waits for the history walk.
import { Link } from '@tanstack/react-router';
import { RelativeTime, cx } from '../../components/ui';
import { useLastCommits, type CommitBrief, type TreeRow, type TreeView } from './api';
import { parentDir, resolveLinkTarget, shortSha, srcSplat } from './paths';
import s from './Code.module.css';

function EntryIcon({ row }: { row: TreeRow }) {
  if (row.type === 'dir') return <span className={cx(s.fi, s.fiDir)} aria-hidden />;
  if (row.type === 'symlink')
    return (
      <span className={cx(s.fi, s.fiGlyph)} aria-hidden>
        ↪
      </span>
    );
  if (row.type === 'submodule')
    return (
      <span className={cx(s.fi, s.fiGlyph)} aria-hidden>
        ◫
      </span>
    );
  return <span className={cx(s.fi, s.fiFile)} aria-hidden />;
}

const kindLabel: Record<TreeRow['type'], string> = { dir: 'Directory', file: 'File', symlink: 'Symbolic link', submodule: 'Submodule' };

/** Rows picked for a bulk change (web editing): a checkbox per row and one for all. */
export interface RowSelection {
  selected: ReadonlySet<string>;
  toggle: (path: string) => void;
  setAll: (paths: string[] | null) => void;
}

export function TreeTable({ owner, repo, view, selection }: { owner: string; repo: string; view: TreeView; selection?: RowSelection }) {
  const fill = useLastCommits(owner, repo, view);
  const filled = new Map<string, CommitBrief>();
  for (const e of fill.data?.entries ?? []) if (e.last_commit) filled.set(e.name, e.last_commit);
  const stillPending = new Set(fill.data ? fill.data.pending : view.pending);
  const refName = view.ref.kind === 'commit' ? view.ref.commit : view.ref.name;
  const to = (path: string) => ({ to: '/$owner/$repo/src/$' as const, params: { owner, repo, _splat: srcSplat(view.ref.kind, refName, path) } });
  const rows = [...(view.entries ?? [])].sort((a, b) => Number(b.type === 'dir') - Number(a.type === 'dir'));

  if (!rows.length) return <div className={s.notShown}>This directory is empty.</div>;
  return (
    <>
      <table className={s.tree} data-testid="tree">
        {selection && (
          <colgroup>
            <col className={s.checkCol} />
            <col className={s.nameCol} />
            <col />
            <col className={s.timeCol} />
          </colgroup>
        )}
        <tbody>
          {selection && (
            <tr>
              <td className={s.checkCell}>
                <input
                  type="checkbox"
                  aria-label="Select every entry"
                  checked={rows.length > 0 && rows.every((r) => selection.selected.has(r.path))}
                  onChange={(e) => selection.setAll(e.target.checked ? rows.map((r) => r.path) : null)}
                  data-testid="select-all"
                />
              </td>
              <td className={s.selectHint} colSpan={3}>
                {selection.selected.size ? `${selection.selected.size} of ${rows.length} selected` : 'Select entries to delete them together'}
              </td>
            </tr>
          )}
          {view.path && (
            <tr>
              {selection && <td className={s.checkCell} />}
              <td className={s.nameCell} colSpan={3}>
                <span className={s.nameInner}>
                  <span className={cx(s.fi, s.fiGlyph)} aria-hidden>
                    ↰
                  </span>
                  <Link {...to(parentDir(view.path))} aria-label="Parent directory">
                    ..
                  </Link>
                </span>
              </td>
            </tr>
          )}
          {rows.map((row) => {
            const commit = row.last_commit ?? filled.get(row.name) ?? null;
            const pending = !commit && stillPending.has(row.path);
            const linkTarget = row.type === 'symlink' && row.target ? resolveLinkTarget(view.path, row.target) : null;
            return (
              <tr key={row.name} data-entry-type={row.type} data-selected={selection?.selected.has(row.path) || undefined}>
                {selection && (
                  <td className={s.checkCell}>
                    <input type="checkbox" aria-label={`Select ${row.name}`} checked={selection.selected.has(row.path)} onChange={() => selection.toggle(row.path)} data-testid="select-entry" />
                  </td>
                )}
                <td className={s.nameCell} title={`${kindLabel[row.type]}: ${row.name}`}>
                  <span className={s.nameInner}>
                    <EntryIcon row={row} />
                    {row.type === 'submodule' ? (
                      <span className={s.entryName}>
                        {row.name} <span className={s.linkTarget}>@ {shortSha(row.sha)}</span>
                      </span>
                    ) : (
                      <Link {...to(row.path)} className={s.entryName}>
                        {row.name}
                      </Link>
                    )}
                    {row.type === 'symlink' && row.target !== null && (
                      <span className={s.linkTarget}>
                        &nbsp;→{' '}
                        {linkTarget !== null ? (
                          <Link {...to(linkTarget)} className={s.linkTarget}>
                            {row.target}
                          </Link>
                        ) : (
                          row.target
                        )}
                      </span>
                    )}
                  </span>
                </td>
                <td className={s.msgCell}>
                  {commit ? (
                    <Link to="/$owner/$repo/commit/$sha" params={{ owner, repo, sha: commit.sha }} title={commit.summary}>
                      {commit.summary}
                    </Link>
                  ) : pending ? (
                    <span className={s.pendingBar} role="status" aria-label="Finding the last commit" />
                  ) : null}
                </td>
                <td className={s.timeCell}>{commit && <RelativeTime iso={commit.committer.date} />}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {view.truncated && (
        <div className={s.truncated}>
          Showing {view.entries?.length ?? 0} of {view.total} entries. Clone the repository to see them all.
        </div>
      )}
      {fill.isError && <div className={s.truncated}>Some last commits could not be loaded: {fill.error.message}</div>}
    </>
  );
}
