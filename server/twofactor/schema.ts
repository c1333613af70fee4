// Two-factor authentication's tables, added to the db's `Database` by declaration merging.
import type { Generated, Selectable } from 'kysely';

export interface TwoFactorTable {
  user_id: number;
  /** The TOTP secret, base32. */
  secret: string;
  /** 0 while enrolment waits for its first code; 1 once confirmed. */
  enabled: number;
  /** The last 30-second step a code was accepted for: no code for it or an earlier one is accepted again. */
  last_step: number;
  /** Wrong codes since the last right one (or the last lock). */
  failures: number;
  locked_until: number | null;
  created_at: number;
  confirmed_at: number | null;
}

export interface TwoFactorRecoveryTable {
  id: Generated<number>;
  user_id: number;
  /** sha256 of the normalised code; the code itself is shown once. */
  code_hash: string;
  used_at: number | null;
}

export interface WebauthnCredentialTable {
  id: Generated<number>;
  user_id: number;
  /** The credential's id, base64url. */
  credential_id: string;
  /** The COSE public key, base64url. */
  public_key: string;
  /** The authenticator's signature counter (0 for authenticators without one). */
  counter: number;
  /** JSON array of transports the authenticator reported (usb, nfc, ble, internal, hybrid). */
  transports: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

export type TwoFactorRow = Selectable<TwoFactorTable>;
export type WebauthnCredentialRow = Selectable<WebauthnCredentialTable>;

declare module '../db/schema.js' {
  interface Database {
    two_factor: TwoFactorTable;
    two_factor_recovery: TwoFactorRecoveryTable;
    webauthn_credentials: WebauthnCredentialTable;
  }
}
