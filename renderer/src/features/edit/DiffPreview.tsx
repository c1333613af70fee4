// The whole change as the commit would make it, before anything is written: the server applies
// the operations to the branch's tip in a scratch index (POST …/edits/preview) and answers with
// the files a commit page shows, drawn by the commit page's own diff tables.
import { useEffect, useMemo, useState } from 'react';
import { Loading, Notice } from '../../components/ui';
import { DiffFile } from '../history/DiffFile';
import { initialCollapsed, toFileDiff } from '../pulls/diff';
import { previewChange, type ChangeBody, type Preview } from './api';
import s from './Edit.module.css';

export function DiffPreview({ owner, repo, request }: { owner: string; repo: string; request: () => Promise<ChangeBody> }) {
  const [state, setState] = useState<{ data?: Preview; error?: unknown }>({});
  useEffect(() => {
    let live = true;
    request()
      .then((body) => previewChange(owner, repo, body))
      .then(
        (data) => live && setState({ data }),
        (error: unknown) => live && setState({ error }),
      );
    return () => {
      live = false;
    };
    // one preview per mount: the dialog mounts a new one when the change differs
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const diffs = useMemo(() => state.data?.files.map(toFileDiff) ?? [], [state.data]);
  const collapsed = useMemo(() => initialCollapsed(diffs), [diffs]);
  if (state.error) return <Notice kind="error">The preview failed: {state.error instanceof Error ? state.error.message : String(state.error)}</Notice>;
  if (!state.data) return <Loading label="Working out the diff…" />;
  const p = state.data;
  return (
    <div className={s.preview} data-testid="commit-preview">
      <div className={s.previewSummary}>
        {p.files.length === 0 ? (
          'This change leaves every file as it is.'
        ) : (
          <>
            {p.files.length} {p.files.length === 1 ? 'file' : 'files'} changed, <span className={s.add}>+{p.additions}</span> <span className={s.del}>−{p.deletions}</span>
          </>
        )}
        {p.truncated && <span className="faint"> (only the first files are shown)</span>}
      </div>
      {diffs.map((f, i) => (
        <DiffFile key={`${f.previous_filename ?? ''}>${f.filename}`} f={f} index={i} style="unified" collapsed={collapsed[i] ?? null} owner={owner} repo={repo} sha="" parent={null} rawDiff="" />
      ))}
    </div>
  );
}
