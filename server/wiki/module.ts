// The wiki feature: its service, its API routes, and one subscriber that tells open wiki pages
// when the wiki's branch moved. It has no tables: the pages and their history are git (the
// repository store renames and deletes a wiki with its repository).
import type { FeatureModule } from '../feature.js';
import { subscriber } from '../events/index.js';
import '../pushes/index.js';
import '../realtime/index.js';
import { facts } from '../repos/index.js';
import { registerWikiRoutes } from './routes.js';
import { WikiService } from './service.js';
import './index.js';

export const wikiModule: FeatureModule = {
  name: 'wiki',
  services: (s) => {
    s.wiki = new WikiService(s);
  },
  subscribers: (s) => [
    subscriber({
      name: 'wiki.realtime',
      events: ['wiki.push'],
      handle: async ({ payload }) => {
        const rec = await s.repos.byId(payload.repoId);
        if (rec) await s.realtime.toRepo(facts(rec.repo), 'wiki.updated', { repo: `${rec.owner.name}/${rec.repo.name}` });
      },
    }),
  ],
  routes: (api, s) => registerWikiRoutes(api, s, s.wiki),
};
