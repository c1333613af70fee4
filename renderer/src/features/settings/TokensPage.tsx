// Settings → Applications: personal access tokens. Create one with a name and scopes (Gitea's
// categories; write includes read), see its secret once with a copy button, delete with a
// confirmation. A token works as the password for git over HTTP and in the API.
import { useRef, useState, type FormEvent } from 'react';
import type { ScopeCategory } from '../../../../server/api-types';
import { Badge, Button, ConfirmModal, EmptyState, ErrorState, FormError, Hint, Loading, Notice, Panel, PanelHeader, RelativeTime, useTitle } from '../../components/ui';
import { useCurrentUser, useSession, useReadOnly } from '../session/api';
import { useCreateToken, useDeleteToken, useTokens, type AccessToken } from './api';
import s from './Settings.module.css';

const CATEGORIES = {
  repository: 'Repositories: code, branches, collaborators, settings',
  user: 'Your account: profile, keys, starred repositories',
  organization: 'Organizations and their members',
  issue: 'Issues and pull requests',
  notification: 'Notifications',
  package: 'Packages',
  misc: 'Miscellaneous: markdown rendering and the like',
  activitypub: 'ActivityPub',
  admin: 'Site administration',
} satisfies Record<ScopeCategory, string>;

type Level = 'none' | 'read' | 'write';

/** Copies text; falls back to selecting it where the Clipboard API is unavailable (plain http on the LAN). */
async function copy(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // refused: try the old way
  }
  if (!input) return false;
  input.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}

export function TokensPage() {
  useTitle('Applications');
  const user = useCurrentUser()!;
  const tokens = useTokens(user.login);
  const [created, setCreated] = useState<AccessToken | null>(null);
  return (
    <>
      {created?.sha1 && <NewSecret token={created} onDone={() => setCreated(null)} />}
      <CreateToken login={user.login} isAdmin={user.is_admin} onCreated={setCreated} />
      <Panel>
        <PanelHeader className={s.head}>
          <h2>Access tokens</h2>
          {tokens.data && <span className="muted">{tokens.data.length}</span>}
        </PanelHeader>
        {tokens.isPending ? <Loading /> : tokens.isError ? <ErrorState error={tokens.error} retry={() => void tokens.refetch()} /> : <TokenList login={user.login} tokens={tokens.data} />}
      </Panel>
    </>
  );
}

function CreateToken({ login, isAdmin, onCreated }: { login: string; isAdmin: boolean; onCreated: (t: AccessToken) => void }) {
  const readOnly = useReadOnly();
  const create = useCreateToken(login);
  const [name, setName] = useState('');
  const [all, setAll] = useState(false);
  const [levels, setLevels] = useState<Partial<Record<ScopeCategory, Level>>>({ repository: 'write' });
  const scopes = all ? ['all'] : (Object.entries(levels) as Array<[ScopeCategory, Level]>).filter(([, l]) => l !== 'none').map(([c, l]) => `${l}:${c}`);
  const categories = (Object.keys(CATEGORIES) as ScopeCategory[]).filter((c) => c !== 'admin' || isAdmin);
  const toggle = (c: ScopeCategory, level: 'read' | 'write', on: boolean) => setLevels((prev) => ({ ...prev, [c]: on ? level : level === 'write' ? 'read' : 'none' }));

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { name: name.trim(), scopes },
      {
        onSuccess: (t) => {
          onCreated(t);
          setName('');
          // the secret is shown once, by the page; don't keep a copy in the mutation cache
          create.reset();
        },
      },
    );
  };

  return (
    <Panel>
      <PanelHeader className={s.head}>
        <h2>Generate a new token</h2>
      </PanelHeader>
      <form className={s.form} onSubmit={onSubmit} aria-label="Generate a new token">
        <label htmlFor="token-name">Token name</label>
        <input id="token-name" type="text" maxLength={255} value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. laptop git, CI deploy" autoComplete="off" />
        <label>Scopes</label>
        <label className={s.check}>
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
          <span>
            <strong>All</strong> <span className="muted">— everything you can do yourself</span>
          </span>
        </label>
        <table className={s.scopeTable} aria-label="Scopes by category">
          <thead>
            <tr>
              <th>Category</th>
              <th>Read</th>
              <th>Write</th>
            </tr>
          </thead>
          <tbody>
            {categories.map((c) => {
              const level = all ? 'write' : (levels[c] ?? 'none');
              return (
                <tr key={c}>
                  <td>
                    <strong>{c}</strong> <span className="muted">{CATEGORIES[c]}</span>
                  </td>
                  <td>
                    <label className={s.check}>
                      <input type="checkbox" aria-label={`read:${c}`} checked={level !== 'none'} disabled={all || level === 'write'} onChange={(e) => toggle(c, 'read', e.target.checked)} />
                    </label>
                  </td>
                  <td>
                    <label className={s.check}>
                      <input type="checkbox" aria-label={`write:${c}`} checked={level === 'write'} disabled={all} onChange={(e) => toggle(c, 'write', e.target.checked)} />
                    </label>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <Hint>Write includes read. For git over HTTP, a token needs read:repository to clone and write:repository to push.</Hint>
        <FormError error={create.error} />
        <div className={s.actions}>
          {scopes.length === 0 && <span className="faint">Pick at least one scope.</span>}
          <Button type="submit" variant="primary" busy={create.isPending} disabled={readOnly || !name.trim() || scopes.length === 0}>
            Generate token
          </Button>
        </div>
      </form>
    </Panel>
  );
}

function NewSecret({ token, onDone }: { token: AccessToken; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'idle' | 'ok' | 'manual'>('idle');
  return (
    <Notice kind="ok">
      <strong>Token “{token.name}” created.</strong> Copy it now: it is shown only this once.
      <div className={s.secret}>
        <label htmlFor="new-token" className="visually-hidden">
          New token
        </label>
        <input id="new-token" ref={input} type="text" readOnly value={token.sha1} data-testid="new-token" onFocus={(e) => e.currentTarget.select()} />
        <Button small onClick={() => void copy(token.sha1!, input.current).then((ok) => setCopied(ok ? 'ok' : 'manual'))}>
          <span aria-live="polite">{copied === 'ok' ? '✓ Copied' : copied === 'manual' ? 'Press Ctrl+C' : 'Copy'}</span>
        </Button>
        <Button small variant="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
    </Notice>
  );
}

function TokenList({ login, tokens }: { login: string; tokens: AccessToken[] }) {
  const readOnly = useReadOnly();
  const del = useDeleteToken(login);
  const [deleting, setDeleting] = useState<AccessToken | null>(null);
  if (tokens.length === 0) return <EmptyState title="No tokens yet">Generate one above to use git over HTTP or the API without your password.</EmptyState>;
  return (
    <>
      <ul className={s.list} data-testid="tokens">
        {tokens.map((t) => (
          <li key={t.id} className={s.item}>
            <div className={s.itemMain}>
              <div className={s.itemTitle}>{t.name}</div>
              <div className={s.scopes}>
                {t.scopes.map((sc) => (
                  <Badge key={sc} accent={sc.startsWith('write') || sc === 'all'}>
                    {sc}
                  </Badge>
                ))}
              </div>
              <div className={s.itemMeta}>
                <span className="mono">…{t.token_last_eight}</span> · created <RelativeTime iso={t.created_at} /> ·{' '}
                {t.last_used_at ? (
                  <>
                    last used <RelativeTime iso={t.last_used_at} />
                  </>
                ) : (
                  'never used'
                )}
              </div>
            </div>
            <Button small variant="danger" disabled={readOnly} onClick={() => setDeleting(t)} aria-label={`Delete token ${t.name}`}>
              Delete
            </Button>
          </li>
        ))}
      </ul>
      <ConfirmModal
        open={deleting !== null}
        title="Delete token?"
        confirmLabel="Delete token"
        busy={del.isPending}
        error={del.error}
        onConfirm={() => deleting && del.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
        onCancel={() => {
          setDeleting(null);
          del.reset();
        }}
      >
        <p>
          Anything using <strong>{deleting?.name}</strong> stops working at once.
        </p>
      </ConfirmModal>
    </>
  );
}
