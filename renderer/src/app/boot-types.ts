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
