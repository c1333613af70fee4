// New repository: owner (you or an organization you belong to), name, description,
// visibility, and an optional initial commit with a README. Name rules are the server's: its
// message is shown as it is. Then on to the new repository.
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Button, EmptyState, FormError, Hint, Loading, Notice, Panel, useTitle } from '../../components/ui';
import { useSession } from '../session/api';
import { useMyOrgs } from '../users/api';
import { useCreateRepo } from './api';
import s from './NewRepoPage.module.css';

type Visibility = 'public' | 'internal' | 'private';

const VISIBILITIES: Array<{ value: Visibility; label: string; hint: string }> = [
  { value: 'public', label: 'Public', hint: 'Anyone who can reach this forge can see and clone it.' },
  { value: 'internal', label: 'Internal', hint: 'Every signed-in user of this forge can see and clone it.' },
  { value: 'private', label: 'Private', hint: 'Only you, collaborators and organization members you allow.' },
];

export function NewRepoPage() {
  useTitle('New repository');
  const session = useSession().data;
  const me = session?.user ?? null;
  const search = useSearch({ from: '/repo/create' });
  const orgs = useMyOrgs(!!me);
  const create = useCreateRepo();
  const navigate = useNavigate();
  const [owner, setOwner] = useState<string>(search.owner ?? '');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('public');
  const [autoInit, setAutoInit] = useState(false);

  if (!me) {
    return (
      <Panel>
        <EmptyState title="Sign in to create a repository">
          <Link to="/user/login" search={{ redirect_to: '/repo/create' }}>
            Sign in
          </Link>
        </EmptyState>
      </Panel>
    );
  }
  if (orgs.isPending) return <Loading />;
  const orgNames = (orgs.data?.items ?? []).map((o) => o.username);
  const chosenOwner = owner && orgNames.some((o) => o.toLowerCase() === owner.toLowerCase()) ? orgNames.find((o) => o.toLowerCase() === owner.toLowerCase())! : me.login;
  const readOnly = !!session?.maintenance?.read_only;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const org = chosenOwner === me.login ? null : chosenOwner;
    create.mutate(
      { org, body: { name: name.trim(), description: description || undefined, private: visibility === 'private', internal: visibility === 'internal', auto_init: autoInit } },
      { onSuccess: (repo) => void navigate({ to: '/$owner/$repo', params: { owner: repo.owner.login, repo: repo.name } }) },
    );
  };

  return (
    <div className={s.wrap}>
      <h1>New repository</h1>
      <p className="muted">A repository holds a project's files and their history.</p>
      {readOnly && <Notice kind="warn">The forge is in maintenance: creating repositories is paused until it ends.</Notice>}
      {orgs.isError && <Notice kind="warn">Couldn't load your organizations ({(orgs.error as Error).message}); you can still create a repository for yourself.</Notice>}
      <Panel pad>
        <form onSubmit={onSubmit} aria-label="New repository">
          <div className={s.nameRow}>
            <div>
              <label htmlFor="repo-owner">Owner</label>
              <select id="repo-owner" value={chosenOwner} onChange={(e) => setOwner(e.target.value)}>
                <option value={me.login}>{me.login}</option>
                {orgNames.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            </div>
            <span className={s.slash} aria-hidden>
              /
            </span>
            <div className={s.nameField}>
              <label htmlFor="repo-name">Repository name</label>
              <input id="repo-name" type="text" required autoFocus maxLength={100} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" spellCheck={false} />
            </div>
          </div>
          <Hint>Letters, digits, '.', '_' and '-'; short and memorable is best.</Hint>
          <label htmlFor="repo-description">
            Description <span className="faint">(optional)</span>
          </label>
          <input id="repo-description" type="text" maxLength={2048} value={description} onChange={(e) => setDescription(e.target.value)} />

          <fieldset className={s.fieldset}>
            <legend>Visibility</legend>
            {VISIBILITIES.map((v) => (
              <label key={v.value} className={s.radio}>
                <input type="radio" name="visibility" value={v.value} checked={visibility === v.value} onChange={() => setVisibility(v.value)} />
                <span>
                  <strong>{v.label}</strong>
                  <span className={s.radioHint}>{v.hint}</span>
                </span>
              </label>
            ))}
          </fieldset>

          <label className={s.radio}>
            <input type="checkbox" checked={autoInit} onChange={(e) => setAutoInit(e.target.checked)} />
            <span>
              <strong>Initialize with a README</strong>
              <span className={s.radioHint}>Creates a first commit, so you can clone it right away. Leave it off to push an existing project.</span>
            </span>
          </label>

          <FormError error={create.error} />
          <div className={s.actions}>
            <Button type="submit" variant="primary" busy={create.isPending} disabled={!name.trim() || readOnly}>
              Create repository
            </Button>
          </div>
        </form>
      </Panel>
    </div>
  );
}
