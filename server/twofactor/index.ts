// The public surface of server/twofactor: the service every sign-in path asks (web sign-in, Basic
// auth with X-Gitea-OTP, git over HTTP), and its limits.
export { MAX_WRONG_CODES, RECOVERY_CODES, TwoFactorService, type Enrolment } from './service.js';
export { MAX_PASSKEYS, WebauthnService, type PasskeyJson } from './webauthn.js';

import type { TwoFactorService } from './service.js';
import './schema.js';

declare module '../services.js' {
  interface Services {
    twoFactor: TwoFactorService;
  }
}
