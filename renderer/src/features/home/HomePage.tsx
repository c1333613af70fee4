// Home. Signed in: your feed (posts and activity of the people you follow and the repositories
// you watch, with a box to post in), your repositories (with "New repository") and what was
// updated recently. Anonymous: a short welcome with the instance name and the public repositories.
import { Link } from '@tanstack/react-router';
import { RepoList } from '../../components/RepoList';
import { Avatar, Hint, Panel, PanelHeader, buttonClass, useTitle } from '../../components/ui';
import { Feed } from '../feed/Feed';
import { useSession } from '../session/api';
import { useMyRepos, useRecentRepos } from './api';
import s from './HomePage.module.css';

export function HomePage() {
  const session = useSession().data;
  const user = session?.user ?? null;
  useTitle(user ? 'Dashboard' : (session?.instance_name ?? 'Gitssy'));
  const mine = useMyRepos(!!user);
  const recent = useRecentRepos();
  const readOnly = !!session?.maintenance?.read_only;

  if (!user) {
    return (
      <div className={s.page}>
        <section className={s.hero}>
          <h1 className={s.heroTitle}>
            Welcome to <span className={s.accent}>{session?.instance_name ?? 'Gitssy'}</span>
          </h1>
          <p className={s.heroText}>A Git forge on your network: browse the code your team shares here, clone it over HTTP or SSH, and sign in to push and create repositories.</p>
          <div className={s.heroActions}>
            <Link to="/user/login" className={buttonClass('primary')}>
              Sign in
            </Link>
            {session?.registration !== 'closed' && (
              <Link to="/user/sign_up" className={buttonClass()}>
                Create an account
              </Link>
            )}
            <Link to="/explore/repos" className={buttonClass('ghost')}>
              Browse repositories →
            </Link>
          </div>
        </section>
        <Panel>
          <PanelHeader>
            <strong>Recently updated</strong>
            <Link to="/explore/repos" className={s.more}>
              All repositories
            </Link>
          </PanelHeader>
          <RepoList repos={recent.data?.items} isPending={recent.isPending} error={recent.error} retry={() => void recent.refetch()} empty="No public repositories yet" />
        </Panel>
      </div>
    );
  }

  const count = mine.data?.total ?? mine.data?.items.length;
  return (
    <div className={s.grid}>
      <div className={s.main}>
        <div className={s.who}>
          <Avatar name={user.login} size={44} />
          <div>
            <h1 className={s.whoName}>{user.full_name || user.login}</h1>
            <Link to="/$owner" params={{ owner: user.login }} className="muted">
              @{user.login}
            </Link>
          </div>
        </div>
        <Feed />
      </div>
      <aside className={s.side}>
        <Panel>
          <PanelHeader>
            <strong>Your repositories</strong>
            {count !== undefined && <span className="muted">{count}</span>}
            <span className={s.headerSpacer} />
            {readOnly ? (
              <span className={buttonClass('primary', true) + ' ' + s.disabled} aria-disabled title="The forge is in maintenance: creating repositories is paused">
                New repository
              </span>
            ) : (
              <Link to="/repo/create" className={buttonClass('primary', true)}>
                New repository
              </Link>
            )}
          </PanelHeader>
          <RepoList
            repos={mine.data?.items}
            isPending={mine.isPending}
            error={mine.error}
            retry={() => void mine.refetch()}
            showOwner={false}
            empty={
              <div className={s.emptyMine}>
                <p>You don't have any repositories yet.</p>
                <Hint>Create one here, or push an existing project after creating it.</Hint>
              </div>
            }
          />
        </Panel>
        <Panel>
          <PanelHeader>
            <strong>Recently updated</strong>
            <Link to="/explore/repos" className={s.more}>
              See all
            </Link>
          </PanelHeader>
          <RepoList repos={recent.data?.items} isPending={recent.isPending} error={recent.error} retry={() => void recent.refetch()} empty="Nothing here yet" compact />
        </Panel>
      </aside>
    </div>
  );
}
