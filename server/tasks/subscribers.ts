// Who hears about a card: the people its title or body mentions (once per card per person, and
// only those who can read the repository — a mention never shows a private board to an
// outsider), and the person it is assigned to. Durable subscribers: they run after the write
// committed, retried until they succeed, and every write they make is keyed on the event id.
import { subscriber, type Subscriber } from '../events/index.js';
import type { NotificationReason } from '../notifications/index.js';
import type { Services } from '../services.js';
import { USER_TYPE } from '../users/index.js';
import type { TaskService } from './service.js';

export function taskSubscribers(s: Services, tasks: TaskService): Subscriber[] {
  /** Notifies one user about a card if they may read its repository and aren't the actor. */
  const notify = async (eventId: number, taskId: number, repoId: number, userId: number, actorId: number, reason: NotificationReason, title: (repo: string, card: string) => string) => {
    if (userId === actorId) return;
    const rec = await s.repos.byId(repoId);
    const user = await s.users.byId(userId);
    if (!rec || !user || user.type !== USER_TYPE.individual || s.users.loginProblem(user)) return;
    if (!(await tasks.canRead(user, rec))) return;
    const card = await tasks.find(repoId, taskId);
    if (!card) return; // deleted meanwhile: nothing to point at
    const full = `${rec.owner.name}/${rec.repo.name}`;
    await s.notifications.notify({
      userId,
      repoId,
      eventId,
      reason,
      subject: {
        // NotificationThread has no task type; a card is closest to an issue for clients
        type: 'Issue',
        title: title(full, card.task.title),
        url: `/api/v1/repos/${full}/tasks/${taskId}`,
        htmlUrl: `/${full}/tasks?task=${taskId}`,
        state: card.column.state,
      },
    });
  };
  const actorName = async (id: number) => (await s.users.byId(id))?.name ?? 'someone';

  return [
    subscriber({
      name: 'tasks.mentioned',
      events: ['task.mentioned'],
      handle: async ({ id, payload: e }) => {
        const who = await actorName(e.actorId);
        const rec = await s.repos.byId(e.repoId);
        if (!rec || !(await tasks.find(e.repoId, e.taskId))) return; // deleted meanwhile
        for (const name of e.names) {
          const user = await s.users.byName(name);
          if (!user || user.id === e.actorId || user.type !== USER_TYPE.individual) continue;
          if (!(await tasks.canRead(user, rec))) continue;
          // once per card per person: the first event to claim the pair tells them; a redelivery
          // of that same event finds its own claim and tells them again (notify dedupes on the id)
          await s.db
            .insertInto('task_mentions')
            .values({ task_id: e.taskId, user_id: user.id, event_id: id })
            .onConflict((oc) => oc.columns(['task_id', 'user_id']).doNothing())
            .execute();
          const claim = await s.db.selectFrom('task_mentions').select('event_id').where('task_id', '=', e.taskId).where('user_id', '=', user.id).executeTakeFirst();
          if (claim?.event_id !== id) continue;
          await notify(id, e.taskId, e.repoId, user.id, e.actorId, 'mention', (repo, card) => `${who} mentioned you on a task in ${repo}: ${card}`);
        }
      },
    }),
    subscriber({
      name: 'tasks.assigned',
      events: ['task.assigned'],
      handle: async ({ id, payload: e }) => {
        const who = await actorName(e.actorId);
        await notify(id, e.taskId, e.repoId, e.assigneeId, e.actorId, 'assign', (repo, card) => `${who} assigned you a task in ${repo}: ${card}`);
      },
    }),
  ];
}
