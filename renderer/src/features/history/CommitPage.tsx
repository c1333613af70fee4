// One commit: /<owner>/<repo>/commit/<sha>?style=unified|split. The message (as text), who
// wrote and committed it, its parents, the changed files with their counts, and each file's
// diff. The view style lives in the URL and is remembered in localStorage for next time.
// Writers revert the commit onto a branch, or restore one file as this commit left it.
import { Link, useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useEffect, useMemo, useState } from 'react';
import { Button, ErrorState, Loading, Notice, Panel, PanelHeader, RelativeTime, buttonClass, useTitle } from '../../components/ui';
import { StatusIcon } from '../ci';
import { useRepoContext } from '../repo/RepoLayout';
import { RestoreDialog, RevertDialog, useUndoAccess } from '../undo';
import { rawDiffUrl, useCommitDiff } from './api';
import { Person, body, shortSha, summary } from './bits';
import { DiffFile, FileCounts, FileName, statusClass, statusMark, type Collapsed, type DiffStyle } from './DiffFile';
import type { CommitDiff } from './types';
import s from './History.module.css';

const STYLE_KEY = 'gitssy.diff-style';
/** A file with more lines than this starts collapsed. */
const FILE_LINES_OPEN = 800;
/** After this many lines rendered on the page, further files start collapsed. */
const PAGE_LINES_OPEN = 6000;

function storedStyle(): DiffStyle {
  try {
    return localStorage.getItem(STYLE_KEY) === 'split' ? 'split' : 'unified';
  } catch {
    return 'unified';
  }
}

/** Which files start collapsed, and why: big ones, and everything past the page's line budget. */
function initialCollapsed(d: CommitDiff): Array<Collapsed | null> {
  let shown = 0;
  return d.files.map((f) => {
    if (!f.patch || f.binary) return null;
    let n = 0;
    for (let i = f.patch.indexOf('\n'); i >= 0; i = f.patch.indexOf('\n', i + 1)) n++;
    if (n > FILE_LINES_OPEN) return 'large';
    if (shown + n > PAGE_LINES_OPEN) return 'budget';
    shown += n;
    return null;
  });
}

export function CommitPage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const { sha } = useParams({ from: '/$owner/$repo/commit/$sha' });
  const search = useSearch({ from: '/$owner/$repo/commit/$sha' });
  const navigate = useNavigate({ from: '/$owner/$repo/commit/$sha' });
  const style: DiffStyle = search.style ?? storedStyle();
  const q = useCommitDiff(owner, name, sha);
  const c = q.data?.commit;
  useTitle(c ? `${summary(c.commit.message)} · ${shortSha(c.sha)} · ${repo.full_name}` : undefined);

  // an explicit ?style= in a shared link becomes this browser's choice too
  useEffect(() => {
    if (search.style) {
      try {
        localStorage.setItem(STYLE_KEY, search.style);
      } catch {
        // storage off: the URL still carries the choice
      }
    }
  }, [search.style]);

  const collapsed = useMemo(() => (q.data ? initialCollapsed(q.data) : []), [q.data]);
  const undo = useUndoAccess(repo);
  const canWrite = undo.write && !undo.paused;
  const [reverting, setReverting] = useState(false);
  const [restoring, setRestoring] = useState<{ path: string; commit: string } | null>(null);
  // one "Restore" per file header, kept stable so the memoized file diffs don't re-render
  const restoreActions = useMemo(() => {
    if (!q.data || !canWrite) return [];
    const { commit: c, files } = q.data;
    return files.map((f) => {
      // a removed file comes back as the parent had it; any other as this commit left it
      const removed = f.status === 'removed';
      const at = removed ? c.parents[0]?.sha : c.sha;
      const path = removed ? (f.previous_filename ?? f.filename) : f.filename;
      if (!at) return null;
      return (
        <Button
          variant="ghost"
          small
          aria-label={`Restore ${path} as of ${shortSha(at)}`}
          title={removed ? 'Bring this file back as it was before this commit' : 'Restore this version of the file onto a branch'}
          onClick={() => setRestoring({ path, commit: at })}
        >
          Restore
        </Button>
      );
    });
  }, [q.data, canWrite]);
  const setStyle = (next: DiffStyle) => void navigate({ search: (prev) => ({ ...prev, style: next }), replace: true, resetScroll: false });

  if (q.isPending) return <Loading label="Loading the commit…" />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const d = q.data;
  const commit = d.commit;
  const msgBody = body(commit.commit.message);
  const a = commit.commit.author;
  const k = commit.commit.committer;
  const sameCommitter = a.name === k.name && a.email === k.email;
  const rawDiff = rawDiffUrl(owner, name, commit.sha, 'diff');
  const rawPatch = rawDiffUrl(owner, name, commit.sha, 'patch');
  const listed = d.files.length;
  const withPatch = d.files.filter((f) => f.patch !== null).length;

  return (
    <div>
      <Panel>
        <div className={s.commitHead}>
          <h2 className={s.title} data-testid="commit-title">
            {summary(commit.commit.message) || '(no message)'}
          </h2>
          {msgBody && (
            <pre className={s.message} data-testid="commit-body">
              {msgBody}
            </pre>
          )}
          <div className={s.people}>
            <span>
              <Person who={a} user={commit.author} /> authored <RelativeTime iso={a.date} />
            </span>
            {!sameCommitter && (
              <span>
                <Person who={k} user={commit.committer} /> committed <RelativeTime iso={k.date} />
              </span>
            )}
          </div>
        </div>
        <div className={s.facts}>
          <span style={{ display: 'inline-flex', alignItems: 'center', gap: '0.4rem' }}>
            commit <code data-testid="commit-sha">{commit.sha}</code>
            <StatusIcon owner={owner} repo={name} sha={commit.sha} />
          </span>
          <span>
            {commit.parents.length === 0 ? (
              'no parents (a root commit)'
            ) : (
              <>
                {commit.parents.length === 1 ? 'parent' : 'parents'}{' '}
                {commit.parents.map((p, i) => (
                  <span key={p.sha}>
                    {i > 0 && ' + '}
                    <Link className={s.sha} to="/$owner/$repo/commit/$sha" params={{ owner, repo: name, sha: p.sha }}>
                      {shortSha(p.sha)}
                    </Link>
                  </span>
                ))}
              </>
            )}
          </span>
          <span className={s.headRight}>
            {canWrite && commit.parents.length > 0 && (
              <Button small onClick={() => setReverting(true)} title="Undo this commit's changes with a new commit">
                Revert
              </Button>
            )}
            <Link className={buttonClass('default', true)} to="/$owner/$repo/src/$" params={{ owner, repo: name, _splat: `commit/${commit.sha}` }}>
              Browse files
            </Link>
          </span>
        </div>
      </Panel>

      <div className={s.toolbar}>
        <span data-testid="diff-stats">
          {d.total_files} {d.total_files === 1 ? 'file' : 'files'} changed, <span className={s.add}>+{d.stats.additions}</span> <span className={s.del}>−{d.stats.deletions}</span>
        </span>
        <div className={s.toolbarRight}>
          <div className={s.segmented} role="group" aria-label="Diff view">
            <button type="button" aria-pressed={style === 'unified'} onClick={() => setStyle('unified')}>
              Unified
            </button>
            <button type="button" aria-pressed={style === 'split'} onClick={() => setStyle('split')}>
              Split
            </button>
          </div>
          <a className={buttonClass('ghost', true)} href={rawDiff}>
            .diff
          </a>
          <a className={buttonClass('ghost', true)} href={rawPatch}>
            .patch
          </a>
        </div>
      </div>

      {d.truncated && (
        <Notice kind="warn">
          This commit is large: {listed < d.total_files ? `${listed} of ${d.total_files} files are listed` : `${withPatch} of ${d.total_files} files have their diff shown`}
          {', and some long diffs are cut off'}. The whole change is in the <a href={rawDiff}>.diff</a> or <a href={rawPatch}>.patch</a>.
        </Notice>
      )}

      {d.files.length > 0 && (
        <Panel>
          <PanelHeader>
            <strong>Changed files</strong>
          </PanelHeader>
          <ul className={s.fileList} data-testid="file-list">
            {d.files.map((f, i) => (
              <li key={i}>
                <span className={statusClass(f.status)} title={f.status}>
                  {statusMark(f.status)}
                </span>
                <a
                  href={`#diff-${i}`}
                  onClick={(e) => {
                    e.preventDefault();
                    document.getElementById(`diff-${i}`)?.scrollIntoView({ block: 'start' });
                  }}
                >
                  <FileName f={f} />
                </a>
                <FileCounts f={f} />
              </li>
            ))}
          </ul>
        </Panel>
      )}

      {d.files.map((f, i) => (
        <DiffFile
          key={`${i}:${f.filename}`}
          f={f}
          index={i}
          style={style}
          collapsed={collapsed[i] ?? null}
          owner={owner}
          repo={name}
          sha={commit.sha}
          parent={commit.parents[0]?.sha ?? null}
          rawDiff={rawDiff}
          actions={restoreActions[i] ?? undefined}
        />
      ))}
      {d.files.length === 0 && <Notice>This commit changes no files.</Notice>}
      {reverting && (
        <RevertDialog
          owner={owner}
          repo={name}
          sha={commit.sha}
          title={summary(commit.commit.message)}
          merge={commit.parents.length > 1}
          defaultBranch={repo.default_branch}
          onClose={() => setReverting(false)}
        />
      )}
      {restoring && <RestoreDialog owner={owner} repo={name} path={restoring.path} commit={restoring.commit} defaultBranch={repo.default_branch} onClose={() => setRestoring(null)} />}
    </div>
  );
}
