// /<owner>/<repo>/_upload/<branch>/<dir>: files and whole folders, dropped on the page or
// picked, checked against the server's limits before anything is sent (each file too large is
// named), then written as one commit with a progress bar while the request body goes up.
// A file that already exists at its path is replaced (an update of the blob it had).
import { useNavigate, useParams, useBlocker } from '@tanstack/react-router';
import { useCallback, useMemo, useRef, useState, type DragEvent } from 'react';
import { apiGet } from '../../api/client';
import { Button, Hint, Notice, Panel, PanelHeader, cx, useTitle } from '../../components/ui';
import type { TreeView } from '../code/api';
import { formatBytes } from '../code/paths';
import { useRepoContext } from '../repo/RepoLayout';
import { repoPath } from '../repos/api';
import type { Repo } from '../repos/types';
import { fileToBase64, useEditLimits, type EditLimits, type FileOperation } from './api';
import { CommitDialog, type Committed } from './CommitDialog';
import { joinPath, pathProblem } from './paths';
import { SourceGate, useEditSource } from './source';
import s from './Edit.module.css';

interface Picked {
  /** Relative to the folder the upload goes to. */
  path: string;
  file: File;
}

export function UploadPage() {
  const repo = useRepoContext();
  const { _splat = '' } = useParams({ from: '/$owner/$repo/_upload/$' });
  const { view, q } = useEditSource(repo.owner.login, repo.name, _splat, !repo.empty);
  useTitle(`Upload files · ${repo.full_name}`);
  if (repo.empty) return <Uploader repo={repo} view={null} />;
  return (
    <SourceGate repo={repo} q={q} view={view} want="dir">
      {(v) => <Uploader repo={repo} view={v} />}
    </SourceGate>
  );
}

/** Every file under a dropped entry, with its path from the drop. */
async function walkEntry(entry: FileSystemEntry, prefix: string, out: Picked[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path: prefix + entry.name, file });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries answers in batches (100 in Chromium) until an empty one
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const child of batch) await walkEntry(child, `${prefix}${entry.name}/`, out);
    }
  }
}

function problemOf(p: Picked, dir: string, limits: EditLimits | undefined): string | null {
  if (limits && limits.max_file_bytes > 0 && p.file.size > limits.max_file_bytes) {
    const [size, cap] = [formatBytes(p.file.size), formatBytes(limits.max_file_bytes)];
    return size === cap
      ? `This file is too large: ${p.file.size.toLocaleString()} bytes, over the push size cap of ${limits.max_file_bytes.toLocaleString()}.`
      : `This file is too large: ${size}, over the push size cap of ${cap}.`;
  }
  return pathProblem(joinPath(dir, p.path));
}

/** The blobs under `treeish` (a tree or commit id) by path, for telling new files from replaced ones. */
async function existingBlobs(owner: string, repo: string, treeish: string): Promise<Map<string, { sha: string; type: string }>> {
  const out = new Map<string, { sha: string; type: string }>();
  for (let page = 1; page <= 20; page++) {
    const t = await apiGet<{ tree: Array<{ path: string; type: string; sha: string }>; truncated: boolean }>(`${repoPath(owner, repo)}/git/trees/${encodeURIComponent(treeish)}`, {
      recursive: true,
      page,
      per_page: 10000,
    });
    for (const e of t.tree) out.set(e.path, { sha: e.sha, type: e.type });
    if (!t.truncated) break;
  }
  return out;
}

function Uploader({ repo, view }: { repo: Repo; view: TreeView | null }) {
  const owner = repo.owner.login;
  const navigate = useNavigate();
  const limits = useEditLimits(owner, repo.name);
  const branch = view?.ref.name ?? repo.default_branch;
  const dir = view?.path ?? '';
  const [picked, setPicked] = useState<Picked[]>([]);
  const [skipped, setSkipped] = useState<string[]>([]);
  const [over, setOver] = useState(false);
  const [reading, setReading] = useState(false);
  const [dialog, setDialog] = useState(false);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const done = useRef(false);

  useBlocker({
    shouldBlockFn: () => picked.length > 0 && !done.current && !window.confirm('Leave without uploading the files you picked?'),
    enableBeforeUnload: () => picked.length > 0 && !done.current,
  });

  const add = (more: Picked[]) => {
    // a repository never holds .git folders: leave them out, and say so
    const git = more.filter((p) => p.path.split('/').some((seg) => seg.toLowerCase() === '.git'));
    const keep = more.filter((p) => !git.includes(p));
    if (git.length) setSkipped((s) => [...s, ...git.map((p) => p.path)]);
    setPicked((prev) => {
      const byPath = new Map(prev.map((p) => [p.path, p]));
      for (const p of keep) byPath.set(p.path, p);
      return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
    });
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const dt = e.dataTransfer;
    // entries must be taken while the drop event runs; reading them can wait
    const entries = [...dt.items].filter((i) => i.kind === 'file').map((i) => (typeof i.webkitGetAsEntry === 'function' ? i.webkitGetAsEntry() : null));
    if (entries.length && entries.every((x) => x !== null)) {
      setReading(true);
      const out: Picked[] = [];
      void Promise.all(entries.map((entry) => walkEntry(entry!, '', out)))
        .then(() => add(out))
        .finally(() => setReading(false));
    } else {
      add([...dt.files].map((file) => ({ path: file.name, file })));
    }
  };

  const onInput = (input: HTMLInputElement | null) => {
    if (!input?.files) return;
    add([...input.files].map((file) => ({ path: file.webkitRelativePath || file.name, file })));
    input.value = '';
  };

  const problems = useMemo(() => picked.map((p) => problemOf(p, dir, limits.data)), [picked, dir, limits.data]);
  const total = picked.reduce((n, p) => n + p.file.size, 0);
  const l = limits.data;
  const tooMany = l && l.max_files > 0 && picked.length > l.max_files ? `That is ${picked.length} files; one commit takes up to ${l.max_files}.` : null;
  const cap = l ? Math.min(...[l.max_push_bytes, l.max_total_bytes ?? 0].filter((n) => n > 0), Infinity) : Infinity;
  const tooBig = total > cap ? `That is ${formatBytes(total)} in all; one commit takes up to ${formatBytes(cap)} (the push size cap).` : null;
  const bad = problems.filter(Boolean).length;
  const blocked = !picked.length ? 'Pick some files first.' : bad ? `${bad} ${bad === 1 ? 'file can' : 'files can'}'t be uploaded: remove ${bad === 1 ? 'it' : 'them'} first.` : (tooMany ?? tooBig);

  const getFiles = useCallback(async (): Promise<FileOperation[]> => {
    const existing = view ? await existingBlobs(owner, repo.name, view.path ? view.entry.sha : view.ref.commit) : new Map<string, { sha: string; type: string }>();
    const ops: FileOperation[] = [];
    for (const p of picked) {
      const content = await fileToBase64(p.file);
      const there = existing.get(p.path);
      const path = joinPath(dir, p.path);
      ops.push(there && there.type === 'blob' ? { operation: 'update', path, content, sha: there.sha } : { operation: 'create', path, content });
    }
    return ops;
  }, [picked, view, owner, repo.name, dir]);

  const committed = (c: Committed) => {
    done.current = true;
    void navigate({ to: '/$owner/$repo/src/$', params: { owner, repo: repo.name, _splat: `branch/${c.branch}${dir ? `/${dir}` : ''}` } });
  };
  const cancel = () => void navigate({ to: '/$owner/$repo/src/$', params: { owner, repo: repo.name, _splat: `branch/${branch}${dir ? `/${dir}` : ''}` } });
  const defaultMsg = picked.length === 1 ? `Add ${joinPath(dir, picked[0]!.path)}` : `Upload ${picked.length} files${dir ? ` to ${dir}` : ''}`;

  return (
    <div className={s.page}>
      <div className={s.pathRow}>
        <strong>Upload files</strong>
        <span className="muted">to</span>
        <span className={s.pathPrefix}>
          {repo.name}/{dir ? `${dir}/` : ''}
        </span>
        <span className={s.onBranch}>
          in <code className={s.branch}>{branch}</code>
        </span>
      </div>
      <Panel pad>
        <div
          className={cx(s.drop, over && s.dropActive)}
          onDragOver={(e) => {
            e.preventDefault();
            e.dataTransfer.dropEffect = 'copy';
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
          data-testid="upload-drop"
        >
          <div>{reading ? 'Reading the folder…' : 'Drag files or folders here, or'}</div>
          <div className={s.dropButtons}>
            <Button onClick={() => filesInput.current?.click()}>Choose files</Button>
            <Button onClick={() => folderInput.current?.click()}>Choose a folder</Button>
          </div>
          <input ref={filesInput} type="file" multiple hidden onChange={(e) => onInput(e.currentTarget)} data-testid="upload-files" />
          <input
            ref={(el) => {
              folderInput.current = el;
              el?.setAttribute('webkitdirectory', '');
            }}
            type="file"
            multiple
            hidden
            onChange={(e) => onInput(e.currentTarget)}
            data-testid="upload-folder"
          />
          {l && (
            <Hint>
              {[l.max_files > 0 && `up to ${l.max_files.toLocaleString()} files`, l.max_file_bytes > 0 && `${formatBytes(l.max_file_bytes)} each`, cap < Infinity && `${formatBytes(cap)} in all`]
                .filter(Boolean)
                .join(', ')}
            </Hint>
          )}
        </div>
      </Panel>
      {skipped.length > 0 && (
        <Notice kind="warn">
          Left out {skipped.length} {skipped.length === 1 ? 'file' : 'files'} inside a .git folder (a repository can't hold one).
        </Notice>
      )}
      {picked.length > 0 && (
        <Panel>
          <PanelHeader>
            <div className={s.uploadSummary}>
              <strong data-testid="upload-count">
                {picked.length} {picked.length === 1 ? 'file' : 'files'}
              </strong>
              <span className="muted">{formatBytes(total)}</span>
              <span className={s.spacer} />
              {bad > 0 && (
                <Button small onClick={() => setPicked((prev) => prev.filter((p) => !problemOf(p, dir, limits.data)))}>
                  Remove the files that can't be uploaded
                </Button>
              )}
              <Button small variant="ghost" onClick={() => setPicked([])}>
                Clear
              </Button>
            </div>
          </PanelHeader>
          <ul className={s.fileList} data-testid="upload-list">
            {picked.map((p, i) => (
              <li key={p.path} className={cx(s.fileRow, problems[i] && s.fileRowBad)} data-testid="upload-item">
                <span className={s.filePath}>
                  {p.path}
                  {problems[i] && (
                    <div className={s.fileWhy} data-testid="upload-problem">
                      {problems[i]}
                    </div>
                  )}
                </span>
                <span className={s.fileSize}>{formatBytes(p.file.size)}</span>
                <button type="button" className={s.remove} aria-label={`Remove ${p.path}`} onClick={() => setPicked((prev) => prev.filter((x) => x !== p))}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        </Panel>
      )}
      {(tooMany || tooBig) && <Notice kind="error">{tooMany ?? tooBig}</Notice>}
      <div className={s.footer}>
        <Button onClick={cancel}>Cancel</Button>
        <Button variant="primary" disabled={!!blocked || reading} onClick={() => setDialog(true)} data-testid="commit-open">
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
        title={`Upload ${picked.length} ${picked.length === 1 ? 'file' : 'files'}`}
        getFiles={getFiles}
        defaultMessage={defaultMsg}
        blocked={blocked}
        showProgress
        viewPath={dir}
        onCommitted={committed}
        onLanded={() => (done.current = true)}
      />
    </div>
  );
}
