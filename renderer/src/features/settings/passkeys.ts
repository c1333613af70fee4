// Passkeys and security keys of the signed-in user (WebAuthn): the list, adding one through the
// browser's ceremony (@simplewebauthn/browser, loaded when used), and removing one. Having one
// turns two-factor sign-in on, so a change refreshes the 2FA status and the session too.
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../api/client';
import { sessionKey } from '../session/api';
import { twoFactorKey } from './api';

export interface Passkey {
  id: number;
  name: string;
  transports: string[];
  created_at: string;
  last_used_at: string | null;
}

export const passkeysKey = ['user', 'me', '2fa', 'webauthn'] as const;

export function listPasskeys(): Promise<Passkey[]> {
  return apiGet<Passkey[]>('/user/2fa/webauthn');
}

export function usePasskeys() {
  return useQuery({ queryKey: passkeysKey, queryFn: listPasskeys });
}

/** The server's options, the browser's ceremony (the OS's passkey dialog), then the answer under a name. */
export async function addPasskey(name: string): Promise<Passkey> {
  const optionsJSON = await apiSend<PublicKeyCredentialCreationOptionsJSON>('POST', '/user/2fa/webauthn/options');
  const { startRegistration } = await import('@simplewebauthn/browser');
  const response = await startRegistration({ optionsJSON });
  return apiSend<Passkey>('POST', '/user/2fa/webauthn', { name, response });
}

export function removePasskey(id: number): Promise<void> {
  return apiSend('DELETE', `/user/2fa/webauthn/${id}`);
}

function usePasskeysChanged() {
  const qc = useQueryClient();
  return async () => {
    await Promise.all([qc.invalidateQueries({ queryKey: twoFactorKey }), qc.invalidateQueries({ queryKey: sessionKey })]);
  };
}

export function useAddPasskey() {
  const changed = usePasskeysChanged();
  return useMutation({ mutationFn: addPasskey, onSuccess: changed });
}

export function useRemovePasskey() {
  const changed = usePasskeysChanged();
  return useMutation({ mutationFn: removePasskey, onSuccess: changed });
}
