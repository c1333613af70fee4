// The public surface of server/users: what other features may import.
export * from './users.js';

import type { UserService } from './users.js';

declare module '../services.js' {
  interface Services {
    users: UserService;
  }
}
