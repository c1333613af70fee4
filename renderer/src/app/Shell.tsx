// The frame around every page: header (navigation, notifications, new-repo and user menus), the
// maintenance and required-two-factor banners, the page, the footer, and the user's animated
// background. It also keeps the tab's live connection in step with who is signed in. A user
// whose password an administrator set sees only the page that changes it (and sign out) until
// they have; on a server that requires two-factor sign-in, an account without it sees only
// Settings → Security until it is on.
import { Link, Outlet, useMatch, useNavigate } from '@tanstack/react-router';
import { useEffect } from 'react';
import { Backdrop } from '../features/appearance/Backdrop';
import { MessagesLink } from '../features/messages/MessagesLink';
import { NotificationBell } from '../features/notifications/NotificationBell';
import { useSession, useSignOut } from '../features/session/api';
import { useRunningShellCount } from '../features/shells';
import { useBillingEnabled } from '../features/billing';
import { Avatar, Menu, buttonClass } from '../components/ui';
import { useRealtimeUser } from '../lib/realtime';
import s from './Shell.module.css';

export function Shell() {
  const session = useSession().data;
  const user = session?.user ?? null;
  const signOut = useSignOut();
  const navigate = useNavigate();
  const maintenance = session?.maintenance;
  // the server refuses everything but the change meanwhile: no live connection, no other page.
  // The rendered match decides, not the address: while a navigation is pending the address is
  // already the new one but the outlet still holds the old page.
  const mustChangePassword = !!user?.must_change_password;
  // the password comes first: the enrolment happens signed in with the user's own password
  const mustEnrol = !!user && !mustChangePassword && !!session?.two_factor_enrolment_required;
  const restricted = mustChangePassword || mustEnrol;
  const onChangePage = !!useMatch({ from: '/user/change_password', shouldThrow: false });
  const onSecurityPage = !!useMatch({ from: '/user/settings/security', shouldThrow: false });
  const blocked = (mustChangePassword && !onChangePage) || (mustEnrol && !onSecurityPage);
  useRealtimeUser(restricted ? null : (user?.id ?? null));
  const runningShells = useRunningShellCount(!!user && !restricted);
  // billing off answers 404: no menu entry at all
  const billing = useBillingEnabled(!!user && !restricted);
  useEffect(() => {
    if (blocked) void navigate({ to: mustChangePassword ? '/user/change_password' : '/user/settings/security', replace: true });
  }, [blocked, mustChangePassword, navigate]);

  return (
    <>
      <Backdrop />
      <header className={s.header}>
        <Link to="/" className={s.logo}>
          <span className={s.mark} aria-hidden />
          <span className={s.logoName}>{session?.instance_name ?? 'Gitssy'}</span>
        </Link>
        {!restricted && (
          <nav className={s.nav} aria-label="Main">
            <Link to="/explore/repos" className={s.navLink}>
              Explore
            </Link>
            {user?.is_admin && (
              <Link to="/console" className={s.navLink}>
                Console
              </Link>
            )}
          </nav>
        )}
        <div className={s.spacer} />
        <div className={s.actions}>
          {user && restricted ? (
            <button type="button" className={buttonClass('ghost', true)} onClick={() => signOut.mutate(undefined, { onSuccess: () => void navigate({ to: '/' }) })}>
              Sign out
            </button>
          ) : user ? (
            <>
              <MessagesLink className={s.iconButton} />
              <NotificationBell className={s.iconButton} />
              <Menu
                label="Create"
                trigger={
                  <button type="button" className={s.iconButton} aria-label="Create…">
                    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden fill="currentColor">
                      <path d="M7.25 2h1.5v5.25H14v1.5H8.75V14h-1.5V8.75H2v-1.5h5.25z" />
                    </svg>{' '}
                    ▾
                  </button>
                }
                items={[{ label: 'New repository', onSelect: () => void navigate({ to: '/repo/create' }) }]}
              />
              <Menu
                label={`Signed in as ${user.login}`}
                trigger={
                  <button type="button" className={s.iconButton} aria-label="User menu" data-testid="user-menu">
                    <Avatar name={user.login} size={26} /> ▾
                  </button>
                }
                items={[
                  { label: 'Your profile', onSelect: () => void navigate({ to: '/$owner', params: { owner: user.login } }) },
                  { label: 'Settings', onSelect: () => void navigate({ to: '/user/settings' }) },
                  { label: 'Appearance', onSelect: () => void navigate({ to: '/user/settings/appearance' }) },
                  { label: runningShells ? `Dev shells (${runningShells} running)` : 'Dev shells', onSelect: () => void navigate({ to: '/-/shells' }) },
                  ...(billing ? [{ label: 'Billing', onSelect: () => void navigate({ to: '/-/billing' }) }] : []),
                  ...(user.is_admin ? [{ label: 'Operator console', onSelect: () => void navigate({ to: '/console' }) }] : []),
                  { separator: true, label: '' },
                  { label: 'Sign out', onSelect: () => signOut.mutate(undefined, { onSuccess: () => void navigate({ to: '/' }) }) },
                ]}
              />
            </>
          ) : session?.setup_required ? null : (
            // before the first-run setup there are no accounts to sign in to, and none to make here
            <>
              <Link to="/user/login" className={buttonClass('ghost', true)}>
                Sign in
              </Link>
              {session?.registration !== 'closed' && (
                <Link to="/user/sign_up" className={buttonClass('primary', true)}>
                  Register
                </Link>
              )}
            </>
          )}
        </div>
      </header>
      {mustEnrol && (
        <div className={s.banner} role="status" data-testid="two-factor-required-banner">
          This server requires two-factor sign-in. Turn it on below to go on: until then the rest of the forge is closed to your account.
        </div>
      )}
      {maintenance?.enabled && (
        <div className={s.banner} role="status" data-testid="maintenance-banner">
          Maintenance: {maintenance.message || 'the forge is read-only for a while.'}
        </div>
      )}
      <main className={s.main}>{blocked ? null : <Outlet />}</main>
      <footer className={s.footer}>Gitssy {session?.version}</footer>
    </>
  );
}
