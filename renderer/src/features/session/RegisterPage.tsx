// Create an account, as the registration setting allows: open (signed in at once), approval
// (an administrator must approve the account first), closed (no form, who to ask instead).
import { Link, useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Button, EmptyState, FormError, Hint, Notice, Panel, useTitle } from '../../components/ui';
import { useRegister, useSession } from './api';
import s from './Auth.module.css';

export function RegisterPage() {
  useTitle('Register');
  const session = useSession().data;
  const register = useRegister();
  const navigate = useNavigate();
  const [form, setForm] = useState({ username: '', email: '', password: '', confirm: '' });
  const [pendingUser, setPendingUser] = useState<string | null>(null);
  const mode = session?.registration ?? 'open';
  const mismatch = form.confirm !== '' && form.password !== form.confirm;
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));

  if (mode === 'closed') {
    return (
      <div className={s.wrap}>
        <Panel>
          <EmptyState title="Registration is closed" icon="⊘">
            <p>This instance doesn't accept new accounts. Ask an administrator of {session?.instance_name ?? 'this forge'} to create one for you.</p>
            <p>
              Already have an account? <Link to="/user/login">Sign in</Link>
            </p>
          </EmptyState>
        </Panel>
      </div>
    );
  }

  if (pendingUser) {
    return (
      <div className={s.wrap}>
        <Panel>
          <EmptyState title="Almost there" icon="⧗">
            <p data-testid="registration-pending">
              The account <strong>{pendingUser}</strong> was created. An administrator must approve it before you can sign in.
            </p>
          </EmptyState>
        </Panel>
      </div>
    );
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (mismatch) return;
    register.mutate(
      { username: form.username.trim(), email: form.email.trim(), password: form.password },
      {
        onSuccess: (res) => {
          if (res.pending) setPendingUser(res.user.login);
          else void navigate({ to: '/' });
        },
      },
    );
  };

  return (
    <div className={s.wrap}>
      <Panel className={s.card}>
        <h1 className={s.title}>
          <span className={s.mark} aria-hidden />
          Create an account
        </h1>
        <p className={s.sub}>on {session?.instance_name ?? 'Gitssy'}</p>
        {mode === 'approval' && <Notice kind="warn">On this instance an admin must approve new accounts: you can sign in once an administrator has approved yours.</Notice>}
        {session?.user && (
          <Notice>
            You are already signed in as <strong>{session.user.login}</strong>.
          </Notice>
        )}
        <form onSubmit={onSubmit} aria-label="Register">
          <label htmlFor="reg-username">Username</label>
          <input id="reg-username" type="text" autoComplete="username" autoFocus required maxLength={40} value={form.username} onChange={set('username')} />
          <Hint>Letters, digits, and single dashes, underscores or dots between them.</Hint>
          <label htmlFor="reg-email">Email</label>
          <input id="reg-email" type="email" autoComplete="email" required value={form.email} onChange={set('email')} />
          <Hint>Only you and administrators see it.</Hint>
          <label htmlFor="reg-password">Password</label>
          <input id="reg-password" type="password" autoComplete="new-password" required value={form.password} onChange={set('password')} />
          <Hint>At least 8 characters.</Hint>
          <label htmlFor="reg-confirm">Confirm password</label>
          <input id="reg-confirm" type="password" autoComplete="new-password" required value={form.confirm} onChange={set('confirm')} aria-invalid={mismatch} />
          {mismatch && <Notice kind="error">The passwords don't match.</Notice>}
          <FormError error={register.error} />
          <Button
            type="submit"
            variant="primary"
            className={s.submit}
            busy={register.isPending}
            disabled={!form.username.trim() || !form.email.trim() || !form.password || mismatch || !!session?.maintenance?.read_only}
          >
            Create account
          </Button>
          {session?.maintenance?.read_only && <Hint>Registration is paused while the forge is in maintenance.</Hint>}
        </form>
        <p className={s.foot}>
          Already have an account? <Link to="/user/login">Sign in</Link>
        </p>
      </Panel>
    </div>
  );
}
