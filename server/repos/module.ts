// Repositories as a module: after a push is acknowledged, the size on disk and `git gc --auto`
// follow from the outbox (what must be right at once, emptiness and HEAD, the push recorder
// settles before acknowledging).
import type { FeatureModule } from '../feature.js';
import { subscriber } from '../events/index.js';
import '../pushes/index.js';

export const reposModule: FeatureModule = {
  name: 'repos',
  subscribers: (s) => [
    subscriber({
      name: 'repos.after-push',
      events: ['push'],
      concurrency: 2,
      handle: async (e) => s.repos.maintainAfterPush(e.payload.repoId),
    }),
  ],
};
