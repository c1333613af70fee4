// /notifications: the signed-in user's threads, newest first. "Unread" (with pinned ones) by
// default, "All" with ?all=true; each thread links to what it is about and can be marked read or
// unread; "Mark all read" clears the lot. The list follows live events (see api.ts).
import { Link, useLocation, useNavigate, useRouter, useSearch } from '@tanstack/react-router';
import type { MouseEvent } from 'react';
import { Button, EmptyState, ErrorState, FormError, Loading, Pager, Panel, RelativeTime, useTitle } from '../../components/ui';
import { useCurrentUser } from '../session/api';
import { PAGE_SIZE, sitePath, useMarkAllRead, useNotifications, useSetThreadStatus, useUnreadCount, type NotificationThread } from './api';
import s from './Notifications.module.css';

export function NotificationsPage() {
  useTitle('Notifications');
  const user = useCurrentUser();
  const location = useLocation();
  if (!user) {
    return (
      <Panel>
        <EmptyState title="Sign in to see your notifications">
          <Link to="/user/login" search={{ redirect_to: location.pathname + location.searchStr }}>
            Sign in
          </Link>
        </EmptyState>
      </Panel>
    );
  }
  return <Threads />;
}

function Threads() {
  const { all = false, page = 1 } = useSearch({ from: '/notifications' });
  const navigate = useNavigate({ from: '/notifications' });
  const list = useNotifications(all, page);
  const unread = useUnreadCount(true).data ?? 0;
  const markAll = useMarkAllRead();
  const total = list.data?.total ?? null;
  const hasNext = total !== null ? page * PAGE_SIZE < total : (list.data?.items.length ?? 0) === PAGE_SIZE;

  return (
    <>
      <div className={s.head}>
        <h1>Notifications</h1>
        <div className={s.headActions}>
          <Button busy={markAll.isPending} disabled={unread === 0} onClick={() => markAll.mutate()}>
            Mark all read
          </Button>
        </div>
      </div>
      <nav className={s.tabs} aria-label="Which notifications">
        <Link to="/notifications" search={{}} className={s.tab} aria-current={!all ? 'page' : undefined} activeOptions={{ exact: true }}>
          Unread{unread > 0 ? ` (${unread})` : ''}
        </Link>
        <Link to="/notifications" search={{ all: true }} className={s.tab} aria-current={all ? 'page' : undefined} activeOptions={{ exact: true }}>
          All
        </Link>
      </nav>
      <FormError error={markAll.error} />
      <Panel>
        {list.isPending ? (
          <Loading />
        ) : list.isError ? (
          <ErrorState error={list.error} retry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title={all ? 'No notifications yet' : "You're all caught up"}>
            {all ? 'Watch a repository to hear about pushes to it.' : 'Nothing unread. '}
            {!all && (
              <Link to="/notifications" search={{ all: true }}>
                See all notifications
              </Link>
            )}
          </EmptyState>
        ) : (
          <ul className={s.list} data-testid="notifications">
            {list.data.items.map((t) => (
              <ThreadItem key={t.id} thread={t} />
            ))}
          </ul>
        )}
      </Panel>
      <Pager page={page} hasNext={hasNext} onPage={(p) => void navigate({ search: (prev) => ({ ...prev, page: p > 1 ? p : undefined }) })} />
    </>
  );
}

function ThreadItem({ thread: t }: { thread: NotificationThread }) {
  const router = useRouter();
  const setStatus = useSetThreadStatus();
  const href = sitePath(t.subject.html_url);
  // opening a thread reads it, as on Gitea; the page it points at opens in the app (no reload)
  const open = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    if (t.unread) setStatus.mutate({ id: t.id, status: 'read' });
    void router.navigate({ href });
  };
  const repo = t.repository;
  return (
    <li className={s.item} data-unread={t.unread} data-testid="notification">
      <span className={s.dot} aria-hidden />
      <span className={s.icon} aria-hidden>
        <SubjectIcon type={t.subject.type} />
      </span>
      <div className={s.main}>
        <a href={href} className={s.title} onClick={open}>
          {t.subject.title}
        </a>
        {t.unread && <span className="visually-hidden"> (unread)</span>}
        <div className={s.meta}>
          {repo && (
            <Link to="/$owner/$repo" params={{ owner: repo.owner.login, repo: repo.name }} data-testid="notification-repo">
              {repo.full_name}
            </Link>
          )}
          <RelativeTime iso={t.updated_at} />
        </div>
        <FormError error={setStatus.error} />
      </div>
      <Button
        small
        busy={setStatus.isPending}
        onClick={() => setStatus.mutate({ id: t.id, status: t.unread ? 'read' : 'unread' })}
        aria-label={`Mark “${t.subject.title}” as ${t.unread ? 'read' : 'unread'}`}
      >
        {t.unread ? 'Mark read' : 'Mark unread'}
      </Button>
    </li>
  );
}

function SubjectIcon({ type }: { type: NotificationThread['subject']['type'] }) {
  // a commit (a push) or a repository (collaborator access); issues and pulls when they exist
  return type === 'Commit' ? (
    <svg width="16" height="16" viewBox="0 0 16 16" fill="currentColor">
      <path d="M11.93 8.5a4.002 4.002 0 0 1-7.86 0H.75a.75.75 0 0 1 0-1.5h3.32a4.002 4.002 0 0 1 7.86 0h3.32a.75.75 0 0 1 0 1.5Zm-1.43-.75a2.5 2.5 0 1 0-5 0 2.5 2.5 0 0 0 5 0Z" />
    </svg>
  ) : (
    <svg width="16" height="16" viewBox="0 0 16 16" fill="currentColor">
      <path d="M2 2.5A2.5 2.5 0 0 1 4.5 0h8.75a.75.75 0 0 1 .75.75v12.5a.75.75 0 0 1-.75.75h-2.5a.75.75 0 0 1 0-1.5h1.75v-2h-8a1 1 0 0 0-.714 1.7.75.75 0 1 1-1.072 1.05A2.495 2.495 0 0 1 2 11.5Zm10.5-1h-8a1 1 0 0 0-1 1v6.708A2.486 2.486 0 0 1 4.5 9h8ZM5 12.25a.25.25 0 0 1 .25-.25h3.5a.25.25 0 0 1 .25.25v3.25a.25.25 0 0 1-.4.2l-1.45-1.087a.249.249 0 0 0-.3 0L5.4 15.7a.25.25 0 0 1-.4-.2Z" />
    </svg>
  );
}
