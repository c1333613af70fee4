// The operator console (/console): site administrators only. In the desktop app it is the
// main window; in a browser it is one more area of the forge.
import { Link, Outlet } from '@tanstack/react-router';
import { EmptyState, NotFoundPanel, Panel, useTitle } from '../../components/ui';
import { useCurrentUser } from '../session/api';
import s from './Console.module.css';

export function ConsoleLayout() {
  useTitle('Console');
  const user = useCurrentUser();
  if (!user) {
    return (
      <Panel>
        <EmptyState title="Sign in to the console" icon="⚙">
          The operator console is for site administrators. <a href="/user/login?redirect_to=/console">Sign in</a>
        </EmptyState>
      </Panel>
    );
  }
  // the console looks like any page a viewer may not see
  if (!user.is_admin) return <NotFoundPanel />;
  return (
    <div className={s.layout}>
      <nav aria-label="Console">
        <Panel className={s.nav}>
          <div className={s.navTitle}>Operator console</div>
          <Link to="/console" className={s.navLink} activeOptions={{ exact: true }}>
            Dashboard
          </Link>
          <Link to="/console/settings" className={s.navLink}>
            Settings
          </Link>
          <Link to="/console/users" className={s.navLink}>
            Users
          </Link>
          <Link to="/console/backups" className={s.navLink}>
            Backups
          </Link>
          <Link to="/console/logs" className={s.navLink}>
            Logs
          </Link>
          <Link to="/console/events" className={s.navLink}>
            Events
          </Link>
          <Link to="/console/ci" className={s.navLink}>
            CI
          </Link>
          <Link to="/console/shells" className={s.navLink}>
            Shells
          </Link>
          <Link to="/console/billing" className={s.navLink}>
            Billing
          </Link>
          <Link to="/console/reports" className={s.navLink}>
            Reports
          </Link>
        </Panel>
      </nav>
      <div className={s.stack}>
        <Outlet />
      </div>
    </div>
  );
}
