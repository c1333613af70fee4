// Star, watch and fork, with their counts, in the repository header. Each needs a signed-in
// user and a server that isn't under maintenance; otherwise the button is disabled and says why.
import { useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Button, FormError, Hint, Modal } from '../../components/ui';
import type { Repo } from '../repos/types';
import { useCurrentUser, useSession } from '../session/api';
import { useForkRepo, useIsStarred, useIsWatching, useSetStar, useSetWatch } from './api';
import s from './RepoHeaderActions.module.css';

/** A button with its count beside it; a disabled one carries its reason as a tooltip and for screen readers. */
function Counted({ children, count, countLabel, reason, ...button }: { children: ReactNode; count: number; countLabel: string; reason: string | null } & React.ComponentProps<typeof Button>) {
  const btn = (
    <Button small {...button} disabled={!!reason || button.disabled}>
      {children}
    </Button>
  );
  return (
    <span className={s.group}>
      {reason ? (
        <span className={s.reason} title={reason}>
          {btn}
          <span className="visually-hidden">({reason})</span>
        </span>
      ) : (
        btn
      )}
      <span className={s.count} aria-label={`${count} ${countLabel}`} data-testid={`${countLabel.replace(/\s+/g, '-')}-count`}>
        {count}
      </span>
    </span>
  );
}

export function RepoHeaderActions({ repo }: { repo: Repo }) {
  const user = useCurrentUser();
  const maintenance = useSession().data?.maintenance;
  const owner = repo.owner.login;
  const starred = useIsStarred(owner, repo.name, !!user);
  const watching = useIsWatching(owner, repo.name, !!user);
  const star = useSetStar(owner, repo.name);
  const watch = useSetWatch(owner, repo.name);
  const [forkOpen, setForkOpen] = useState(false);
  const reason = !user ? 'Sign in to do this' : maintenance?.read_only ? `The server is under maintenance${maintenance.message ? `: ${maintenance.message}` : ''}` : null;
  const error = star.error ?? watch.error;

  return (
    <div className={s.actions}>
      <Counted
        count={repo.watchers_count}
        countLabel="watchers"
        reason={reason}
        busy={watch.isPending || (!!user && watching.isPending)}
        onClick={() => watch.mutate(!watching.data)}
        aria-pressed={!!watching.data}
      >
        <span aria-hidden className={watching.data ? s.on : undefined}>
          ◉
        </span>
        {watching.data ? 'Unwatch' : 'Watch'}
      </Counted>
      <Counted
        count={repo.stars_count}
        countLabel="stars"
        reason={reason}
        busy={star.isPending || (!!user && starred.isPending)}
        onClick={() => star.mutate(!starred.data)}
        aria-pressed={!!starred.data}
        data-testid="star-button"
      >
        <span aria-hidden className={starred.data ? s.on : undefined}>
          {starred.data ? '★' : '☆'}
        </span>
        {starred.data ? 'Unstar' : 'Star'}
      </Counted>
      <Counted count={repo.forks_count} countLabel="forks" reason={reason ?? (repo.empty ? 'An empty repository has nothing to fork yet' : null)} onClick={() => setForkOpen(true)}>
        <svg width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" aria-hidden>
          <circle cx="4" cy="3" r="1.7" />
          <circle cx="12" cy="3" r="1.7" />
          <circle cx="8" cy="13" r="1.7" />
          <path d="M4 4.7v1.1c0 1.5 1 2.2 4 2.2s4-.7 4-2.2V4.7M8 8v3.3" />
        </svg>
        Fork
      </Counted>
      {error && (
        <span role="alert" className="faint">
          {error.message}
        </span>
      )}
      {forkOpen && user && <ForkDialog repo={repo} me={user.login} onClose={() => setForkOpen(false)} />}
    </div>
  );
}

function ForkDialog({ repo, me, onClose }: { repo: Repo; me: string; onClose: () => void }) {
  const own = repo.owner.login.toLowerCase() === me.toLowerCase();
  const [name, setName] = useState(own ? `${repo.name}-fork` : repo.name);
  const fork = useForkRepo(repo.owner.login, repo.name);
  const navigate = useNavigate();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    fork.mutate(
      { name: name.trim() },
      {
        onSuccess: (created) => {
          onClose();
          void navigate({ to: '/$owner/$repo', params: { owner: created.owner.login, repo: created.name } });
        },
      },
    );
  };
  return (
    <Modal
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Fork ${repo.full_name}`}
      actions={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="fork-form" busy={fork.isPending} disabled={!name.trim()}>
            Fork repository
          </Button>
        </>
      }
    >
      <form id="fork-form" onSubmit={submit}>
        <label htmlFor="fork-name">Repository name</label>
        <input id="fork-name" type="text" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} autoFocus />
        <Hint>
          The fork is created as <strong>{me}</strong>/<strong>{name.trim() || '…'}</strong>, with every branch and tag.
        </Hint>
        <FormError error={fork.error} />
      </form>
    </Modal>
  );
}
