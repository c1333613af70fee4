// Settings → SSH keys: the public keys that let you use git over SSH. Each is listed with its
// SHA256 fingerprint (compare with `ssh-keygen -lf key.pub`); add one with a title, delete one
// after a confirmation.
import { useState, type FormEvent } from 'react';
import { Button, ConfirmModal, EmptyState, ErrorState, FormError, Hint, Loading, Panel, PanelHeader, RelativeTime, useTitle } from '../../components/ui';
import { useSession, useReadOnly } from '../session/api';
import { useAddKey, useDeleteKey, useKeys, useSshInfo, type SshKey } from './api';
import s from './Settings.module.css';

export function KeysPage() {
  useTitle('SSH keys');
  const keys = useKeys();
  const info = useSshInfo();
  return (
    <>
      <Panel>
        <PanelHeader className={s.head}>
          <h2>SSH keys</h2>
          {keys.data && <span className="muted">{keys.data.length}</span>}
        </PanelHeader>
        {keys.isPending ? <Loading /> : keys.isError ? <ErrorState error={keys.error} retry={() => void keys.refetch()} /> : <KeyList keys={keys.data} />}
      </Panel>
      <AddKey />
      {info.data && (
        <Hint>
          {info.data.enabled ? (
            <>
              This server's SSH host key: <span className="mono">{info.data.host_key_fingerprint}</span>
              {info.data.clone_example && (
                <>
                  {' '}
                  · clone with <span className="mono">{info.data.clone_example}</span>
                </>
              )}
            </>
          ) : (
            'Git over SSH is turned off on this server; keys take effect when an administrator turns it on.'
          )}
        </Hint>
      )}
    </>
  );
}

function AddKey() {
  const readOnly = useReadOnly();
  const add = useAddKey();
  const [title, setTitle] = useState('');
  const [key, setKey] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate(
      { title: title.trim(), key: key.trim() },
      {
        onSuccess: () => {
          setTitle('');
          setKey('');
        },
      },
    );
  };
  return (
    <Panel>
      <PanelHeader className={s.head}>
        <h2>Add a key</h2>
      </PanelHeader>
      <form className={s.form} onSubmit={onSubmit} aria-label="Add an SSH key">
        <label htmlFor="key-title">Title</label>
        <input id="key-title" type="text" maxLength={255} value={title} onChange={(e) => setTitle(e.target.value)} placeholder="e.g. work laptop" />
        <label htmlFor="key-content">Public key</label>
        <textarea id="key-content" className={s.keyInput} value={key} onChange={(e) => setKey(e.target.value)} placeholder="ssh-ed25519 AAAA… you@host" spellCheck={false} />
        <Hint>
          Paste the contents of your <span className="mono">~/.ssh/id_ed25519.pub</span> (or create a key with <span className="mono">ssh-keygen -t ed25519</span>). ed25519, ECDSA, or RSA of 2048 bits
          or more.
        </Hint>
        <FormError error={add.error} />
        <div className={s.actions}>
          <Button type="submit" variant="primary" busy={add.isPending} disabled={readOnly || !key.trim()}>
            Add key
          </Button>
        </div>
      </form>
    </Panel>
  );
}

function KeyList({ keys }: { keys: SshKey[] }) {
  const readOnly = useReadOnly();
  const del = useDeleteKey();
  const [deleting, setDeleting] = useState<SshKey | null>(null);
  if (keys.length === 0) return <EmptyState title="No SSH keys yet">Add a public key below to push and pull over SSH.</EmptyState>;
  return (
    <>
      <ul className={s.list} data-testid="ssh-keys">
        {keys.map((k) => (
          <li key={k.id} className={s.item}>
            <div className={s.itemMain}>
              <div className={s.itemTitle}>{k.title || 'Untitled key'}</div>
              <div className={s.fingerprint} data-testid="key-fingerprint">
                {k.fingerprint}
              </div>
              <div className={s.itemMeta}>
                added <RelativeTime iso={k.created_at} /> ·{' '}
                {k.last_used_at ? (
                  <>
                    last used <RelativeTime iso={k.last_used_at} />
                  </>
                ) : (
                  'never used'
                )}
              </div>
            </div>
            <Button small variant="danger" disabled={readOnly} onClick={() => setDeleting(k)} aria-label={`Delete key ${k.title}`}>
              Delete
            </Button>
          </li>
        ))}
      </ul>
      <ConfirmModal
        open={deleting !== null}
        title="Delete SSH key?"
        confirmLabel="Delete key"
        busy={del.isPending}
        error={del.error}
        onConfirm={() => deleting && del.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
        onCancel={() => {
          setDeleting(null);
          del.reset();
        }}
      >
        <p>
          <strong>{deleting?.title || 'This key'}</strong> (<span className="mono">{deleting?.fingerprint}</span>) can no longer be used to reach this forge over SSH.
        </p>
      </ConfirmModal>
    </>
  );
}
