// The public surface of server/tasks: the board service, and the events and realtime messages
// the feature produces.
export { TaskService, isCalendarDate, type CheckItem, type ColumnInput, type TaskInput, type TaskView } from './service.js';
export { TASK_STATES, type TaskColumnRow, type TaskRow, type TaskState } from './schema.js';

import type { TaskService } from './service.js';
import './schema.js';

interface TaskEventBase {
  taskId: number;
  repoId: number;
  actorId: number;
}

declare module '../services.js' {
  interface Services {
    tasks: TaskService;
  }
}

declare module '../events/index.js' {
  interface EventMap {
    /** A card's title or body was written and mentions these user names (lower-cased). */
    'task.mentioned': TaskEventBase & { names: string[] };
    /** A card was assigned to someone (not to nobody). */
    'task.assigned': TaskEventBase & { assigneeId: number };
  }
}

declare module '../realtime/index.js' {
  interface RealtimeEvents {
    /**
     * Something on a repository's board changed (to the repository's room): card `id` was
     * created, edited, moved or deleted, or the columns changed (`id` null). `version` is the
     * board's version after the change, so a client can tell an event it already has from a new one.
     */
    'task.updated': { repo: string; id: number | null; what: 'created' | 'edited' | 'moved' | 'deleted' | 'columns'; version: number };
  }
}
