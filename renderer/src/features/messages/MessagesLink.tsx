// The header's messages link, with how many messages you haven't read (live).
import { Link } from '@tanstack/react-router';
import { useMessagesLive, useUnreadMessages } from './api';
import s from './Messages.module.css';

export function MessagesLink({ className }: { className?: string }) {
  useMessagesLive();
  const count = useUnreadMessages(true).data ?? 0;
  const label = count > 0 ? `Messages (${count} unread)` : 'Messages';
  return (
    <Link to="/messages" className={className} aria-label={label} title={label} data-testid="messages-link">
      <span className={s.icon}>
        <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden fill="currentColor">
          <path d="M1.75 1h12.5c.966 0 1.75.784 1.75 1.75v8.5A1.75 1.75 0 0 1 14.25 13H8.06l-2.573 2.573A1.458 1.458 0 0 1 3 14.543V13H1.75A1.75 1.75 0 0 1 0 11.25v-8.5C0 1.784.784 1 1.75 1ZM1.5 2.75v8.5c0 .138.112.25.25.25h2a.75.75 0 0 1 .75.75v2.19l2.72-2.72a.749.749 0 0 1 .53-.22h6.5a.25.25 0 0 0 .25-.25v-8.5a.25.25 0 0 0-.25-.25H1.75a.25.25 0 0 0-.25.25Z" />
        </svg>
        {count > 0 && (
          <span className={s.count} data-testid="messages-count" aria-hidden>
            {count > 99 ? '99+' : count}
          </span>
        )}
      </span>
    </Link>
  );
}
