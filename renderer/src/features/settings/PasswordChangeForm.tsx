// The change-password form both Settings → Account and the forced change after an
// administrator's reset use: current password, new one twice, the mismatch check, the
// maintenance pause. What happens after a successful change is the caller's.
import { useState, type FormEvent, type ReactNode } from 'react';
import { Button, FormError, Hint, Notice } from '../../components/ui';
import { useCurrentUser, useReadOnly } from '../session/api';
import { useChangePassword } from './api';
import s from './Settings.module.css';

export function PasswordChangeForm({
  idPrefix,
  label,
  currentHint,
  autoFocus,
  readOnlyHint,
  onChanged,
  success,
}: {
  /** Prefix of the inputs' ids (two forms never share a page, but their ids stay distinct). */
  idPrefix: string;
  /** The form's accessible name. */
  label: string;
  currentHint?: ReactNode;
  autoFocus?: boolean;
  readOnlyHint: ReactNode;
  /** After the change is saved; `reset` empties the fields. */
  onChanged: (reset: () => void) => void;
  /** Shown after a successful change. */
  success?: ReactNode;
}) {
  const user = useCurrentUser();
  const readOnly = useReadOnly();
  const change = useChangePassword();
  const empty = { current: '', next: '', confirm: '' };
  const [form, setForm] = useState(empty);
  const mismatch = form.confirm !== '' && form.next !== form.confirm;
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (mismatch) return;
    change.mutate({ old_password: form.current, new_password: form.next }, { onSuccess: () => onChanged(() => setForm(empty)) });
  };
  return (
    <form className={s.form} onSubmit={onSubmit} aria-label={label}>
      {/* lets password managers tie the new password to the account */}
      <input type="text" name="username" autoComplete="username" value={user?.login ?? ''} readOnly hidden />
      <label htmlFor={`${idPrefix}current-password`}>Current password</label>
      <input id={`${idPrefix}current-password`} type="password" autoComplete="current-password" required autoFocus={autoFocus} value={form.current} onChange={set('current')} />
      {currentHint && <Hint>{currentHint}</Hint>}
      <label htmlFor={`${idPrefix}new-password`}>New password</label>
      <input id={`${idPrefix}new-password`} type="password" autoComplete="new-password" required value={form.next} onChange={set('next')} />
      <Hint>At least 8 characters.</Hint>
      <label htmlFor={`${idPrefix}confirm-password`}>Confirm new password</label>
      <input id={`${idPrefix}confirm-password`} type="password" autoComplete="new-password" required value={form.confirm} onChange={set('confirm')} aria-invalid={mismatch} />
      {mismatch && <Notice kind="error">The new passwords don't match.</Notice>}
      <FormError error={change.error} />
      {change.isSuccess && success && <Notice kind="ok">{success}</Notice>}
      <div className={s.actions}>
        <Button type="submit" variant="primary" busy={change.isPending} disabled={readOnly || !form.current || !form.next || mismatch}>
          Change password
        </Button>
      </div>
      {readOnly && <Hint>{readOnlyHint}</Hint>}
    </form>
  );
}
