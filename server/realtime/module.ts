// Keeps the socket rooms honest: when who may read a repository changes (a collaborator
// removed, visibility made private, the repository deleted), sockets that may no longer read
// it leave its room at once; sockets made with credentials that stopped being valid are closed.
// Backup progress goes to the administrators' sockets.
import type { FeatureModule } from '../feature.js';
import { subscriber } from '../events/index.js';
import '../backup/index.js';
import '../repos/index.js';
import '../users/index.js';
import '../orgs/index.js';

export const realtimeModule: FeatureModule = {
  name: 'realtime',
  subscribers: (s) => [
    subscriber({
      name: 'realtime.rooms',
      events: ['repo.collaborator', 'repo.access', 'repo.deleted'],
      handle: async (e) => s.realtime.recheckRepo(e.payload.repoId),
    }),
    subscriber({
      name: 'realtime.org-rooms',
      events: ['org.members'],
      handle: async (e) => {
        const repos = await s.db.selectFrom('repositories').select('id').where('owner_id', '=', e.payload.orgId).execute();
        for (const r of repos) await s.realtime.recheckRepo(r.id);
      },
    }),
  ],
  start: (s) => {
    const offs = [
      s.events.on('backup.job', (job) => s.realtime.toAdmins('backup.job', job)),
      // a sign-out, a password change, a disabled account or a deleted token ends the sockets made with them
      s.events.on('credentials.revoked', (r) => s.realtime.revoke(r)),
    ];
    return () => offs.forEach((off) => off());
  },
};
