// /<owner>: a user's or an organization's profile (name, full name, description, website as a
// plain nofollow link), the repositories the viewer may see, and for organizations the members
// (shown to members and administrators, the only ones the server lists them for). A person's
// profile also shows their location and pronouns, who follows them and whom they follow (with
// a Follow button for others), and a year of contributions.
import { Link, useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { ListPager, RepoList } from '../../components/RepoList';
import { ReportButton } from '../../components/ReportDialog';
import { Avatar, Badge, Button, ErrorState, FormError, Loading, Panel, PanelHeader, buttonClass, useTitle } from '../../components/ui';
import { useSession } from '../session/api';
import { Heatmap } from './Heatmap';
import { RenderedHtml } from '../code/RenderedHtml';
import { PEOPLE_LIMIT, USER_REPOS_LIMIT, useFollowing, useHeatmap, useMyOrgs, useOrgMembers, usePeople, useProfile, useSetFollowing, useUser, useUserRepos } from './api';
import type { User } from './types';
import s from './UserPage.module.css';

/** Only http(s) addresses become links; anything else stays text. */
export function safeWebsite(url: string): string | null {
  return /^https?:\/\/[^\s]+$/i.test(url.trim()) ? url.trim() : null;
}

export function UserPage() {
  const { owner } = useParams({ from: '/$owner' });
  const { page = 1, tab } = useSearch({ from: '/$owner' });
  const navigate = useNavigate({ from: '/$owner' });
  const session = useSession().data;
  const me = session?.user ?? null;
  const user = useUser(owner);
  const isOrg = user.data?.type === 'Organization';
  const repos = useUserRepos(owner, page, user.isSuccess);
  const myOrgs = useMyOrgs(!!me && isOrg);
  const member = isOrg && !!me && (me.is_admin || !!myOrgs.data?.items.some((o) => o.username.toLowerCase() === owner.toLowerCase()));
  const members = useOrgMembers(owner, member);
  const person = user.isSuccess && !isOrg;
  const heatmap = useHeatmap(owner, person);
  const profile = useProfile(owner, person);
  useTitle(user.data ? (user.data.full_name ? `${user.data.login} (${user.data.full_name})` : user.data.login) : owner);

  if (user.isPending) return <Loading />;
  if (user.isError) return <ErrorState error={user.error} retry={() => void user.refetch()} />;
  const u = user.data;
  const site = u.website ? safeWebsite(u.website) : null;
  const itsMe = !!me && me.id === u.id;

  return (
    <div className={s.layout}>
      <aside className={s.profile}>
        <Avatar name={u.login} size={112} />
        <h1 className={s.names}>
          {u.full_name && <span className={s.fullName}>{u.full_name}</span>}
          <span className={s.login}>{u.login}</span>
        </h1>
        {isOrg && <Badge accent>Organization</Badge>}
        {!isOrg && me && !itsMe && <FollowButton name={u.login} />}
        {u.description && (isOrg || !profile.data ? <p className={s.desc}>{u.description}</p> : <RenderedHtml html={profile.data.bio_html} className={s.desc} testId="profile-bio" />)}
        {!isOrg && (u.location || u.pronouns) && (
          <p className={s.facts}>
            {u.pronouns && <span data-testid="profile-pronouns">{u.pronouns}</span>}
            {u.location && <span data-testid="profile-location">{u.location}</span>}
          </p>
        )}
        {!isOrg && (
          <p className={s.follows} data-testid="profile-follows">
            <Link to="/$owner" params={{ owner: u.login }} search={{ tab: 'followers' }} data-testid="followers-link">
              <strong>{u.followers_count ?? 0}</strong> {(u.followers_count ?? 0) === 1 ? 'follower' : 'followers'}
            </Link>{' '}
            ·{' '}
            <Link to="/$owner" params={{ owner: u.login }} search={{ tab: 'following' }} data-testid="following-link">
              <strong>{u.following_count ?? 0}</strong> following
            </Link>
          </p>
        )}
        {u.website && (
          <p className={s.website}>
            {site ? (
              <a href={site} rel="nofollow noopener" target="_blank" data-testid="profile-website">
                {site}
              </a>
            ) : (
              <span data-testid="profile-website">{u.website}</span>
            )}
          </p>
        )}
        {profile.data && profile.data.links.length > 0 && (
          <ul className={s.links} data-testid="profile-links">
            {profile.data.links.map((l) => (
              <li key={l}>
                <a href={safeWebsite(l) ?? undefined} rel="nofollow noopener me" target="_blank">
                  {l.replace(/^https?:\/\//, '').replace(/\/$/, '')}
                </a>
              </li>
            ))}
          </ul>
        )}
        {!isOrg && (
          <p className="faint">
            Joined <time dateTime={u.created}>{new Date(u.created).toLocaleDateString()}</time>
          </p>
        )}
        {itsMe && (
          <Link to="/user/settings" className={buttonClass('default', true)}>
            Edit profile
          </Link>
        )}
        {!isOrg && me && !itsMe && <ReportButton target={{ kind: 'user', username: u.login }} label={`Report ${u.login}`} className={s.report} />}
        {isOrg && member && (
          <Panel className={s.members}>
            <PanelHeader>
              <strong>Members</strong>
              {members.data && <span className="muted">{members.data.total ?? members.data.items.length}</span>}
            </PanelHeader>
            {members.isPending ? (
              <Loading />
            ) : members.isError ? (
              <p className={s.pad + ' muted'}>Couldn't load the members: {(members.error as Error).message}</p>
            ) : (
              <ul className={s.memberList} data-testid="org-members">
                {members.data.items.map((m: User) => (
                  <li key={m.id}>
                    <Link to="/$owner" params={{ owner: m.login }} className={s.member}>
                      <Avatar name={m.login} size={22} />
                      {m.login}
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </Panel>
        )}
      </aside>
      <section className={s.main}>
        {person && tab && <People name={u.login} which={tab} page={page} onPage={(p) => void navigate({ search: (prev) => ({ ...prev, page: p > 1 ? p : undefined }) })} />}
        {person && !tab && profile.data && profile.data.pinned.length > 0 && (
          <Panel data-testid="profile-pinned">
            <PanelHeader>
              <strong>Pinned</strong>
            </PanelHeader>
            <RepoList repos={profile.data.pinned} isPending={false} error={null} retry={() => void profile.refetch()} showOwner empty="" />
          </Panel>
        )}
        {person && !tab && (
          <Panel>
            {heatmap.isPending ? <Loading /> : heatmap.isError ? <p className={s.pad + ' muted'}>Couldn't load the contributions: {heatmap.error.message}</p> : <Heatmap days={heatmap.data} />}
          </Panel>
        )}
        {!tab && (
          <Panel>
            <PanelHeader>
              <strong>Repositories</strong>
              {repos.data?.total != null && <span className="muted">{repos.data.total}</span>}
              <span className={s.spacer} />
              {(itsMe || member) && !session?.maintenance?.read_only && (
                <Link to="/repo/create" search={isOrg ? { owner: u.login } : {}} className={buttonClass('primary', true)}>
                  New repository
                </Link>
              )}
            </PanelHeader>
            <RepoList
              repos={repos.data?.items}
              isPending={repos.isPending}
              error={repos.error}
              retry={() => void repos.refetch()}
              showOwner={false}
              empty={itsMe ? "You don't have any repositories yet" : `${u.login} has no repositories you can see`}
            />
          </Panel>
        )}
        {!tab && <ListPager page={page} total={repos.data?.total ?? null} limit={USER_REPOS_LIMIT} onPage={(p) => void navigate({ search: (prev) => ({ ...prev, page: p > 1 ? p : undefined }) })} />}
      </section>
    </div>
  );
}

/** Follow / Unfollow for someone else's profile; a refusal (a block) is shown with the reason. */
function FollowButton({ name }: { name: string }) {
  const following = useFollowing(name, true);
  const set = useSetFollowing(name);
  const session = useSession().data;
  if (following.isPending) return null;
  const on = following.data === true;
  return (
    <div className={s.followBox}>
      <Button
        variant={on ? 'default' : 'primary'}
        busy={set.isPending}
        disabled={!!session?.maintenance?.read_only || following.isError}
        onClick={() => set.mutate(!on)}
        data-testid="follow-button"
        data-following={on}
      >
        {on ? 'Unfollow' : 'Follow'}
      </Button>
      <FormError error={set.error ?? following.error} />
    </div>
  );
}

/** The people following someone, or those they follow, with a way back to the repositories. */
function People({ name, which, page, onPage }: { name: string; which: 'followers' | 'following'; page: number; onPage: (page: number) => void }) {
  const people = usePeople(name, which, page);
  return (
    <>
      <Panel>
        <PanelHeader>
          <strong>{which === 'followers' ? 'Followers' : 'Following'}</strong>
          {people.data?.total != null && <span className="muted">{people.data.total}</span>}
          <span className={s.spacer} />
          <Link to="/$owner" params={{ owner: name }} className={buttonClass('ghost', true)}>
            Repositories
          </Link>
        </PanelHeader>
        {people.isPending ? (
          <Loading />
        ) : people.isError ? (
          <ErrorState error={people.error} retry={() => void people.refetch()} />
        ) : people.data.items.length === 0 ? (
          <p className={s.pad + ' muted'}>{which === 'followers' ? `Nobody follows ${name} yet.` : `${name} doesn't follow anyone yet.`}</p>
        ) : (
          <ul className={s.memberList} data-testid="people">
            {people.data.items.map((m: User) => (
              <li key={m.id}>
                <Link to="/$owner" params={{ owner: m.login }} className={s.member}>
                  <Avatar name={m.login} size={28} />
                  <span>
                    <strong>{m.full_name || m.login}</strong> {m.full_name && <span className="muted">@{m.login}</span>}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Panel>
      <ListPager page={page} total={people.data?.total ?? null} limit={PEOPLE_LIMIT} onPage={onPage} />
    </>
  );
}
