// The outbox as administrators see it: deliveries waiting, running and dead per subscriber, the
// dead ones with their last error, and a way to put dead deliveries back in the queue once the
// cause (a mail server down, a bug fixed) is gone.
import { z } from 'zod';
import type { FeatureModule } from '../feature.js';
import { requireAdmin } from '../http/index.js';
import { Invalid } from '../lib/errors.js';

const retryBody = z.strictObject({
  event_id: z.number().int().positive().optional().describe('one dead delivery: its event id (with subscriber)'),
  subscriber: z.string().min(1).max(64).optional(),
});

export const eventsModule: FeatureModule = {
  name: 'events',
  routes: (api, s) => {
    api.route(
      {
        method: 'get',
        path: '/admin/events',
        tag: 'admin',
        summary: 'Gitssy: the event outbox: deliveries per subscriber and state (pending, running, dead), and the newest dead ones with their last error',
        auth: 'admin',
        responses: { 200: '{subscribers: [{name, events, pending, running, dead}], dead: [...]}', 403: 'not a site administrator' },
      },
      async ({ req }) => {
        requireAdmin(req);
        const stats = await s.events.outbox.stats();
        const count = (name: string, state: string) => stats.find((r) => r.subscriber === name && r.state === state)?.count ?? 0;
        const subscribers = s.events
          .subscriberList()
          .map((sub) => ({ name: sub.name, events: sub.events, pending: count(sub.name, 'pending'), running: count(sub.name, 'running'), dead: count(sub.name, 'dead') }));
        const dead = (await s.events.outbox.dead(100)).map((d) => ({ ...d, created_at: new Date(d.created_at).toISOString(), updated_at: new Date(d.updated_at).toISOString() }));
        return { body: { subscribers, dead } };
      },
    );
    api.route(
      {
        method: 'post',
        path: '/admin/events/retry',
        tag: 'admin',
        summary: 'Gitssy: puts dead deliveries back in the queue (all of them, or one event for one subscriber)',
        auth: 'admin',
        body: retryBody,
        responses: { 200: '{retried: N}', 403: 'not a site administrator', 422: 'event_id without subscriber, or the other way round' },
      },
      async ({ req, body }) => {
        requireAdmin(req);
        if ((body.event_id === undefined) !== (body.subscriber === undefined)) throw Invalid('give both event_id and subscriber, or neither');
        const retried = await s.events.outbox.retryDead(body.event_id !== undefined ? { eventId: body.event_id, subscriber: body.subscriber! } : undefined);
        return { body: { retried } };
      },
    );
  },
};
