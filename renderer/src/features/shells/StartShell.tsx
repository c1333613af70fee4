// "Dev shell" on a repository's code page: a dialog that says what a new shell would get before
// it starts — the branch (the one being viewed, by default), its limits, the backend it runs in
// and how many shells run already — and starts it, then opens its page. Signed-in readers only;
// when the server refuses (shells off, too many running, no backend) its message shows.
import { useNavigate } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { Button, FormError, Hint, Loading, Modal, Notice } from '../../components/ui';
import { useCurrentUser } from '../session/api';
import { useBranchChoices, useShellOffer, useStartShell } from './api';
import { limitParts } from './bits';
import s from './Shells.module.css';

export interface DevShellButtonProps {
  owner: string;
  repo: string;
  /** The branch being viewed (null on a tag or a commit: the default branch is offered). */
  branch: string | null;
  defaultBranch: string;
  /** Whether the viewer may read the repository (the server checks again). */
  canRead: boolean;
}

export function DevShellButton(props: DevShellButtonProps) {
  const user = useCurrentUser();
  const [open, setOpen] = useState(false);
  if (!user || !props.canRead) return null;
  return (
    <>
      <Button small onClick={() => setOpen(true)} data-testid="dev-shell-open" title="A terminal in your browser with this repository checked out">
        <span aria-hidden>❯_</span> Dev shell
      </Button>
      {open && <StartShellDialog {...props} onClose={() => setOpen(false)} />}
    </>
  );
}

function StartShellDialog({ owner, repo, branch, defaultBranch, onClose }: DevShellButtonProps & { onClose: () => void }) {
  const full = `${owner}/${repo}`;
  const [chosen, setChosen] = useState(branch ?? defaultBranch);
  const offer = useShellOffer(full, true);
  const branches = useBranchChoices(owner, repo, true);
  const start = useStartShell();
  const navigate = useNavigate();
  const selectId = useId();
  const names = branches.data ?? [];
  const options = names.includes(chosen) ? names : [chosen, ...names];
  const o = offer.data;
  const off = o ? o.max_per_user === 0 || o.max_total === 0 : false;
  const atLimit = o ? !off && o.running >= o.max_per_user : false;
  const submit = () =>
    start.mutate(
      { repo: full, branch: chosen },
      {
        onSuccess: (shell) => {
          onClose();
          void navigate({ to: '/-/shells/$id', params: { id: String(shell.id) } });
        },
      },
    );

  return (
    <Modal
      open
      onOpenChange={(v) => !v && onClose()}
      title={`Open a dev shell in ${full}`}
      actions={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={start.isPending} disabled={!!o && (o.backend === null || off)} onClick={submit} data-testid="dev-shell-start">
            Start
          </Button>
        </>
      }
    >
      <p className="muted">A terminal in your browser with the branch checked out. It stops by itself when its time is up or nobody types for a while; nothing in it is kept.</p>
      <label htmlFor={selectId}>Branch</label>
      <select id={selectId} value={chosen} onChange={(e) => setChosen(e.target.value)} data-testid="dev-shell-branch">
        {options.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      {branches.isError && <Hint>Could not list the branches: {branches.error.message}</Hint>}
      <div className={s.dialogSection} data-testid="dev-shell-offer">
        {offer.isPending ? (
          <Loading label="Asking what it would get…" />
        ) : offer.isError ? (
          <FormError error={offer.error} />
        ) : (
          o && (
            <>
              <h3>It gets</h3>
              <dl className={s.limits}>
                {limitParts(o.limits).map(([k, v]) => (
                  <div key={k} className={s.limitRow}>
                    <dt>{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
                <dt>Runs in</dt>
                <dd data-testid="dev-shell-backend">{o.backend ?? 'nothing can run it'}</dd>
              </dl>
              {o.backend === null ? <Notice kind="error">No backend can run dev shells: {o.reason}</Notice> : o.reason && <Hint>{o.reason}</Hint>}
              {off ? (
                <Notice kind="warn">Dev shells are turned off on this server.</Notice>
              ) : atLimit ? (
                <Notice kind="warn">
                  You already run {o.running} of the {o.max_per_user} shells you may have; stop one first.
                </Notice>
              ) : (
                <Hint>
                  You run {o.running} of {o.max_per_user} · {o.running_total} of {o.max_total} on this server
                </Hint>
              )}
            </>
          )
        )}
      </div>
      <FormError error={start.error} />
    </Modal>
  );
}
