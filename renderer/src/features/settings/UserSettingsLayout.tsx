// /user/settings/*: the side navigation (Profile, Account, Security, Applications, SSH keys,
// Notifications, Appearance) around the page. Settings need a signed-in user; everyone else is sent to sign in.
import { Link, Outlet, useLocation } from '@tanstack/react-router';
import { EmptyState, Panel } from '../../components/ui';
import { useCurrentUser } from '../session/api';
import s from './Settings.module.css';

const LINKS = [
  { to: '/user/settings', label: 'Profile', exact: true },
  { to: '/user/settings/account', label: 'Account' },
  { to: '/user/settings/security', label: 'Security' },
  { to: '/user/settings/applications', label: 'Applications' },
  { to: '/user/settings/keys', label: 'SSH keys' },
  { to: '/user/settings/notifications', label: 'Notifications' },
  { to: '/user/settings/appearance', label: 'Appearance' },
] as const;

export function UserSettingsLayout() {
  const user = useCurrentUser();
  const location = useLocation();
  if (!user) {
    return (
      <Panel>
        <EmptyState title="Sign in to change your settings">
          <Link to="/user/login" search={{ redirect_to: location.pathname }}>
            Sign in
          </Link>
        </EmptyState>
      </Panel>
    );
  }
  return (
    <div className={s.layout}>
      <nav className={s.nav} aria-label="Settings">
        <div className={s.navTitle}>Settings</div>
        {LINKS.map((l) => (
          <Link key={l.to} to={l.to} className={s.navLink} activeOptions={{ exact: 'exact' in l && l.exact }}>
            {l.label}
          </Link>
        ))}
      </nav>
      <div className={s.body}>
        <Outlet />
      </div>
    </div>
  );
}
