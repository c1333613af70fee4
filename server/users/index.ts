// The public surface of server/users: what other features may import.
export * from './users.js';

import type { UserService } from './users.js';

declare module '../services.js' {
  interface Services {
    users: UserService;
  }
}

import type { CredentialsRevoked } from './users.js';

declare module '../events/index.js' {
  interface SignalMap {
    /** Credentials stopped being valid (sign-out, password change, account disabled, token deleted). */
    'credentials.revoked': CredentialsRevoked;
  }
}
