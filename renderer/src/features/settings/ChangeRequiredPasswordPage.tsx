// /user/change_password: the page a user is kept on after signing in with a password an
// administrator set (the console's "Reset password"), until they choose their own. The Shell
// sends every other page here meanwhile, and the API refuses everything else; once the change
// is saved the session state says so and the user goes on to the home page.
import { Link, useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Button, FormError, Hint, Notice, Panel, PanelHeader, useTitle } from '../../components/ui';
import { useCurrentUser, useReadOnly } from '../session/api';
import { useChangePassword } from './api';
import s from './Settings.module.css';

export function ChangeRequiredPasswordPage() {
  useTitle('Choose a new password');
  const user = useCurrentUser();
  const readOnly = useReadOnly();
  const change = useChangePassword();
  const navigate = useNavigate();
  const [form, setForm] = useState({ current: '', next: '', confirm: '' });
  const mismatch = form.confirm !== '' && form.next !== form.confirm;
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));

  if (!user || !user.must_change_password) {
    return (
      <div className={s.forced}>
        <Panel>
          <PanelHeader className={s.head}>
            <h2>Choose a new password</h2>
          </PanelHeader>
          <p className={s.forcedIntro}>
            {user ? (
              <>
                No password change is pending. To change your password anyway, use <Link to="/user/settings/account">your account settings</Link>.
              </>
            ) : (
              <>
                <Link to="/user/login">Sign in</Link> first.
              </>
            )}
          </p>
        </Panel>
      </div>
    );
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (mismatch) return;
    // the mutation refetches the session first, so the home page no longer sends us back here
    change.mutate({ old_password: form.current, new_password: form.next }, { onSuccess: () => void navigate({ to: '/' }) });
  };

  return (
    <div className={s.forced}>
      <Panel>
        <PanelHeader className={s.head}>
          <h2>Choose a new password</h2>
        </PanelHeader>
        <p className={s.forcedIntro}>
          An administrator set the password of <strong>{user.login}</strong>. Choose your own to go on; until then the forge, its API and git over HTTP with the password are closed to this account.
        </p>
        <form className={s.form} onSubmit={onSubmit} aria-label="Choose a new password">
          {/* lets password managers tie the new password to the account */}
          <input type="text" name="username" autoComplete="username" value={user.login} readOnly hidden />
          <label htmlFor="forced-current-password">Current password</label>
          <input id="forced-current-password" type="password" autoComplete="current-password" required autoFocus value={form.current} onChange={set('current')} />
          <Hint>The one the administrator gave you.</Hint>
          <label htmlFor="forced-new-password">New password</label>
          <input id="forced-new-password" type="password" autoComplete="new-password" required value={form.next} onChange={set('next')} />
          <Hint>At least 8 characters.</Hint>
          <label htmlFor="forced-confirm-password">Confirm new password</label>
          <input id="forced-confirm-password" type="password" autoComplete="new-password" required value={form.confirm} onChange={set('confirm')} aria-invalid={mismatch} />
          {mismatch && <Notice kind="error">The new passwords don't match.</Notice>}
          <FormError error={change.error} />
          <div className={s.actions}>
            <Button type="submit" variant="primary" busy={change.isPending} disabled={readOnly || !form.current || !form.next || mismatch}>
              Change password
            </Button>
          </div>
          {readOnly && <Hint>The forge is in maintenance: changes are paused, so the new password has to wait until it ends.</Hint>}
        </form>
      </Panel>
    </div>
  );
}
