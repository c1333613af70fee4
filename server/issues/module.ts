// The issues feature: the number sequence, issue rows and timelines that issues and pull
// requests share, and the comment API.
import type { FeatureModule } from '../feature.js';
import m0010 from './migrations/0010_issues.js';
import { registerIssueRoutes } from './routes.js';
import { IssueService } from './service.js';

export const issuesModule: FeatureModule = {
  name: 'issues',
  migrations: { '0010_issues': m0010 },
  services: (s) => {
    s.issues = new IssueService(s.db, s.events);
  },
  routes: (api, s) => registerIssueRoutes(api, s, s.issues),
};
