// Where notifications come from now: a push to a repository you watch (by someone else), and
// being added as a collaborator; and the mailer, which mails a thread when the user's settings
// say so and SMTP is set up. All are durable subscribers: they run from the outbox after the
// push or the change has been acknowledged, and the thread's (user, event) key makes a
// redelivery harmless.
import type { Actor, RepoFacts, Visibility } from '../access/index.js';
import { subscriber, type Subscriber } from '../events/index.js';
import { ZERO_SHA } from '../git/ref-update.js';
import type { Services } from '../services.js';
import { toActorUser } from '../users/index.js';
import type { NotificationService } from './service.js';

function describeRefs(updates: { ref: string; newSha: string }[]): { verb: string; names: string[]; head: string | null } {
  const shown = updates.filter((u) => u.ref.startsWith('refs/heads/') || u.ref.startsWith('refs/tags/'));
  const name = (ref: string) => (ref.startsWith('refs/tags/') ? `tag ${ref.slice('refs/tags/'.length)}` : ref.slice('refs/heads/'.length));
  const landed = shown.filter((u) => u.newSha !== ZERO_SHA);
  if (landed.length === 0) return { verb: 'deleted', names: shown.map((u) => name(u.ref)), head: null };
  const branch = landed.find((u) => u.ref.startsWith('refs/heads/')) ?? landed[0]!;
  return { verb: 'pushed to', names: landed.map((u) => name(u.ref)), head: branch.newSha };
}

export function notificationSubscribers(s: Services, notifications: NotificationService): Subscriber[] {
  const facts = (r: { id: number; owner_id: number; visibility: string }): RepoFacts => ({ id: r.id, ownerId: r.owner_id, visibility: r.visibility as Visibility });
  const actorOf = async (userId: number): Promise<Actor | null> => {
    const u = await s.users.byId(userId);
    return u && !s.users.loginProblem(u) ? { kind: 'user', user: toActorUser(u), scopes: null, via: 'session' } : null;
  };

  return [
    subscriber({
      name: 'notifications.push',
      events: ['push'],
      handle: async ({ id, payload: push }) => {
        const rec = await s.repos.byId(push.repoId);
        if (!rec) return;
        const { verb, names, head } = describeRefs(push.updates);
        if (names.length === 0) return;
        const pusher = push.pusherId === null ? null : await s.users.byId(push.pusherId);
        const full = `${rec.owner.name}/${rec.repo.name}`;
        const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
        const title = `${pusher?.name ?? 'someone'} ${verb} ${shown} in ${full}`;
        const watchers = await s.db.selectFrom('watches').select('user_id').where('repo_id', '=', rec.repo.id).execute();
        for (const { user_id } of watchers) {
          if (user_id === push.pusherId) continue;
          // watching is no licence to read: the watcher must still be able to read the repository
          const actor = await actorOf(user_id);
          if (!actor || !(await s.access.can(actor, 'read', facts(rec.repo)))) continue;
          await notifications.notify({
            userId: user_id,
            repoId: rec.repo.id,
            eventId: id,
            reason: 'push',
            subject: {
              type: 'Commit',
              title,
              url: head ? `/api/v1/repos/${full}/git/commits/${head}` : `/api/v1/repos/${full}`,
              htmlUrl: head ? `/${full}/commit/${head}` : `/${full}/branches`,
            },
          });
        }
      },
    }),
    subscriber({
      name: 'notifications.collaborator',
      events: ['repo.collaborator'],
      handle: async ({ id, payload: e }) => {
        if (e.role === null || e.previous !== null) return;
        const rec = await s.repos.byId(e.repoId);
        if (!rec) return;
        const actor = e.actorId === null ? null : await s.users.byId(e.actorId);
        const full = `${rec.owner.name}/${rec.repo.name}`;
        await notifications.notify({
          userId: e.userId,
          repoId: rec.repo.id,
          eventId: id,
          reason: 'collaborator',
          subject: { type: 'Repository', title: `${actor?.name ?? 'An administrator'} added you as a collaborator (${e.role}) to ${full}`, url: `/api/v1/repos/${full}`, htmlUrl: `/${full}` },
        });
      },
    }),
    subscriber({
      name: 'notifications.mail',
      events: ['notification.created'],
      // a mail server that is down is retried with backoff; at most two sends at once
      concurrency: 2,
      maxAttempts: 6,
      handle: async ({ payload: e }) => {
        if (!s.mail.configured()) return;
        const settings = await notifications.mailSettings(e.userId);
        if (!settings[e.reason]) return;
        const user = await s.users.byId(e.userId);
        if (!user?.email || s.users.loginProblem(user)) return;
        const thread = await notifications.get(e.userId, e.notificationId).catch(() => null);
        if (!thread) return;
        const base = mailBase(s);
        const link = `${base}${thread.row.subject_html_url}`;
        await s.mail.send({
          to: user.email,
          subject: `[${s.settings.get('instance.name')}] ${thread.row.subject_title}`,
          text: `${thread.row.subject_title}\n\n${link}\n\n— You get this mail because of your notification settings: ${base}/user/settings/notifications\n`,
        });
      },
    }),
  ];
}

/** The address links in mail start with: the configured public URL, else this machine's HTTP address. */
export function mailBase(s: Services): string {
  const configured = s.settings.get('instance.publicUrl') || s.config.baseUrl || '';
  return configured.replace(/\/+$/, '') || `http://127.0.0.1:${s.httpPort()}`;
}
