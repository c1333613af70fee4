// Sign in with a username (or email) and password; back to `redirect_to` (a local path) after.
// The CSRF token of an anonymous visitor is fetched on the first write by api/client.ts.
import { Link, useNavigate, useRouter, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Button, FormError, Notice, Panel, useTitle } from '../../components/ui';
import { useSession, useSignIn } from './api';
import s from './Auth.module.css';

export function SignInPage() {
  useTitle('Sign in');
  const { redirect_to } = useSearch({ from: '/user/login' });
  const session = useSession().data;
  const signIn = useSignIn();
  const navigate = useNavigate();
  const router = useRouter();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const maintenance = session?.maintenance?.enabled;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate(
      { username: username.trim(), password },
      {
        onSuccess: () => {
          // redirect_to was checked to be a local path by the route's validateSearch; it may
          // carry its own query string, so it goes to the history as it is
          if (redirect_to) router.history.push(redirect_to);
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
          Sign in
        </h1>
        <p className={s.sub}>to {session?.instance_name ?? 'Gitssy'}</p>
        {session?.user && (
          <Notice>
            You are signed in as <strong>{session.user.login}</strong>. <Link to="/">Go to your dashboard</Link>
          </Notice>
        )}
        {maintenance && <Notice kind="warn">The forge is in maintenance: you can sign in and read, but changes are paused.</Notice>}
        <form onSubmit={onSubmit} aria-label="Sign in">
          <label htmlFor="signin-username">Username or email</label>
          <input id="signin-username" name="username" type="text" autoComplete="username" autoFocus required value={username} onChange={(e) => setUsername(e.target.value)} />
          <label htmlFor="signin-password">Password</label>
          <input id="signin-password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          <FormError error={signIn.error} />
          <Button type="submit" variant="primary" className={s.submit} busy={signIn.isPending} disabled={!username.trim() || !password}>
            Sign in
          </Button>
        </form>
        {session?.registration !== 'closed' && (
          <p className={s.foot}>
            New here? <Link to="/user/sign_up">Create an account</Link>
          </p>
        )}
      </Panel>
    </div>
  );
}
