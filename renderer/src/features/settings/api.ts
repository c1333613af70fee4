// User settings: profile (Gitea's /user/settings), password, personal access tokens, SSH keys
// and two-factor sign-in of the signed-in user.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiList, apiSend, encodePath } from '../../api/client';
import { setCsrfToken } from '../../app/boot';
import { sessionKey } from '../session/api';

export interface UserSettings {
  full_name: string;
  website: string;
  description: string;
  location: string;
  pronouns: string;
  hide_email: boolean;
}

export const settingsKey = ['user', 'me', 'settings'] as const;

export function getSettings(): Promise<UserSettings> {
  return apiGet<UserSettings>('/user/settings');
}

export function useSettings() {
  return useQuery({ queryKey: settingsKey, queryFn: getSettings });
}

export function saveSettings(body: Partial<Pick<UserSettings, 'full_name' | 'website' | 'description' | 'location' | 'pronouns'>>): Promise<UserSettings> {
  return apiSend<UserSettings>('PATCH', '/user/settings', body);
}

export function useSaveSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: saveSettings,
    onSuccess: (saved) => {
      qc.setQueryData(settingsKey, saved);
      void qc.invalidateQueries({ queryKey: sessionKey });
      void qc.invalidateQueries({ queryKey: ['user'] });
    },
  });
}

/** Your avatar: an image as base64 (a data: URL works), or null to go back to the drawn one. */
export function useSetAvatar() {
  return useMutation({ mutationFn: (image: string | null) => (image === null ? apiSend<void>('DELETE', '/user/avatar') : apiSend<void>('POST', '/user/avatar', { image })) });
}

/** Your profile's links and pinned repositories (each replaces the whole list). */
export function useSaveProfileLists() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: { links: string[]; repos: string[] }) => {
      await apiSend('PUT', '/user/profile/links', { links: body.links });
      await apiSend('PUT', '/user/profile/pinned', { repos: body.repos });
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['user'] }),
  });
}

export function changePassword(body: { old_password: string; new_password: string }): Promise<void> {
  return apiSend('POST', '/user/password', body);
}

export function useChangePassword() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: changePassword,
    // the server started a fresh session (and with it a new CSRF token)
    onSuccess: async () => {
      setCsrfToken(null);
      await qc.invalidateQueries({ queryKey: sessionKey });
    },
  });
}

// ---- tokens ---------------------------------------------------------------------------------

export interface AccessToken {
  id: number;
  name: string;
  /** Only in the answer to a create: the secret, shown once. */
  sha1?: string;
  token_last_eight: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
}

const tokensKey = (user: string) => ['user', user.toLowerCase(), 'tokens'] as const;

export function getTokens(user: string): Promise<AccessToken[]> {
  return apiList<AccessToken>(`/users/${encodePath(user)}/tokens`, { limit: 50 }).then((r) => r.items);
}

export function useTokens(user: string) {
  return useQuery({ queryKey: tokensKey(user), queryFn: () => getTokens(user) });
}

export function createToken(user: string, body: { name: string; scopes: string[] }): Promise<AccessToken> {
  return apiSend<AccessToken>('POST', `/users/${encodePath(user)}/tokens`, body);
}

export function useCreateToken(user: string) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (body: { name: string; scopes: string[] }) => createToken(user, body), onSuccess: () => qc.invalidateQueries({ queryKey: tokensKey(user) }) });
}

export function deleteToken(user: string, id: number): Promise<void> {
  return apiSend('DELETE', `/users/${encodePath(user)}/tokens/${id}`);
}

export function useDeleteToken(user: string) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (id: number) => deleteToken(user, id), onSuccess: () => qc.invalidateQueries({ queryKey: tokensKey(user) }) });
}

// ---- SSH keys -------------------------------------------------------------------------------

export interface SshKey {
  id: number;
  key: string;
  title: string;
  fingerprint: string;
  created_at: string;
  last_used_at: string | null;
}

const keysKey = ['user', 'me', 'keys'] as const;

export function getKeys(): Promise<SshKey[]> {
  return apiList<SshKey>('/user/keys', { limit: 50 }).then((r) => r.items);
}

export function useKeys() {
  return useQuery({ queryKey: keysKey, queryFn: getKeys });
}

export function addKey(body: { title: string; key: string }): Promise<SshKey> {
  return apiSend<SshKey>('POST', '/user/keys', body);
}

export function useAddKey() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: addKey, onSuccess: () => qc.invalidateQueries({ queryKey: keysKey }) });
}

export function deleteKey(id: number): Promise<void> {
  return apiSend('DELETE', `/user/keys/${id}`);
}

export function useDeleteKey() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: deleteKey, onSuccess: () => qc.invalidateQueries({ queryKey: keysKey }) });
}

export interface SshInfo {
  enabled: boolean;
  port: number | null;
  host: string;
  host_key_fingerprint: string;
  clone_example: string | null;
}

export function getSshInfo(): Promise<SshInfo> {
  return apiGet<SshInfo>('/settings/ssh');
}

export function useSshInfo() {
  return useQuery({ queryKey: ['ssh-info'], queryFn: getSshInfo, staleTime: Infinity });
}

// ---- two-factor sign-in -----------------------------------------------------------------------

export interface TwoFactorStatus {
  enabled: boolean;
  /** An enrolment was started and not confirmed yet (not in force). */
  pending: boolean;
  recovery_codes_left: number;
  /** The site requires two-factor sign-in of everyone. */
  required: boolean;
}

export interface TotpEnrolment {
  /** base32, for typing into the app by hand */
  secret: string;
  /** otpauth://totp/… */
  uri: string;
  /** the URI as a QR code (an <svg> document) */
  qr_svg: string;
}

export const twoFactorKey = ['user', 'me', '2fa'] as const;

export function getTwoFactor(): Promise<TwoFactorStatus> {
  return apiGet<TwoFactorStatus>('/user/2fa');
}

export function useTwoFactor() {
  return useQuery({ queryKey: twoFactorKey, queryFn: getTwoFactor });
}

/** After a change: the status, and the session (whether the site still sends this account to enrolment). */
function useTwoFactorChanged() {
  const qc = useQueryClient();
  return async () => {
    await Promise.all([qc.invalidateQueries({ queryKey: twoFactorKey }), qc.invalidateQueries({ queryKey: sessionKey })]);
  };
}

export function beginTotp(): Promise<TotpEnrolment> {
  return apiSend<TotpEnrolment>('POST', '/user/2fa/totp');
}

export function useBeginTotp() {
  const changed = useTwoFactorChanged();
  return useMutation({ mutationFn: beginTotp, onSuccess: changed });
}

export function confirmTotp(code: string): Promise<{ recovery_codes: string[] }> {
  return apiSend<{ recovery_codes: string[] }>('POST', '/user/2fa/totp/confirm', { code });
}

export function useConfirmTotp() {
  const changed = useTwoFactorChanged();
  return useMutation({ mutationFn: confirmTotp, onSuccess: changed });
}

export function newRecoveryCodes(code: string): Promise<{ recovery_codes: string[] }> {
  return apiSend<{ recovery_codes: string[] }>('POST', '/user/2fa/recovery-codes', { code });
}

export function useNewRecoveryCodes() {
  const changed = useTwoFactorChanged();
  return useMutation({ mutationFn: newRecoveryCodes, onSuccess: changed });
}

export function disableTwoFactor(body: { code: string } | { recovery_code: string }): Promise<void> {
  return apiSend('POST', '/user/2fa/disable', body);
}

export function useDisableTwoFactor() {
  const changed = useTwoFactorChanged();
  return useMutation({ mutationFn: disableTwoFactor, onSuccess: changed });
}

/** One signed-in browser (the id is not the session id). */
export interface SessionInfo {
  id: string;
  current: boolean;
  ip: string | null;
  user_agent: string;
  device: string;
  remembered: boolean;
  created_at: string | null;
  last_seen_at: string | null;
}
const sessionsKey = ['user', 'sessions'] as const;
export function useSessions() {
  return useQuery({ queryKey: sessionsKey, queryFn: () => apiGet<SessionInfo[]>('/user/sessions') });
}
export function useRevokeSession() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend('DELETE', `/user/sessions/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: sessionsKey }),
  });
}
