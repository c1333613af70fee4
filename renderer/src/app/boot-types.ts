// The shapes of the boot data the server puts into index.html: the session and the appearance.
// Types only, and they import nothing from a feature, so api/client → app/boot stays a leaf.
import type { User } from '../api/types';

export interface Appearance {
  preset: string;
  background: string;
  cursor: string;
  font: string;
}

/** GET /api/v1/auth/session: who is signed in, the CSRF token, instance state. */
export interface SessionState {
  user: User | null;
  csrf_token: string | null;
  /** The password was right and the second sign-in step (a two-factor code) is awaited: POST /auth/signin/2fa. */
  two_factor_pending: boolean;
  /** While the second step is awaited: the account has passkeys (POST /auth/signin/webauthn/options). */
  two_factor_webauthn?: boolean;
  /** The site requires two-factor sign-in and this account has none: the API refuses it all but enrolment. */
  two_factor_enrolment_required: boolean;
  setup_required: boolean;
  registration: 'open' | 'approval' | 'closed';
  instance_name: string;
  version: string;
  /** `read_only`: this viewer's writes are refused now (maintenance, unless admins are exempt). */
  maintenance?: { enabled: boolean; message: string; read_only: boolean };
}

export interface Boot {
  session: SessionState;
  appearance: Appearance;
}
