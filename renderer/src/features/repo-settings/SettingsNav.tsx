// The side navigation of a repository's settings, and the guard every settings page shares:
// only repository administrators get past it (others see a clear message).
import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { EmptyState, Notice, Panel } from '../../components/ui';
import type { Repo } from '../repos/types';
import { useReadOnly, useSession } from '../session/api';
import s from './RepoSettings.module.css';

export function SettingsFrame({ repo, children }: { repo: Repo; children: ReactNode }) {
  const maintenance = useSession().data?.maintenance;
  if (!repo.permissions.admin) {
    return (
      <Panel>
        <EmptyState title="Settings are for administrators" icon="⊘">
          Only administrators of {repo.full_name} can change its settings. Ask its owner for admin access if you need it.
        </EmptyState>
      </Panel>
    );
  }
  const params = { owner: repo.owner.login, repo: repo.name };
  return (
    <div className={s.layout}>
      <nav className={s.nav} aria-label="Repository settings">
        <Link to="/$owner/$repo/settings" params={params} className={s.navLink} activeOptions={{ exact: true }}>
          Options
        </Link>
        <Link to="/$owner/$repo/settings/collaboration" params={params} className={s.navLink}>
          Collaborators
        </Link>
        <Link to="/$owner/$repo/settings/hooks" params={params} className={s.navLink}>
          Webhooks
        </Link>
        <Link to="/$owner/$repo/settings/ci" params={params} className={s.navLink}>
          CI
        </Link>
      </nav>
      <div className={s.body}>
        {maintenance?.read_only && <Notice kind="warn">The forge is in maintenance: settings can't be changed until it ends.</Notice>}
        {children}
      </div>
    </div>
  );
}

/** Write actions are off while the forge is in maintenance. */
export { useReadOnly };
