// Settings → Security → Passkeys and security keys: the list (name, when added, last used) with
// remove, and "Add a passkey": a name, then the browser's own dialog (Touch ID, Windows Hello, a
// phone, a USB key). With at least one, signing in takes a passkey (or an app code) after the password.
import { useState, type FormEvent } from 'react';
import { Badge, Button, ConfirmModal, ErrorState, FormError, Hint, Loading, Panel, PanelHeader, RelativeTime } from '../../components/ui';
import { useReadOnly } from '../session/api';
import { useAddPasskey, usePasskeys, useRemovePasskey, type Passkey } from './passkeys';
import s from './Settings.module.css';

/** The browser's refusals in words: a cancelled dialog is not an error worth a red box. */
function describe(err: unknown): unknown {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'AbortError') return new Error('The passkey dialog was cancelled or timed out.');
  if (name === 'InvalidStateError') return new Error('This authenticator is registered already.');
  return err;
}

export function PasskeysPanel() {
  const list = usePasskeys();
  const readOnly = useReadOnly();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Passkey | null>(null);
  const remove = useRemovePasskey();
  const supported = typeof window !== 'undefined' && !!window.PublicKeyCredential;
  return (
    <Panel data-testid="passkeys-panel">
      <PanelHeader className={s.head}>
        <h2>Passkeys and security keys</h2>
        {list.data && <Badge accent={list.data.length > 0}>{list.data.length === 0 ? 'None' : `${list.data.length}`}</Badge>}
      </PanelHeader>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : (
        <>
          {list.data.length > 0 && (
            <ul className={s.list} data-testid="passkeys">
              {list.data.map((p) => (
                <li key={p.id} className={s.item} data-testid="passkey-row">
                  <div className={s.itemMain}>
                    <div className={s.itemTitle}>{p.name}</div>
                    <div className={s.itemMeta}>
                      added <RelativeTime iso={p.created_at} /> ·{' '}
                      {p.last_used_at ? (
                        <>
                          last used <RelativeTime iso={p.last_used_at} />
                        </>
                      ) : (
                        'never used'
                      )}
                    </div>
                  </div>
                  <Button small variant="danger" disabled={readOnly} onClick={() => setRemoving(p)}>
                    Remove
                  </Button>
                </li>
              ))}
            </ul>
          )}
          <div className={s.pane}>
            <p className={s.plain}>
              A passkey (this device’s fingerprint or face sign-in, a phone, or a USB or NFC security key) can stand in for the code from your authenticator app at sign-in. With one, your password
              alone no longer signs you in; the API and git over HTTP then take an access token.
            </p>
            {!supported && <Hint>This browser can’t use passkeys (they need HTTPS, or localhost).</Hint>}
            {adding ? (
              <AddPasskey onDone={() => setAdding(false)} />
            ) : (
              <div className={s.actions}>
                <Button variant="primary" disabled={readOnly || !supported} onClick={() => setAdding(true)}>
                  Add a passkey
                </Button>
              </div>
            )}
            <FormError error={remove.error} />
          </div>
        </>
      )}
      {removing && (
        <ConfirmModal
          open
          onCancel={() => setRemoving(null)}
          title={`Remove “${removing.name}”?`}
          confirmLabel="Remove"
          busy={remove.isPending}
          onConfirm={() => remove.mutate(removing.id, { onSettled: () => setRemoving(null) })}
        >
          <p className="muted">It no longer signs you in. Remove it from the device or key as well if you like.</p>
        </ConfirmModal>
      )}
    </Panel>
  );
}

function AddPasskey({ onDone }: { onDone: () => void }) {
  const add = useAddPasskey();
  const [name, setName] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate(name.trim(), { onSuccess: onDone });
  };
  return (
    <form onSubmit={onSubmit} aria-label="Add a passkey">
      <label htmlFor="passkey-name">Name</label>
      <input id="passkey-name" type="text" required maxLength={100} placeholder="e.g. laptop, blue key" autoFocus value={name} onChange={(e) => setName(e.target.value)} />
      <Hint>Your browser then asks you to confirm with the device or key.</Hint>
      <FormError error={describe(add.error)} />
      <div className={s.actions}>
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" busy={add.isPending} disabled={!name.trim()}>
          Add passkey
        </Button>
      </div>
    </form>
  );
}
