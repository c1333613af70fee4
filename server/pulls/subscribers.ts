// What keeps pull requests in step with the repositories, and who hears about them. All durable
// subscribers: a push acknowledged to its pusher moves refs/pull/<n>/head, records the push on
// the timeline and rechecks mergeability even if the server is killed right after.
import type { Visibility } from '../access/index.js';
import { subscriber, type Subscriber } from '../events/index.js';
import { ZERO_SHA } from '../git/ref-update.js';
import type { NotificationReason } from '../notifications/index.js';
import type { Services } from '../services.js';
import { toActorUser } from '../users/index.js';
import type { ReviewService } from './reviews.js';
import type { PullService } from './service.js';

export function pullSubscribers(s: Services, pulls: PullService, reviews: ReviewService): Subscriber[] {
  /** Notifies each user (once, never the actor) who may still read the repository. */
  const notify = async (eventId: number, pullId: number, userIds: number[], actorId: number | null, reason: NotificationReason, title: (repo: string, n: number, t: string) => string) => {
    const v = await pulls.view(pullId);
    const full = `${v.base.owner.name}/${v.base.repo.name}`;
    const facts = { id: v.base.repo.id, ownerId: v.base.repo.owner_id, visibility: v.base.repo.visibility as Visibility };
    for (const userId of new Set(userIds)) {
      if (userId === actorId) continue;
      const u = await s.users.byId(userId);
      if (!u || s.users.loginProblem(u)) continue;
      if (!(await s.access.can({ kind: 'user', user: toActorUser(u), scopes: null, via: 'session' }, 'read', facts))) continue;
      await s.notifications.notify({
        userId,
        repoId: v.base.repo.id,
        eventId,
        reason,
        subject: {
          type: 'Pull',
          title: title(full, v.pull.index, v.issue.title),
          url: `/api/v1/repos/${full}/pulls/${v.pull.index}`,
          htmlUrl: `/${full}/pulls/${v.pull.index}`,
          state: v.pull.has_merged ? 'merged' : v.issue.is_closed ? 'closed' : 'open',
        },
      });
    }
  };
  const actorName = async (id: number | null) => (id === null ? 'someone' : ((await s.users.byId(id))?.name ?? 'someone'));
  /** The author, assignees, commenters, reviewers and requested reviewers. */
  const everyone = async (pullId: number) => {
    const v = await pulls.view(pullId);
    const reviewers = await s.db.selectFrom('pull_reviews').select('reviewer_id').where('pull_id', '=', pullId).where('state', '!=', 'PENDING').execute();
    const liners = await s.db.selectFrom('pull_line_comments').select('poster_id').where('pull_id', '=', pullId).execute();
    return [
      ...(await s.issues.participants(v.issue.id)),
      ...reviewers.map((r) => r.reviewer_id).filter((x): x is number => x !== null),
      ...liners.map((r) => r.poster_id).filter((x): x is number => x !== null),
      ...(await reviews.requested(pullId)),
    ];
  };

  return [
    subscriber({
      name: 'pulls.push',
      events: ['push'],
      handle: async ({ payload: push }) => {
        const rec = await s.repos.byId(push.repoId);
        if (!rec) return;
        for (const u of push.updates) {
          if (!u.ref.startsWith('refs/heads/')) continue;
          const branch = u.ref.slice('refs/heads/'.length);
          // the head side: follow the branch (a deleted branch leaves the pull request as it was)
          for (const id of await pulls.openWithHead(rec.repo.id, branch)) {
            if (u.newSha === ZERO_SHA) continue;
            await pulls.syncHead(id, push.pusherId);
            await pulls.checkMergeability(id);
          }
          // the base side: merged by this push? else mergeability against the new base
          for (const p of await pulls.openWithBase(rec.repo.id, branch)) {
            if (u.newSha !== ZERO_SHA && (await pulls.detectMerged(rec, p, u.newSha, push.pusherId))) continue;
            await pulls.checkMergeability(p.id);
          }
        }
      },
    }),
    subscriber({
      name: 'pulls.opened',
      events: ['pull.opened'],
      handle: async ({ id, payload: e }) => {
        await pulls.syncHead(e.pullId, e.actorId);
        await pulls.checkMergeability(e.pullId);
        const v = await pulls.view(e.pullId);
        const who = await actorName(e.actorId);
        await notify(
          id,
          e.pullId,
          [...(await reviews.requested(e.pullId)), ...(await s.issues.assignees(v.issue.id))],
          e.actorId,
          'review',
          (repo, n, t) => `${who} opened ${repo}#${n} and asked you to look at it: ${t}`,
        );
        await pulls.announce(v.base, v.pull.index, 'opened');
      },
    }),
    subscriber({
      name: 'pulls.synchronized',
      events: ['pull.synchronized'],
      handle: async ({ payload: e }) => {
        await reviews.markOutdated(e.pullId);
        const v = await pulls.view(e.pullId);
        await pulls.announce(v.base, v.pull.index, 'push');
      },
    }),
    subscriber({
      name: 'pulls.notify',
      events: ['pull.reviewed', 'pull.review_requested', 'pull.commented', 'pull.merged', 'pull.closed', 'pull.reopened'],
      handle: async ({ id, type, payload: e }) => {
        const who = await actorName(e.actorId);
        if (type === 'pull.review_requested') {
          const p = e as typeof e & { userId: number };
          await notify(id, e.pullId, [p.userId], e.actorId, 'review', (repo, n, t) => `${who} requested your review on ${repo}#${n}: ${t}`);
          return;
        }
        const people = await everyone(e.pullId);
        if (type === 'pull.reviewed') {
          const state = (e as typeof e & { state: string }).state;
          const verb = state === 'APPROVED' ? 'approved' : state === 'REQUEST_CHANGES' ? 'requested changes on' : 'reviewed';
          await notify(id, e.pullId, people, e.actorId, 'review', (repo, n, t) => `${who} ${verb} ${repo}#${n}: ${t}`);
        } else if (type === 'pull.commented') {
          await notify(id, e.pullId, people, e.actorId, 'comment', (repo, n, t) => `${who} commented on a line of ${repo}#${n}: ${t}`);
        } else if (type === 'pull.merged') {
          await notify(id, e.pullId, people, e.actorId, 'comment', (repo, n, t) => `${who} merged ${repo}#${n}: ${t}`);
        } else if (type === 'pull.reopened') {
          await notify(id, e.pullId, people, e.actorId, 'comment', (repo, n, t) => `${who} reopened ${repo}#${n}: ${t}`);
        } else {
          await notify(id, e.pullId, people, e.actorId, 'comment', (repo, n, t) => `${who} closed ${repo}#${n}: ${t}`);
        }
      },
    }),
    subscriber({
      name: 'pulls.comment',
      events: ['comment.created'],
      handle: async ({ id, payload: e }) => {
        if (!e.isPull) return;
        const row = await s.db.selectFrom('pull_requests').select('id').where('issue_id', '=', e.issueId).executeTakeFirst();
        if (!row) return;
        const who = await actorName(e.posterId);
        await notify(id, row.id, await everyone(row.id), e.posterId, 'comment', (repo, n, t) => `${who} commented on ${repo}#${n}: ${t}`);
        const v = await pulls.view(row.id);
        await pulls.announce(v.base, v.pull.index, 'comment');
      },
    }),
  ];
}
