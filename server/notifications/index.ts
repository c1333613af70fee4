// The public surface of server/notifications: the service other features notify through,
// the thread shape, and the events it produces.
export { MAIL_DEFAULTS, NotificationService, threadJson, type MailSettings, type NewNotification, type NotificationReason, type NotificationThread, type SubjectType } from './service.js';
export type { NotificationRow } from './schema.js';

import type { NotificationReason, NotificationService, NotificationThread } from './service.js';
import './schema.js';

export interface NotificationCreatedEvent {
  notificationId: number;
  userId: number;
  reason: NotificationReason;
}

declare module '../services.js' {
  interface Services {
    notifications: NotificationService;
  }
}

declare module '../events/index.js' {
  interface EventMap {
    'notification.created': NotificationCreatedEvent;
  }
}

declare module '../realtime/index.js' {
  interface RealtimeEvents {
    /** A new notification thread for this user (Gitea's NotificationThread). */
    notification: NotificationThread;
    /** The user's unread count changed (marked read elsewhere). */
    'notification.count': { new: number };
  }
}
