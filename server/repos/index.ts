// The public surface of server/repos: what other features may import.
export * from './repos.js';
export * from './events.js';

import type { RepoService } from './repos.js';

declare module '../services.js' {
  interface Services {
    repos: RepoService;
  }
}
