// /<owner>/<repo>/branches: every branch with its last commit, the default one first. People
// who may push create a branch from any ref and delete branches after confirming; the buttons
// say why they are off (no write access, the default branch, a protection rule, maintenance).
// Repository admins reset an unprotected branch to an earlier commit and undo recent resets.
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Avatar, Badge, Button, EmptyState, ErrorState, FormError, Hint, Loading, Modal, Notice, Pager, Panel, PanelHeader, RelativeTime, buttonClass, useTitle } from '../../components/ui';
import { StatusIcon, useStatusSummaries } from '../ci';
import { useRepoContext } from '../repo/RepoLayout';
import { useSession } from '../session/api';
import { RecentResets, ResetDialog, useUndoAccess } from '../undo';
import { PER_PAGE, useBranches, useCreateBranch, useDeleteBranch } from './api';
import type { Branch } from './types';
import s from './Branches.module.css';

const summary = (message: string) => message.split('\n', 1)[0]!.trim();

export function BranchesPage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const { page = 1 } = useSearch({ from: '/$owner/$repo/branches' });
  const navigate = useNavigate({ from: '/$owner/$repo/branches' });
  const session = useSession().data;
  const q = useBranches(owner, name, page);
  const statuses = useStatusSummaries(owner, name, q.data?.items.map((b) => b.commit.id) ?? []);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Branch | null>(null);
  const [resetting, setResetting] = useState<Branch | null>(null);
  const undo = useUndoAccess(repo);
  const [done, setDone] = useState<string | null>(null);
  useTitle(`Branches · ${repo.full_name}`);

  const maintenance = session?.maintenance?.read_only ? 'The server is in maintenance mode; changes are paused.' : null;
  const writeBlock = maintenance ?? (!session?.user ? 'Sign in with write access to change branches.' : !repo.permissions.push ? 'You need write access to this repository to change branches.' : null);

  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const { items, total } = q.data;
  const hasNext = total !== null ? page * PER_PAGE < total : items.length === PER_PAGE;

  const deleteBlock = (b: Branch): string | null =>
    writeBlock ?? (b.name === repo.default_branch ? 'The default branch cannot be deleted.' : b.protected ? `Protected by the rule "${b.effective_branch_protection_name || b.name}".` : null);

  return (
    <div>
      {done && <Notice kind="ok">{done}</Notice>}
      <Panel>
        <PanelHeader>
          <strong>Branches</strong>
          {total !== null && <span className="muted">{total}</span>}
          <span className={s.headRight} title={writeBlock ?? undefined}>
            <Button variant="primary" small disabled={!!writeBlock || repo.empty} onClick={() => setCreating(true)}>
              New branch
            </Button>
          </span>
        </PanelHeader>
        {writeBlock && session?.user && (
          <div className={s.hintRow}>
            <Hint>{writeBlock}</Hint>
          </div>
        )}
        {items.length === 0 ? (
          <EmptyState title="No branches yet">{repo.empty ? 'Push to this repository to create its first branch.' : 'There are no branches on this page.'}</EmptyState>
        ) : (
          <ul className={s.rows}>
            {items.map((b) => {
              const reason = deleteBlock(b);
              return (
                <li key={b.name} className={s.row} data-testid="branch-row" data-branch={b.name}>
                  <div className={s.main}>
                    <div className={s.nameLine}>
                      <Link className={s.name} to="/$owner/$repo/src/$" params={{ owner, repo: name, _splat: `branch/${b.name}` }}>
                        {b.name}
                      </Link>
                      {b.name === repo.default_branch && <Badge accent>default</Badge>}
                      {b.protected && <Badge>protected</Badge>}
                      <StatusIcon owner={owner} repo={name} sha={b.commit.id} summary={statuses.data?.[b.commit.id] ?? null} />
                    </div>
                    <div className={s.meta}>
                      <Link className={s.sha} to="/$owner/$repo/commit/$sha" params={{ owner, repo: name, sha: b.commit.id }}>
                        {b.commit.id.slice(0, 10)}
                      </Link>
                      <span className={s.msg} title={summary(b.commit.message)}>
                        {summary(b.commit.message)}
                      </span>
                      <span className={s.who}>
                        <Avatar name={b.commit.author.username || b.commit.author.name || '?'} size={18} />
                        {b.commit.author.username ? (
                          <Link to="/$owner" params={{ owner: b.commit.author.username }}>
                            {b.commit.author.username}
                          </Link>
                        ) : (
                          <span>{b.commit.author.name}</span>
                        )}
                      </span>
                      <RelativeTime iso={b.commit.timestamp} />
                    </div>
                  </div>
                  <div className={s.actions}>
                    <Link className={buttonClass('ghost', true)} to="/$owner/$repo/commits/$" params={{ owner, repo: name, _splat: `branch/${b.name}` }}>
                      Commits
                    </Link>
                    {undo.admin && !b.protected && (
                      <span title={undo.paused ?? undefined}>
                        <Button variant="ghost" small disabled={!!undo.paused} aria-label={`Reset branch ${b.name}`} onClick={() => setResetting(b)}>
                          Reset…
                        </Button>
                      </span>
                    )}
                    <span title={reason ?? undefined}>
                      <Button variant="danger" small disabled={!!reason} aria-label={`Delete branch ${b.name}`} onClick={() => setDeleting(b)}>
                        Delete
                      </Button>
                    </span>
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </Panel>
      <Pager page={page} hasNext={hasNext} onPage={(p) => void navigate({ search: (prev) => ({ ...prev, page: p > 1 ? p : undefined }) })} />
      {!repo.empty && (
        <RecentResets owner={owner} repo={name} canUndo={undo.admin} blocked={undo.paused} onUndone={(r) => setDone(`Undid the reset: ${r.branch} is back at ${r.new_commit.slice(0, 10)}.`)} />
      )}
      {creating && (
        <CreateBranchDialog
          owner={owner}
          repo={name}
          defaultRef={repo.default_branch}
          branches={items.map((b) => b.name)}
          onClose={(created) => {
            setCreating(false);
            if (created) setDone(`Created branch ${created}.`);
          }}
        />
      )}
      {resetting && (
        <ResetDialog
          owner={owner}
          repo={name}
          branch={resetting.name}
          tip={resetting.commit.id}
          onClose={(r) => {
            setResetting(null);
            if (r) setDone(`Reset ${r.branch} to ${r.new_commit.slice(0, 10)}. The old tip ${r.old_commit.slice(0, 10)} is kept under Recent resets, where you can undo this.`);
          }}
        />
      )}
      {deleting && (
        <DeleteBranchDialog
          owner={owner}
          repo={name}
          branch={deleting}
          onClose={(deleted) => {
            setDeleting(null);
            if (deleted) setDone(`Deleted branch ${deleted}.`);
          }}
        />
      )}
    </div>
  );
}

function CreateBranchDialog({ owner, repo, defaultRef, branches, onClose }: { owner: string; repo: string; defaultRef: string; branches: string[]; onClose: (created?: string) => void }) {
  const [branchName, setBranchName] = useState('');
  const [from, setFrom] = useState(defaultRef);
  const create = useCreateBranch(owner, repo);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const name = branchName.trim();
    if (!name || !from.trim()) return;
    create.mutate({ new_branch_name: name, old_ref_name: from.trim() }, { onSuccess: (b) => onClose(b.name) });
  };
  return (
    <Modal
      open
      onOpenChange={(open) => !open && onClose()}
      title="Create a branch"
      actions={
        <>
          <Button onClick={() => onClose()}>Cancel</Button>
          <Button variant="primary" type="submit" form="create-branch" busy={create.isPending} disabled={create.isPending || !branchName.trim() || !from.trim()}>
            Create branch
          </Button>
        </>
      }
    >
      <form id="create-branch" onSubmit={submit}>
        <label htmlFor="branch-name">Branch name</label>
        <input
          id="branch-name"
          type="text"
          autoFocus
          value={branchName}
          onChange={(e) => setBranchName(e.target.value)}
          maxLength={255}
          placeholder="feature/my-change"
          autoComplete="off"
          spellCheck={false}
        />
        <label htmlFor="branch-from">Start from</label>
        <input id="branch-from" type="text" list="branch-from-list" value={from} onChange={(e) => setFrom(e.target.value)} maxLength={255} autoComplete="off" spellCheck={false} />
        <datalist id="branch-from-list">
          {branches.map((b) => (
            <option key={b} value={b} />
          ))}
        </datalist>
        <Hint>A branch, a tag or a commit id.</Hint>
        <FormError error={create.error} />
      </form>
    </Modal>
  );
}

function DeleteBranchDialog({ owner, repo, branch, onClose }: { owner: string; repo: string; branch: Branch; onClose: (deleted?: string) => void }) {
  const del = useDeleteBranch(owner, repo);
  return (
    <Modal
      open
      onOpenChange={(open) => !open && onClose()}
      title="Delete this branch?"
      actions={
        <>
          <Button onClick={() => onClose()} autoFocus>
            Cancel
          </Button>
          <Button variant="danger" busy={del.isPending} onClick={() => del.mutate(branch.name, { onSuccess: () => onClose(branch.name) })}>
            Delete branch
          </Button>
        </>
      }
    >
      <p>
        <strong className={s.name}>{branch.name}</strong> will be deleted. It points at <code>{branch.commit.id.slice(0, 10)}</code>; commits that no other branch or tag reaches can no longer be
        browsed.
      </p>
      <FormError error={del.error} />
    </Modal>
  );
}
