// Session: who is signed in, sign in (with its two-factor step), register, sign out, first-run setup.
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../api/client';
import { boot, setCsrfLoader, setCsrfToken } from '../../app/boot';
import type { SessionState } from '../../app/boot-types';
import type { User } from '../users/types';

export type { SessionState };

export const sessionKey = ['session'] as const;

export async function fetchSession(): Promise<SessionState> {
  const s = await apiGet<SessionState>('/auth/session');
  setCsrfToken(s.csrf_token);
  return s;
}

setCsrfLoader(async () => (await fetchSession()).csrf_token);

export function useSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: fetchSession,
    initialData: boot?.session,
    staleTime: 60_000,
  });
}

/** Whether the viewer's writes are refused right now (maintenance mode). */
export function useReadOnly(): boolean {
  return !!useSession().data?.maintenance?.read_only;
}

/** The signed-in user, or null (the session is always available: boot data or a fetch). */
export function useCurrentUser(): User | null {
  return useSession().data?.user ?? null;
}

/**
 * The answer to a right password: signed in, or (for an account with two-factor sign-in) not yet:
 * `two_factor_required`, and this session waits five minutes for the code (signInSecondFactor).
 */
export type SignInResult =
  | { user: User; csrf_token: string; two_factor_required?: undefined }
  /** `webauthn`: the account has passkeys; `totp`: it has an authenticator app. */
  | { user: null; two_factor_required: true; webauthn?: boolean; totp?: boolean; csrf_token: string };

export function signIn(body: { username: string; password: string; remember?: boolean }): Promise<SignInResult> {
  return apiSend<SignInResult>('POST', '/auth/signin', body);
}

/** The second sign-in step: a code from the authenticator app, one of the recovery codes, or a passkey's answer. */
export type SecondFactor = { code: string } | { recovery_code: string } | { webauthn: AuthenticationResponseJSON };

export function signInSecondFactor(body: SecondFactor): Promise<{ user: User; csrf_token: string }> {
  return apiSend<{ user: User; csrf_token: string }>('POST', '/auth/signin/2fa', body);
}

/** The second step with a passkey: the server's options, the browser's ceremony (the OS's passkey dialog), then the answer. */
export async function signInWithPasskey(): Promise<{ user: User; csrf_token: string }> {
  const optionsJSON = await apiSend<PublicKeyCredentialRequestOptionsJSON>('POST', '/auth/signin/webauthn/options');
  const { startAuthentication } = await import('@simplewebauthn/browser');
  return signInSecondFactor({ webauthn: await startAuthentication({ optionsJSON }) });
}

/** `pending` is true when the account waits for an administrator's approval (not signed in). */
export function register(body: { username: string; email: string; password: string; full_name?: string }): Promise<{ user: User; pending: boolean }> {
  return apiSend<{ user: User; pending: boolean }>('POST', '/auth/register', body);
}

export function signOut(): Promise<void> {
  return apiSend('POST', '/auth/signout');
}

export interface SetupBody {
  token: string;
  username: string;
  email: string;
  password: string;
  instance_name?: string;
  public_url?: string;
  registration?: 'open' | 'approval' | 'closed';
  transports?: { http?: boolean; ssh?: boolean; git?: boolean };
  ports?: { http?: number; ssh?: number; git?: number | null };
  mdns?: boolean;
}

export function completeSetup(body: SetupBody): Promise<User> {
  return apiSend<User>('POST', '/setup', body);
}

/** After anything that changes who is signed in: new session state (and CSRF token), fresh data. */
function useSessionChange() {
  const qc = useQueryClient();
  return async () => {
    setCsrfToken(null);
    await qc.resetQueries();
    await qc.fetchQuery({ queryKey: sessionKey, queryFn: fetchSession });
  };
}

export function useSignIn() {
  const changed = useSessionChange();
  return useMutation({ mutationFn: signIn, onSuccess: changed });
}

/** The second step of signing in; a right code signs in (a new session, so a new CSRF token and fresh data). */
export function useSignInSecondFactor() {
  const changed = useSessionChange();
  return useMutation({ mutationFn: signInSecondFactor, onSuccess: changed });
}

export function useSignInWithPasskey() {
  const changed = useSessionChange();
  return useMutation({ mutationFn: signInWithPasskey, onSuccess: changed });
}

export function useRegister() {
  const changed = useSessionChange();
  return useMutation({ mutationFn: register, onSuccess: changed });
}

export function useSignOut() {
  const changed = useSessionChange();
  return useMutation({ mutationFn: signOut, onSuccess: changed });
}

export function useCompleteSetup() {
  const changed = useSessionChange();
  return useMutation({ mutationFn: completeSetup, onSuccess: changed });
}
