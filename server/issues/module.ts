// The issues feature: the number sequence, issue rows and timelines that issues and pull
// requests share; the tracker (labels, milestones, reactions, pins, locks, confidential issues,
// search); mentions, references and closing keywords; and their API.
import type { FeatureModule } from '../feature.js';
import m0010 from './migrations/0010_issues.js';
import m0014 from './migrations/0014_issue_tracking.js';
import { registerIssueTrackerRoutes } from './issue-routes.js';
import { registerLabelRoutes } from './label-routes.js';
import { LabelService } from './labels.js';
import { registerIssueRoutes } from './routes.js';
import { IssueService } from './service.js';
import { issueSubscribers } from './subscribers.js';
import { IssueTracker } from './tracker.js';

export const issuesModule: FeatureModule = {
  name: 'issues',
  migrations: { '0010_issues': m0010, '0014_issue_tracking': m0014 },
  services: (s) => {
    s.issues = new IssueService(s.db, s.events);
    s.labels = new LabelService(s.db);
    s.tracker = new IssueTracker(s, s.issues, s.labels);
    s.repoCounts = (repoId, opts) => s.issues.openCounts(repoId, opts);
  },
  subscribers: (s) => issueSubscribers(s),
  routes: (api, s) => {
    registerIssueTrackerRoutes(api, s);
    registerLabelRoutes(api, s);
    registerIssueRoutes(api, s, s.issues);
  },
};
