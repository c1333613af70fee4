// Console → Users: find, create, approve, disable, promote and reset the password of accounts
// (a reset password is a temporary one: the user must choose their own at the next sign-in), and
// reset two-factor sign-in for someone who lost their phone and recovery codes.
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { Avatar, Badge, Button, ConfirmModal, EmptyState, ErrorState, FormError, Hint, Loading, Menu, Modal, Notice, Pager, Panel, PanelHeader, RelativeTime, useTitle } from '../../components/ui';
import { useCurrentUser } from '../session/api';
import type { User } from '../users/types';
import { useAdminUsers, useCreateUser, useEditUser, useResetTwoFactor } from './api';
import s from './Console.module.css';

function CreateUser({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const create = useCreateUser();
  const [form, setForm] = useState({ username: '', email: '', password: '', admin: false });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    create.mutate(form, {
      onSuccess: () => {
        setForm({ username: '', email: '', password: '', admin: false });
        onOpenChange(false);
      },
    });
  };
  return (
    <Modal open={open} onOpenChange={onOpenChange} title="Create a user">
      <form onSubmit={submit}>
        <label htmlFor="nu-name">Username</label>
        <input id="nu-name" type="text" required maxLength={40} value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} autoComplete="off" />
        <label htmlFor="nu-email">Email</label>
        <input id="nu-email" type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        <label htmlFor="nu-pass">Initial password</label>
        <input id="nu-pass" type="password" required minLength={8} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} autoComplete="new-password" />
        <label className={s.check}>
          <input type="checkbox" checked={form.admin} onChange={(e) => setForm({ ...form, admin: e.target.checked })} /> Site administrator
        </label>
        <FormError error={create.error} />
        <div className={s.row} style={{ justifyContent: 'flex-end', marginTop: '1rem' }}>
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create user
          </Button>
        </div>
      </form>
    </Modal>
  );
}

function ResetPassword({ user, onClose }: { user: User; onClose: () => void }) {
  const edit = useEditUser();
  const [password, setPassword] = useState('');
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title={`New password for ${user.login}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          edit.mutate({ username: user.login, password, must_change_password: true }, { onSuccess: onClose });
        }}
      >
        <label htmlFor="rp-pass">New password</label>
        <input id="rp-pass" type="password" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
        <Hint>
          {user.login} signs in with it once and must then choose a new password; until then the account can't use the API or git over HTTP with a password. Their browsers are signed out now.
        </Hint>
        <FormError error={edit.error} />
        <div className={s.row} style={{ justifyContent: 'flex-end', marginTop: '1rem' }}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={edit.isPending}>
            Set password
          </Button>
        </div>
      </form>
    </Modal>
  );
}

export function UsersPage() {
  useTitle('Console users');
  const me = useCurrentUser();
  const search = useSearch({ from: '/console/users' });
  const navigate = useNavigate({ from: '/console/users' });
  const page = search.page ?? 1;
  const [q, setQ] = useState(search.q ?? '');
  // back and forward change the search in the address: follow it
  useEffect(() => setQ(search.q ?? ''), [search.q]);
  const users = useAdminUsers(search.q ?? '', page);
  const edit = useEditUser();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const [resettingTwoFactor, setResettingTwoFactor] = useState<User | null>(null);
  const resetTwoFactor = useResetTwoFactor();

  return (
    <Panel>
      <PanelHeader>
        <form
          className={s.row + ' ' + s.grow}
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            void navigate({ search: { q: q || undefined } });
          }}
        >
          <input type="search" aria-label="Search users" placeholder="Search by name or email" value={q} onChange={(e) => setQ(e.target.value)} className={s.grow} />
          <Button type="submit" small>
            Search
          </Button>
        </form>
        <Button variant="primary" small onClick={() => setCreating(true)}>
          New user
        </Button>
      </PanelHeader>
      <FormError error={edit.error} />
      {resetTwoFactor.isSuccess && resetTwoFactor.variables && <Notice kind="ok">Two-factor sign-in of {resetTwoFactor.variables} is off: their password alone signs them in now.</Notice>}
      {users.isPending ? (
        <Loading />
      ) : users.isError ? (
        <ErrorState error={users.error} retry={() => void users.refetch()} />
      ) : users.data.items.length === 0 ? (
        <EmptyState title="No users match" />
      ) : (
        <div className={s.tableWrap}>
          <table className={s.table}>
            <thead>
              <tr>
                <th>User</th>
                <th>Email</th>
                <th>Status</th>
                <th>Last sign-in</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((u) => (
                <tr key={u.id} data-testid={`user-row-${u.login}`}>
                  <td>
                    <span className={s.row}>
                      <Avatar name={u.login} />
                      <a href={`/${encodeURIComponent(u.login)}`}>{u.login}</a>
                      {u.is_admin && <Badge accent>admin</Badge>}
                    </span>
                  </td>
                  <td className="muted">{u.email}</td>
                  <td>
                    {u.prohibit_login ? <Badge>disabled</Badge> : !u.active ? <Badge>awaiting approval</Badge> : <span className="muted">active</span>}
                    {u.must_change_password && (
                      <>
                        {' '}
                        <Badge>must change password</Badge>
                      </>
                    )}
                  </td>
                  {/* an account that never signed in has the zero time (Gitea's "0001-01-01"), not a date */}
                  <td className={`muted ${s.nowrap}`}>{u.last_login && Date.parse(u.last_login) > 0 ? <RelativeTime iso={u.last_login} /> : 'never'}</td>
                  <td style={{ textAlign: 'right' }}>
                    <Menu
                      label={u.login}
                      trigger={
                        <Button small aria-label={`Actions for ${u.login}`}>
                          ⋯
                        </Button>
                      }
                      items={[
                        ...(!u.active ? [{ label: 'Approve account', onSelect: () => edit.mutate({ username: u.login, active: true }) }] : []),
                        { label: u.is_admin ? 'Remove admin rights' : 'Make site administrator', disabled: u.id === me?.id, onSelect: () => edit.mutate({ username: u.login, admin: !u.is_admin }) },
                        {
                          label: u.prohibit_login ? 'Enable sign-in' : 'Disable sign-in',
                          disabled: u.id === me?.id,
                          onSelect: () => edit.mutate({ username: u.login, prohibit_login: !u.prohibit_login }),
                        },
                        { label: 'Reset password…', onSelect: () => setResetting(u) },
                        {
                          label: 'Reset two-factor…',
                          onSelect: () => {
                            resetTwoFactor.reset();
                            setResettingTwoFactor(u);
                          },
                        },
                      ]}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {users.data && (
        <Pager page={page} hasNext={users.data.total !== null ? page * 25 < users.data.total : users.data.items.length === 25} onPage={(p) => void navigate({ search: { ...search, page: p } })} />
      )}
      <CreateUser open={creating} onOpenChange={setCreating} />
      {resetting && <ResetPassword user={resetting} onClose={() => setResetting(null)} />}
      <ConfirmModal
        open={resettingTwoFactor !== null}
        title={`Reset two-factor sign-in of ${resettingTwoFactor?.login ?? ''}?`}
        confirmLabel="Reset two-factor"
        busy={resetTwoFactor.isPending}
        error={resetTwoFactor.error}
        onConfirm={() => resettingTwoFactor && resetTwoFactor.mutate(resettingTwoFactor.login, { onSuccess: () => setResettingTwoFactor(null) })}
        onCancel={() => {
          setResettingTwoFactor(null);
          resetTwoFactor.reset();
        }}
      >
        <p>
          Their authenticator app and recovery codes stop working, and <strong>{resettingTwoFactor?.login}</strong> signs in with the password alone until they turn two-factor sign-in on again (at
          once, if this server requires it). Check first that the request really comes from them.
        </p>
      </ConfirmModal>
    </Panel>
  );
}
