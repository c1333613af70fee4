// The one commit form every web edit goes through (editing, new files, uploads, moves,
// deletes): a subject and a body, the branch to commit to or a new branch to start, a diff of
// the whole change before it is written, and what happened after. It always sends the tip the
// change was made against, so a branch that moved meanwhile fails with the server's message
// (and a link to the new commits) while everything typed stays where it was.
import { useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { Dialog } from 'radix-ui';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../../api/client';
import { Button, Notice, cx } from '../../components/ui';
import { useBranchNames } from '../code/api';
import { invalidateRepoViews } from '../repos/api';
import { useCurrentUser } from '../session/api';
import { AiSuggestButton } from '../ai';
import { commitChange, getBranchState, useBranchState, type ChangeBody, type FileCommitResponse, type FileOperation } from './api';
import { DiffPreview } from './DiffPreview';
import s from './Edit.module.css';

export interface Committed {
  commit: FileCommitResponse;
  /** Where the commit landed. */
  branch: string;
  /** It started a new branch (the dialog offered a pull request). */
  newBranch: boolean;
}

export interface CommitDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  owner: string;
  repo: string;
  /** The branch the change was made on. */
  branch: string;
  /** Its tip when the editing started (null: the repository is empty). */
  baseCommit: string | null;
  title: string;
  /** The change; called when previewing and committing (an upload reads its files then). Keep it stable while nothing changes. */
  getFiles: () => FileOperation[] | Promise<FileOperation[]>;
  defaultMessage: string;
  /** Fields above the message (a move's new path). */
  children?: ReactNode;
  /** Why the change can't be committed yet, or null. */
  blocked?: string | null;
  /** Show how much of the request has been sent (uploads). */
  showProgress?: boolean;
  /** What to link to on the new branch after committing there (a file or a folder; '' = the root). */
  viewPath: string;
  /** After a commit to `branch`; after one to a new branch, when the dialog is closed. */
  onCommitted: (c: Committed) => void;
  /** As soon as any commit landed (the page's work is saved: stop guarding it). */
  onLanded?: (c: Committed) => void;
  submitLabel?: string;
  danger?: boolean;
}

type Target = 'direct' | 'new';

/** "alice-patch-3": the first of Gitea's default names not taken. */
function freeBranchName(login: string, taken: Set<string>): string {
  for (let n = 1; ; n++) {
    const name = `${login}-patch-${n}`;
    if (!taken.has(name)) return name;
  }
}

export function isBranchMoved(e: unknown): boolean {
  return e instanceof ApiError && e.status === 409 && /branch changed since/i.test(e.message);
}

export function CommitDialog(props: CommitDialogProps) {
  const {
    open,
    onOpenChange,
    owner,
    repo,
    branch,
    baseCommit,
    title,
    getFiles,
    defaultMessage,
    children,
    blocked = null,
    showProgress,
    viewPath,
    onCommitted,
    onLanded,
    submitLabel = 'Commit changes',
    danger,
  } = props;
  const qc = useQueryClient();
  const me = useCurrentUser();
  const branches = useBranchNames(owner, repo, open);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [target, setTarget] = useState<Target>('direct');
  const [newBranch, setNewBranch] = useState('');
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Committed | null>(null);
  const [previewOn, setPreviewOn] = useState(false);
  const abort = useRef<AbortController | null>(null);
  // the tip the change applies to: where the editing started, or a newer one the person chose
  const [base, setBase] = useState(baseCommit);
  useEffect(() => setBase(baseCommit), [baseCommit]);
  const [rebased, setRebased] = useState(false);
  // a branch the viewer may not commit to directly (protected): start on the new-branch choice
  const state = useBranchState(owner, repo, branch, open && baseCommit !== null);
  const directRefused = state.data?.user_can_push === false;
  useEffect(() => {
    if (directRefused) setTarget('new');
  }, [directRefused]);

  const suggested = useMemo(() => freeBranchName(me?.login ?? 'patch', new Set((branches.data?.items ?? []).map((b) => b.name))), [me?.login, branches.data]);
  const branchName = newBranch.trim() || suggested;
  const message = (subject.trim() || defaultMessage) + (body.trim() ? `\n\n${body.trim()}` : '');
  // the change, read once per version of it (an upload's files are read and encoded here) and
  // shared by the message suggestion, the preview and the commit
  const [prepared, setPrepared] = useState<{ of: CommitDialogProps['getFiles']; files: FileOperation[] } | null>(null);
  useEffect(() => {
    if (!open || blocked) return;
    let live = true;
    Promise.resolve()
      .then(() => getFiles())
      .then(
        (files) => live && setPrepared({ of: getFiles, files }),
        () => undefined, // the preview or the commit reads them again and shows the error
      );
    return () => {
      live = false;
    };
  }, [open, blocked, getFiles]);
  const filesNow = async () => (prepared?.of === getFiles ? prepared.files : await getFiles());
  const bodyFor = async (): Promise<ChangeBody> => ({
    files: await filesNow(),
    branch,
    ...(target === 'new' ? { new_branch: branchName } : {}),
    ...(base ? { last_commit_id: base } : {}),
    message,
  });
  const newBranchProblem = target === 'new' ? branchProblem(branchName, branches.data?.items.map((b) => b.name) ?? []) : null;

  // a different change, target or base needs a new preview
  useEffect(() => setPreviewOn(false), [getFiles, target, branchName, base]);

  /** After a "branch changed" refusal: apply the same change on top of the branch's new tip. */
  const applyOnNewTip = async () => {
    try {
      const now = await getBranchState(owner, repo, branch);
      setBase(now.commit.id);
      setRebased(true);
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    if (!open) abort.current?.abort();
  }, [open]);

  const close = (next: boolean) => {
    if (next) return onOpenChange(true);
    if (busy) return;
    onOpenChange(false);
    if (done) {
      const c = done;
      setDone(null);
      onCommitted(c);
    }
  };

  const submit = async () => {
    if (busy || blocked || newBranchProblem) return;
    setBusy(true);
    setError(null);
    setProgress(null);
    const ctl = new AbortController();
    abort.current = ctl;
    try {
      const req = await bodyFor();
      const res = await commitChange(owner, repo, req, { signal: ctl.signal, onProgress: showProgress ? (sent, total) => setProgress({ sent, total }) : undefined });
      void invalidateRepoViews(qc, owner, repo);
      const c: Committed = { commit: res.commit, branch: req.new_branch ?? branch, newBranch: !!req.new_branch };
      onLanded?.(c);
      setSubject('');
      setBody('');
      if (c.newBranch) setDone(c);
      else {
        onOpenChange(false);
        onCommitted(c);
      }
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return;
      setError(e);
      // a protected branch refuses direct commits: offer the new branch at once
      if (e instanceof ApiError && e.status === 403) setTarget('new');
    } finally {
      setBusy(false);
      setProgress(null);
      abort.current = null;
    }
  };

  const pct = progress && progress.total > 0 ? Math.min(100, Math.round((progress.sent / progress.total) * 100)) : 0;
  return (
    <Dialog.Root open={open} onOpenChange={close}>
      <Dialog.Portal>
        <Dialog.Overlay className={s.overlay} />
        <Dialog.Content className={s.dialog} aria-describedby={undefined} data-testid="commit-dialog" onInteractOutside={(e) => busy && e.preventDefault()}>
          <Dialog.Title className={s.dialogTitle}>{done ? 'Committed' : title}</Dialog.Title>
          {done ? (
            <div data-testid="commit-done">
              <Notice kind="ok">
                Committed <code>{done.commit.sha.slice(0, 10)}</code> to the new branch <strong>{done.branch}</strong>.
              </Notice>
              <p>Open a pull request to propose merging it into {branch}.</p>
              <div className={s.actions}>
                <Button onClick={() => close(false)}>Close</Button>
                <Link
                  className={cx(s.linkButton)}
                  to="/$owner/$repo/src/$"
                  params={{ owner, repo, _splat: `branch/${done.branch}${viewPath ? `/${viewPath}` : ''}` }}
                  onClick={() => onOpenChange(false)}
                >
                  View on {done.branch}
                </Link>
                <Link
                  className={s.primaryLink}
                  to="/$owner/$repo/compare/$"
                  params={{ owner, repo, _splat: `${branch}...${done.branch}` }}
                  data-testid="open-pull-request"
                  onClick={() => onOpenChange(false)}
                >
                  Open a pull request
                </Link>
              </div>
            </div>
          ) : (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void submit();
              }}
            >
              {children}
              <label htmlFor="commit-subject">Commit message</label>
              <input id="commit-subject" type="text" value={subject} onChange={(e) => setSubject(e.target.value)} placeholder={defaultMessage} maxLength={500} data-testid="commit-subject" />
              <textarea
                aria-label="Extended description"
                className={s.bodyInput}
                value={body}
                onChange={(e) => setBody(e.target.value)}
                placeholder="An optional extended description…"
                rows={3}
                data-testid="commit-body"
              />
              <AiSuggestButton
                owner={owner}
                repo={repo}
                kind="commit-message"
                request={() => {
                  if (prepared?.of !== getFiles) throw new Error('The change is still being read; try again in a moment.');
                  return { files: prepared.files, branch, ...(base ? { last_commit_id: base } : {}) };
                }}
                onApply={(m) => {
                  setSubject(m.subject);
                  setBody(m.body);
                }}
              />
              <fieldset className={s.targets}>
                <legend className="visually-hidden">Where to commit</legend>
                <label className={s.radio}>
                  <input type="radio" name="commit-target" checked={target === 'direct'} onChange={() => setTarget('direct')} data-testid="commit-direct" />
                  <span>
                    Commit directly to the <code className={s.branch}>{branch}</code> branch
                  </span>
                </label>
                {baseCommit !== null && (
                  <>
                    <label className={s.radio}>
                      <input type="radio" name="commit-target" checked={target === 'new'} onChange={() => setTarget('new')} data-testid="commit-new-branch" />
                      <span>Create a new branch for this commit and start a pull request</span>
                    </label>
                    {target === 'new' && (
                      <div className={s.newBranch}>
                        <input
                          type="text"
                          aria-label="New branch name"
                          value={newBranch}
                          placeholder={suggested}
                          onChange={(e) => setNewBranch(e.target.value)}
                          maxLength={255}
                          data-testid="new-branch-name"
                        />
                        {newBranchProblem && <div className={s.problem}>{newBranchProblem}</div>}
                      </div>
                    )}
                  </>
                )}
              </fieldset>
              {blocked && <div className={s.problem}>{blocked}</div>}
              {directRefused && target === 'direct' && <Notice kind="warn">{branch} is protected: commits to it go through a pull request.</Notice>}
              {rebased && !error && (
                <Notice kind="info">
                  <span data-testid="rebased">
                    The change now applies on top of <code>{base?.slice(0, 10)}</code>, the newest commit of {branch}. Preview it to see the whole change again.
                  </span>
                </Notice>
              )}
              <CommitError error={error} owner={owner} repo={repo} branch={branch} onNewTip={() => void applyOnNewTip()} />
              {busy && showProgress && (
                <div className={s.progress} role="progressbar" aria-label="Upload progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} data-testid="upload-progress">
                  <div className={s.progressBar} style={{ width: `${pct}%` }} />
                  <span className={s.progressText}>{progress ? (pct < 100 ? `Sending… ${pct}%` : 'Writing the commit…') : 'Reading the files…'}</span>
                </div>
              )}
              <div className={s.actions}>
                <Button onClick={() => setPreviewOn((p) => !p)} aria-expanded={previewOn} data-testid="preview-changes" disabled={!!blocked}>
                  {previewOn ? 'Hide the preview' : 'Preview changes'}
                </Button>
                <span className={s.spacer} />
                <Button onClick={() => close(false)} disabled={busy}>
                  Cancel
                </Button>
                <Button type="submit" variant={danger ? 'danger' : 'primary'} busy={busy} disabled={!!blocked || !!newBranchProblem} data-testid="commit-submit">
                  {target === 'new' ? 'Commit to the new branch' : submitLabel}
                </Button>
              </div>
              {previewOn && !blocked && <DiffPreview owner={owner} repo={repo} request={bodyFor} />}
            </form>
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** What is wrong with a new branch's name, or null (the server checks ref names in full). */
function branchProblem(name: string, existing: string[]): string | null {
  if (existing.includes(name)) return `A branch named ${name} already exists.`;
  if (/[\s~^:?*[\\]|\.\.|@\{|^[-/.]|[/.]$|\.lock$|\/\//.test(name)) return `"${name}" is not a valid branch name.`;
  return null;
}

/** The server's answer; a branch that moved gets a link to what changed (in a new tab, so nothing typed is lost). */
function CommitError({ error, owner, repo, branch, onNewTip }: { error: unknown; owner: string; repo: string; branch: string; onNewTip: () => void }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  if (isBranchMoved(error)) {
    return (
      <Notice kind="error">
        <span data-testid="branch-moved">{message}</span>.{' '}
        <a
          href={`/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/commits/branch/${branch.split('/').map(encodeURIComponent).join('/')}`}
          target="_blank"
          rel="noopener"
          data-testid="view-new-changes"
        >
          View the new changes
        </a>{' '}
        (in a new tab). Nothing was written, and your changes are still here.
        <div className={s.errorActions}>
          <Button small onClick={onNewTip} data-testid="use-new-tip">
            Apply my change on top of the new commits
          </Button>
        </div>
      </Notice>
    );
  }
  return (
    <Notice kind="error">
      <span data-testid="commit-error">{message}</span>
      {error instanceof ApiError && error.status === 403 && ' Commit to a new branch instead and open a pull request.'}
    </Notice>
  );
}
