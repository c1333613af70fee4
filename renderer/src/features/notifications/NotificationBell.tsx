// The header's bell: a link to /notifications with the unread count as a badge (shown only when
// there is something unread), kept live over the tab's socket.
import { Link } from '@tanstack/react-router';
import { useNotificationLiveUpdates, useUnreadCount } from './api';
import s from './Notifications.module.css';

export function NotificationBell({ className }: { className?: string }) {
  useNotificationLiveUpdates(true);
  const count = useUnreadCount(true).data ?? 0;
  const label = count > 0 ? `Notifications (${count} unread)` : 'Notifications';
  return (
    <Link to="/notifications" className={className} aria-label={label} title={label} data-testid="notifications-link">
      <span className={s.bell}>
        <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden fill="currentColor">
          <path d="M8 16a2 2 0 0 0 1.985-1.75c.017-.137-.097-.25-.235-.25h-3.5c-.138 0-.252.113-.235.25A2 2 0 0 0 8 16ZM3 5a5 5 0 0 1 10 0v2.947c0 .05.015.098.042.139l1.703 2.555A1.519 1.519 0 0 1 13.482 13H2.518a1.516 1.516 0 0 1-1.263-2.36l1.703-2.554A.255.255 0 0 0 3 7.947Zm5-3.5A3.5 3.5 0 0 0 4.5 5v2.947c0 .346-.102.683-.294.97l-1.703 2.556a.017.017 0 0 0-.003.01l.001.006c0 .002.002.004.004.006l.006.004.007.001h10.964l.007-.001.006-.004.004-.006.001-.007a.017.017 0 0 0-.003-.01l-1.703-2.554a1.745 1.745 0 0 1-.294-.97V5A3.5 3.5 0 0 0 8 1.5Z" />
        </svg>
        {count > 0 && (
          <span className={s.count} data-testid="notification-count" aria-hidden>
            {count > 99 ? '99+' : count}
          </span>
        )}
      </span>
    </Link>
  );
}
