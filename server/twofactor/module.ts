// Two-factor authentication (TOTP, and passkeys through WebAuthn) as a module: its tables, its service and the user's and the
// administrator's routes. The sign-in paths that ask it live with the session and auth code.
import type { FeatureModule } from '../feature.js';
import '../audit/index.js';
import '../settings/index.js';
import './index.js';
import m0021 from './migrations/0021_two_factor.js';
import m0024 from './migrations/0024_webauthn.js';
import { registerTwoFactorRoutes } from './routes.js';
import { TwoFactorService } from './service.js';

export const twoFactorModule: FeatureModule = {
  name: 'twofactor',
  migrations: { '0021_two_factor': m0021, '0024_webauthn': m0024 },
  services: (s) => {
    s.twoFactor = new TwoFactorService(s.db, s.settings, s.audit, () => s.settings.get('instance.name') || 'Gitssy');
  },
  routes: (api, s) => registerTwoFactorRoutes(api, s, s.twoFactor),
};
