// Settings → Account: change your password with the current one. Other browsers and devices
// signed in as you are signed out; this one stays signed in.
import { useState, type FormEvent } from 'react';
import { Button, FormError, Hint, Notice, Panel, PanelHeader, useTitle } from '../../components/ui';
import { useCurrentUser, useSession, useReadOnly } from '../session/api';
import { useChangePassword } from './api';
import s from './Settings.module.css';

export function AccountPage() {
  useTitle('Account settings');
  const user = useCurrentUser();
  const readOnly = useReadOnly();
  const change = useChangePassword();
  const [form, setForm] = useState({ current: '', next: '', confirm: '' });
  const mismatch = form.confirm !== '' && form.next !== form.confirm;
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (mismatch) return;
    change.mutate({ old_password: form.current, new_password: form.next }, { onSuccess: () => setForm({ current: '', next: '', confirm: '' }) });
  };
  return (
    <Panel>
      <PanelHeader className={s.head}>
        <h2>Change password</h2>
      </PanelHeader>
      <form className={s.form} onSubmit={onSubmit} aria-label="Change password">
        {/* lets password managers tie the new password to the account */}
        <input type="text" name="username" autoComplete="username" value={user?.login ?? ''} readOnly hidden />
        <label htmlFor="current-password">Current password</label>
        <input id="current-password" type="password" autoComplete="current-password" required value={form.current} onChange={set('current')} />
        <label htmlFor="new-password">New password</label>
        <input id="new-password" type="password" autoComplete="new-password" required value={form.next} onChange={set('next')} />
        <Hint>At least 8 characters.</Hint>
        <label htmlFor="confirm-password">Confirm new password</label>
        <input id="confirm-password" type="password" autoComplete="new-password" required value={form.confirm} onChange={set('confirm')} aria-invalid={mismatch} />
        {mismatch && <Notice kind="error">The new passwords don't match.</Notice>}
        <FormError error={change.error} />
        {change.isSuccess && <Notice kind="ok">Password changed. Other browsers signed in as you have been signed out.</Notice>}
        <div className={s.actions}>
          <Button type="submit" variant="primary" busy={change.isPending} disabled={readOnly || !form.current || !form.next || mismatch}>
            Change password
          </Button>
        </div>
        {readOnly && <Hint>The forge is in maintenance: changes are paused.</Hint>}
      </form>
    </Panel>
  );
}
