// Sign in with a username (or email) and password; back to `redirect_to` (a local path) after.
// An account with two-factor sign-in then gives a code from its authenticator app (or one of its
// recovery codes) in a second step; the server keeps the checked password for five minutes, so
// a reload in between opens that step again (the session says `two_factor_pending`). An account
// with passkeys may use one instead of the code (the session says `two_factor_webauthn`).
// The CSRF token of an anonymous visitor is fetched on the first write by api/client.ts.
import { Link, useNavigate, useRouter, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Button, FormError, Hint, Notice, Panel, useTitle } from '../../components/ui';
import { useSession, useSignIn, useSignInSecondFactor, useSignInWithPasskey } from './api';
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
  const [remember, setRemember] = useState(false);
  // whether the account has passkeys: from the sign-in's answer, or the session after a reload
  const [passkeys, setPasskeys] = useState<boolean | null>(null);
  // the page opens on the second step when the password was checked before a reload
  const [step, setStep] = useState<'password' | 'code'>(() => (session?.two_factor_pending && !session.user ? 'code' : 'password'));
  const maintenance = session?.maintenance?.enabled;

  const done = () => {
    // redirect_to was checked to be a local path by the route's validateSearch; it may
    // carry its own query string, so it goes to the history as it is
    if (redirect_to) router.history.push(redirect_to);
    else void navigate({ to: '/' });
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate(
      { username: username.trim(), password, ...(remember ? { remember: true } : {}) },
      {
        onSuccess: (res) => {
          if (res.two_factor_required) {
            setPassword('');
            setPasskeys(res.webauthn ?? null);
            setStep('code');
          } else done();
        },
      },
    );
  };

  const startOver = () => {
    signIn.reset();
    setStep('password');
  };

  return (
    <div className={s.wrap}>
      <Panel className={s.card}>
        <h1 className={s.title}>
          <span className={s.mark} aria-hidden />
          {step === 'code' ? 'Two-factor sign-in' : 'Sign in'}
        </h1>
        <p className={s.sub}>to {session?.instance_name ?? 'Gitssy'}</p>
        {session?.user && (
          <Notice>
            You are signed in as <strong>{session.user.login}</strong>. <Link to="/">Go to your dashboard</Link>
          </Notice>
        )}
        {maintenance && <Notice kind="warn">The forge is in maintenance: you can sign in and read, but changes are paused.</Notice>}
        {step === 'code' ? (
          <SecondStep onSignedIn={done} onStartOver={startOver} passkeys={passkeys ?? !!session?.two_factor_webauthn} />
        ) : (
          <form onSubmit={onSubmit} aria-label="Sign in">
            <label htmlFor="signin-username">Username or email</label>
            <input id="signin-username" name="username" type="text" autoComplete="username" autoFocus required value={username} onChange={(e) => setUsername(e.target.value)} />
            <label htmlFor="signin-password">Password</label>
            <input id="signin-password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            <label className={s.remember}>
              <input type="checkbox" name="remember" checked={remember} onChange={(e) => setRemember(e.target.checked)} data-testid="signin-remember" />
              Keep me signed in on this browser for 30 days
            </label>
            <FormError error={signIn.error} />
            <Button type="submit" variant="primary" className={s.submit} busy={signIn.isPending} disabled={!username.trim() || !password}>
              Sign in
            </Button>
          </form>
        )}
        {step === 'password' && session?.registration !== 'closed' && (
          <p className={s.foot}>
            New here? <Link to="/user/sign_up">Create an account</Link>
          </p>
        )}
      </Panel>
    </div>
  );
}

/** The code from the authenticator app, or a recovery code instead; or a passkey when the account has one. */
function SecondStep({ onSignedIn, onStartOver, passkeys }: { onSignedIn: () => void; onStartOver: () => void; passkeys: boolean }) {
  const verify = useSignInSecondFactor();
  const passkey = useSignInWithPasskey();
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState('');
  const value = code.trim();

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    verify.mutate(recovery ? { recovery_code: value } : { code: value.replace(/\s/g, '') }, {
      onSuccess: onSignedIn,
      // a spent or wrong code is no use a second time
      onError: () => setCode(''),
    });
  };

  const switchKind = () => {
    setRecovery(!recovery);
    setCode('');
    verify.reset();
  };

  const withPasskey = () => {
    verify.reset();
    passkey.mutate(undefined, { onSuccess: onSignedIn });
  };

  return (
    <form onSubmit={onSubmit} aria-label="Second sign-in step">
      <p className="muted">
        {recovery
          ? 'Enter one of the recovery codes you saved when you turned on two-factor sign-in. Each works once.'
          : passkeys
            ? 'Your password was right. Use your passkey or security key, or enter the 6-digit code your authenticator app shows for this account.'
            : 'Your password was right. Enter the 6-digit code your authenticator app shows for this account.'}
      </p>
      {recovery ? (
        <>
          <label htmlFor="signin-recovery">Recovery code</label>
          <input
            key="recovery"
            id="signin-recovery"
            name="recovery_code"
            type="text"
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            autoFocus
            required
            maxLength={40}
            placeholder="xxxxx-xxxxx"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </>
      ) : (
        <>
          <label htmlFor="signin-code">Two-factor code</label>
          <input
            key="code"
            id="signin-code"
            name="code"
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]*"
            autoFocus
            required
            maxLength={7}
            placeholder="123456"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </>
      )}
      <FormError error={verify.error} />
      <Button type="submit" variant="primary" className={s.submit} busy={verify.isPending} disabled={!value}>
        Verify
      </Button>
      {passkeys && (
        <>
          <p className={s.foot}>or</p>
          <Button className={s.submit} busy={passkey.isPending} onClick={withPasskey} data-testid="signin-passkey">
            Use a passkey or security key
          </Button>
          <FormError error={passkey.error} />
        </>
      )}
      <p className={s.foot}>
        <button type="button" className="linkish" onClick={switchKind}>
          {recovery ? 'Use a code from your app instead' : 'Use a recovery code instead'}
        </button>
        {' · '}
        <button type="button" className="linkish" onClick={onStartOver}>
          Start over
        </button>
      </p>
      <Hint>Lost your phone and your recovery codes? A site administrator can reset two-factor sign-in for your account.</Hint>
    </form>
  );
}
