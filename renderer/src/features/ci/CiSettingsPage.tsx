// /<owner>/<repo>/settings/ci: the image this repository's jobs run in (site administrators pick
// it: the operator decides what runs on this machine) and the repository's CI secrets, listed by
// name only (values are write-only: add, replace, delete). Repository administrators only.
import { useState, type FormEvent } from 'react';
import { Button, ConfirmModal, EmptyState, ErrorState, FormError, Hint, Loading, Modal, Panel, PanelHeader, RelativeTime, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { SettingsFrame, useReadOnly } from '../repo-settings/SettingsNav';
import { useCurrentUser } from '../session/api';
import { useCiSettings, useDeleteSecret, usePutSecret, useSecrets, useSetCiImage } from './api';
import type { CiSettings } from './types';
import s from './Ci.module.css';

const IMAGE_RE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function CiSettingsPage() {
  const repo = useRepoContext();
  useTitle(`CI settings · ${repo.full_name}`);
  return (
    <SettingsFrame repo={repo}>
      <ImagePanel />
      <SecretsPanel />
    </SettingsFrame>
  );
}

function runsOn(c: CiSettings): string {
  if (c.backend === null) return 'CI is off on this forge: pushes queue no jobs.';
  if (c.backend === 'sandbox') return 'Jobs run in the host sandbox, which uses no image; the image below applies once Docker or Podman runs jobs.';
  return c.effective_image ? `Jobs run with ${c.backend === 'docker' ? 'Docker' : 'Podman'} in ${c.effective_image}.` : `Jobs run with ${c.backend === 'docker' ? 'Docker' : 'Podman'}.`;
}

function ImagePanel() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const me = useCurrentUser();
  const readOnly = useReadOnly();
  const q = useCiSettings(owner, repo.name);
  const save = useSetCiImage(owner, repo.name);
  const [draft, setDraft] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const c = q.data;
  const value = draft ?? c.image ?? '';
  const trimmed = value.trim();
  const invalid = trimmed !== '' && !IMAGE_RE.test(trimmed);
  const set = (image: string | null) =>
    save.mutate(image, {
      onSuccess: () => {
        setDraft(null);
        setSaved(true);
        setTimeout(() => setSaved(false), 2500);
      },
    });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    set(trimmed === '' ? null : trimmed);
  };
  return (
    <Panel>
      <PanelHeader>
        <h2>Image</h2>
      </PanelHeader>
      <div className={s.settingsBody}>
        <p className={s.settingsText} data-testid="ci-runs-on">
          {runsOn(c)}
        </p>
        {me?.is_admin ? (
          <form onSubmit={onSubmit} aria-label="CI image">
            <label htmlFor="ci-image">Image for this repository's jobs</label>
            <div className={s.settingsRow}>
              <input
                id="ci-image"
                type="text"
                value={value}
                maxLength={255}
                placeholder={c.default_image ? `${c.default_image} (the default)` : 'the console’s default'}
                onChange={(e) => setDraft(e.target.value)}
                autoComplete="off"
                spellCheck={false}
                aria-invalid={invalid}
              />
              <Button type="submit" variant="primary" busy={save.isPending} disabled={readOnly || invalid || trimmed === (c.image ?? '')}>
                Save
              </Button>
              {c.image !== null && (
                <Button type="button" disabled={readOnly || save.isPending} onClick={() => set(null)}>
                  Use the default
                </Button>
              )}
            </div>
            {invalid ? (
              <Hint>An image reference like debian:12 or ghcr.io/org/image:tag.</Hint>
            ) : (
              <Hint>Empty: the console's default{c.default_image ? ` (${c.default_image})` : ''}. Site administrators choose images, since they decide what runs on this machine.</Hint>
            )}
            {saved && (
              <span className={s.saved} role="status">
                ✓ Saved
              </span>
            )}
            <FormError error={save.error} />
          </form>
        ) : (
          <p className="muted" data-testid="ci-image">
            {c.image !== null ? (
              <>
                Image: <span className="mono">{c.image}</span>.
              </>
            ) : c.default_image ? (
              <>
                Image: the console’s default, <span className="mono">{c.default_image}</span>.
              </>
            ) : (
              'Image: the console’s default (none is set).'
            )}{' '}
            Site administrators choose images.
          </p>
        )}
      </div>
    </Panel>
  );
}

function SecretsPanel() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const readOnly = useReadOnly();
  const list = useSecrets(owner, repo.name);
  const add = usePutSecret(owner, repo.name);
  const replace = usePutSecret(owner, repo.name);
  const remove = useDeleteSecret(owner, repo.name);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [replacing, setReplacing] = useState<string | null>(null);
  const [newValue, setNewValue] = useState('');
  const [deleting, setDeleting] = useState<string | null>(null);
  const badName = name !== '' && !NAME_RE.test(name);
  const exists = list.data?.some((x) => x.name === name.toUpperCase()) ?? false;

  const onAdd = (e: FormEvent) => {
    e.preventDefault();
    add.mutate(
      { name, data: value },
      {
        onSuccess: () => {
          setName('');
          setValue('');
        },
      },
    );
  };

  return (
    <>
      <Panel>
        <PanelHeader>
          <h2>Secrets</h2>
          {list.data && <span className="muted">{list.data.length}</span>}
        </PanelHeader>
        <div className={s.settingsBody}>
          <p className={s.settingsText}>
            Each job gets them as environment variables, and their values are masked as <code>***</code> in its log. Values are write-only: nobody can read one back, here or over the API.
          </p>
        </div>
        {list.isPending ? (
          <Loading />
        ) : list.isError ? (
          <ErrorState error={list.error} retry={() => void list.refetch()} />
        ) : list.data.length === 0 ? (
          <EmptyState title="No secrets yet" icon="⚿">
            Add one below, such as a deploy token.
          </EmptyState>
        ) : (
          <ul className={s.secrets} data-testid="ci-secrets">
            {list.data.map((x) => (
              <li key={x.name} className={s.secret}>
                <span className="mono">{x.name}</span>
                <span className="muted">
                  added <RelativeTime iso={x.created_at} />
                </span>
                <span className={s.secretActions}>
                  <Button
                    small
                    disabled={readOnly}
                    onClick={() => {
                      replace.reset();
                      setNewValue('');
                      setReplacing(x.name);
                    }}
                  >
                    Replace…
                  </Button>
                  <Button small variant="danger" disabled={readOnly} onClick={() => setDeleting(x.name)} aria-label={`Delete ${x.name}`}>
                    Delete
                  </Button>
                </span>
              </li>
            ))}
          </ul>
        )}
        <form onSubmit={onAdd} className={s.settingsBody} aria-label="Add a secret">
          <label htmlFor="ci-secret-name">Name</label>
          <input
            id="ci-secret-name"
            type="text"
            value={name}
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={badName}
            placeholder="DEPLOY_TOKEN"
          />
          <Hint>
            {badName
              ? 'Letters, digits and _, not starting with a digit.'
              : exists
                ? `${name.toUpperCase()} exists: saving replaces its value.`
                : 'Letters, digits and _; stored in capitals. GITEA_, GITHUB_ and GITSSY_ are reserved.'}
          </Hint>
          <label htmlFor="ci-secret-value">Value</label>
          <textarea id="ci-secret-value" rows={3} value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" spellCheck={false} className="mono" />
          <div className={s.settingsActions}>
            <Button type="submit" variant="primary" busy={add.isPending} disabled={readOnly || !name || badName || !value}>
              {exists ? 'Replace secret' : 'Add secret'}
            </Button>
          </div>
          <FormError error={add.error} />
        </form>
      </Panel>

      <Modal
        open={replacing !== null}
        onOpenChange={(o) => !o && setReplacing(null)}
        title={`Replace ${replacing ?? ''}`}
        actions={
          <>
            <Button onClick={() => setReplacing(null)}>Cancel</Button>
            <Button
              variant="primary"
              busy={replace.isPending}
              disabled={!newValue}
              onClick={() => replacing && replace.mutate({ name: replacing, data: newValue }, { onSuccess: () => setReplacing(null) })}
            >
              Replace
            </Button>
          </>
        }
      >
        <label htmlFor="ci-secret-new-value">New value</label>
        <textarea id="ci-secret-new-value" rows={3} value={newValue} onChange={(e) => setNewValue(e.target.value)} autoComplete="off" spellCheck={false} className="mono" />
        <Hint>The old value is gone once you replace it; jobs that start after this get the new one.</Hint>
        <FormError error={replace.error} />
      </Modal>
      <ConfirmModal
        open={deleting !== null}
        title="Delete this secret?"
        confirmLabel="Delete"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting, { onSuccess: () => setDeleting(null) })}
        onCancel={() => {
          setDeleting(null);
          remove.reset();
        }}
      >
        <p>
          Jobs that start after this no longer get <span className="mono">{deleting}</span>.
        </p>
      </ConfirmModal>
    </>
  );
}
