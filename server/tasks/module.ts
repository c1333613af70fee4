// The tasks feature: a board per repository with columns and cards, its API routes and the
// subscriber that tells people about mentions and assignments.
import type { FeatureModule } from '../feature.js';
import '../issues/index.js';
import '../notifications/index.js';
import m0015 from './migrations/0015_tasks.js';
import { registerTaskRoutes } from './routes.js';
import { TaskService } from './service.js';
import { taskSubscribers } from './subscribers.js';

export const tasksModule: FeatureModule = {
  name: 'tasks',
  migrations: { '0015_tasks': m0015 },
  services: (s) => {
    s.tasks = new TaskService(s);
  },
  subscribers: (s) => taskSubscribers(s, s.tasks),
  routes: (api, s) => registerTaskRoutes(api, s, s.tasks),
};
