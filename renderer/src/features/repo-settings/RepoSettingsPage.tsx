// /<owner>/<repo>/settings: name (rename moves to the new URL), description and website,
// visibility, default branch, and the danger zone (delete after typing the repository's name).
// Only repository administrators get here; names and descriptions are always plain text.
import { useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Button, FormError, Hint, Modal, Panel, PanelHeader, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import type { Repo } from '../repos/types';
import { useBranchNames, useDeleteRepo, useEditRepo } from './api';
import { SettingsFrame, useReadOnly } from './SettingsNav';
import s from './RepoSettings.module.css';

type Visibility = Repo['visibility'];

export function RepoSettingsPage() {
  const repo = useRepoContext();
  useTitle(`Settings · ${repo.full_name}`);
  return (
    <SettingsFrame repo={repo}>
      <NameSection key={`name-${repo.id}-${repo.name}`} repo={repo} />
      <AboutSection repo={repo} />
      <VisibilitySection repo={repo} />
      <DefaultBranchSection repo={repo} />
      <DangerZone repo={repo} />
    </SettingsFrame>
  );
}

function Saved({ show }: { show: boolean }) {
  return show ? (
    <span className={s.saved} role="status">
      ✓ Saved
    </span>
  ) : null;
}

function NameSection({ repo }: { repo: Repo }) {
  const readOnly = useReadOnly();
  const edit = useEditRepo(repo.owner.login, repo.name);
  const navigate = useNavigate();
  const [name, setName] = useState(repo.name);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    edit.mutate({ name: name.trim() }, { onSuccess: (r) => void navigate({ to: '/$owner/$repo/settings', params: { owner: r.owner.login, repo: r.name }, replace: true }) });
  };
  return (
    <Panel className={s.section}>
      <PanelHeader>
        <h2>Repository name</h2>
      </PanelHeader>
      <form onSubmit={onSubmit} className={s.form} aria-label="Rename repository">
        <label htmlFor="settings-name" className="visually-hidden">
          Repository name
        </label>
        <div className={s.row}>
          <input id="settings-name" type="text" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} autoComplete="off" spellCheck={false} />
          <Button type="submit" busy={edit.isPending} disabled={readOnly || !name.trim() || name.trim() === repo.name}>
            Rename
          </Button>
        </div>
        <Hint>The old address stops working: update your remotes with git remote set-url.</Hint>
        <FormError error={edit.error} />
      </form>
    </Panel>
  );
}

function AboutSection({ repo }: { repo: Repo }) {
  const readOnly = useReadOnly();
  const edit = useEditRepo(repo.owner.login, repo.name);
  const [description, setDescription] = useState(repo.description);
  const [website, setWebsite] = useState(repo.website);
  const dirty = description !== repo.description || website !== repo.website;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    edit.mutate({ description, website: website.trim() });
  };
  return (
    <Panel className={s.section}>
      <PanelHeader>
        <h2>About</h2>
      </PanelHeader>
      <form onSubmit={onSubmit} className={s.form} aria-label="About">
        <label htmlFor="settings-description">Description</label>
        <textarea id="settings-description" rows={3} maxLength={2048} value={description} onChange={(e) => setDescription(e.target.value)} />
        <label htmlFor="settings-website">Website</label>
        <input id="settings-website" type="url" placeholder="https://" maxLength={255} value={website} onChange={(e) => setWebsite(e.target.value)} />
        <FormError error={edit.error} />
        <div className={s.actions}>
          <Saved show={edit.isSuccess && !dirty} />
          <Button type="submit" variant="primary" busy={edit.isPending} disabled={readOnly || !dirty}>
            Save
          </Button>
        </div>
      </form>
    </Panel>
  );
}

const VISIBILITIES: Array<{ value: Visibility; label: string; hint: string }> = [
  { value: 'public', label: 'Public', hint: 'Anyone who can reach this forge can see and clone it.' },
  { value: 'internal', label: 'Internal', hint: 'Every signed-in user of this forge can see and clone it.' },
  { value: 'private', label: 'Private', hint: 'Only the owner, collaborators and organization members.' },
];

function VisibilitySection({ repo }: { repo: Repo }) {
  const readOnly = useReadOnly();
  const edit = useEditRepo(repo.owner.login, repo.name);
  const [visibility, setVisibility] = useState<Visibility>(repo.visibility);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    edit.mutate({ private: visibility === 'private', internal: visibility === 'internal' });
  };
  return (
    <Panel className={s.section}>
      <PanelHeader>
        <h2>Visibility</h2>
      </PanelHeader>
      <form onSubmit={onSubmit} className={s.form} aria-label="Visibility">
        {VISIBILITIES.map((v) => (
          <label key={v.value} className={s.radio}>
            <input type="radio" name="visibility" value={v.value} checked={visibility === v.value} onChange={() => setVisibility(v.value)} />
            <span>
              <strong>{v.label}</strong>
              <span className={s.radioHint}>{v.hint}</span>
            </span>
          </label>
        ))}
        <FormError error={edit.error} />
        <div className={s.actions}>
          <Saved show={edit.isSuccess && visibility === repo.visibility} />
          <Button type="submit" variant="primary" busy={edit.isPending} disabled={readOnly || visibility === repo.visibility}>
            Change visibility
          </Button>
        </div>
      </form>
    </Panel>
  );
}

function DefaultBranchSection({ repo }: { repo: Repo }) {
  const readOnly = useReadOnly();
  const edit = useEditRepo(repo.owner.login, repo.name);
  const branches = useBranchNames(repo.owner.login, repo.name, !repo.empty);
  const [branch, setBranch] = useState(repo.default_branch);
  const names = branches.data ?? [];
  const options = names.includes(repo.default_branch) ? names : [repo.default_branch, ...names];
  return (
    <Panel className={s.section}>
      <PanelHeader>
        <h2>Default branch</h2>
      </PanelHeader>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          edit.mutate({ default_branch: branch });
        }}
        className={s.form}
        aria-label="Default branch"
      >
        <Hint>The branch people see first, clone by default, and open pull requests against.</Hint>
        <label htmlFor="settings-branch" className="visually-hidden">
          Default branch
        </label>
        <div className={`${s.row} ${s.spaced}`}>
          <select id="settings-branch" value={branch} onChange={(e) => setBranch(e.target.value)} disabled={repo.empty || branches.isPending}>
            {options.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
          <Button type="submit" busy={edit.isPending} disabled={readOnly || repo.empty || branch === repo.default_branch}>
            Update
          </Button>
        </div>
        {repo.empty && <Hint>This repository is empty: the first branch you push becomes the default.</Hint>}
        {branches.isError && <FormError error={branches.error} />}
        <FormError error={edit.error} />
      </form>
    </Panel>
  );
}

function DangerZone({ repo }: { repo: Repo }) {
  const readOnly = useReadOnly();
  const del = useDeleteRepo(repo.owner.login, repo.name);
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const matches = typed === repo.name;
  const onOpenChange = (o: boolean) => {
    setOpen(o);
    if (!o) {
      setTyped('');
      del.reset();
    }
  };
  return (
    <Panel className={s.danger}>
      <PanelHeader className={s.dangerHead}>
        <h2>Danger zone</h2>
      </PanelHeader>
      <div className={`${s.dangerRow} ${s.form}`}>
        <div>
          <strong>Delete this repository</strong>
          <p>Its files, history and settings are removed for good. There is no undo.</p>
        </div>
        <Button variant="danger" onClick={() => onOpenChange(true)} disabled={readOnly}>
          Delete repository
        </Button>
      </div>
      <Modal
        open={open}
        onOpenChange={onOpenChange}
        title={`Delete ${repo.full_name}?`}
        actions={
          <>
            <Button onClick={() => onOpenChange(false)}>Cancel</Button>
            <Button
              variant="danger"
              busy={del.isPending}
              disabled={!matches || readOnly}
              onClick={() => del.mutate(undefined, { onSuccess: () => void navigate({ to: '/$owner', params: { owner: repo.owner.login } }) })}
            >
              Delete this repository
            </Button>
          </>
        }
      >
        <p>
          This deletes <strong>{repo.full_name}</strong> with all its branches, tags and history. Clones elsewhere keep their copies.
        </p>
        <label htmlFor="confirm-delete">
          Type <span className={s.confirmName}>{repo.name}</span> to confirm
        </label>
        <input id="confirm-delete" type="text" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
        <FormError error={del.error} />
      </Modal>
    </Panel>
  );
}
