// Where deliveries come from: the fan-out subscriber turns the forge's events (push, issues,
// comments, pull requests, commit statuses) into Gitea's webhook event types and writes one
// delivery per hook that hears each; the deliver subscriber sends them, one outbox event per
// delivery, so each retries on its own with the outbox's backoff.
import { subscriber, type Subscriber } from '../events/index.js';
import type { Services } from '../services.js';
import type { HookEventType } from './events.js';
import type { PayloadBuilder } from './payloads.js';
import { DELIVERY_ATTEMPTS, type Fanned, type WebhookService } from './service.js';

const REVIEW_TYPES: Record<string, HookEventType> = {
  APPROVED: 'pull_request_review_approved',
  REQUEST_CHANGES: 'pull_request_review_rejected',
  COMMENT: 'pull_request_review_comment',
};

export function webhookSubscribers(s: Services, hooks: WebhookService, payloads: PayloadBuilder): Subscriber[] {
  const pullItem = (type: HookEventType, pullId: number, action: string, actorId: number | null, extra: Parameters<PayloadBuilder['pull']>[3] = {}): Fanned => ({
    type,
    build: () => payloads.pull(pullId, action, actorId, extra),
  });

  return [
    subscriber({
      name: 'webhooks.fanout',
      events: [
        'push',
        'issue.opened',
        'issue.changed',
        'comment.created',
        'pull.opened',
        'pull.synchronized',
        'pull.reviewed',
        'pull.review_requested',
        'pull.merged',
        'pull.closed',
        'pull.reopened',
        'pull.commented',
        'status.created',
      ],
      handle: async (event) => {
        const rec = await s.repos.byId(event.payload.repoId);
        if (!rec || !(await hooks.anyHooks(rec))) return;
        const items: Fanned[] = [];
        switch (event.type) {
          case 'push': {
            const push = event.payload;
            for (const u of push.updates) {
              for (const p of payloads.refPayloads(rec, push.pusherId, u)) items.push({ type: p.type, ref: p.ref, build: p.build });
            }
            break;
          }
          case 'issue.opened': {
            const e = event.payload;
            items.push({ type: 'issues', build: () => payloads.issue(rec, e.issueId, 'opened', e.actorId) });
            break;
          }
          case 'issue.changed': {
            const e = event.payload;
            const issue = await s.issues.byId(e.issueId);
            if (!issue) return;
            if (issue.is_pull) {
              // a pull request's state changes come as pull.* events; its edits and assignments come here
              const pull = await s.db.selectFrom('pull_requests').select('id').where('issue_id', '=', issue.id).executeTakeFirst();
              if (!pull) return;
              if (e.change === 'edited') items.push(pullItem('pull_request', pull.id, 'edited', e.actorId));
              if (e.change === 'assigned') items.push(pullItem('pull_request_assign', pull.id, 'assigned', e.actorId));
              break;
            }
            const type: HookEventType = e.change === 'assigned' ? 'issue_assign' : 'issues';
            items.push({ type, build: () => payloads.issue(rec, e.issueId, e.change, e.actorId, { commit: e.commit }) });
            break;
          }
          case 'comment.created': {
            const e = event.payload;
            items.push({ type: e.isPull ? 'pull_request_comment' : 'issue_comment', build: () => payloads.comment(rec, e.issueId, e.commentId, e.posterId) });
            break;
          }
          case 'pull.opened':
            items.push(pullItem('pull_request', event.payload.pullId, 'opened', event.payload.actorId));
            break;
          case 'pull.closed':
            items.push(pullItem('pull_request', event.payload.pullId, 'closed', event.payload.actorId));
            break;
          case 'pull.reopened':
            items.push(pullItem('pull_request', event.payload.pullId, 'reopened', event.payload.actorId));
            break;
          case 'pull.commented': {
            // a line comment, as Gitea sends it: a reply in a thread is a comment on the pull request
            // (pull_request_comment), a new one a one-comment review (pull_request_review_comment)
            const e = event.payload;
            const c = await s.db.selectFrom('pull_line_comments').select(['reply_to', 'body', 'commit_id']).where('id', '=', e.commentId).executeTakeFirst();
            if (!c) return;
            if (c.reply_to !== null) items.push({ type: 'pull_request_comment', build: () => payloads.lineComment(e.pullId, e.commentId, e.actorId) });
            else items.push(pullItem('pull_request_review_comment', e.pullId, 'reviewed', e.actorId, { review: { type: 'pull_request_review_comment', content: c.body }, commit: c.commit_id }));
            break;
          }
          case 'pull.merged':
            // Gitea sends a merge as "closed" with pull_request.merged true
            items.push(pullItem('pull_request', event.payload.pullId, 'closed', event.payload.actorId, { commit: event.payload.sha }));
            break;
          case 'pull.synchronized':
            items.push(pullItem('pull_request_sync', event.payload.pullId, 'synchronized', event.payload.actorId, { commit: event.payload.newHead }));
            break;
          case 'pull.reviewed': {
            const e = event.payload;
            const type = REVIEW_TYPES[e.state];
            if (!type) return;
            const review = await s.db.selectFrom('pull_reviews').select(['body', 'commit_id']).where('id', '=', e.reviewId).executeTakeFirst();
            items.push(pullItem(type, e.pullId, 'reviewed', e.actorId, { review: { type, content: review?.body ?? '' }, commit: review?.commit_id ?? '' }));
            break;
          }
          case 'pull.review_requested':
            items.push(pullItem('pull_request_review_request', event.payload.pullId, 'review_requested', event.payload.actorId, { requestedReviewerId: event.payload.userId }));
            break;
          case 'status.created': {
            const e = event.payload;
            items.push({ type: 'status', build: () => payloads.status(rec, e.id) });
            break;
          }
        }
        await hooks.fanOut(event.id, rec, items);
      },
    }),
    subscriber({
      name: 'webhooks.deliver',
      events: ['webhook.deliver'],
      concurrency: 8,
      // the service gives up after DELIVERY_ATTEMPTS itself and logs it; this only bounds a bug
      maxAttempts: DELIVERY_ATTEMPTS + 2,
      handle: async ({ payload }) => hooks.deliver(payload.deliveryId),
    }),
  ];
}
