// /<owner>/<repo>/_edit/<branch>/<path> and /_new/<branch>/<dir>: a file in the editor, its
// name (a new name moves it), soft wrap, and the commit dialog. The text lives here, not in the
// dialog, so a commit that fails (the branch moved, a protected branch) loses nothing; leaving
// the page with changes asks first.
import { useNavigate, useParams, useBlocker } from '@tanstack/react-router';
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { Button, Loading, Panel, PanelHeader, useTitle } from '../../components/ui';
import type { TreeView } from '../code/api';
import { useRepoContext } from '../repo/RepoLayout';
import type { Repo } from '../repos/types';
import { textToBase64, type FileOperation } from './api';
import { CommitDialog, type Committed } from './CommitDialog';
import { baseName, defaultMessage, joinPath, pathProblem } from './paths';
import { SourceGate, useEditSource } from './source';
import s from './Edit.module.css';

const CodeEditor = lazy(() => import('./CodeEditor').then((m) => ({ default: m.CodeEditor })));

const WRAP_KEY = 'gitssy.editor-wrap';

function storedWrap(): boolean {
  try {
    return localStorage.getItem(WRAP_KEY) !== 'off';
  } catch {
    return true;
  }
}

export function EditFilePage() {
  const repo = useRepoContext();
  const { _splat = '' } = useParams({ from: '/$owner/$repo/_edit/$' });
  const { view, q } = useEditSource(repo.owner.login, repo.name, _splat);
  useTitle(`Editing ${view?.path ?? ''} · ${repo.full_name}`);
  return (
    <SourceGate repo={repo} q={q} view={view} want="file">
      {(v) =>
        v.file?.content == null || v.file.binary || v.file.lfs || v.entry.type !== 'file' ? (
          <Panel pad>This file can't be edited in the browser (it is binary, stored with LFS, or too large).</Panel>
        ) : (
          <Editor repo={repo} view={v} mode="edit" />
        )
      }
    </SourceGate>
  );
}

export function NewFilePage() {
  const repo = useRepoContext();
  const { _splat = '' } = useParams({ from: '/$owner/$repo/_new/$' });
  // an empty repository has no tree to read: the file starts its default branch
  const { view, q } = useEditSource(repo.owner.login, repo.name, _splat, !repo.empty);
  useTitle(`New file · ${repo.full_name}`);
  if (repo.empty) return <Editor repo={repo} view={null} mode="new" />;
  return (
    <SourceGate repo={repo} q={q} view={view} want="dir">
      {(v) => <Editor repo={repo} view={v} mode="new" />}
    </SourceGate>
  );
}

function Editor({ repo, view, mode }: { repo: Repo; view: TreeView | null; mode: 'edit' | 'new' }) {
  const owner = repo.owner.login;
  const navigate = useNavigate();
  const branch = view?.ref.name ?? repo.default_branch;
  const original = mode === 'edit' && view ? view.path : null;
  const dir = mode === 'edit' && view ? view.path.slice(0, Math.max(0, view.path.lastIndexOf('/'))) : (view?.path ?? '');
  const initialText = mode === 'edit' ? (view?.file?.content ?? '') : '';
  const [name, setName] = useState(original ? baseName(original) : '');
  const [text, setText] = useState(initialText);
  const [wrap, setWrap] = useState(storedWrap);
  const [language, setLanguage] = useState<string | null>(null);
  const [dialog, setDialog] = useState(false);
  const path = joinPath(dir, name.trim());
  const problem = name.trim() ? pathProblem(path) : 'Enter a file name.';
  const dirty = mode === 'new' ? text !== '' || name !== '' : text !== initialText || path !== original;
  const done = useRef(false);

  useBlocker({
    shouldBlockFn: () => dirty && !done.current && !window.confirm('Leave the editor? Your changes are not committed.'),
    enableBeforeUnload: () => dirty && !done.current,
  });
  useEffect(() => {
    try {
      localStorage.setItem(WRAP_KEY, wrap ? 'on' : 'off');
    } catch {
      // storage off: the toggle still works on this page
    }
  }, [wrap]);

  const getFiles = useCallback((): FileOperation[] => {
    const content = textToBase64(text);
    if (mode === 'new' || !view || original === null) return [{ operation: 'create', path, content }];
    return [{ operation: 'update', path, content, sha: view.entry.sha, ...(path !== original ? { from_path: original } : {}) }];
  }, [text, path, mode, view, original]);

  const committed = (c: Committed) => {
    done.current = true;
    void navigate({ to: '/$owner/$repo/src/$', params: { owner, repo: repo.name, _splat: `branch/${c.branch}/${path}` } });
  };
  const cancel = () => {
    const back = mode === 'edit' && original ? original : dir;
    void navigate({ to: '/$owner/$repo/src/$', params: { owner, repo: repo.name, _splat: `branch/${branch}${back ? `/${back}` : ''}` } });
  };

  const summary = mode === 'new' || original === null ? { operation: 'create' as const, path } : { operation: 'update' as const, path, from_path: original };
  const lines = text ? text.split('\n').length : 0;
  return (
    <div className={s.page}>
      <div className={s.pathRow}>
        <span className={s.pathPrefix}>
          {repo.name}/{dir ? `${dir}/` : ''}
        </span>
        <input
          type="text"
          className={s.pathInput}
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Name your file…"
          aria-label="File name"
          autoFocus={mode === 'new'}
          data-testid="file-name"
        />
        <span className={s.onBranch}>
          in <code className={s.branch}>{branch}</code>
        </span>
      </div>
      {name.trim() && problem && <div className={s.problem}>{problem}</div>}
      <Panel>
        <PanelHeader>
          <div className={s.editorBar}>
            <span className={s.editorMeta}>
              <span>{mode === 'edit' ? 'Edit' : 'New file'}</span>
              <span>
                {lines.toLocaleString()} {lines === 1 ? 'line' : 'lines'}
              </span>
              <span data-testid="editor-language">{language ?? 'Plain text'}</span>
            </span>
            <span className={s.spacer} />
            <label className={s.toggle}>
              <input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} data-testid="soft-wrap" />
              Soft wrap
            </label>
          </div>
        </PanelHeader>
        <Suspense
          fallback={
            <div className={s.editorLoading}>
              <Loading label="Loading the editor…" />
            </div>
          }
        >
          <CodeEditor initial={initialText} filename={baseName(path) || 'untitled.txt'} wrap={wrap} onChange={setText} onLanguage={setLanguage} autoFocus={mode === 'edit'} />
        </Suspense>
      </Panel>
      <div className={s.footer}>
        <Button onClick={cancel}>Cancel</Button>
        <Button variant="primary" onClick={() => setDialog(true)} disabled={!!problem || (mode === 'edit' && !dirty)} data-testid="commit-open">
          Commit changes…
        </Button>
      </div>
      <CommitDialog
        open={dialog}
        onOpenChange={setDialog}
        owner={owner}
        repo={repo.name}
        branch={branch}
        baseCommit={view?.ref.commit ?? null}
        title={mode === 'edit' ? `Commit changes to ${original}` : `Add ${path}`}
        getFiles={getFiles}
        defaultMessage={defaultMessage([summary])}
        blocked={problem}
        viewPath={path}
        onCommitted={committed}
        onLanded={() => (done.current = true)}
      />
    </div>
  );
}
