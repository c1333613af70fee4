// The audit log as a durable subscriber: pushes, new and deleted repositories and collaborator
// changes are written from their outbox events (keyed by event id, so a redelivery writes
// nothing twice). Account and token changes are still written by their services in the request.
import type { FeatureModule } from '../feature.js';
import { subscriber } from '../events/index.js';
import '../pushes/index.js';
import '../repos/index.js';
import m0008 from './migrations/0008_audit_events.js';

export const auditModule: FeatureModule = {
  name: 'audit',
  migrations: { '0008_audit_events': m0008 },
  subscribers: (s) => [
    subscriber({
      name: 'audit.log',
      events: ['push', 'repo.created', 'repo.deleted', 'repo.collaborator'],
      handle: async (e) => {
        const target = { targetType: 'repository', eventId: e.id } as const;
        switch (e.type) {
          case 'push':
            return s.audit.record({
              ...target,
              actorId: e.payload.pusherId,
              action: 'repo.push',
              targetId: e.payload.repoId,
              detail: { event: e.payload.id, transport: e.payload.transport, refs: e.payload.updates },
            });
          case 'repo.created':
            return s.audit.record({
              ...target,
              actorId: e.payload.actorId,
              action: 'repo.create',
              targetId: e.payload.repoId,
              detail: { full_name: e.payload.fullName, visibility: e.payload.visibility },
              ip: e.payload.ip,
            });
          case 'repo.deleted':
            return s.audit.record({ ...target, actorId: e.payload.actorId, action: 'repo.delete', targetId: e.payload.repoId, detail: { full_name: e.payload.fullName }, ip: e.payload.ip });
          case 'repo.collaborator': {
            const user = await s.users.byId(e.payload.userId);
            return s.audit.record({
              ...target,
              actorId: e.payload.actorId,
              action: e.payload.role ? 'repo.collaborator.set' : 'repo.collaborator.remove',
              targetId: e.payload.repoId,
              detail: { user: user?.name ?? e.payload.userId, role: e.payload.role },
              ip: e.payload.ip,
            });
          }
        }
      },
    }),
  ],
};
