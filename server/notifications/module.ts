// The notifications feature: its tables, service, routes and subscribers, as one module.
import type { FeatureModule } from '../feature.js';
import '../pushes/index.js';
import '../repos/index.js';
import m0007 from './migrations/0007_notifications.js';
import { registerNotificationRoutes } from './routes.js';
import { NotificationService } from './service.js';
import { notificationSubscribers } from './subscribers.js';

export const notificationsModule: FeatureModule = {
  name: 'notifications',
  migrations: { '0007_notifications': m0007 },
  services: (s) => {
    s.notifications = new NotificationService(s.db, s.events, s.realtime, () => {
      const configured = s.settings.get('instance.publicUrl') || s.config.baseUrl || '';
      return configured.replace(/\/+$/, '');
    });
  },
  subscribers: (s) => notificationSubscribers(s, s.notifications),
  routes: (api, s) => registerNotificationRoutes(api, s, s.notifications),
};
